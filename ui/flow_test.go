package ui

import (
	"strings"
	"testing"
)

// TestFlowOneNETReplyMarks checks the flow view's "no OneNET reply" mark
// against what read's verdict says of the same capture: only the PUBLISH
// of a request with an id is waiting for a reply (onenet/pairing.go), so a
// SUBSCRIBE to a request topic is never marked, an answered request is not,
// and a request left unanswered still is.
func TestFlowOneNETReplyMarks(t *testing.T) {
	const noReply = "⚠ no OneNET reply"
	tests := []struct {
		capture string
		marked  []string // flow labels (prefixes) that carry the mark
	}{
		// The SUBSCRIBE to …/property/set and the answered set request.
		{"onenet-set.pcap", nil},
		// The SUBSCRIBE to …/property/set; the property report of frame 11
		// is unanswered (read: "got no reply in the capture").
		{"onenet-esp8266.pcapng", []string{"PUBLISH qos=0 $sys/VRqhDHF2wL/my_tv/thing/property/post"}},
		{"onenet-esp8266-split.pcap", []string{"PUBLISH qos=0 $sys/VRqhDHF2wL/my_tv/thing/property/post"}},
		{"onenet-post-reply.pcap", nil},
		{"onenet-2402.pcap", nil},
	}
	for _, tt := range tests {
		t.Run(tt.capture, func(t *testing.T) {
			m := testModel(t, tt.capture, 120, 40, false)
			typeKeys(m, "w")
			if m.mode != modeFlow {
				t.Fatalf("w did not open the flow view: %s", m.msg)
			}
			var got []string
			for _, it := range m.flow.items {
				if it.mark == noReply {
					got = append(got, it.label)
				}
			}
			if len(got) != len(tt.marked) {
				t.Fatalf("marked %q, want %q", got, tt.marked)
			}
			for i, want := range tt.marked {
				if !strings.HasPrefix(got[i], want) {
					t.Errorf("marked %q, want %q", got[i], want)
				}
			}
		})
	}
}
