package report

import (
	"strconv"

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
