package stream

import (
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// sniffState collects the first payload bytes of each direction of a
// connection on a port that is not an MQTT port, until it is clear whether
// they open with a CONNECT. An ESP8266 often sends the first byte of a
// packet in a segment of its own (onenet.md §5.1), so one segment may not
// be enough.
type sniffState struct {
	done  [2]bool
	data  [2][]byte
	seq   [2]uint32
	next  [2]uint32
	frame [2]uint64
	ci    [2]gopacket.CaptureInfo
}

// prefix is the start of a client stream seen before it was watched.
type prefix struct {
	data  []byte
	seq   uint32
	frame uint64
	ci    gopacket.CaptureInfo
}

// sniffMax bounds what Config.Sniff may ask for (an HTTP upgrade's
// header block).
const sniffMax = 16 << 10

// SniffResult is what a look at the first bytes of a stream says.
type SniffResult int

// Sniff results.
const (
	SniffMore SniffResult = iota // not sure yet: more bytes are needed
	SniffYes
	SniffNo
)

// recogniser is what the first bytes of a client stream on an unwatched
// connection are checked with: a CONNECT (when other ports are searched)
// or what Config.Sniff recognises. It returns the roles the connection
// gets ("connect" or "sniff").
func (t *Tracker) recogniser(serverPort uint16) func([]byte) (sniffResult, string) {
	return func(b []byte) (sniffResult, string) {
		r := sniffNo
		if t.cfg.DetectOtherPorts {
			if r = looksLikeConnect(b); r == sniffYes {
				return r, "connect"
			}
		}
		if t.cfg.Sniff != nil && len(b) < sniffMax {
			switch t.cfg.Sniff(b, serverPort) {
			case SniffYes:
				return sniffYes, "sniff"
			case SniffMore:
				r = sniffMore
			}
		}
		return r, ""
	}
}

// sniffConnect looks at a segment of an unwatched connection. It returns ok
// when the direction's stream opens with a CONNECT (or what recognise
// knows), with the bytes of it that earlier segments carried and the roles
// the connection gets.
func (v *view) sniffConnect(tcp *layers.TCP, d int, frame uint64, ci gopacket.CaptureInfo, recognise func([]byte) (sniffResult, string)) (prefix, string, bool) {
	if len(tcp.Payload) == 0 {
		return prefix{}, "", false
	}
	if v.sniff == nil {
		v.sniff = &sniffState{}
	}
	s := v.sniff
	if s.done[d] {
		return prefix{}, "", false
	}
	switch {
	case len(s.data[d]) == 0:
		// The stream's first byte must be this segment's first byte.
		if v.synSeen[d] && tcp.Seq != v.synSeq[d]+1 {
			s.done[d] = true
			return v.sniffDone()
		}
		s.seq[d], s.frame[d], s.ci[d] = tcp.Seq, frame, ci
	case tcp.Seq != s.next[d]:
		s.done[d] = true
		return v.sniffDone()
	}
	earlier := len(s.data[d])
	n := min(len(tcp.Payload), sniffMax-earlier)
	s.data[d] = append(s.data[d], tcp.Payload[:n]...)
	s.next[d] = tcp.Seq + uint32(len(tcp.Payload))
	switch r, roles := recognise(s.data[d]); r {
	case sniffYes:
		return prefix{data: s.data[d][:earlier], seq: s.seq[d], frame: s.frame[d], ci: s.ci[d]}, roles, true
	case sniffNo:
		s.done[d] = true
		return v.sniffDone()
	}
	if len(s.data[d]) >= sniffMax {
		s.done[d] = true
		return v.sniffDone()
	}
	return prefix{}, "", false
}

func (v *view) sniffDone() (prefix, string, bool) {
	if v.sniff.done[0] && v.sniff.done[1] {
		v.ignore, v.sniff = true, nil
	}
	return prefix{}, "", false
}

type sniffResult int

const (
	sniffMore sniffResult = iota
	sniffYes
	sniffNo
)

// looksLikeConnect recognises the start of a CONNECT: 0x10, a remaining
// length, then the protocol name "MQTT" or "MQIsdp" with its two-byte
// length (anchors.md §3.7). The one-byte-length bug (a length over 127 in
// one byte, onenet.md §6.3) is recognised too.
func looksLikeConnect(b []byte) sniffResult {
	if len(b) == 0 {
		return sniffMore
	}
	if b[0] != 0x10 {
		return sniffNo
	}
	result := sniffNo
	for _, name := range [...]string{"\x00\x04MQTT", "\x00\x06MQIsdp"} {
		for at := 2; at <= 5; at++ {
			switch {
			case len(b) >= at+len(name):
				if string(b[at:at+len(name)]) == name {
					return sniffYes
				}
			case len(b) <= at || hasPrefix(name, b[at:]):
				result = sniffMore
			}
		}
	}
	return result
}

func hasPrefix(s string, b []byte) bool {
	return len(b) <= len(s) && s[:len(b)] == string(b)
}
