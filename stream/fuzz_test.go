package stream

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	pc "github.com/mqttpcap/mqttpcap/internal/testutil/pcapcraft"
)

// FuzzTracker drives the Tracker with arbitrary segments on a few 4-tuples
// (any flags, sequence and acknowledgement numbers, payloads, IP
// fragments, capture times going back and forth, two interfaces): it never
// panics, ends every connection exactly once (the recorder panics
// otherwise), reports frames it was given, and its state stays bounded.
func FuzzTracker(f *testing.F) {
	f.Add([]byte{0x02, 0, 0, 0, 0x10, 0, 0x12, 1, 0, 0, 0, 0x10, 0x18, 0, 4, 4, 0, 1, 0x10, 0, 0x11, 0, 0, 0, 0, 0})
	f.Add([]byte{0x02, 0, 0, 0, 0x10, 0, 0x14, 1, 0, 0, 0, 0x10, 0x02, 0, 0, 0, 0x10, 0, 0x14, 1, 0, 0, 0x20, 0x10})
	f.Add([]byte{0x58, 0, 0, 9, 0, 0, 0x18, 0x80, 40, 40, 0, 0, 0x18, 0x80, 40, 40, 0, 0, 0x58, 3, 9, 200, 0, 0})
	f.Fuzz(fuzzTracker)
}

// fuzzTracker is FuzzTracker's body.
func fuzzTracker(t *testing.T, ops []byte) {
	tuples := [][2]string{{cli, srv}, {"10.0.0.1:50001", srv}, {"[2001:db8::1]:40000", "[2001:db8::2]:8883"}, {"10.0.0.9:7000", "10.0.0.8:6002"}}
	cfg := DefaultConfig()
	cfg.MaxConversations = 3
	cfg.HoleTimeout = 50 * time.Millisecond
	cfg.IdleTimeout = time.Second
	cfg.FlushEvery = 7
	r := newRecorder()
	tr := NewTracker(cfg, r)
	now := time.Unix(1_700_000_000, 0)
	var frame uint64
	payload := make([]byte, 2048)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	// Each op is 8 bytes: tuple and direction, flags, seq, ack (16-bit
	// offsets from a base per tuple), payload length, time step.
	for len(ops) >= 8 {
		op := ops[:8]
		ops = ops[8:]
		tup := tuples[int(op[0]&3)]
		src, dst := tup[0], tup[1]
		if op[0]&4 != 0 {
			src, dst = dst, src
		}
		k := pc.New().Conn(src, dst, 0, 0)
		seg := pc.Segment{Src: k.Client, Dst: k.Server, Flags: op[1] & 0x1f,
			Seq: 1000 + uint32(binary.BigEndian.Uint16(op[2:]))*3, Ack: 1000 + uint32(op[4])*97,
			Payload: payload[:int(op[5])*int(op[5]&7+1)%len(payload)]}
		now = now.Add(time.Duration(int8(op[6])) * time.Millisecond)
		var frames [][]byte
		if op[0]&0x40 != 0 {
			frames = pc.Fragments(seg, uint16(op[7]), 64+int(op[7]&0x3f)*8)
		} else {
			frames = [][]byte{pc.Ethernet(seg, uint16(op[7]))}
		}
		for _, data := range frames {
			frame++
			ci := gopacket.CaptureInfo{Timestamp: now, CaptureLength: len(data), Length: len(data), InterfaceIndex: int(op[0] >> 7)}
			if op[0]&0x20 != 0 && len(data) > 60 {
				ci.Length += 10 // cut by the snap length
			}
			tr.Packet(frame, ci, layers.LinkTypeEthernet, data)
			if tr.convs.size() > cfg.MaxConversations {
				t.Fatalf("%d conversations remembered, cap %d", tr.convs.size(), cfg.MaxConversations)
			}
		}
	}
	tr.Close()
	for _, c := range r.conns {
		if _, ok := r.done[c]; !ok {
			t.Fatalf("connection of stream %d never ended", c.Stream)
		}
		if c.FirstFrame == 0 || c.FirstFrame > frame || c.LastFrame > frame {
			t.Fatalf("frames %d-%d outside 1-%d", c.FirstFrame, c.LastFrame, frame)
		}
	}
	if len(tr.defrag.pending) != 0 || tr.defrag.bytes != 0 || len(tr.live) != 0 {
		t.Fatalf("state left after Close: %d datagrams, %d bytes, %d live", len(tr.defrag.pending), tr.defrag.bytes, len(tr.live))
	}
}
