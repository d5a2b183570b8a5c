// Package detect tells, from the first bytes one side of a TCP connection
// sent, whether they are MQTT, and if not what they are: TLS, HTTP, a
// WebSocket upgrade, SSH, text or binary data. The pipeline runs it once
// per direction, before framing, so that a port scanner's HTTP request to
// port 8883 or an HTTP proxy's answer on 1883 is named as such rather than
// framed into made-up MQTT packets.
//
// It is a package of its own, between stream/ (which gives the bytes) and
// decode/ (which frames them), because it needs neither: it reads a byte
// slice, keeps no state, allocates only the detail it reports, and is
// fuzzed alone (FuzzClassify).
package detect

import (
	"bytes"
	"strconv"
)

// Protocol is what a direction's bytes are.
type Protocol uint8

// Protocols. MQTT is the zero value: what is not recognised as something
// else is left to the MQTT framer, which skips what it cannot frame.
const (
	MQTT Protocol = iota
	TLS
	HTTP
	WebSocket
	SSH
	Text
	Binary
)

var ids = [...]string{"mqtt", "tls", "http", "websocket", "ssh", "text", "binary"}
var names = [...]string{"MQTT", "TLS", "HTTP", "a WebSocket upgrade", "SSH", "text", "binary data"}

// String is the protocol's stable identifier ("http"), as in JSON.
func (p Protocol) String() string {
	if int(p) < len(ids) {
		return ids[p]
	}
	return "unknown"
}

// Name is the protocol for people ("HTTP", "binary data").
func (p Protocol) Name() string {
	if int(p) < len(names) {
		return names[p]
	}
	return "unknown"
}

// Side is who sent the bytes.
type Side uint8

// Sides.
const (
	Client Side = iota
	Server
)

// Result is what Classify found.
type Result struct {
	Protocol Protocol
	// Detail is what was recognised, for people: an HTTP request or status
	// line, a TLS record, an SSH banner, the start of the text or of the
	// bytes. Empty for MQTT.
	Detail string
}

// Look is how many bytes Classify reads at most.
const Look = 512

// Classify looks at the first bytes b one side of a connection sent. start
// says b begins at the start of that side's stream (its SYN was seen and
// nothing before b was lost). Then MQTT's own rules decide: a client opens
// with CONNECT and a server with CONNACK or AUTH (MQTT 3.1.1 §3.1, 5.0
// §3.2), so anything else that is not a whole, valid MQTT packet is named.
// Without the start (a capture taken mid-connection, or bytes lost) only
// an unmistakable signature counts — a TLS record header, an HTTP request
// or status line, an SSH banner — and the rest is MQTT, for the framer to
// resynchronise on.
func Classify(b []byte, side Side, start bool) Result {
	if len(b) > Look {
		b = b[:Look]
	}
	if len(b) == 0 {
		return Result{}
	}
	if r, ok := signature(b, start); ok {
		return r
	}
	if !start {
		return Result{}
	}
	if opensMQTT(b, side) {
		return Result{}
	}
	if printable(b) {
		return Result{Protocol: Text, Detail: quote(firstLine(b))}
	}
	if validPacket(b) {
		// A valid MQTT packet, though not the one a connection opens with
		// (a client that publishes before its CONNECT): decoded, and the
		// decoder says what is wrong.
		return Result{}
	}
	return Result{Protocol: Binary, Detail: hexPrefix(b, 8)}
}

// signature recognises the protocols with an unmistakable start.
func signature(b []byte, start bool) (Result, bool) {
	switch {
	case isTLS(b):
		return Result{Protocol: TLS, Detail: tlsRecord(b)}, true
	case bytes.HasPrefix(b, []byte("SSH-")):
		return Result{Protocol: SSH, Detail: quote(firstLine(b))}, true
	}
	if p, ok := httpStart(b, start); ok {
		return Result{Protocol: p, Detail: quote(firstLine(b))}, true
	}
	return Result{}, false
}

// opensMQTT says b starts with the packet that side opens an MQTT
// connection with. The first byte is enough: a CONNECT's 0x10 or a
// CONNACK's 0x20 is neither text nor any signature above (an ESP8266
// often sends that byte in a segment of its own).
func opensMQTT(b []byte, side Side) bool {
	if side == Client {
		return b[0] == 0x10
	}
	return b[0] == 0x20 || b[0] == 0xf0
}

