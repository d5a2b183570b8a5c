package ws

import (
	"bytes"
	"encoding/hex"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mqttpcap/mqttpcap/stream"
	"github.com/mqttpcap/mqttpcap/transport"
)

// The fixtures are real bytes from testdata/pcaps (tshark -q -z
// follow,tcp,raw,N), each direction of a connection as one string.

// pahoRequest and pahoResponse are the upgrade of ws-paho-8080.pcap, stream
// 0: paho.mqtt.golang (gorilla/websocket) to mosquitto 2.0.11's
// websockets listener (libwebsockets):
//
//	GET /mqtt HTTP/1.1 ... Sec-WebSocket-Protocol: mqtt
//	HTTP/1.1 101 Switching Protocols ... Sec-WebSocket-Protocol: mqtt
const (
	pahoRequest = "GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: Go-http-client/1.1\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: XKdVNVnVfenbcRm1uYjdMQ==\r\nSec-WebSocket-Protocol: mqtt\r\nSec-WebSocket-Version: 13\r\nUpgrade: websocket\r\n\r\n"
	pahoResponse = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: suxf6hmvkds4XF/W+a6ss/PmU1k=\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n"
	// pahoConnect is paho's first frame: a masked binary frame with the
	// 20-byte CONNECT (client id wspaho), tshark "WebSocket Binary [FIN]
	// [MASKED]".
	pahoConnect = "8294643fa72b742da72f296ef37f603da7176439d058145ecf44"
	// pahoConnack is mosquitto's answer, unmasked.
	pahoConnack = "820420020000"
)

