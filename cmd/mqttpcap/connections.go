package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/export"
	"github.com/mqttpcap/mqttpcap/hexin"
)

// sendConn is one connection to open and what the client sends on it.
type sendConn struct {
	// server is where the input says the packets went ("host:port"; ""
	// when it does not say).
	server string
	tls    bool
	pkts   []export.Packet
}

// connections reads what to send, one connection at a time: from a
// capture, the client packets of one stream (--stream, -Y); from an export
// (at, at-plain, hex, hex-spaced, c, fixture, go), a serial log or hex on
// stdin, every connection it holds, each on its own (an AT script's
// AT+CIPSTART blocks, a CONNECT after the client's first packet).
func (o *replayOptions) connections(ctx context.Context) ([]sendConn, error) {
	var data []byte
	var err error
	if o.path == "-" {
		data, err = io.ReadAll(o.g.ios.In)
	} else {
		data, err = os.ReadFile(o.path)
	}
	if err != nil {
		return nil, withCode(exitInput, fmt.Errorf("%s: %w", o.path, err))
	}
	if src, err := capture.NewReader(bytes.NewReader(data), o.path); err == nil {
		pkts, err := o.fromCapture(ctx, src)
		if err != nil {
			return nil, err
		}
		// A packet the capture holds only part of is not sent: the broker
		// would read the next packet's bytes as its rest (as the exports
		// without a mark leave it out).
		whole, cut := export.WithoutCut(pkts)
		if len(cut) > 0 {
			what, list := cutList(cut)
			if len(whole) == 0 {
				return nil, withCode(exitInput, fmt.Errorf("%s: every packet to send is cut short in the capture (%s): nothing to send", o.path, list))
			}
			fmt.Fprintf(o.g.ios.ErrOut, "mqttpcap: warning: %s cut short in the capture (%s): not sent\n", what, list)
			pkts = whole
		}
		// A stream number can hold several connections: a socket each.
		var conns []sendConn
		for _, c := range export.Connections(pkts) {
			conns = append(conns, sendConn{server: c[0].Server.String(), pkts: c})
		}
		return conns, nil
	}
	if o.filter != nil {
		return nil, usageErr(fmt.Errorf("-Y: %s is an export, not a capture: it is sent whole", o.path))
	}
	if err := o.given.unusedFlag("only applies to a capture: "+o.path+" is an export, sent whole", nil, "stream"); err != nil {
		return nil, err
	}
	in, err := hexin.Parse(data)
	if err != nil {
		return nil, withCode(exitInput, fmt.Errorf("%s: %w", o.path, err),
			"give a capture, an export of read --export-hex, a serial log, or hex lines")
	}
	conns := make([]sendConn, len(in.Conns))
	bufs := make([][]byte, len(in.Conns))
	for i, c := range in.Conns {
		conns[i].server, conns[i].tls = c.Server, c.TLS
		if c.Server == "" && c.ServerAddr.IsValid() {
			conns[i].server = c.ServerAddr.String()
		}
	}
	frame := uint64(0)
	for _, s := range in.Segments {
		if s.Dir != hexin.DirClient {
			continue
		}
		// A packet split over several CIPSENDs comes back whole.
		bufs[s.Conn] = append(bufs[s.Conn], s.Data...)
		for {
			raw, rest, ok := cutPacket(bufs[s.Conn])
			if !ok {
				break
			}
			frame++
			var d decode.Decoder
			conns[s.Conn].pkts = append(conns[s.Conn].pkts, export.Packet{Frame: uint64(s.Line), Stream: s.Conn, FromClient: true,
				Packet: d.Decode(raw, decode.V311).Clone()})
			bufs[s.Conn] = rest
		}
	}
	var out []sendConn
	for i, c := range conns {
		if len(bufs[i]) > 0 {
			return nil, withCode(exitInput, fmt.Errorf("%s: %d bytes at the end of connection %d are not a whole MQTT packet", o.path, len(bufs[i]), i))
		}
		if len(c.pkts) > 0 {
			out = append(out, c)
		}
	}
	if frame == 0 {
		return nil, withCode(exitInput, fmt.Errorf("%s: no packet the client sends", o.path))
	}
	return out, nil
}

// target is where a connection goes: --server (or --to) HOST[:PORT] wins,
// its port defaulting to the input's, else 1883.
func target(flagHost string, flagPort int, input string) (string, int, error) {
	host, port := flagHost, flagPort
	if input != "" {
		if h, p, err := parseServer("server", input); err == nil {
			if host == "" {
				host = h
			}
			if port == 0 {
				port = p
			}
		}
	}
	if host == "" {
		return "", 0, usageErr(fmt.Errorf("the input does not say which server to connect to"), "give it: --server HOST[:PORT]")
	}
	if port == 0 {
		port = 1883
	}
	return host, port, nil
}

func hostPort(host string, port int) string {
	if bytes.IndexByte([]byte(host), ':') >= 0 {
		return "[" + host + "]:" + strconv.Itoa(port)
	}
	return host + ":" + strconv.Itoa(port)
}
