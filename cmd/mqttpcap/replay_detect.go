package main

import (
	"fmt"

	"github.com/mqttpcap/mqttpcap/detect"
)

// isMQTT classifies the server's first bytes (detect.Classify: an HTTP
// proxy answering on 1883, a TLS server on 8883) before any are framed as
// MQTT, and says whether b is to be decoded: an HTTP proxy's
// "HTTP/1.1 400" is named once, not shown as PUBACK id=21584.
func (a *answers) isMQTT(b []byte) bool {
	if !a.checked {
		a.checked = true
		a.other = detect.Classify(b, detect.Server, true)
		if a.other.Protocol != detect.MQTT {
			fmt.Fprintf(a.out, "← the server answers with %s (%s), not MQTT: not decoded\n", a.other.Protocol.Name(), a.other.Detail)
		}
	}
	return a.other.Protocol == detect.MQTT
}
