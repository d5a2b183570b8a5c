package pipeline

import (
	"time"

	"github.com/mqttpcap/mqttpcap/detect"
	"github.com/mqttpcap/mqttpcap/stream"
	"github.com/mqttpcap/mqttpcap/transport"
	tlsdec "github.com/mqttpcap/mqttpcap/transport/tls"
	"github.com/mqttpcap/mqttpcap/transport/ws"
)

// DefaultWebSocketPorts are the ports MQTT over WebSocket usually uses
// (mosquitto's and EMQX's 8080 and 8083, 8084 and 443 for wss, 80): on
// them a connection is watched when its client opens with a WebSocket
// upgrade (on other ports too when it offers the mqtt subprotocol), or a
// TLS ClientHello that may carry wss (sniff), even without detection on
// other ports; live's kernel filter lets them through.
var DefaultWebSocketPorts = []uint16{80, 8080, 8083, 8084, 443}

// sniff recognises a connection that carries MQTT under a transport
// (stream.Config.Sniff): an HTTP upgrade to WebSocket (with the mqtt
// subprotocol, or on a WebSocket port), or a TLS ClientHello on a wss port:
// always on 8084, MQTT's; on 443, the web's, only when the key log can
// decrypt the session (or may yet: a followed key log), so that HTTPS
// traffic does not fill the output with connections mqttpcap cannot read.
func (p *Pipeline) sniff(b []byte, serverPort uint16) stream.SniffResult {
	if len(b) > 0 && b[0] == 0x16 && (serverPort == 8084 || serverPort == 443) {
		const crEnd = 5 + 4 + 2 + 32 // record and handshake headers, version, random
		switch {
		case len(b) < 3:
			return stream.SniffMore
		case !isTLSRecord(b):
			return stream.SniffNo
		case serverPort == 8084:
			return stream.SniffYes
		case len(b) < crEnd:
			return stream.SniffMore
		case b[5] != 1 || p.keys == nil:
			return stream.SniffNo
		}
		if p.keys.Waiting() {
			return stream.SniffYes
		}
		if _, ok := p.keys.Secrets([32]byte(b[crEnd-32 : crEnd])); ok {
			return stream.SniffYes
		}
		return stream.SniffNo
	}
	switch ws.IsUpgradeRequest(b) {
	case ws.SniffYes:
		if ws.OffersMQTT(b) || p.wsPort[serverPort] {
			return stream.SniffYes
		}
	case ws.SniffMore:
		return stream.SniffMore
	}
	return stream.SniffNo
}

// transportState is a connection's layers between TCP and MQTT: TLS,
// WebSocket, or WebSocket inside TLS. It belongs to the stream side.
type transportState struct {
	tls *tlsdec.Conn
	ws  *ws.Conn
	// mid is the TLS layer's output: what WebSocket, or the MQTT framer,
	// reads; out is the WebSocket layer's.
	mid [2]transport.Bytes
	out [2]transport.Bytes
	ev  []transport.Event
	// inner is what the TLS plaintext carries, once the client's first
	// bytes have said: "mqtt" or "websocket".
	inner string
	// started says each direction's MQTT bytes have begun (the framer's
	// first feed is at a packet boundary).
	started [2]bool
	// payload is what a WebSocket without the mqtt subprotocol carries:
	// "" until its client's first bytes say, "mqtt" when they are a
	// CONNECT, "other" when they are not, "http" when the client's GET is
	// no upgrade at all (then nothing is decoded).
	payload string
	// reported says the WebSocket was reported as not MQTT.
	reported bool
}

// tlsKeys is where TLS connections look for their secrets: the key log
// of --tls-keylog and of the capture's Decryption Secrets Blocks; nil when
// there is none.
func (p *Pipeline) tlsKeys() tlsdec.Keys {
	if p.keys == nil {
		return nil
	}
	return p.keys
}

// AddTLSSecrets adds key log lines (from a pcapng Decryption Secrets
// Block) to the keys TLS connections are decrypted with.
func (p *Pipeline) AddTLSSecrets(lines []byte) {
	if p.keys == nil {
		p.keys = tlsdec.NewKeyLog()
	}
	p.keys.Add(lines)
}

