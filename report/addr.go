package report

import (
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/stream"
)

// connAddrs is how a connection's client and server are shown
// (pipeline.Addrs), unknown where the input says nothing ("-" in text,
// "" in JSON).
func connAddrs(c *stream.Conn, info *pipeline.ConnInfo, unknown string) (client, server string) {
	client, server = pipeline.Addrs(c, info)
	if client == "" {
		client = unknown
	}
	if server == "" {
		server = unknown
	}
	return client, server
}
