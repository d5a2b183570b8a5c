package pipeline_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/internal/testutil/pcapcraft"
	"github.com/mqttpcap/mqttpcap/pipeline"
)

// noMQTTEvents reads a capture and returns the messages of its no_mqtt
// events.
func noMQTTEvents(t *testing.T, data []byte, edit func(*pipeline.Options)) []string {
	t.Helper()
	src, err := capture.NewReader(bytes.NewReader(data), "test")
	if err != nil {
		t.Fatal(err)
	}
	opts := pipeline.DefaultOptions()
	if edit != nil {
		edit(&opts)
	}
	var msgs []string
	sink := pipeline.SinkFunc(func(r *pipeline.Record) error {
		if r.Kind == pipeline.KindEvent && r.Event.Type == "no_mqtt" {
			if r.Conn != nil {
				t.Error("no_mqtt is about a connection")
			}
			msgs = append(msgs, r.Event.Message)
		}
		return nil
	})
	if err := pipeline.New(opts, sink).Run(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	return msgs
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/pcaps/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A capture without MQTT says, once, what it holds and what to try; one
// with MQTT says nothing more.
func TestNothingFound(t *testing.T) {
	arp := pcapcraft.New()
	arp.Raw(append([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 1, 0x08, 0x06}, make([]byte, 28)...))
	for _, tt := range []struct {
		name string
		data []byte
		edit func(*pipeline.Options)
		want []string // parts of the one message; nil: no message
	}{
		{"other ports", readFile(t, "no-mqtt.pcap"), nil, []string{"4 TCP connections (by server port: 80 ×2, 22 ×1, 443 ×1)",
			"none on an MQTT port (1883,8883)", "--port 1883,8883,80"}},
		{"TLS", readFile(t, "tls-8883.pcap"), nil, []string{"1 connection on the MQTT ports (1883,8883): TLS ×1 (encrypted"}},
		{"MQTT over WebSocket", readFile(t, "websocket-80.pcap"), nil, nil},
		{"no TCP", arp.Pcap(), nil, []string{"it has no TCP connection (1 frame)"}},
		{"MQTT", readFile(t, "mqtt31.pcap"), nil, nil},
		{"MQTT among other protocols", readFile(t, "not-mqtt.pcap"), nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			msgs := noMQTTEvents(t, tt.data, tt.edit)
			if tt.want == nil {
				if len(msgs) != 0 {
					t.Errorf("a capture with MQTT says %q", msgs)
				}
				return
			}
			if len(msgs) != 1 {
				t.Fatalf("%d no_mqtt events, want 1: %q", len(msgs), msgs)
			}
			for _, w := range tt.want {
				if !strings.Contains(msgs[0], w) {
					t.Errorf("no %q in %q", w, msgs[0])
				}
			}
		})
	}
}
