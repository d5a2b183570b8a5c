package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/stream"
	tlsdec "github.com/mqttpcap/mqttpcap/transport/tls"
)

// The transports between TCP and MQTT on the command line: --tls-keylog
// (read, live, replay) and the WebSocket ports live's kernel filter lets
// through.

// tlsKeyOptions is --tls-keylog, shared by read, live and replay.
type tlsKeyOptions struct {
	path string
	// follow reads keys appended to the file while capturing (live).
	follow bool
}

func (o *tlsKeyOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.path, "tls-keylog", "", "decrypt TLS with this key log (NSS format, as SSLKEYLOGFILE and Go's KeyLogWriter write; keys in a pcapng are read anyway)")
}

// keyLog opens the key log, nil without --tls-keylog. Lines that are not
// key log lines are warned about; a file without a single one is an error
// (unless followed: a client writes it as it connects).
func (o *tlsKeyOptions) keyLog(ios *ioStreams, command string) (*tlsdec.KeyLog, error) {
	if o.path == "" {
		return nil, nil
	}
	if _, err := os.Stat(o.path); o.follow && errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(ios.ErrOut, "mqttpcap: %s--tls-keylog: %s does not exist yet: keys written to it will be read as connections need them\n", command, o.path)
	}
	k, err := tlsdec.OpenKeyLog(o.path, o.follow)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, withCode(exitInput, fmt.Errorf("%s--tls-keylog: %s: no such file", command, o.path))
	case errors.Is(err, tlsdec.ErrNoKeys):
		return nil, withCode(exitInput, fmt.Errorf("%s--tls-keylog: %s: %w", command, o.path, err),
			"a key log is written by the client: SSLKEYLOGFILE=keys.log for curl, browsers and OpenSSL 3.5+, tls.Config.KeyLogWriter in Go")
	case err != nil:
		return nil, withCode(exitInput, fmt.Errorf("%s--tls-keylog: %s: %w", command, o.path, unwrapPath(err)))
	}
	if _, bad, first, _ := k.Stats(); bad > 0 {
		fmt.Fprintf(ios.ErrOut, "mqttpcap: warning: --tls-keylog: %s: %d lines are not key log lines (the first: %s)\n", o.path, bad, first)
	}
	return k, nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// filterPorts are the ports live's kernel filter passes: the MQTT ports
// and the WebSocket ports (stream.Config.SniffPorts), without repeats, at
// most capture.MaxFilterPorts (the MQTT ports first).
func filterPorts(cfg stream.Config) []uint16 {
	ports := append([]uint16(nil), cfg.Ports...)
	for _, p := range cfg.SniffPorts {
		if !slices.Contains(ports, p) && len(ports) < capture.MaxFilterPorts {
			ports = append(ports, p)
		}
	}
	return ports
}

// transportOf is what carried a connection an export takes packets from.
type transportOf struct {
	transport string
	server    string
}

func (c *exportCollector) noteTransport(r *pipeline.Record) {
	if r.Info.Transport == "" {
		return
	}
	if c.transports == nil {
		c.transports = make(map[int]transportOf)
	}
	c.transports[r.Conn.Stream] = transportOf{r.Info.Transport, r.Conn.Server.String()}
}

// warnTransports says, once per connection, that the packets of a
// connection that was MQTT over WebSocket or TLS are exported bare: an AT
// script opens a plain TCP connection to the captured server, whose port
// speaks WebSocket or TLS, unless --server names another.
func (c *exportCollector) warnTransports(ios *ioStreams, e *exportOptions) {
	if len(c.transports) == 0 || e.server != "" || e.port != 0 || !strings.HasPrefix(e.format, "at") {
		return
	}
	streams := make([]int, 0, len(c.transports))
	for s := range c.transports {
		streams = append(streams, s)
	}
	slices.Sort(streams)
	for _, s := range streams {
		t := c.transports[s]
		what := map[string]string{"websocket": "WebSocket", "tls": "TLS", "wss": "WebSocket over TLS"}[t.transport]
		fmt.Fprintf(ios.ErrOut, "mqttpcap: warning: stream %d was MQTT over %s: the script sends the bare MQTT packets over TCP to %s, "+
			"which expects %s; --server HOST:PORT names the broker's plain MQTT port\n", s, what, t.server, what)
	}
}
