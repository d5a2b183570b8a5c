package pipeline

import (
	"github.com/mqttpcap/mqttpcap/detect"
	"github.com/mqttpcap/mqttpcap/stream"
)

// classify looks at the first bytes of a direction (detect.Classify) before
// any of them are framed, unless Options.ForceMQTT. TLS ends decoding of
// the whole connection (as before); another protocol ends it for the
// direction, and the connection gets one event saying what it is. Bytes
// whose start the capture lost are left to the framer.
func (h *handler) classify(c *stream.Conn, st *connState, fromClient bool, chunk *stream.Chunk) {
	if h.p.opts.ForceMQTT {
		return
	}
	if len(chunk.Missing) > 0 && chunk.Missing[0].Lost && chunk.Missing[0].Off == 0 {
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
	frame, t := chunk.Origin(0)
	if r.Protocol == detect.TLS {
		st.tls = true
		h.p.found.tls++
		h.out.event(st, c, fromClient, frame, t, Event{Type: "tls",
			Message: "TLS (" + r.Detail + "): the connection is encrypted, its MQTT packets cannot be decoded"})
		return
	}
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
var why = map[detect.Protocol]string{
	detect.WebSocket: " (MQTT over WebSocket is not supported yet)",
}
