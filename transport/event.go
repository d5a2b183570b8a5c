package transport

import "time"

// Event is something a layer has to say that is not payload: a WebSocket
// upgrade or control frame, a TLS handshake and whether its keys were
// found, a protocol problem of the layer.
type Event struct {
	Dir Dir
	// Type is a stable identifier (docs/json.md lists them): "ws_upgrade",
	// "ws_ping", "ws_pong", "ws_close", "ws_problem", "tls", "tls_alert",
	// "tls_problem".
	Type string
	// Code names a protocol problem of the layer (Type "ws_problem" or
	// "tls_problem"), in the style of an MQTT packet's problem codes:
	// "ws_unmasked_client_frame", "tls_decrypt_failed", ...
	Code    string
	Message string
	// Frame and Time are those of the frame the event is about (the frame
	// that completed the upgrade response, the control frame, the record).
	Frame uint64
	Time  time.Time
	// Offset is the stream offset (in the direction's bytes at the layer's
	// input) the event is about, when it has one; -1 when not.
	Offset int64
	// Bytes is the number of bytes the event is about, when it has one.
	Bytes int64
	// At places the event among the layer's output: it comes after the
	// first At bytes the layer handed on for its direction in the same
	// call (a close frame after the MQTT packets before it).
	At int

	WebSocket *WebSocketInfo
	TLS       *TLSInfo
}

// WebSocketInfo is what a WebSocket event is about.
type WebSocketInfo struct {
	// The upgrade (ws_upgrade): the request's path and Host, the
	// subprotocols the client offered, the one the server chose, and the
	// response's status.
	Path        string
	Host        string
	Offered     []string
	Subprotocol string
	Status      int
	StatusText  string
	// Control frames: the opcode; a close frame's code (0: none given) and
	// reason; a ping's or pong's payload length.
	Opcode      uint8
	CloseCode   uint16
	CloseReason string
	PayloadLen  int
}

// TLSInfo describes a TLS connection (event "tls") or the record an alert or
// problem is about.
type TLSInfo struct {
	// Version is "TLS 1.2", "TLS 1.3", ...; CipherSuite the IANA name.
	Version     string
	CipherSuite string
	SNI         string
	ALPN        string
	// ClientRandom is the ClientHello's random, in hex: the key log's key
	// for the connection's secrets.
	ClientRandom string
	// Keys says what the key log held for the connection: "found",
	// "missing", "wrong" (they do not decrypt it), "none" (no key log
	// given), "unsupported" (a version or cipher suite mqttpcap does not
	// decrypt) or "no_hello" (the ClientHello was not captured).
	Keys string
	// Inner is what the decrypted bytes carry: "mqtt", "websocket" or
	// "other"; empty until known.
	Inner string
	// Alert is an alert's level and description ("warning close_notify").
	Alert string
}
