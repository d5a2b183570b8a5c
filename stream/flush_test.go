package stream

import (
	"fmt"
	"testing"

	"github.com/mqttpcap/mqttpcap/internal/testutil/pcapcraft"
)

// TestFlushWaitsForPacketsPerConnection checks that the packet-count
// flush waits for at least 4 packets per open connection (a flush visits
// every one), and still comes every FlushEvery packets with few open.
func TestFlushWaitsForPacketsPerConnection(t *testing.T) {
	tests := []struct {
		conns, packets int
		min, max       uint64
	}{
		{conns: 1, packets: 1000, min: 90, max: 110},  // every 10 packets
		{conns: 100, packets: 1000, min: 2, max: 4},   // every 400
		{conns: 1000, packets: 10000, min: 2, max: 4}, // every 4,000
		{conns: 2000, packets: 1000, min: 0, max: 1},  // every 8,000
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d connections", tt.conns), func(t *testing.T) {
			c := pcapcraft.New()
			var conns []*pcapcraft.Conn
			for i := range tt.conns {
				k := c.Conn(fmt.Sprintf("10.0.%d.%d:50000", i/250, i%250+1), "183.230.40.96:1883", 1000, 5000)
				k.Send(true, []byte{0xc0, 0x00})
				conns = append(conns, k)
			}
			cfg := mqttConfig()
			cfg.FlushEvery = 10
			r := newRecorder()
			tr := NewTracker(cfg, r)
			frame := uint64(0)
			feed := func() {
				for _, f := range c.Frames {
					frame++
					tr.Packet(frame, ciOf(len(f.Data)), 1, f.Data)
				}
				c.Frames = c.Frames[:0]
			}
			feed() // capture time stands still: only the packet count flushes
			before := tr.flushes
			for range tt.packets {
				conns[0].Send(true, []byte{0xc0, 0x00})
			}
			feed()
			if n := tr.flushes - before; n < tt.min || n > tt.max {
				t.Errorf("%d flushes in %d packets with %d connections open, want %d to %d", n, tt.packets, len(tr.live), tt.min, tt.max)
			}
		})
	}
}
