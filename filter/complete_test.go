package filter

import (
	"slices"
	"testing"
)

func TestComplete(t *testing.T) {
	for _, tt := range []struct {
		partial string
		want    []string // among the completions
		not     []string
	}{
		{"", []string{"type", "frame.number", "tcp.stream", "kind"}, nil},
		{"tcp.s", []string{"tcp.stream", "tcp.srcport"}, []string{"type"}},
		{"type == PUBLISH && cli", []string{"type == PUBLISH && client_id", "type == PUBLISH && client"}, []string{"type == PUBLISH && type"}},
		{"type == ", []string{"type == PUBLISH", "type == CONNECT"}, []string{"type == type"}},
		{"type == PUB", []string{"type == PUBLISH", "type == PUBACK"}, []string{"type == CONNECT"}},
		{"mqtt.msgtype != sub", []string{"mqtt.msgtype != SUBSCRIBE", "mqtt.msgtype != SUBACK"}, nil},
		{"kind == ", []string{"kind == connection", "kind == event", "kind == mqtt"}, nil},
		{"(from == c", []string{"(from == client"}, []string{"(from == server"}},
		{"!(event.type == g", []string{"!(event.type == gap"}, nil},
		{"retain == ", []string{"retain == true", "retain == false"}, nil},
		{"topic == ", nil, []string{"topic == type"}},
	} {
		got := Complete(tt.partial)
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("Complete(%q) lacks %q: %q", tt.partial, w, got)
			}
		}
		for _, n := range tt.not {
			if slices.Contains(got, n) {
				t.Errorf("Complete(%q) has %q", tt.partial, n)
			}
		}
	}
}
