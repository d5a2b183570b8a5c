package report

import (
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/stream"
)

// connAddrs is how a connection's client and server are shown: "ip:port"
// from a capture; for an input without TCP (mqttpcap decode) the server as
// the input names it (AT+CIPSTART's host:port) and unknown where it says
// nothing ("-" in text, "" in JSON).
func connAddrs(c *stream.Conn, info *pipeline.ConnInfo, unknown string) (client, server string) {
	client, server = unknown, unknown
	if c.Client.IsValid() {
		client = c.Client.String()
	}
	switch {
	case c.Server.IsValid():
		server = c.Server.String()
	case info != nil && info.ServerName != "":
		server = info.ServerName
	}
	return client, server
}
