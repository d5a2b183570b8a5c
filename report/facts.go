package report

import (
	"encoding/binary"
	"strconv"
	"unicode/utf8"

	"github.com/mqttpcap/mqttpcap/decode"
)

// facts appends the one-line summary of a packet: the fields a user looks
// for first in each packet type (client id, topic, packet id, QoS, reason,
// payload preview).
func facts(b []byte, p *decode.Packet, preview int) []byte {
	switch p.Type {
	case decode.CONNECT:
		if p.Version != decode.VersionUnknown {
			b = append(b, 'v')
			b = append(b, p.Version.String()...)
		}
		if p.Has&decode.HasClientID != 0 {
			b = appendKV(b, "client_id", p.ClientID, preview)
		}
		if p.UsernameFlag && p.Username != nil {
			b = appendKV(b, "username", p.Username, preview)
		}
		if p.PasswordFlag && p.Password != nil {
			b = append(b, " password=("...)
			b = strconv.AppendInt(b, int64(len(p.Password)), 10)
			if len(p.Password) == 1 {
				b = append(b, " byte)"...)
			} else {
				b = append(b, " bytes)"...)
			}
		}
		if p.Has&decode.HasKeepAlive != 0 {
			b = append(b, " keep_alive="...)
			b = strconv.AppendUint(b, uint64(p.KeepAlive), 10)
		}
		if p.CleanSession {
			b = append(b, " clean"...)
		}
		if p.WillFlag && p.WillTopic != nil {
			b = appendKV(b, "will", p.WillTopic, preview)
		}
	case decode.CONNACK:
		if p.SessionPresent {
			b = append(b, "session_present "...)
		}
		b = appendReason(b, p)
	case decode.PUBLISH:
		b = appendID(b, p)
		b = append(b, "qos="...)
		b = strconv.AppendUint(b, uint64(p.QoS), 10)
		if p.Retain {
			b = append(b, " retain"...)
		}
		if p.DUP {
			b = append(b, " dup"...)
		}
		b = append(b, ' ')
		if len(p.Topic) == 0 && p.AliasTopic != nil {
			b = append(b, "(alias) "...)
			b = appendQuoted(b, p.AliasTopic, preview)
		} else {
			b = appendQuoted(b, p.Topic, preview)
		}
		if pr, ok := p.Properties.Get(decode.PropTopicAlias); ok {
			b = append(b, " alias="...)
			b = strconv.AppendUint(b, uint64(pr.Uint), 10)
		}
		if p.Has&decode.HasPayload != 0 {
			b = append(b, ' ')
			b = strconv.AppendInt(b, int64(len(p.Payload)), 10)
			b = append(b, " B"...)
			if len(p.Payload) > 0 && preview != 0 { // preview < 0: whole
				b = append(b, ' ')
				b = appendPreview(b, p.Payload, preview)
			}
		}
	case decode.PUBACK, decode.PUBREC, decode.PUBREL, decode.PUBCOMP:
		b = appendID(b, p)
		b = appendReason(b, p)
	case decode.SUBSCRIBE:
		b = appendID(b, p)
		for i, s := range p.Subscriptions {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendQuoted(b, s.Topic, preview)
			b = append(b, " qos="...)
			b = strconv.AppendUint(b, uint64(s.QoS), 10)
		}
	case decode.SUBACK, decode.UNSUBACK:
		b = appendID(b, p)
		for i, c := range p.ReasonCodes {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendCode(b, c)
			if name := decode.ReasonName(p.Type, p.Version, c); name != "" {
				b = append(b, ' ')
				b = append(b, name...)
			}
		}
	case decode.UNSUBSCRIBE:
		b = appendID(b, p)
		for i, t := range p.TopicFilters {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendQuoted(b, t, preview)
		}
	case decode.DISCONNECT, decode.AUTH:
		b = appendReason(b, p)
	case decode.Reserved:
		b = strconv.AppendInt(b, int64(p.RemainingLength), 10)
		b = append(b, " body bytes"...)
	}
	return trimSpace(b)
}

func appendID(b []byte, p *decode.Packet) []byte {
	if !p.HasPacketID {
		return b
	}
	b = append(b, "id="...)
	b = strconv.AppendUint(b, uint64(p.PacketID), 10)
	return append(b, ' ')
}

func appendReason(b []byte, p *decode.Packet) []byte {
	if !p.HasReasonCode {
		return b
	}
	b = appendCode(b, p.ReasonCode)
	if name := p.ReasonName(); name != "" {
		b = append(b, ' ')
		b = append(b, name...)
	} else {
		b = append(b, " (undefined)"...)
	}
	return b
}

func appendCode(b []byte, c uint8) []byte {
	b = append(b, "0x"...)
	return append(b, hexDigit[c>>4], hexDigit[c&0xf])
}

const hexDigit = "0123456789abcdef"

func appendKV(b []byte, k string, v []byte, max int) []byte {
	b = append(b, ' ')
	b = append(b, k...)
	b = append(b, '=')
	return appendQuoted(b, v, max)
}

// appendQuoted appends v as a double-quoted string, cut to max runes.
func appendQuoted(b, v []byte, max int) []byte {
	b = append(b, '"')
	b = appendPreview(b, v, max)
	return append(b, '"')
}

// appendPreview appends printable text of v (control characters and invalid
// UTF-8 as '.'), cut to max runes with an ellipsis.
func appendPreview(b, v []byte, max int) []byte {
	// Printable ASCII is the common case (topics, JSON): copy runs of it,
	// found 8 bytes at a time.
	i := printableRun(v, max)
	b = append(b, v[:i]...)
	if i == len(v) {
		return b
	}
	n := i
	for i < len(v) {
		if max > 0 && n >= max {
			return append(b, "…"...)
		}
		r, size := utf8.DecodeRune(v[i:])
		switch {
		case r == utf8.RuneError && size <= 1, r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
			b = append(b, '.')
		default:
			b = append(b, v[i:i+size]...)
		}
		i += size
		n++
	}
	return b
}

// printableRun is how many bytes at the start of v (at most max, when
// max > 0) are printable ASCII, 0x20 to 0x7e.
func printableRun(v []byte, max int) int {
	limit := len(v)
	if max > 0 && max < limit {
		limit = max
	}
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= limit; i += 8 {
		x := binary.LittleEndian.Uint64(v[i:])
		below := (x - ones*0x20) & ^x & highs        // a byte under 0x20
		above := ((x + ones*(127-0x7e)) | x) & highs // a byte over 0x7e
		if below|above != 0 {
			break
		}
	}
	for i < limit && v[i] >= 0x20 && v[i] < 0x7f {
		i++
	}
	return i
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return b
}

// Facts appends the one-line summary of a packet (what the packet list
// shows after the type), with topics and payloads cut to preview runes.
func Facts(b []byte, p *decode.Packet, preview int) []byte { return facts(b, p, preview) }
