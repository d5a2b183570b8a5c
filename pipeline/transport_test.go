package pipeline_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/internal/testutil/pcapcraft"
	"github.com/mqttpcap/mqttpcap/pipeline"
)

// The transports in the pipeline, on connections written segment by
// segment (internal/testutil/pcapcraft) for what the recorded captures do
// not show: which connections are watched on which ports, an upgrade cut
// into pieces, a GET that is no upgrade, a WebSocket that does not carry
// MQTT, a segment lost inside a frame.

// transportRecords reads a crafted capture and lists its records: packet types
// ("CONNECT@6" with the frame) and events ("[ws_upgrade]@5").
func transportRecords(t *testing.T, data []byte) []string {
	t.Helper()
	src, err := capture.NewReader(bytes.NewReader(data), "crafted")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	sink := pipeline.SinkFunc(func(r *pipeline.Record) error {
		switch r.Kind {
		case pipeline.KindPacket:
			s := r.Packet.Type.String()
			if r.Packet.Truncated {
				s += "(truncated)"
			}
			out = append(out, s+"@"+itoa(r.Frame))
		case pipeline.KindEvent:
			if r.Event.Type == "fin" || r.Event.Type == "no_mqtt" {
				return nil
			}
			s := "[" + r.Event.Type + "]"
			if r.Event.Code != "" || r.Event.Protocol != "" {
				s += r.Event.Code + r.Event.Protocol
			}
			out = append(out, s+"@"+itoa(r.Frame))
		}
		return nil
	})
	if err := pipeline.New(pipeline.DefaultOptions(), sink).Run(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	return out
}

func itoa(n uint64) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		if n /= 10; n == 0 {
			return string(b)
		}
	}
}

// wsFrame masks b into a client binary frame (key 01 02 03 04).
func wsFrame(b []byte) []byte {
	out := []byte{0x82, 0x80 | byte(len(b)), 1, 2, 3, 4}
	for i, c := range b {
		out = append(out, c^byte(i&3+1))
	}
	return out
}

const (
	upgradeMQTT = "GET /mqtt HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n"
	upgradeOK = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n"
)

var (
	connect    = []byte{0x10, 0x0e, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, 2, 'w', 's'}
	connack    = []byte{0x20, 2, 0, 0}
	disconnect = []byte{0xe0, 0}
)

func wsSession(client, server string, request, response string, split int) []byte {
	c := pcapcraft.New()
	k := c.Conn(client, server, 1000, 5000)
	k.Handshake() // frames 1-3
	req := []byte(request)
	for len(req) > 0 {
		n := len(req)
		if split > 0 {
			n = min(n, split)
		}
		k.Send(true, req[:n])
		req = req[n:]
	}
	k.Send(false, []byte(response))
	k.Send(true, wsFrame(connect))
	k.Send(false, append([]byte{0x82, 4}, connack...))
	k.Send(true, wsFrame(disconnect))
	k.Close()
	return c.Pcap()
}

