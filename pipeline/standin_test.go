package pipeline

import (
	"testing"

	"github.com/mqttpcap/mqttpcap/decode"
)

// The packet shown for a frame whose decoding panicked says what its
// fixed header says, and nothing it does not (a QoS 1 PUBLISH is not
// shown as QoS 0).
func TestStandInSaysWhatTheFixedHeaderSays(t *testing.T) {
	for _, tt := range []struct {
		name        string
		raw         []byte
		typ         decode.Type
		dup, retain bool
		qos         uint8
	}{
		{"QoS 1 PUBLISH", []byte{0x32, 0x05, 0, 1, 'a', 0, 1}, decode.PUBLISH, false, false, 1},
		{"DUP QoS 2 retained PUBLISH", []byte{0x3d, 0x00}, decode.PUBLISH, true, true, 2},
		{"SUBSCRIBE", []byte{0x82, 0x00}, decode.SUBSCRIBE, false, false, 0},
		{"no byte", nil, 0, false, false, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := standIn(decode.Frame{Raw: tt.raw}, decode.V311, "boom")
			if p.Type != tt.typ || p.DUP != tt.dup || p.QoS != tt.qos || p.Retain != tt.retain {
				t.Errorf("type %v dup %v qos %d retain %v, want %v %v %d %v", p.Type, p.DUP, p.QoS, p.Retain, tt.typ, tt.dup, tt.qos, tt.retain)
			}
			if len(p.Problems) != 1 || p.Problems[0].Code != "internal_error" || p.Problems[0].Message != "boom" {
				t.Errorf("problems %+v", p.Problems)
			}
		})
	}
}
