package pipeline

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
)

// TestBatchFrameRoundTrip checks that a frame comes out of a batch as it
// went in, whether it fits the compact item or goes beside it.
func TestBatchFrameRoundTrip(t *testing.T) {
	raw := []byte{0x30, 0x05, 0x00, 0x01, 'a', 'b', '!'}
	tests := []struct {
		name string
		fr   decode.Frame
		wide bool
	}{
		{"whole", decode.Frame{Raw: raw, HeaderLen: 2, RemainingLength: 5, Start: 1 << 40}, false},
		{"flags", decode.Frame{Raw: raw, HeaderLen: 2, RemainingLength: 5, OneByteLength: true, Truncated: true, BadLength: true, Capped: true, Missing: -1}, false},
		{"missing", decode.Frame{Raw: raw[:4], HeaderLen: 2, RemainingLength: 5, Truncated: true, Missing: 3}, false},
		{"snap length", decode.Frame{Raw: raw[:3], HeaderLen: 2, RemainingLength: 5, Truncated: true, Missing: 4, SnaplenFrame: 9}, true},
		{"wide header", decode.Frame{Raw: raw, HeaderLen: 300, RemainingLength: 5}, true},
		{"wide missing", decode.Frame{Raw: raw, HeaderLen: 2, RemainingLength: 5, Missing: math.MaxInt32 + 1}, true},
		{"negative missing", decode.Frame{Raw: raw, HeaderLen: 2, RemainingLength: 5, Missing: math.MinInt32 - 1}, true},
	}
	p := New(DefaultOptions(), nil)
	b := &batcher{p: p, cur: &batch{}}
	for _, tt := range tests {
		b.frame(nil, nil, true, tt.fr, 7, time.Unix(1, 2))
	}
	for i, tt := range tests {
		it := &b.cur.items[i]
		if got := it.flags&flagWide != 0; got != tt.wide {
			t.Errorf("%s: kept beside the items = %v, want %v", tt.name, got, tt.wide)
		}
		got := b.cur.decodeFrame(it)
		if !reflect.DeepEqual(got, tt.fr) {
			t.Errorf("%s: came out as %+v, want %+v", tt.name, got, tt.fr)
		}
		if b.cur.seq+uint64(i) != uint64(i+1) {
			t.Errorf("%s: numbered %d, want %d", tt.name, b.cur.seq+uint64(i), i+1)
		}
	}
}