func TestTransportPorts(t *testing.T) {
	mqtt := []string{"[ws_upgrade]@5", "CONNECT@6", "CONNACK@7", "DISCONNECT@8"}
	for _, tc := range []struct {
		name string
		data []byte
		want []string
	}{
		// Any port, when the client offers the mqtt subprotocol.
		{"mqtt subprotocol on 9999", wsSession("10.0.0.2:40000", "10.0.0.1:9999", upgradeMQTT, upgradeOK, 0), mqtt},
		// On a WebSocket port, an upgrade without it too (and the rule is
		// named).
		{"no subprotocol on 8083", wsSession("10.0.0.2:40000", "10.0.0.1:8083", strings.Replace(upgradeMQTT, "Sec-WebSocket-Protocol: mqtt\r\n", "", 1),
			strings.Replace(upgradeOK, "Sec-WebSocket-Protocol: mqtt\r\n", "", 1), 0),
			[]string{"[ws_problem]ws_mqtt_not_offered@4", "[ws_upgrade]@5", "[ws_problem]ws_mqtt_not_selected@5", "CONNECT@6", "CONNACK@7", "DISCONNECT@8"}},
		// Elsewhere it is not MQTT's: not watched.
		{"no subprotocol on 9999", wsSession("10.0.0.2:40000", "10.0.0.1:9999", strings.Replace(upgradeMQTT, "Sec-WebSocket-Protocol: mqtt\r\n", "", 1),
			upgradeOK, 0), nil},
		// The upgrade cut into 7-byte segments: the stream layer waits for
		// its end, and frames are counted from there.
		{"upgrade in pieces", wsSession("10.0.0.2:40000", "10.0.0.1:8080", upgradeMQTT, upgradeOK, 7), nil},
		// A plain GET on an MQTT port: one protocol event, as detect names it.
		{"GET on 1883", wsSession("10.0.0.2:40000", "10.0.0.1:1883", "GET / HTTP/1.1\r\nHost: h\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0),
			[]string{"[protocol]http@4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := transportRecords(t, tc.data)
			want := tc.want
			if tc.name == "upgrade in pieces" {
				n := (len(upgradeMQTT) + 6) / 7 // the request's segments
				f := func(k int) string { return itoa(uint64(3 + n + k)) }
				want = []string{"[ws_upgrade]@" + f(1), "CONNECT@" + f(2), "CONNACK@" + f(3), "DISCONNECT@" + f(4)}
			}
			if !slices.Equal(got, want) {
				t.Errorf("records %v\nwant    %v", got, want)
			}
		})
	}
}

// A WebSocket without the mqtt subprotocol whose first message is not a
// CONNECT (a chat on port 80) is one protocol event after its upgrade;
// nothing of it is decoded.
func TestWebSocketNotMQTT(t *testing.T) {
	c := pcapcraft.New()
	k := c.Conn("10.0.0.2:40000", "10.0.0.1:80", 1000, 5000)
	k.Handshake()
	k.Send(true, []byte(strings.Replace(upgradeMQTT, "Sec-WebSocket-Protocol: mqtt\r\n", "", 1)))
	k.Send(false, []byte(strings.Replace(upgradeOK, "Sec-WebSocket-Protocol: mqtt\r\n", "", 1)))
	k.Send(true, wsFrame([]byte("hello, chat room")))
	k.Send(false, append([]byte{0x81, 5}, "hi yo"...))
	k.Close()
	got := transportRecords(t, c.Pcap())
	if want := []string{"[ws_upgrade]@5", "[protocol]websocket@6"}; !slices.Equal(got, want) {
		t.Errorf("records %v, want %v", got, want)
	}
}

// A segment lost inside a WebSocket frame's payload: the gap is reported,
// the MQTT packet it cut is truncated, and the next frames decode (the
// WebSocket layer keeps its frame boundaries across the hole).
func TestWebSocketLostSegment(t *testing.T) {
	c := pcapcraft.New()
	k := c.Conn("10.0.0.2:40000", "10.0.0.1:8080", 1000, 5000)
	k.Handshake()
	k.Send(true, []byte(upgradeMQTT))
	k.Send(false, []byte(upgradeOK))
	k.Send(true, wsFrame(connect))
	k.Send(false, append([]byte{0x82, 4}, connack...))
	publish := append([]byte{0x30, 20, 0, 1, 't'}, bytes.Repeat([]byte{'x'}, 17)...)
	f := wsFrame(publish)
	k.Send(true, f[:10])
	k.Seq[0] += 8 // 8 bytes of the payload never captured
	k.Send(true, f[18:])
	k.Ack(false) // the server acknowledges them: lost from the capture
	k.Send(true, wsFrame(disconnect))
	k.Close()
	got := transportRecords(t, c.Pcap())
	// As over TCP: the PUBLISH cut by the hole is handed on truncated (at
	// the last frame of its bytes), the rest of its payload is skipped
	// looking for the next fixed header, which the next frame holds.
	want := []string{"[ws_upgrade]@5", "CONNECT@6", "CONNACK@7", "[gap]@9", "PUBLISH(truncated)@8", "[not_mqtt]@9", "DISCONNECT@11"}
	if !slices.Equal(got, want) {
		t.Errorf("records %v\nwant    %v", got, want)
	}
}
