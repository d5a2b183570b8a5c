package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mqttpcap/mqttpcap/export"
	"github.com/mqttpcap/mqttpcap/pipeline"
)

// exportOptions are the flags of `read --export-hex`.
type exportOptions struct {
	format  string // at, hex, c, fixture, go; "" = no export
	output  string // -o
	server  string
	port    int
	refresh bool
	fix     bool
	expires string
	ttl     string
	goPkg   string
	now     func() time.Time
}

var exportFormats = export.Formats

// exportFormatList describes the formats for --help.
const exportFormatList = "at (default: an ESP8266 AT+CIPSEND script with comments), at-plain (the same without comments, to paste as it is), " +
	"hex (a packet per line), hex-spaced (10 98 01 ..., for a serial tool's HEX mode), bin (raw bytes, a file per packet in the -o directory), " +
	"c, fixture (JSON), go"

func (e *exportOptions) validate() error {
	if e.format == "" {
		return nil
	}
	ok := false
	for _, f := range exportFormats {
		ok = ok || f == e.format
	}
	if !ok {
		return usageErr(fmt.Errorf("--export-hex: %q is not a format (%s)", e.format, strings.Join(exportFormats, ", ")))
	}
	if e.refresh && e.expires == "" && e.ttl == "" {
		e.ttl = "365d"
	}
	return nil
}

// exportCollector keeps the packets chosen for export. With files (several
// inputs) each packet names its file; input is the input's number.
type exportCollector struct {
	match func(*pipeline.Record) bool
	pkts  []export.Packet
	files bool
	input int
	// transports are the connections whose MQTT came over WebSocket or
	// TLS, by stream, with their server (transports.go warns about them).
	transports map[int]transportOf
}

func (c *exportCollector) Record(r *pipeline.Record) error {
	if r.Kind != pipeline.KindPacket || !c.match(r) {
		return nil
	}
	p := export.Packet{Frame: r.Frame, Time: r.Time, Stream: r.Conn.Stream, Client: r.Conn.Client,
		Server: r.Conn.Server, FromClient: r.FromClient, Packet: r.Packet.Clone(),
		Interface: r.Conn.Interface, ConnFrame: r.Conn.FirstFrame}
	if r.Info != nil {
		p.ServerName = r.Info.ServerName
		c.noteTransport(r)
	}
	if c.files {
		p.File, p.FileFrame, p.Input = r.File, r.FileFrame, c.input
	}
	c.pkts = append(c.pkts, p)
	return nil
}

func (c *exportCollector) Flush() error { return nil }

// defaultExportMatch chooses what an export takes without -Y: what the
// device sent for the scripts and headers, everything for fixtures.
func (e *exportOptions) defaultMatch() func(*pipeline.Record) bool {
	if e.format == "fixture" || e.format == "go" {
		return func(*pipeline.Record) bool { return true }
	}
	return func(r *pipeline.Record) bool { return r.FromClient }
}

