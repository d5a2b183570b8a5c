package main

import (
	"strings"
	"testing"
)

// Goldens of the flags and outputs around protocol detection: a WebSocket
// capture read with its port (MQTT over WebSocket is decoded), traffic that is not MQTT forced through the
// MQTT decoder, and `stats` of a capture without MQTT.
func TestGoldenProtocols(t *testing.T) {
	pcaps := "../../testdata/pcaps/"
	for _, tt := range []struct {
		golden string
		args   []string
		want   string // a line the output must have
	}{
		// MQTT over WebSocket, decoded since issue 13 with or without the port.
		{"websocket-80.pcap.port80.list.txt", []string{"read", "--port", "80", pcaps + "websocket-80.pcap"}, "C→S  PUBLISH     qos=0 \"ws/t\" 14 B over websocket"},
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
