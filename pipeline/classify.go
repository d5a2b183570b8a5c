package pipeline

import (
	"github.com/mqttpcap/mqttpcap/detect"
	"github.com/mqttpcap/mqttpcap/stream"
	tlsdec "github.com/mqttpcap/mqttpcap/transport/tls"
	"github.com/mqttpcap/mqttpcap/transport/ws"
)

// classify looks at the first bytes of a direction (detect.Classify) before
// any of them are framed, unless Options.ForceMQTT. TLS and a client's
// HTTP GET go to their transport layers (transport.go); another protocol
// ends decoding for the direction, and the connection gets one event
// saying what it is. Bytes whose start the capture lost are left to the
// framer.
func (h *handler) classify(c *stream.Conn, st *connState, fromClient bool, chunk *stream.Chunk) {
	if h.p.opts.ForceMQTT {
		return
	}
	if len(chunk.Missing) > 0 && chunk.Missing[0].Lost && chunk.Missing[0].Off == 0 {
		return
	}
	// A client's HTTP GET may be a WebSocket upgrade: the WebSocket layer
	// reads its header block (however many segments it takes) and says
	// (transport.go).
	if fromClient && len(chunk.Data) >= 4 && string(chunk.Data[:4]) == "GET " {
		st.tr = &transportState{ws: ws.New()}
		return
	}
	side := detect.Client
	if !fromClient {
		side = detect.Server
	}
	r := detect.Classify(chunk.Data, side, chunk.AtStart)
	if r.Protocol == detect.MQTT {
		return
	}
	if r.Protocol == detect.TLS {
		// Decrypted with the key log, if it has the keys; the TLS layer
		// reports the connection either way (transport/tls).
		st.tr = &transportState{tls: tlsdec.New(h.p.tlsKeys())}
		h.p.found.tls++
		return
	}
	frame, t := chunk.Origin(0)
	st.dirs[dirIdx(fromClient)].other = r.Protocol
	if st.said {
		return
	}
	st.said = true
	h.p.found.other[r.Protocol]++
	who := "client"
	if !fromClient {
		who = "server"
	}
	h.out.event(st, c, fromClient, frame, t, Event{Type: "protocol", Protocol: r.Protocol.String(),
		Message: "the " + who + " sends " + r.Protocol.Name() + " (" + r.Detail + "), not MQTT" + why[r.Protocol] +
			": its bytes are not decoded (--force-mqtt decodes them as MQTT anyway)"})
}

// why adds what helps to the protocol event.
var why = map[detect.Protocol]string{}
