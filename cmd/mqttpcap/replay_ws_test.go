package main

import (
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
)

// startWebSocketBroker runs a real MQTT broker (mochi-mqtt) with a
// WebSocket listener on loopback and returns its ws:// URL.
func startWebSocketBroker(t *testing.T) string {
	t.Helper()
	srv := mqtt.New(&mqtt.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := srv.AddHook(new(auth.AllowHook), nil); err != nil {
		t.Fatal(err)
	}
	// mochi's WebSocket listener binds only when it serves, and then
	// does not say where: take a free port first.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ws := listeners.NewWebsocket(listeners.Config{ID: "ws", Address: addr})
	if err := srv.AddListener(ws); err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	t.Cleanup(func() { srv.Close() })
	for i := 0; ; i++ {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if i == 100 {
			t.Fatalf("the WebSocket listener does not listen on %s: %v", addr, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return "ws://" + addr + "/mqtt"
}

// The client packets of a WebSocket capture (paho's session, decoded from
// its frames) and of a TLS capture (decrypted with its key log) go to a
// broker over WebSocket, and its answers come back decoded.
func TestReplayOverWebSocket(t *testing.T) {
	url := startWebSocketBroker(t)
	for _, args := range [][]string{
		{"../../testdata/pcaps/ws-paho-8080.pcap"},
		{"../../testdata/pcaps/tls12-aes128gcm.pcap", "--tls-keylog", "../../testdata/pcaps/tls12-aes128gcm.keys"},
	} {
		cmd := append([]string{"replay", "--to", url, "--pause", "50ms", "--read-timeout", "300ms"}, args...)
		out, errOut, code := runCLI(t, false, nil, cmd...)
		if code != 0 || !strings.Contains(out, ", WebSocket, subprotocol mqtt)") || !strings.Contains(out, "→ SUBSCRIBE") ||
			!strings.Contains(out, "← CONNACK     0x00 Connection Accepted") || !strings.Contains(out, "← SUBACK      id=1 0x01") ||
			!strings.Contains(out, "← UNSUBACK") {
			t.Errorf("%v: exit %d\n%s%s", args, code, out, errOut)
		}
	}
	// A server that is not there, and one that is not WebSocket.
	_, errOut, code := runCLI(t, false, nil, "replay", "--to", "ws://127.0.0.1:1/mqtt", "../../testdata/pcaps/ws-paho-8080.pcap")
	if code != exitNoServer || !strings.Contains(errOut, "mqttpcap: replay: ws://127.0.0.1:1/mqtt: ") {
		t.Errorf("no server: exit %d: %s", code, errOut)
	}
	tcp := startBroker(t)
	_, errOut, code = runCLI(t, false, nil, "replay", "--to", "ws://"+tcp+"/mqtt", "../../testdata/pcaps/ws-paho-8080.pcap")
	if code != exitNoServer {
		t.Errorf("an MQTT broker that is not WebSocket: exit %d: %s", code, errOut)
	}
}
