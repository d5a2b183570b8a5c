package main

import (
	"fmt"

	"github.com/mqttpcap/mqttpcap/detect"
)

// isMQTT classifies the server's first bytes (detect.Classify: an HTTP
// proxy answering on 1883, a TLS server on 8883) before any are framed as
// MQTT, and says whether b is to be decoded: an HTTP proxy's
// "HTTP/1.1 400" is named once, not shown as PUBACK id=21584.
func (r *replayReader) isMQTT(b []byte) bool {
	if !r.checked {
		r.checked = true
		r.other = detect.Classify(b, detect.Server, true)
		if r.other.Protocol != detect.MQTT {
			fmt.Fprintf(r.out, "← the server answers with %s (%s), not MQTT: not decoded\n", r.other.Protocol.Name(), r.other.Detail)
		}
	}
	return r.other.Protocol == detect.MQTT
}