// feed gives one direction's bytes to the layers.
func (ts *transportState) feed(d transport.Dir, in transport.Input) {
	if ts.tls != nil {
		ts.tls.Feed(d, in, &ts.mid, &ts.ev)
		ts.pump()
		return
	}
	ts.ws.Feed(d, in, &ts.out, &ts.ev)
}

// gap tells the layers bytes of a direction were lost.
func (ts *transportState) gap(d transport.Dir, n int64, frame uint64, t time.Time) {
	if ts.tls != nil {
		ts.tls.Gap(d, n, frame, t, &ts.mid, &ts.ev)
		ts.pump()
		return
	}
	ts.ws.Gap(d, n, frame, t, &ts.out, &ts.ev)
}

// end tells the layers the connection is over.
func (ts *transportState) end() {
	defer func() {
		if ts.ws != nil && ts.payload == "" {
			// Too little of the client's payload to tell: decode it.
			ts.payload = "mqtt"
		}
	}()
	if ts.tls != nil {
		ts.tls.End(&ts.mid, &ts.ev)
		if ts.inner == "" {
			ts.inner = "mqtt" // too little of the client's plaintext to tell
		}
		ts.pump()
		if ts.ws != nil {
			ts.ws.End(&ts.out, &ts.ev)
		}
		return
	}
	ts.ws.End(&ts.out, &ts.ev)
}

// pump hands TLS plaintext to what it carries: a WebSocket upgrade (wss)
// or MQTT, as the client's first plaintext bytes say.
func (ts *transportState) pump() {
	if ts.inner == "" {
		c := ts.mid[0].Data
		switch {
		case len(c) >= 4 && string(c[:4]) == "GET ":
			ts.inner, ts.ws = "websocket", ws.New()
		case len(c) >= 4, len(c) > 0 && c[0] != 'G':
			ts.inner = "mqtt"
		default:
			return // hold the plaintext until the client's says what it is
		}
	}
	if ts.ws == nil {
		return // MQTT: the framer reads mid
	}
	// The TLS events come first (the connection's "tls" event) or after
	// the WebSocket layer's output of this call (alerts, key updates):
	// their places in mid do not carry over to out.
	n := len(ts.ev)
	for d := range ts.mid {
		if ts.mid[d].Len() == 0 {
			continue
		}
		m := &ts.mid[d]
		ts.ws.Feed(transport.Dir(d), transport.Input{Data: m.Data, Missing: m.Missing, Origins: m}, &ts.out, &ts.ev)
		m.Reset()
	}
	for i := range ts.ev[:n] {
		e := &ts.ev[i]
		if e.Type == "tls" {
			e.At = 0
		} else {
			e.At = ts.out[e.Dir].Len()
		}
	}
}

// output is the bytes of direction d the MQTT framer reads (none while
// the TLS plaintext waits for the client's first bytes).
func (ts *transportState) output(d int) *transport.Bytes {
	switch {
	case ts.ws != nil || ts.tls == nil:
		return &ts.out[d]
	case ts.inner == "":
		return &noBytes
	}
	return &ts.mid[d]
}

var noBytes transport.Bytes

// waiting says what a WebSocket without the mqtt subprotocol carries is
// not known yet: its bytes and events wait until the client's first bytes
// say whether they are a CONNECT.
func (ts *transportState) waiting() bool {
	if ts.ws == nil || ts.payload != "" {
		return false
	}
	seen, mqtt := ts.ws.Request()
	switch {
	case !seen:
		return true
	case !ts.ws.Upgrade():
		ts.payload = "http"
		return false
	case mqtt:
		ts.payload = "mqtt"
		return false
	}
	switch connectStart(ts.out[0].Data) {
	case stream.SniffYes:
		ts.payload = "mqtt"
	case stream.SniffNo:
		ts.payload = "other"
	default:
		return true
	}
	return false
}

// reset empties what the framer has read, and the events handed on.
func (ts *transportState) reset() {
	ts.ev = ts.ev[:0]
	ts.out[0].Reset()
	ts.out[1].Reset()
	if ts.inner != "" {
		ts.mid[0].Reset()
		ts.mid[1].Reset()
	}
}

