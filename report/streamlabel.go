package report

import (
	"strconv"
	"strings"

	"github.com/mqttpcap/mqttpcap/stream"
)

// streamLabel names a connection in tables: its stream number, and its
// capture interface when that is not the first. Wireshark gives the same
// connection captured on two interfaces one tcp.stream; mqttpcap reports
// it once per interface, and the label tells the two apart.
func streamLabel(c *stream.Conn) string {
	if c.Interface == 0 {
		return strconv.Itoa(c.Stream)
	}
	return strconv.Itoa(c.Stream) + " (if " + strconv.Itoa(c.Interface) + ")"
}

// protocolLabel names a connection's other protocol in the version column
// of the connection table ("http" → "HTTP").
func protocolLabel(p string) string {
	switch p {
	case "websocket":
		return "WebSocket"
	case "text", "binary":
		return p
	}
	return strings.ToUpper(p)
}