// write refreshes tokens if asked and writes the chosen packets.
func (e *exportOptions) write(ios *ioStreams, source string, pkts []export.Packet, keys *keyOptions) error {
	if len(pkts) == 0 {
		return withCode(exitError, errors.New("--export-hex: no packet matched: nothing to export"),
			"without -Y the AT, hex and C formats take the packets the clients sent")
	}
	// One connection after another, each with its own AT+CIPSTART: the
	// packets came in completion order, connections interleaved.
	pkts = export.ByConnection(pkts)
	pkts, err := leaveCut(ios, e.format, pkts)
	if err != nil {
		return err
	}
	host, port := "", e.port
	if e.server != "" {
		h, p, err := parseServer("--server", e.server)
		if err != nil {
			return err
		}
		host = h
		if p != 0 {
			if e.port != 0 && e.port != p {
				return usageErr(fmt.Errorf("--server %s and --server-port %d give two ports", e.server, e.port))
			}
			port = p
		}
	}
	fixLengths(ios, pkts, e.fix)
	if !e.refresh {
		warnExpired(ios, pkts, e.now())
	}
	if e.refresh {
		keyFn, err := keys.keyFunc(ios)
		if err != nil {
			return err
		}
		if keyFn == nil {
			return usageErr(errors.New("--refresh-token needs the access key: --key, --key-file or $" + keyEnv))
		}
		exp, err := e.expiry()
		if err != nil {
			return err
		}
		refreshed := 0
		for i := range pkts {
			ok, err := export.RefreshToken(&pkts[i], keyFn, exp)
			if err != nil {
				return withCode(exitError, fmt.Errorf("--refresh-token: %w", err))
			}
			if ok {
				refreshed++
				fmt.Fprintf(ios.ErrOut, "mqttpcap: %s: %s\n", pkts[i].Name(), pkts[i].Notes[len(pkts[i].Notes)-1])
			}
		}
		if refreshed == 0 {
			fmt.Fprintln(ios.ErrOut, "mqttpcap: --refresh-token: no exported CONNECT carries a OneNET token")
		}
	}
	if e.format == "bin" {
		if e.output == "" || e.output == "-" {
			return usageErr(errors.New("--export-hex bin writes a file per packet: give the directory with -o DIR"))
		}
		paths, err := export.Bin(e.output, pkts)
		if err != nil {
			return withCode(exitError, fmt.Errorf("writing the export: %w", err))
		}
		fmt.Fprintf(ios.ErrOut, "mqttpcap: wrote %d files to %s (%s ... %s)\n", len(paths), e.output, filepath.Base(paths[0]), filepath.Base(paths[len(paths)-1]))
		return nil
	}
	var w io.Writer = ios.Out
	if e.output != "" && e.output != "-" {
		f, err := os.Create(e.output)
		if err != nil {
			return withCode(exitError, fmt.Errorf("-o: %w", err))
		}
		defer f.Close()
		w = f
	}
	name := filepath.Base(source)
	err = export.Write(w, e.format, pkts, export.WriteOptions{Source: name, Server: host, Port: port, GoPackage: e.goPkg})
	if errors.Is(err, export.ErrNoServer) {
		return usageErr(fmt.Errorf("--export-hex %s: %w", e.format, err), "give it: --server HOST[:PORT], e.g. --server studio-mqtt.heclouds.com:1883")
	}
	if err != nil {
		return withCode(exitError, fmt.Errorf("writing the export: %w", err))
	}
	return nil
}

func (e *exportOptions) expiry() (time.Time, error) {
	if e.ttl != "" {
		d, err := parseTTL(e.ttl)
		if err != nil {
			return time.Time{}, usageErr(fmt.Errorf("--ttl: %w", err))
		}
		return e.now().Add(d), nil
	}
	t, err := parseWhen(e.expires)
	if err != nil {
		return time.Time{}, usageErr(fmt.Errorf("--expires: %w", err))
	}
	return t, nil
}

// fixLengths re-encodes the packets whose remaining length is written
// wrongly when fix is set (--fix-length), and otherwise warns that they are
// exported as captured: a broker would refuse them as the capture's did. A
// packet broken elsewhere too cannot be rebuilt from its fields: it is
// exported as captured, with a warning that says why, and the others are
// still fixed.
func fixLengths(ios *ioStreams, pkts []export.Packet, fix bool) {
	for i := range pkts {
		p := &pkts[i]
		if !export.HasLengthProblem(p.Packet) {
			continue
		}
		if !fix {
			fmt.Fprintf(ios.ErrOut, "mqttpcap: warning: %s: its remaining length is encoded wrongly (as captured); --fix-length re-encodes it\n", p.Name())
			continue
		}
		if _, err := export.FixLength(p); err != nil {
			fmt.Fprintf(ios.ErrOut, "mqttpcap: warning: --fix-length: %v: exported as captured\n", err)
			continue
		}
		fmt.Fprintf(ios.ErrOut, "mqttpcap: %s: %s\n", p.Name(), p.Notes[len(p.Notes)-1])
	}
}
