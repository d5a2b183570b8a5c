package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mqttpcap/mqttpcap/hexin"
	"github.com/mqttpcap/mqttpcap/onenet"
	"github.com/mqttpcap/mqttpcap/pipeline"
)

// decodeCmdOptions are the parsed flags of `mqttpcap decode`.
type decodeCmdOptions struct {
	g      *globalOptions
	args   []string
	dec    decodeOptions
	out    outputOptions
	export exportOptions
	at     string
	now    func() time.Time
}

func newDecodeCmd(g *globalOptions, runF func(context.Context, *decodeCmdOptions) error) *cobra.Command {
	o := &decodeCmdOptions{g: g, now: time.Now}
	o.export.now = time.Now
	cmd := &cobra.Command{
		Use:   "decode [flags] [HEX...|FILE...|-]",
		Short: "Decode MQTT packets given as hex, an ESP8266 serial log, or raw bytes",
		Long: `Decode MQTT packets that are not in a capture: hex copied from a
tutorial, a forum post or Wireshark, a serial terminal's log of an ESP8266
AT session, an export of "mqttpcap read --export-hex", or raw bytes.

The input is the arguments when they are hex ("mqttpcap decode 10 98 01
..."), a file, several raw files (the bin export: one packet per file), or
standard input ("-", or no argument). Its form is recognised:

  hex            one packet per line: 1098 01..., 10 98 01 ..., 0x10,0x98,...,
                 \x10\x98..., 10:98:01... (# and // comments are skipped)
  C or Go arrays {0x10, 0x98, ...}: the c and go exports, arrays by hand
  fixture        the JSON of --export-hex fixture
  Wireshark      "Copy as Hex Stream" (of the MQTT bytes or of the whole
                 frame: its TCP payload is taken) and "Copy as Hex Dump"
                 (0000   10 98 01 ...), one frame per block
  AT dialogue    an ESP8266 serial log: AT+CIPSTART starts a connection,
                 the bytes after AT+CIPSEND=n and ">" (raw, or typed as
                 hex) are the client's, +IPD,n: frames the server's, CLOSED
                 ends it; echoed commands, OK, SEND OK, busy p... are read
                 past. mqttpcap's at and at-plain exports and the
                 transcripts of "send -w" are such logs.
  raw            anything else that is not text: MQTT bytes as they are

Where the input does not say which side sent a packet (hex, arrays, raw),
a packet goes to the side that sends its type (CONNACK, SUBACK, UNSUBACK
and PINGRESP to the server, the rest to the client), and a CONNECT after
the client's first packet starts a new connection.

The output is read's: the packet list, -V, --hex, --json, -Y, the OneNET
checks and verdicts, and the exports. "frame" is the input line where a
packet ends (for raw files, the file's number). Packets have no capture
time: OneNET token expiry is judged against now, or --at.

` + exitStatusHelp,
		Example: `  mqttpcap decode 10 98 01 00 04 4d 51 54 54 04 c2 00 3c ...
  mqttpcap decode session.log -V                 # an ESP8266 serial log, both directions
  pbpaste | mqttpcap decode --hex                # hex on the clipboard (macOS)
  mqttpcap decode packets.h --json               # C arrays
  mqttpcap decode lb.hex --at 2022-08-23         # judge the token as of that day
  mqttpcap decode lb.hex --export-hex at --fix-length --server studio-mqtt.heclouds.com`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("export-hex") && len(args) > 1 {
				for _, f := range exportFormats {
					if args[0] == f {
						o.export.format, args = f, args[1:]
						break
					}
				}
			}
			o.args = args
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runDecode(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	o.out.addFlags(f)
	f.StringVar(&o.dec.version, "mqtt-version", "", "MQTT version of connections without a CONNECT: 3.1, 3.1.1 or 5 (default: inferred)")
	f.StringVar(&o.dec.maxPacket, "max-packet", "16MiB", "largest MQTT packet kept whole; bigger ones keep their start")
	o.dec.keys.addFlags(f)
	f.BoolVar(&o.dec.noOneNET, "no-onenet", false, "do not read tokens, topics and payloads as OneNET's")
	f.DurationVar(&o.dec.replyWindow, "reply-window", onenet.DefaultReplyWindow, "how long a OneNET request waits for its reply before it counts as unanswered")
	f.StringVar(&o.at, "at", "", "judge OneNET tokens as of this time (2030-01-01, RFC 3339, Unix seconds) instead of now")
	o.export.addFlags(f)
	return cmd
}

func runDecode(ctx context.Context, o *decodeCmdOptions) error {
	if err := o.g.validateColor(); err != nil {
		return err
	}
	if err := o.out.validate(); err != nil {
		return err
	}
	// decode has no TCP: the stream layer's limits keep their defaults.
	o.dec.maxBuffer, o.dec.holeTimeout, o.dec.idleTimeout = "256MiB", time.Second, time.Second
	opts, err := o.dec.pipelineOptions(o.g.ios)
	if err != nil {
		return err
	}
	opts.Fields = o.out.needFields()
	if err := o.export.validate(); err != nil {
		return err
	}
	at := o.now()
	if o.at != "" {
		if at, err = parseWhen(o.at); err != nil {
			return usageErr(fmt.Errorf("decode: --at: %w", err))
		}
	}
	name, in, err := o.input()
	if err != nil {
		return err
	}
	ios := o.g.ios
	for _, n := range in.Notes {
		fmt.Fprintf(ios.ErrOut, "mqttpcap: warning: %s: %s\n", name, n)
	}
	var s sink
	var collect *exportCollector
	if o.export.format != "" {
		collect = &exportCollector{match: o.export.defaultMatch()}
		if m := o.out.match(); m != nil {
			collect.match = m
		}
		s = collect
	} else {
		s = o.out.sink(ios, o.g.color, false, o.dec.keys.secrets(ios))
	}
	opts.Parallel = false
	runErr := pipeline.New(opts, s).RunDirect(ctx, directInput(in, at))
	if err := s.Flush(); err != nil && runErr == nil {
		runErr = err
	}
	if runErr != nil {
		return readError(name, runErr)
	}
	if collect != nil {
		return o.export.write(ios, name, collect.pkts, &o.dec.keys)
	}
	return nil
}

// directInput turns what hexin read into the pipeline's input: the line of
// each run of bytes is its frame, and every packet is sent at "at".
func directInput(in *hexin.Input, at time.Time) pipeline.Direct {
	var d pipeline.Direct
	for _, c := range in.Conns {
		d.Conns = append(d.Conns, pipeline.DirectConn{Client: c.Client, Server: c.ServerAddr, ServerName: c.Server,
			ClosedByServer: c.Closed == hexin.DirServer, ClosedByClient: c.Closed == hexin.DirClient, CloseFrame: uint64(max(c.CloseLine, 0))})
	}
	for _, s := range in.Segments {
		d.Segments = append(d.Segments, pipeline.Segment{Conn: s.Conn, FromClient: s.Dir != hexin.DirServer, Data: s.Data,
			Frame: uint64(max(s.Line, 1)), Time: at})
	}
	return d
}

// input reads the arguments: hex words, a file, raw files, or stdin.
func (o *decodeCmdOptions) input() (string, *hexin.Input, error) {
	ios := o.g.ios
	args := o.args
	read := func(name string, data []byte) (string, *hexin.Input, error) {
		in, err := hexin.Parse(data)
		if err != nil {
			hint := "decode reads hex (one packet per line), C or Go arrays, fixtures, Wireshark hex dumps, ESP8266 serial logs and raw bytes"
			return "", nil, withCode(exitInput, fmt.Errorf("%s: %w", name, err), hint)
		}
		return name, in, nil
	}
	switch {
	case len(args) == 0 || len(args) == 1 && args[0] == "-":
		data, err := io.ReadAll(ios.In)
		if err != nil {
			return "", nil, withCode(exitInput, fmt.Errorf("standard input: %w", err))
		}
		return read("standard input", data)
	case allHexWords(args):
		return read("the arguments", []byte(strings.Join(args, " ")))
	}
	var files [][]byte
	for _, a := range args {
		data, err := os.ReadFile(a)
		if err != nil {
			var pe *os.PathError
			switch {
			case errors.Is(err, os.ErrNotExist):
				return "", nil, withCode(exitInput, fmt.Errorf("%s: no such file", a), "to decode hex given as arguments, give only hex: mqttpcap decode 10 98 01 ...")
			case errors.As(err, &pe):
				return "", nil, withCode(exitInput, fmt.Errorf("%s: %v", a, pe.Err))
			}
			return "", nil, withCode(exitInput, err)
		}
		files = append(files, data)
	}
	if len(files) == 1 {
		return read(args[0], files[0])
	}
	in, err := hexin.ParseRaw(files)
	if err != nil {
		return "", nil, usageErr(fmt.Errorf("decode: %w", err), "give one file, or several raw files (the bin export) in order")
	}
	return args[0] + " ...", in, nil
}

// allHexWords says whether the arguments are hex ("10 98 01", "0x10,").
func allHexWords(args []string) bool {
	for _, a := range args {
		if _, err := os.Stat(a); err == nil {
			return false
		}
		if !hexin.IsHexWord(a) {
			return false
		}
	}
	return true
}
