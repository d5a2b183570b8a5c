package detect

import (
	"encoding/hex"
	"strings"
	"testing"
	"unicode/utf8"
)

func hx(t testing.TB, s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const (
	// The seed CONNECT of the OneNET guide (onenet-esp8266.pcapng), its start.
	seedConnect = "10 98 01 00 04 4d 51 54 54 04 c2 00 3c 00 05 6d 79 5f 74 76"
	connack     = "20 02 00 00"
	// A TLS 1.3 ClientHello's record and handshake headers (tls-8883.pcap).
	clientHello = "16 03 01 02 00 01 00 01 fc 03 03"
	serverHello = "16 03 03 00 7a 02 00 00 76 03 03"
)

func TestClassify(t *testing.T) {
	for _, tt := range []struct {
		name   string
		data   string // text, or hex after "hex:"
		side   Side
		start  bool
		want   Protocol
		detail string
	}{
		{"CONNECT", "hex:" + seedConnect, Client, true, MQTT, ""},
		{"CONNECT's first byte alone (ESP8266)", "hex:10", Client, true, MQTT, ""},
		{"CONNACK", "hex:" + connack, Server, true, MQTT, ""},
		{"AUTH before CONNACK (5.0)", "hex:f0 00", Server, true, MQTT, ""},
		{"PUBLISH before CONNECT: decoded, flagged by the decoder", "hex:30 05 00 01 74 68 69", Client, true, MQTT, ""},
		{"nmap's HEAD to 8883", "HEAD / HTTP/1.1\r\n\r\n", Client, true, HTTP, `"HEAD / HTTP/1.1"`},
		{"HTTP request, first segment only", "GET ", Client, true, HTTP, `"GET "`},
		{"an HTTP proxy answering on 1883", "HTTP/1.1 400 Bad Request\r\nServer: squid\r\n\r\n", Server, true, HTTP, `"HTTP/1.1 400 Bad Request"`},
		{"WebSocket upgrade (MQTT over WebSocket)", "GET /mqtt HTTP/1.1\r\nHost: broker\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n", Client, true, WebSocket, `"GET /mqtt HTTP/1.1"`},
		{"WebSocket accepted", "HTTP/1.1 101 Switching Protocols\r\nupgrade:WebSocket\r\n\r\n", Server, true, WebSocket, `"HTTP/1.1 101 Switching Protocols"`},
		{"HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", Client, true, HTTP, `"PRI * HTTP/2.0"`},
		{"TLS ClientHello on 8883", "hex:" + clientHello, Client, true, TLS, "ClientHello"},
		{"TLS ServerHello", "hex:" + serverHello, Server, true, TLS, "ServerHello"},
		{"TLS application data mid-connection", "hex:17 03 03 00 20 aa bb", Client, false, TLS, "application data"},
		{"SSH banner", "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", Server, true, SSH, `"SSH-2.0-OpenSSH_9.2p1 Debian-2"`},
		{"SMTP greeting", "220 mail.example.com ESMTP\r\n", Server, true, Text, `"220 mail.example.com ESMTP"`},
		{"Redis command", "*1\r\n$4\r\nPING\r\n", Client, true, Text, `"*1"`},
		{"binary", "hex:00 01 02 03 ff fe fd fc 00 11", Client, true, Binary, "00 01 02 03 ff fe fd fc …"},
		{"a server opening with a PUBLISH's byte and garbage", "hex:30 ff ff ff ff ff", Server, true, Binary, "30 ff ff ff ff ff"},
		// Without the start, only signatures count: the rest is left to
		// MQTT resynchronisation.
		{"mid-connection MQTT", "hex:30 05 00 01 74 68 69", Client, false, MQTT, ""},
		{"mid-connection payload text", "temperature=21.5\n", Client, false, MQTT, ""},
		{"mid-connection binary", "hex:00 01 02 03 ff fe", Server, false, MQTT, ""},
		{"mid-connection HTTP request line", "GET /index.html HTTP/1.1\r\n", Client, false, HTTP, `"GET /index.html HTTP/1.1"`},
		{"mid-connection GET without a version is no signature", "GET it", Client, false, MQTT, ""},
		{"nothing", "", Client, true, MQTT, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := []byte(tt.data)
			if h, ok := strings.CutPrefix(tt.data, "hex:"); ok {
				b = hx(t, h)
			}
			got := Classify(b, tt.side, tt.start)
			if got.Protocol != tt.want || got.Detail != tt.detail {
				t.Errorf("Classify = %v %q, want %v %q", got.Protocol, got.Detail, tt.want, tt.detail)
			}
		})
	}
}

func TestProtocolNames(t *testing.T) {
	for p := MQTT; p <= Binary; p++ {
		if p.String() == "unknown" || p.Name() == "unknown" {
			t.Errorf("protocol %d has no name", p)
		}
	}
	if Protocol(200).String() != "unknown" {
		t.Error("out of range")
	}
}

// FuzzClassify: never panics; reads at most Look bytes; without the start
// it names only unmistakable signatures; a client's CONNECT byte is always
// MQTT; the detail is short, printable text.
func FuzzClassify(f *testing.F) {
	for _, s := range []string{seedConnect, connack, clientHello, serverHello, "f000", "3005000174686a"} {
		f.Add(hx(f, s), false, true)
	}
	for _, s := range []string{"HEAD / HTTP/1.1\r\n\r\n", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n", "SSH-2.0-x\r\n", "220 ok\r\n"} {
		f.Add([]byte(s), true, true)
	}
	f.Fuzz(func(t *testing.T, b []byte, server, start bool) {
		side := Client
		if server {
			side = Server
		}
		r := Classify(b, side, start)
		if len(b) > Look && Classify(b[:Look], side, start) != r {
			t.Fatal("read past Look")
		}
		if !start && (r.Protocol == Text || r.Protocol == Binary) {
			t.Fatalf("%v without the start", r.Protocol)
		}
		if len(b) > 0 && b[0] == 0x10 && side == Client && r.Protocol != MQTT {
			t.Fatalf("a CONNECT byte classified %v", r.Protocol)
		}
		if (r.Protocol == MQTT) != (r.Detail == "") || len(r.Detail) > 400 || !utf8.ValidString(r.Detail) {
			t.Fatalf("detail %q for %v", r.Detail, r.Protocol)
		}
		for _, c := range r.Detail {
			if c < 0x20 && c != 0 {
				t.Fatalf("control character in detail %q", r.Detail)
			}
		}
	})
}