// framesClient and framesServer are ws-frames-9001.pcap, stream 0: wsclient
// (masking key 01 02 03 04) against mosquitto. The client sends CONNECT in
// one message; SUBSCRIBE and a QoS 0 PUBLISH coalesced in one message; a
// QoS 1 PUBLISH split over two messages; a ping; the DISCONNECT fragmented
// into a binary frame without FIN and a continuation; close 1000 "bye".
const (
	framesRequest = "GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1:9001\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: Q/qKVda3le9WdDc71+yZVg==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n"
	framesResponse = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: 0CGOyAjgUH33ClAahTeQYsFbaac=\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n"
	framesClientFrames = "829201020304111203004c53575005000338010674776233" +
		"82a201020304830e030501057477302d776b7103331601057477302d776b716a66686d6d236b6f67" +
		"8285010203043316030376" +
		"82910102030472332c706e72030669676f686e2277736e" +
		"898401020304716b6d63" +
		"028101020304e180810102030401" +
		"88850102030402ea617d64"
	framesServerFrames = "820420020000" + "82059003000101" + "8214301200077773312f746f7068656c6c6f206f6e65" +
		"8216321400077773312f746f70000168656c6c6f2074776f" + "820440020002" + "8a0470696e67"
	// What the frames carry, as MQTT bytes.
	framesClientMQTT = "101000044d5154540402003c000477736331" + "820c000100077773312f746f7001" +
		"301200077773312f746f7068656c6c6f206f6e65" + "321400077773312f746f70000268656c6c6f2074776f" + "e000"
	framesServerMQTT = "20020000" + "9003000101" + "301200077773312f746f7068656c6c6f206f6e65" +
		"321400077773312f746f70000168656c6c6f2074776f" + "40020002"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// frames gives each byte of a feed the frame base + its offset / step, so
// tests can check which input byte an output byte came from.
type frames struct {
	base uint64
	step int
}

func (f frames) Origin(off int) (uint64, time.Time) {
	fr := f.base + uint64(off/f.step)
	return fr, time.Unix(int64(fr), 0)
}

// run feeds a connection: each item is a direction and its bytes.
type item struct {
	d    transport.Dir
	data []byte
}

type result struct {
	out    [2]transport.Bytes
	events []transport.Event
}

func feed(c *Conn, items ...item) *result {
	r := &result{}
	for i, it := range items {
		c.Feed(it.d, transport.Input{Data: it.data, Origins: frames{base: uint64(100 * (i + 1)), step: 1 << 30}}, &r.out, &r.events)
	}
	c.End(&r.out, &r.events)
	return r
}

func (r *result) types() []string {
	var ts []string
	for _, e := range r.events {
		t := e.Type
		if e.Code != "" {
			t += ":" + e.Code
		}
		ts = append(ts, t)
	}
	return ts
}

func TestPahoUpgrade(t *testing.T) {
	c := New()
	r := feed(c,
		item{transport.ClientToServer, []byte(pahoRequest)},
		item{transport.ServerToClient, []byte(pahoResponse)},
		item{transport.ClientToServer, unhex(t, pahoConnect)},
		item{transport.ServerToClient, unhex(t, pahoConnack)},
	)
	if got := r.types(); !slices.Equal(got, []string{"ws_upgrade"}) {
		t.Fatalf("events %v, want one ws_upgrade: %+v", got, r.events)
	}
	e := r.events[0]
	w := e.WebSocket
	if w.Path != "/mqtt" || w.Host != "127.0.0.1:8080" || w.Subprotocol != "mqtt" || w.Status != 101 || !slices.Equal(w.Offered, []string{"mqtt"}) {
		t.Errorf("upgrade %+v", w)
	}
	if e.Frame != 200 || e.Dir != transport.ServerToClient {
		t.Errorf("upgrade event at frame %d dir %d, want the response's frame 200, server", e.Frame, e.Dir)
	}
	want := "WebSocket upgrade: GET /mqtt (Host 127.0.0.1:8080) → 101 Switching Protocols, subprotocol mqtt"
	if e.Message != want {
		t.Errorf("message %q\nwant    %q", e.Message, want)
	}
	// The CONNECT of client id "wspaho", unmasked.
	if got, want := hex.EncodeToString(r.out[0].Data), "101200044d5154540402003c0006777370616"+"86f"; got != want {
		t.Errorf("client MQTT bytes %s, want %s", got, want)
	}
	if got := hex.EncodeToString(r.out[1].Data); got != "20020000" {
		t.Errorf("server MQTT bytes %s, want the CONNACK 20020000", got)
	}
	if f, _ := r.out[0].Origin(0); f != 300 {
		t.Errorf("CONNECT from frame %d, want 300", f)
	}
}

func TestFramesSession(t *testing.T) {
	c := New()
	r := feed(c,
		item{transport.ClientToServer, append([]byte(framesRequest), unhex(t, framesClientFrames)...)},
		item{transport.ServerToClient, append([]byte(framesResponse), unhex(t, framesServerFrames)...)},
	)
	if got, want := hex.EncodeToString(r.out[0].Data), framesClientMQTT; got != want {
		t.Errorf("client MQTT bytes\n got %s\nwant %s", got, want)
	}
	if got, want := hex.EncodeToString(r.out[1].Data), framesServerMQTT; got != want {
		t.Errorf("server MQTT bytes\n got %s\nwant %s", got, want)
	}
	want := []string{"ws_ping", "ws_close", "ws_upgrade", "ws_pong"}
	if got := r.types(); !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	cl := r.events[1]
	if cl.WebSocket.CloseCode != 1000 || cl.WebSocket.CloseReason != "bye" || cl.Message != `close frame from the client: 1000 normal closure, reason "bye"` {
		t.Errorf("close event %q %+v", cl.Message, cl.WebSocket)
	}
	if p := r.events[0]; p.WebSocket.PayloadLen != 4 || p.Message != "ping from the client (4 bytes of payload)" {
		t.Errorf("ping event %q", p.Message)
	}
}

// TestEverySplit feeds each direction of ws-frames-9001.pcap cut at every
// point (and byte by byte): the MQTT bytes and the events are the same,
// and every output byte keeps the frame of its input byte.
func TestEverySplit(t *testing.T) {
	client := append([]byte(framesRequest), unhex(t, framesClientFrames)...)
	server := append([]byte(framesResponse), unhex(t, framesServerFrames)...)
	for _, data := range [][]byte{client, server} {
		d := transport.ClientToServer
		if bytes.Equal(data, server) {
			d = transport.ServerToClient
		}
		whole := New()
		if d == transport.ServerToClient {
			// The response needs its request for the accept check.
			whole.Feed(transport.ClientToServer, transport.Input{Data: []byte(framesRequest), Origins: frames{step: 1 << 30}}, new([2]transport.Bytes), new([]transport.Event))
		}
		var wantOut [2]transport.Bytes
		var wantEv []transport.Event
		whole.Feed(d, transport.Input{Data: data, Origins: frames{step: 1}}, &wantOut, &wantEv)
		for cut := 1; cut < len(data); cut++ {
			c := New()
			if d == transport.ServerToClient {
				c.Feed(transport.ClientToServer, transport.Input{Data: []byte(framesRequest), Origins: frames{step: 1 << 30}}, new([2]transport.Bytes), new([]transport.Event))
			}
			var out [2]transport.Bytes
			var ev []transport.Event
			c.Feed(d, transport.Input{Data: data[:cut], Origins: frames{step: 1}}, &out, &ev)
			c.Feed(d, transport.Input{Data: data[cut:], Origins: frames{base: uint64(cut), step: 1}}, &out, &ev)
			if !bytes.Equal(out[d].Data, wantOut[d].Data) {
				t.Fatalf("%s cut at %d: MQTT bytes differ:\n got %x\nwant %x", d.Name(), cut, out[d].Data, wantOut[d].Data)
			}
			for i := range out[d].Data {
				f1, _ := out[d].Origin(i)
				f2, _ := wantOut[d].Origin(i)
				if f1 != f2 {
					t.Fatalf("%s cut at %d: output byte %d from frame %d, want %d", d.Name(), cut, i, f1, f2)
				}
			}
			if len(ev) != len(wantEv) {
				t.Fatalf("%s cut at %d: %d events, want %d", d.Name(), cut, len(ev), len(wantEv))
			}
			for i := range ev {
				if ev[i].Message != wantEv[i].Message || ev[i].Frame != wantEv[i].Frame {
					t.Fatalf("%s cut at %d: event %d %q at %d, want %q at %d", d.Name(), cut, i, ev[i].Message, ev[i].Frame, wantEv[i].Message, wantEv[i].Frame)
				}
			}
		}
		// Byte by byte.
		c := New()
		if d == transport.ServerToClient {
			c.Feed(transport.ClientToServer, transport.Input{Data: []byte(framesRequest), Origins: frames{step: 1 << 30}}, new([2]transport.Bytes), new([]transport.Event))
		}
		var out [2]transport.Bytes
		var ev []transport.Event
		for i := range data {
			c.Feed(d, transport.Input{Data: data[i : i+1], Origins: frames{base: uint64(i), step: 1}}, &out, &ev)
		}
		if !bytes.Equal(out[d].Data, wantOut[d].Data) || len(ev) != len(wantEv) {
			t.Fatalf("%s byte by byte: got %x and %d events, want %x and %d", d.Name(), out[d].Data, len(ev), wantOut[d].Data, len(wantEv))
		}
	}
}

// TestOrigins checks that a payload byte keeps the frame of the input byte
// that carried it: the CONNECT frame of ws-frames-9001.pcap with every
// input byte in a frame of its own.
func TestOrigins(t *testing.T) {
	c := New()
	var out [2]transport.Bytes
	var ev []transport.Event
	c.Feed(transport.ClientToServer, transport.Input{Data: []byte(framesRequest), Origins: frames{step: 1 << 30}}, &out, &ev)
	frame := unhex(t, "829201020304111203004c53575005000338010674776233")
	c.Feed(transport.ClientToServer, transport.Input{Data: frame, Origins: frames{base: 1000, step: 1}}, &out, &ev)
	if out[0].Len() != 18 {
		t.Fatalf("%d bytes out, want 18", out[0].Len())
	}
	for i := range 18 {
		// Header (2 bytes) and mask (4) come first.
		if f, _ := out[0].Origin(i); f != uint64(1000+6+i) {
			t.Errorf("payload byte %d from frame %d, want %d", i, f, 1000+6+i)
		}
	}
}

// TestProblemCaptures: the rule-breaking connections of
// ws-problems-8083.pcap (wsclient, mosquitto answering).
func TestProblemCaptures(t *testing.T) {
	req := func(protocol string) string {
		s := "GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1:8083\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Key: 5q4a0o3Q0dAV7TzfGzuOeg==\r\nSec-WebSocket-Version: 13\r\n"
		if protocol != "" {
			s += "Sec-WebSocket-Protocol: " + protocol + "\r\n"
		}
		return s + "\r\n"
	}
	resp := func(protocol string) string {
		s := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
			acceptFor("5q4a0o3Q0dAV7TzfGzuOeg==") + "\r\n"
		if protocol != "" {
			s += "Sec-WebSocket-Protocol: " + protocol + "\r\n"
		}
		return s + "\r\n"
	}
	for _, tc := range []struct {
		name           string
		protocol       string
		client, server string
		want           []string
	}{
		{"stream 0: no subprotocol, unmasked CONNECT", "", "8212101000044d5154540402003c000477736331", "",
			[]string{"ws_problem:" + CodeNotOffered, "ws_upgrade", "ws_problem:" + CodeNotSelected, "ws_problem:" + CodeUnmasked}},
		{"stream 1: text frame", "mqtt", "819201020304111203004c53575005000338010674776233", "820420020000",
			[]string{"ws_upgrade", "ws_problem:" + CodeTextFrame}},
		{"stream 2: 64-bit lengths", "mqtt", "82ff000000000000001201020304111203004c53575005000338010674776233" + "82ff000000000000000201020304e102", "820420020000",
			[]string{"ws_upgrade", "ws_problem:" + CodeLengthMinimal, "ws_problem:" + CodeLengthMinimal}},
		{"stream 3: reserved opcode, the server closes 1002", "mqtt", "829201020304111203004c53575005000338010674776233" + "838001020304", "820420020000" + "880903ea626164206f7063",
			[]string{"ws_upgrade", "ws_problem:" + CodeReservedOpcode, "ws_close"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := New()
			r := feed(c,
				item{transport.ClientToServer, []byte(req(tc.protocol))},
				item{transport.ServerToClient, []byte(resp(tc.protocol))},
				item{transport.ClientToServer, unhex(t, tc.client)},
				item{transport.ServerToClient, unhex(t, tc.server)},
			)
			if got := r.types(); !slices.Equal(got, tc.want) {
				t.Errorf("events %v, want %v", got, tc.want)
				for _, e := range r.events {
					t.Log(e.Message)
				}
			}
			if got := hex.EncodeToString(r.out[0].Data); !strings.HasPrefix(got, "101000044d51545404") {
				t.Errorf("client MQTT bytes %s, want the CONNECT", got)
			}
		})
	}
}

// frame builds a test frame: b0 is FIN|RSV|opcode; masked with 01 02 03 04
// when masked.
func frame(b0 byte, masked bool, payload []byte) []byte {
	out := []byte{b0}
	var m byte
	if masked {
		m = 0x80
	}
	switch n := len(payload); {
	case n < 126:
		out = append(out, m|byte(n))
	default:
		out = append(out, m|126, byte(n>>8), byte(n))
	}
	if !masked {
		return append(out, payload...)
	}
	out = append(out, 1, 2, 3, 4)
	for i, c := range payload {
		out = append(out, c^byte(i&3+1))
	}
	return out
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// TestFrameProblems covers the rules no capture breaks, with frames built
// by hand after the upgrade of ws-frames-9001.pcap.
func TestFrameProblems(t *testing.T) {
	long := bytes.Repeat([]byte{'x'}, 126)
	for _, tc := range []struct {
		name           string
		client, server []byte
		want           []string
	}{
		{"masked server frame", nil, frame(0x82, true, []byte{0x20, 2, 0, 0}), []string{"ws_problem:" + CodeMaskedServer}},
		{"fragmented ping", frame(0x09, true, nil), nil, []string{"ws_problem:" + CodeControlFrag, "ws_ping"}},
		{"long ping", frame(0x89, true, long), nil, []string{"ws_problem:" + CodeControlLong, "ws_ping"}},
		{"lone continuation", frame(0x80, true, []byte{0xe0, 0}), nil, []string{"ws_problem:" + CodeContinuation}},
		{"interrupted message", cat(frame(0x02, true, []byte{0xe0}), frame(0x82, true, []byte{0})), nil, []string{"ws_problem:" + CodeInterrupted}},
		{"data after close", cat(frame(0x88, true, []byte{3, 0xe8}), frame(0x82, true, []byte{0xe0, 0})), nil,
			[]string{"ws_close", "ws_problem:" + CodeAfterClose}},
		{"1-byte close", frame(0x88, true, []byte{3}), nil, []string{"ws_close", "ws_problem:" + CodeClosePayload}},
		{"close 1005", frame(0x88, true, []byte{0x03, 0xed}), nil, []string{"ws_close", "ws_problem:" + CodeClosePayload}},
		{"close reason not UTF-8", frame(0x88, true, []byte{0x03, 0xe8, 0xff}), nil, []string{"ws_close", "ws_problem:" + CodeClosePayload}},
		{"RSV2", frame(0xa2, true, []byte{0xe0, 0}), nil, []string{"ws_problem:" + CodeReservedBits}},
		{"64-bit length MSB", []byte{0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 2, 1, 2, 3, 4, 0xe1, 2}, nil,
			[]string{"ws_problem:" + CodeLengthMSB, "ws_problem:" + CodeLengthMinimal}},
		{"16-bit length under 126", []byte{0x82, 0xfe, 0, 2, 1, 2, 3, 4, 0xe1, 2}, nil, []string{"ws_problem:" + CodeLengthMinimal}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := New()
			var r result
			c.Feed(transport.ClientToServer, transport.Input{Data: []byte(framesRequest), Origins: frames{step: 1}}, &r.out, &r.events)
			c.Feed(transport.ServerToClient, transport.Input{Data: []byte(framesResponse), Origins: frames{step: 1}}, &r.out, &r.events)
			r.events = r.events[:0]
			c.Feed(transport.ClientToServer, transport.Input{Data: tc.client, Origins: frames{step: 1}}, &r.out, &r.events)
			c.Feed(transport.ServerToClient, transport.Input{Data: tc.server, Origins: frames{step: 1}}, &r.out, &r.events)
			if got := r.types(); !slices.Equal(got, tc.want) {
				t.Errorf("events %v, want %v", got, tc.want)
			}
			for _, e := range r.events {
				if e.Type == "ws_problem" && !strings.Contains(e.Message, "RFC 6455") {
					t.Errorf("problem %q does not name its rule", e.Message)
				}
			}
		})
	}
}

func TestUpgradeProblems(t *testing.T) {
	for _, tc := range []struct {
		name      string
		req, resp string
		want      []string
	}{
		{"refused", framesRequest, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
			[]string{"ws_upgrade", "ws_problem:" + CodeRefused}},
		{"bad accept", framesRequest, strings.Replace(framesResponse, "0CGOyAjgUH33ClAahTeQYsFbaac=", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", 1),
			[]string{"ws_upgrade", "ws_problem:" + CodeBadAccept}},
		{"other subprotocol", strings.Replace(framesRequest, "mqtt\r\n", "mqtt, chat\r\n", 1), strings.Replace(framesResponse, "Protocol: mqtt", "Protocol: chat", 1),
			[]string{"ws_upgrade", "ws_problem:" + CodeNotSelected}},
		{"no key or version", "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Protocol: mqttv3.1\r\n\r\n", "",
			[]string{"ws_problem:" + CodeBadRequest, "ws_upgrade"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := feed(New(), item{transport.ClientToServer, []byte(tc.req)}, item{transport.ServerToClient, []byte(tc.resp)})
			if got := r.types(); !slices.Equal(got, tc.want) {
				t.Errorf("events %v, want %v", got, tc.want)
				for _, e := range r.events {
					t.Log(e.Message)
				}
			}
		})
	}
	// A refused upgrade ends both directions: what follows is HTTP.
	r := feed(New(), item{transport.ClientToServer, []byte(framesRequest)},
		item{transport.ServerToClient, []byte("HTTP/1.1 400 Bad Request\r\n\r\n<html>")},
		item{transport.ClientToServer, frame(0x82, true, []byte{0xe0, 0})})
	if r.out[0].Len() != 0 || r.out[1].Len() != 0 {
		t.Errorf("a refused upgrade passed bytes on: %x / %x", r.out[0].Data, r.out[1].Data)
	}
	// A header block over 16 KB.
	r = feed(New(), item{transport.ClientToServer, []byte("GET / HTTP/1.1\r\nX: " + strings.Repeat("y", 17<<10))})
	if got := r.types(); !slices.Equal(got, []string{"ws_problem:" + CodeHeaderTooLong}) {
		t.Errorf("long header: events %v", got)
	}
}

// TestGaps: bytes lost inside a payload are handed on as lost; across a
// header they end the direction.
func TestGaps(t *testing.T) {
	c := New()
	var out [2]transport.Bytes
	var ev []transport.Event
	c.Feed(transport.ClientToServer, transport.Input{Data: []byte(framesRequest), Origins: frames{step: 1}}, &out, &ev)
	f := frame(0x82, true, unhex(t, framesClientMQTT)) // 76 bytes: a 2-byte header and the mask
	c.Feed(transport.ClientToServer, transport.Input{Data: f[:20], Origins: frames{base: 1, step: 1 << 30}}, &out, &ev)
	c.Gap(transport.ClientToServer, 10, 7, time.Unix(7, 0), &out, &ev)
	c.Feed(transport.ClientToServer, transport.Input{Data: f[30:], Origins: frames{base: 8, step: 1 << 30}}, &out, &ev)
	want := unhex(t, framesClientMQTT)
	copy(want[14:24], make([]byte, 10))
	if !bytes.Equal(out[0].Data, want) || len(out[0].Missing) != 1 || out[0].Missing[0] != (stream.Missing{Off: 14, Len: 10, Frame: 7, Lost: true}) {
		t.Errorf("after a gap in the payload: %x %+v", out[0].Data, out[0].Missing)
	}
	if len(ev) != 0 {
		t.Errorf("events %+v", ev)
	}
	// Now a gap across the next header.
	c.Feed(transport.ClientToServer, transport.Input{Data: f[:3], Origins: frames{base: 9, step: 1}}, &out, &ev)
	c.Gap(transport.ClientToServer, 10, 12, time.Unix(12, 0), &out, &ev)
	n := out[0].Len()
	c.Feed(transport.ClientToServer, transport.Input{Data: f, Origins: frames{base: 13, step: 1}}, &out, &ev)
	if len(ev) != 1 || ev[0].Code != CodeLostSync || out[0].Len() != n {
		t.Errorf("a gap across a header: events %+v, %d bytes more out", ev, out[0].Len()-n)
	}
	// Bytes the snap length cut inside a payload are zeros marked cut.
	c = New()
	out = [2]transport.Bytes{}
	c.Feed(transport.ClientToServer, transport.Input{Data: []byte(framesRequest), Origins: frames{step: 1}}, &out, &ev)
	data := append([]byte(nil), f...)
	copy(data[20:], make([]byte, 10))
	c.Feed(transport.ClientToServer, transport.Input{Data: data, Origins: frames{base: 1, step: 1 << 30}, Missing: []stream.Missing{{Off: 20, Len: 10, Frame: 1}}}, &out, &ev)
	if !bytes.Equal(out[0].Data, want) || len(out[0].Missing) != 1 || out[0].Missing[0] != (stream.Missing{Off: 14, Len: 10, Frame: 1}) {
		t.Errorf("cut bytes: %x %+v", out[0].Data, out[0].Missing)
	}
}

func TestIsUpgradeRequest(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Sniff
	}{
		{"", SniffMore},
		{"GE", SniffMore},
		{"GET /mqtt HTTP/1.1\r\nHost: x\r\n", SniffMore},
		{pahoRequest, SniffYes},
		{framesRequest, SniffYes},
		{"GET / HTTP/1.1\r\nUpgrade: h2c, WebSocket\r\n\r\n", SniffYes},
		{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", SniffNo},
		{"POST / HTTP/1.1\r\n", SniffNo},
		{"\x10\x98\x01\x00\x04MQTT", SniffNo},
		{"GET /" + strings.Repeat("a", maxHeader), SniffNo},
	} {
		if got := IsUpgradeRequest([]byte(tc.in)); got != tc.want {
			t.Errorf("IsUpgradeRequest(%.40q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestUnmask(t *testing.T) {
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	for n := range 40 {
		for off := range uint64(4) {
			b := make([]byte, n)
			want := make([]byte, n)
			for i := range b {
				b[i] = byte(i * 7)
				want[i] = b[i] ^ key[(off+uint64(i))&3]
			}
			unmask(b, key, off)
			if !bytes.Equal(b, want) {
				t.Fatalf("unmask %d bytes at %d: %x, want %x", n, off, b, want)
			}
		}
	}
}
