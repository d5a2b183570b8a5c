package main

import (
	"strings"
	"testing"
)

// Goldens of the flags and outputs around protocol detection: a WebSocket
// capture read with its port, traffic that is not MQTT forced through the
// MQTT decoder, and `stats` of a capture without MQTT.
func TestGoldenProtocols(t *testing.T) {
	pcaps := "../../testdata/pcaps/"
	for _, tt := range []struct {
		golden string
		args   []string
		want   string // a line the output must have
	}{
		{"websocket-80.pcap.port80.list.txt", []string{"read", "--port", "80", pcaps + "websocket-80.pcap"}, "[protocol]  the client sends a WebSocket upgrade"},
		{"not-mqtt.pcap.force.list.txt", []string{"read", "--force-mqtt", "--no-summary", pcaps + "not-mqtt.pcap"}, "PUBACK"},
		{"no-mqtt.pcap.stats.txt", []string{"stats", pcaps + "no-mqtt.pcap"}, "no MQTT packet in this capture: 4 TCP connections"},
		{"no-mqtt.pcap.stats.json", []string{"stats", "--json", pcaps + "no-mqtt.pcap"}, `"no_mqtt": "no MQTT packet`},
	} {
		t.Run(tt.golden, func(t *testing.T) {
			out, errOut, code := runCLI(t, false, nil, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if !strings.Contains(out, tt.want) {
				t.Errorf("no %q in:\n%s", tt.want, out)
			}
			golden(t, tt.golden, out)
		})
	}
}
