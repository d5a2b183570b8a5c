package pipeline

import (
	"slices"
	"strconv"
	"strings"

	"github.com/mqttpcap/mqttpcap/detect"
)

// found counts what the producer saw, for the notice of a capture without
// MQTT.
type found struct {
	frames uint64 // MQTT frames handed on to be decoded
	tls    int    // connections found to be TLS
	other  [detect.Binary + 1]int
}

// labels name what connections were instead of MQTT, by detect.Protocol.
var labels = [...]string{detect.HTTP: "HTTP", detect.WebSocket: "WebSocket upgrade", detect.SSH: "SSH", detect.Text: "text",
	detect.Binary: "binary data", detect.MQTT: "MQTT", detect.TLS: "TLS"}

// maxPortsNamed is how many server ports the notice names.
const maxPortsNamed = 6

// sayNothingFound ends a capture in which no MQTT packet was found with one
// event saying what was there instead: how many TCP connections on which
// server ports, what the watched ones were, and what to try. A capture
// with MQTT says nothing more.
func (p *Pipeline) sayNothingFound() {
	if p.found.frames > 0 || p.frames == 0 || p.nothingSaid {
		return
	}
	p.nothingSaid = true
	st := p.tracker.Stats()
	var b strings.Builder
	b.WriteString("no MQTT packet in this capture")
	switch {
	case st.Streams == 0:
		b.WriteString(": it has no TCP connection (" + count(int(p.frames), "frame") + ")")
		if st.FragmentsDropped > 0 {
			b.WriteString("; " + count(int(st.FragmentsDropped), "fragmented IP datagram") + " could not be put together")
		}
	default:
		b.WriteString(": " + count(st.Streams, "TCP connection") + " (by server port: " + p.ports(st.ServerPorts) + ")")
		watched := st.Connections
		switch {
		case watched == 0:
			b.WriteString(", none on an MQTT port (" + joinPorts(p.opts.Stream.Ports) + ") and none that opens as MQTT on another")
		default:
			b.WriteString("; " + count(watched, "connection") + " on the MQTT ports (" + joinPorts(p.opts.Stream.Ports) + ")")
			var what []string
			switch {
			case p.found.tls > 0 && p.keys != nil:
				what = append(what, "TLS ×"+strconv.Itoa(p.found.tls)+" (encrypted, and the key log given has no keys for it: the log the client wrote during this capture, SSLKEYLOGFILE, decrypts it)")
			case p.found.tls > 0:
				what = append(what, "TLS ×"+strconv.Itoa(p.found.tls)+" (encrypted: the client's key log, --tls-keylog FILE, decrypts it)")
			}
			for proto, n := range p.found.other {
				if n > 0 {
					what = append(what, labels[proto]+" ×"+strconv.Itoa(n))
				}
			}
			if len(what) > 0 {
				b.WriteString(": " + strings.Join(what, ", "))
			} else {
				b.WriteString(", none with MQTT data")
			}
		}
		if try := p.suggest(st.ServerPorts); try != "" {
			b.WriteString(". If MQTT runs on another port, name it: --port " + try)
		}
		if p.found.other != [len(p.found.other)]int{} && !p.opts.ForceMQTT {
			b.WriteString("; --force-mqtt decodes what is not MQTT as MQTT anyway")
		}
	}
	p.handler.out.event(nil, nil, false, p.frames, p.lastTime, Event{Type: "no_mqtt", Message: b.String()})
}

// ports lists the busiest server ports with their connection counts.
func (p *Pipeline) ports(byPort map[uint16]int) string {
	keys := sortedPorts(byPort)
	var parts []string
	for i, port := range keys {
		if i == maxPortsNamed {
			parts = append(parts, "+"+count(len(keys)-i, "more port"))
			break
		}
		parts = append(parts, strconv.Itoa(int(port))+" ×"+strconv.Itoa(byPort[port]))
	}
	return strings.Join(parts, ", ")
}

// suggest is the --port value to try: the MQTT ports given plus the
// busiest server port that is not one of them.
func (p *Pipeline) suggest(byPort map[uint16]int) string {
	for _, port := range sortedPorts(byPort) {
		if !slices.Contains(p.opts.Stream.Ports, port) {
			return joinPorts(append(slices.Clone(p.opts.Stream.Ports), port))
		}
	}
	return ""
}

// sortedPorts orders ports by connection count, then by number.
func sortedPorts(byPort map[uint16]int) []uint16 {
	keys := make([]uint16, 0, len(byPort))
	for port := range byPort {
		keys = append(keys, port)
	}
	slices.SortFunc(keys, func(a, b uint16) int {
		if byPort[a] != byPort[b] {
			return byPort[b] - byPort[a]
		}
		return int(a) - int(b)
	})
	return keys
}

func joinPorts(ports []uint16) string {
	s := make([]string, len(ports))
	for i, p := range ports {
		s[i] = strconv.Itoa(int(p))
	}
	return strings.Join(s, ",")
}

func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}
