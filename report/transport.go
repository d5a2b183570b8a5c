package report

import "github.com/mqttpcap/mqttpcap/pipeline"

// The transports between TCP and MQTT in the views: a note on the
// connection's line, a suffix to the version in the summary, and the JSON
// members of packets, events and connections (docs/json.md).

// transportNote says what carries a connection's MQTT, on its line.
func transportNote(info *pipeline.ConnInfo) string {
	if n := transportName(info); n != "" {
		return " · MQTT over " + n
	}
	return ""
}

// transportName names what carries a connection's MQTT when it is not
// plain TCP.
func transportName(info *pipeline.ConnInfo) string {
	if info == nil {
		return ""
	}
	switch info.Transport {
	case "websocket":
		return "WebSocket"
	case "tls":
		return "TLS (decrypted)"
	case "wss":
		return "WebSocket over TLS (decrypted)"
	}
	return ""
}

// transportSuffix marks the version column of the summary: "3.1.1 ws".
func transportSuffix(tr string) string {
	switch tr {
	case "websocket":
		return " ws"
	case "tls":
		return " tls"
	case "wss":
		return " wss"
	}
	return ""
}

// transportJSON writes an event's members from its transport: the problem
// code, and what the WebSocket or TLS event is about.
func (o *JSONLines) transportJSON(e *pipeline.Event) {
	j := &o.j
	if e.Code != "" {
		j.strs("code", e.Code)
	}
	if w := e.WebSocket; w != nil {
		j.key("websocket")
		j.open('{')
		if w.Status != 0 || w.Path != "" {
			j.strs("path", w.Path)
			j.strs("host", w.Host)
			j.key("offered")
			j.open('[')
			for _, p := range w.Offered {
				j.element()
				j.b = appendJSONString(j.b, []byte(p))
			}
			j.close(']')
			j.strs("subprotocol", w.Subprotocol)
			j.int("status", int64(w.Status))
			j.strs("status_text", w.StatusText)
		}
		if w.Opcode != 0 {
			j.int("opcode", int64(w.Opcode))
			j.int("payload_length", int64(w.PayloadLen))
		}
		if w.Opcode == 8 {
			j.int("close_code", int64(w.CloseCode))
			j.str("close_reason", []byte(w.CloseReason))
		}
		j.close('}')
	}
	if t := e.TLS; t != nil {
		j.key("tls")
		j.open('{')
		if t.Alert != "" {
			j.strs("alert", t.Alert)
		} else {
			j.strs("version", t.Version)
			j.strs("cipher_suite", t.CipherSuite)
			j.strs("sni", t.SNI)
			j.strs("alpn", t.ALPN)
			j.strs("client_random", t.ClientRandom)
			j.strs("keys", t.Keys)
		}
		j.close('}')
	}
}