// isTLS recognises a TLS record header: content type 20-23 (change cipher
// spec, alert, handshake, application data) and major version 3. An MQTT
// stream cannot start so: 0x14-0x17 would be a CONNECT with reserved
// flags set.
func isTLS(b []byte) bool {
	return len(b) >= 3 && b[0] >= 0x14 && b[0] <= 0x17 && b[1] == 0x03 && b[2] <= 0x04
}

func tlsRecord(b []byte) string {
	switch b[0] {
	case 0x16:
		if len(b) > 5 && b[5] == 1 {
			return "ClientHello"
		}
		if len(b) > 5 && b[5] == 2 {
			return "ServerHello"
		}
		return "handshake"
	case 0x17:
		return "application data"
	case 0x15:
		return "alert"
	}
	return "change cipher spec"
}

// methods are the HTTP request methods (RFC 9110 and WebDAV's common ones)
// and HTTP/2's connection preface.
var methods = []string{"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE",
	"PROPFIND", "PRI"}

// httpStart recognises an HTTP request line ("HEAD / HTTP/1.1") or status
// line ("HTTP/1.1 400 Bad Request"), and among them a WebSocket upgrade.
// With start, a known method and a space suffice (the rest of the line may
// come in the next segment); without, the line must name its HTTP version.
func httpStart(b []byte, start bool) (Protocol, bool) {
	line := firstLine(b)
	isHTTP := false
	if bytes.HasPrefix(line, []byte("HTTP/1.")) || bytes.HasPrefix(line, []byte("HTTP/2")) {
		isHTTP = len(line) >= 8 || start
	} else {
		for _, m := range methods {
			if len(line) > len(m) && string(line[:len(m)]) == m && line[len(m)] == ' ' {
				isHTTP = start || bytes.Contains(line, []byte(" HTTP/"))
				break
			}
		}
	}
	if !isHTTP {
		return 0, false
	}
	if upgrade(b) {
		return WebSocket, true
	}
	return HTTP, true
}

// upgrade finds an "Upgrade: websocket" header.
func upgrade(b []byte) bool {
	for _, line := range bytes.Split(b, []byte("\n")) {
		name, value, ok := bytes.Cut(line, []byte(":"))
		if ok && bytes.EqualFold(bytes.TrimSpace(name), []byte("upgrade")) &&
			bytes.EqualFold(bytes.TrimSpace(value), []byte("websocket")) {
			return true
		}
	}
	return false
}

// printable says b is text: printable ASCII, tabs and line ends (an MQTT
// packet nearly always has a zero byte among its first: a length's high
// byte).
func printable(b []byte) bool {
	for _, c := range b {
		if (c < 0x20 || c > 0x7e) && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// validPacket says b starts with a whole MQTT packet: a first byte of a
// defined type with the flags the specification requires, and a minimal
// remaining length whose bytes are all there.
func validPacket(b []byte) bool {
	t, flags := b[0]>>4, b[0]&0x0f
	switch {
	case t == 0:
		return false
	case t == 3: // PUBLISH: any flags but QoS 3
		if flags&0x06 == 0x06 {
			return false
		}
	case t == 6 || t == 8 || t == 10: // PUBREL, SUBSCRIBE, UNSUBSCRIBE
		if flags != 0x02 {
			return false
		}
	case flags != 0:
		return false
	}
	var rl, mult int
	for i := 1; i <= 4; i++ {
		if i >= len(b) {
			return false
		}
		rl += int(b[i]&0x7f) << mult
		mult += 7
		if b[i]&0x80 == 0 {
			if i > 1 && b[i] == 0 {
				return false // not minimal
			}
			return 1+i+rl <= len(b)
		}
	}
	return false
}

// firstLine is b up to its first line end, at most 80 bytes.
func firstLine(b []byte) []byte {
	if i := bytes.IndexAny(b, "\r\n"); i >= 0 {
		b = b[:i]
	}
	if len(b) > 80 {
		b = b[:80]
	}
	return b
}

// quote shows text for people: quoted, non-printable bytes escaped.
func quote(b []byte) string {
	return strconv.QuoteToASCII(string(b))
}

func hexPrefix(b []byte, n int) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 3*n+3)
	for i, c := range b[:min(n, len(b))] {
		if i > 0 {
			out = append(out, ' ')
		}
		out = append(out, digits[c>>4], digits[c&0x0f])
	}
	if len(b) > n {
		out = append(out, " …"...)
	}
	return string(out)
}
