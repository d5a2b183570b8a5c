package ws

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"strconv"
	"strings"
)

// maxHeader bounds an HTTP upgrade request or response (browsers and
// servers keep them under 8 KB; lws's default limit is 1 KB).
const maxHeader = 16 << 10

// acceptGUID is the string RFC 6455 §1.3 appends to Sec-WebSocket-Key
// before hashing it into Sec-WebSocket-Accept.
const acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// headerEnd returns the length of an HTTP header block in b (up to and
// including the blank line), or -1 when it is not complete.
func headerEnd(b []byte) int {
	if i := bytes.Index(b, []byte("\r\n\r\n")); i >= 0 {
		return i + 4
	}
	// Be lenient with bare LF line ends, as HTTP parsers are (RFC 9112 §2.2).
	if i := bytes.Index(b, []byte("\n\n")); i >= 0 {
		return i + 2
	}
	return -1
}

// request is what a WebSocket upgrade request says.
type request struct {
	method, path, proto string
	host                string
	upgrade, connection string
	key, version        string
	offered             []string
	extensions          string
}

// response is what the answer to it says.
type response struct {
	proto       string
	status      int
	statusText  string
	upgrade     string
	accept      string
	subprotocol string
	extensions  string
}

// lines splits an HTTP header block into its start line and header lines.
func lines(b []byte) (string, []string) {
	s := strings.TrimRight(string(b), "\r\n")
	ls := strings.Split(s, "\n")
	for i := range ls {
		ls[i] = strings.TrimSuffix(ls[i], "\r")
	}
	return ls[0], ls[1:]
}

// header splits "Name: value"; names are case-insensitive (RFC 9110 §5.1).
func header(l string) (string, string, bool) {
	name, value, ok := strings.Cut(l, ":")
	if !ok {
		return "", "", false
	}
	return strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(value), true
}

func parseRequest(b []byte) request {
	var r request
	start, hs := lines(b)
	parts := strings.Fields(start)
	if len(parts) > 0 {
		r.method = parts[0]
	}
	if len(parts) > 1 {
		r.path = parts[1]
	}
	if len(parts) > 2 {
		r.proto = parts[2]
	}
	for _, l := range hs {
		name, value, ok := header(l)
		if !ok {
			continue
		}
		switch name {
		case "host":
			r.host = value
		case "upgrade":
			r.upgrade = value
		case "connection":
			r.connection = value
		case "sec-websocket-key":
			r.key = value
		case "sec-websocket-version":
			r.version = value
		case "sec-websocket-protocol":
			// The header may repeat, each a comma-separated list (RFC
			// 6455 §4.1, §11.3.4).
			for _, p := range strings.Split(value, ",") {
				if p = strings.TrimSpace(p); p != "" {
					r.offered = append(r.offered, p)
				}
			}
		case "sec-websocket-extensions":
			if r.extensions != "" {
				r.extensions += ", "
			}
			r.extensions += value
		}
	}
	return r
}

func parseResponse(b []byte) response {
	var r response
	start, hs := lines(b)
	proto, rest, _ := strings.Cut(start, " ")
	r.proto = proto
	code, text, _ := strings.Cut(strings.TrimSpace(rest), " ")
	r.status, _ = strconv.Atoi(code)
	r.statusText = strings.TrimSpace(text)
	for _, l := range hs {
		name, value, ok := header(l)
		if !ok {
			continue
		}
		switch name {
		case "upgrade":
			r.upgrade = value
		case "sec-websocket-accept":
			r.accept = value
		case "sec-websocket-protocol":
			r.subprotocol = value
		case "sec-websocket-extensions":
			if r.extensions != "" {
				r.extensions += ", "
			}
			r.extensions += value
		}
	}
	return r
}

// acceptFor is the Sec-WebSocket-Accept a server must answer a key with
// (RFC 6455 §4.2.2).
func acceptFor(key string) string {
	h := sha1.Sum([]byte(key + acceptGUID))
	return base64.StdEncoding.EncodeToString(h[:])
}

// hasToken reports whether a comma-separated header value lists token
// (case-insensitively).
func hasToken(value, token string) bool {
	for _, t := range strings.Split(value, ",") {
		if strings.EqualFold(strings.TrimSpace(t), token) {
			return true
		}
	}
	return false
}

// mqttSubprotocol reports whether a subprotocol is MQTT's: "mqtt" (MQTT
// 3.1.1 §6 and 5.0 §6) or "mqttv3.1" (the name MQTT 3.1 clients use).
func mqttSubprotocol(p string) bool {
	return strings.EqualFold(p, "mqtt") || strings.EqualFold(p, "mqttv3.1")
}

// deflate reports whether an extensions header negotiates
// permessage-deflate (RFC 7692), which sets RSV1 on compressed messages.
func deflate(ext string) bool {
	for _, e := range strings.Split(ext, ",") {
		name, _, _ := strings.Cut(e, ";")
		if strings.EqualFold(strings.TrimSpace(name), "permessage-deflate") {
			return true
		}
	}
	return false
}

// IsUpgradeRequest says whether b, the first bytes of a client's stream,
// are (the start of) an HTTP request asking for a WebSocket upgrade:
// it returns yes, no, or more when it cannot tell yet. A GET whose header
// block is complete and has "Upgrade: websocket" is one; anything that is
// not a GET at all is not. Header blocks over 16 KB are not.
func IsUpgradeRequest(b []byte) Sniff {
	const get = "GET "
	n := min(len(b), len(get))
	if string(b[:n]) != get[:n] {
		return SniffNo
	}
	end := headerEnd(b)
	if end < 0 {
		if len(b) >= maxHeader {
			return SniffNo
		}
		return SniffMore
	}
	r := parseRequest(b[:end])
	if strings.EqualFold(r.upgrade, "websocket") || hasToken(r.upgrade, "websocket") {
		return SniffYes
	}
	return SniffNo
}

// OffersMQTT says whether an upgrade request (its complete header block)
// offers an MQTT subprotocol ("mqtt", or "mqttv3.1" for MQTT 3.1).
func OffersMQTT(b []byte) bool {
	end := headerEnd(b)
	if end < 0 {
		return false
	}
	for _, p := range parseRequest(b[:end]).offered {
		if mqttSubprotocol(p) {
			return true
		}
	}
	return false
}

// Sniff is the answer of IsUpgradeRequest.
type Sniff uint8

// Sniff answers.
const (
	SniffMore Sniff = iota
	SniffYes
	SniffNo
)