// connectStart says whether b starts with a CONNECT: 0x10, a remaining
// length, the protocol name "MQTT" or "MQIsdp" (anchors.md §3.7).
func connectStart(b []byte) stream.SniffResult {
	if len(b) == 0 {
		return stream.SniffMore
	}
	if b[0] != 0x10 {
		return stream.SniffNo
	}
	result := stream.SniffNo
	for _, name := range [...]string{"\x00\x04MQTT", "\x00\x06MQIsdp"} {
		for at := 2; at <= 5; at++ {
			switch {
			case len(b) >= at+len(name):
				if string(b[at:at+len(name)]) == name {
					return stream.SniffYes
				}
			case len(b) <= at || name[:len(b)-at] == string(b[at:]):
				result = stream.SniffMore
			}
		}
	}
	return result
}

// eventOf turns a layer's event into the pipeline's.
func eventOf(e *transport.Event) Event {
	return Event{Type: e.Type, Message: e.Message, Bytes: e.Bytes, Code: e.Code, WebSocket: e.WebSocket, TLS: e.TLS}
}

// isTLSRecord recognises the header of a TLS record (detect's rule).
func isTLSRecord(b []byte) bool {
	return len(b) >= 3 && b[0] >= 0x14 && b[0] <= 0x17 && b[1] == 0x03 && b[2] <= 0x04
}

// transportData hands a chunk to the connection's transport, then frames
// what it decoded and reports its events, in order.
func (h *handler) transportData(c *stream.Conn, st *connState, fromClient bool, chunk *stream.Chunk) {
	for _, m := range chunk.Missing {
		if m.Lost {
			frame, t := chunk.Origin(m.Off)
			h.gapEvent(c, st, fromClient, int64(m.Len), frame, t, m.Acked)
		}
	}
	st.tr.feed(transport.Dir(dirIdx(fromClient)), transport.Input{Data: chunk.Data, Missing: chunk.Missing, Origins: chunk})
	h.drain(c, st)
}

// drain frames what the transport decoded, each event after the bytes
// that came before it.
func (h *handler) drain(c *stream.Conn, st *connState) {
	tr := st.tr
	if tr.waiting() {
		return // bytes and events wait until it is known they are MQTT
	}
	if tr.payload == "other" || tr.payload == "http" {
		h.notWebSocketMQTT(c, st)
		return
	}
	var fed [2]int
	frame := func(d int, to int) {
		out := tr.output(d)
		to = min(to, out.Len())
		if to <= fed[d] {
			return
		}
		v := bytesView{data: out.Data, atStart: !tr.started[d], missing: out.Missing, org: out}
		tr.started[d] = true
		h.frameBytes(c, st, d == 0, v, fed[d], to, false)
		fed[d] = to
	}
	for i := range tr.ev {
		e := &tr.ev[i]
		frame(int(e.Dir), e.At)
		h.out.event(st, c, e.Dir == transport.ClientToServer, e.Frame, e.Time, eventOf(e))
	}
	for d := range 2 {
		frame(d, tr.output(d).Len())
	}
	tr.reset()
}

// notWebSocketMQTT reports, once, an HTTP GET that carries no MQTT: no
// upgrade at all, or a WebSocket without the mqtt subprotocol whose
// client's first message is not a CONNECT (a chat). It is the connection's
// protocol event, as detect's are, and what it decodes is dropped.
func (h *handler) notWebSocketMQTT(c *stream.Conn, st *connState) {
	tr := st.tr
	if !tr.reported {
		tr.reported = true
		proto, what := detect.HTTP, "HTTP ("+tr.ws.Describe()+")"
		if tr.payload == "other" {
			proto, what = detect.WebSocket, "a WebSocket upgrade ("+tr.ws.Describe()+") without the mqtt subprotocol, whose first message is not a CONNECT"
			for i := range tr.ev {
				if e := &tr.ev[i]; e.Type == "ws_upgrade" {
					h.out.event(st, c, e.Dir == transport.ClientToServer, e.Frame, e.Time, eventOf(e))
				}
			}
		}
		frame, t := tr.ws.RequestFrame()
		if tr.out[0].Len() > 0 {
			frame, t = tr.out[0].Origin(0)
		}
		st.said = true
		h.p.found.other[proto]++
		st.dirs[0].other, st.dirs[1].other = proto, proto
		h.out.event(st, c, true, frame, t, Event{Type: "protocol", Protocol: proto.String(),
			Message: "the client sends " + what + ", not MQTT: its bytes are not decoded (--force-mqtt decodes them as MQTT anyway)"})
	}
	tr.reset()
}
