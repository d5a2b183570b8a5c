package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/pipeline"
)

// readOptions are the parsed flags of `mqttpcap read`.
type readOptions struct {
	g      *globalOptions
	path   string
	dec    decodeOptions
	out    outputOptions
	export exportOptions
}

func newReadCmd(g *globalOptions, runF func(context.Context, *readOptions) error) *cobra.Command {
	o := &readOptions{g: g}
	o.export.now = time.Now
	cmd := &cobra.Command{
		Use:   "read [flags] FILE",
		Short: "Decode every MQTT packet of a capture file",
		Long: `Read a pcap or pcapng capture (gzip-compressed or not; "-" reads standard
input) and print every MQTT control packet in the order it completed.

The default output is a packet list, one line per packet:

  frame  time  stream  direction  type  key facts

where frame is Wireshark's frame number (the frame that completed the
packet), time is seconds since the first frame, stream is Wireshark's
tcp.stream, and direction is C→S (client to server) or S→C. Protocol
problems follow their packet on lines starting with "!", with the byte
offset in the packet. Events that are not packets (a gap in the capture, a
TLS stream, bytes that are not MQTT, a connection closed) are shown in
[brackets].

With -V every field is shown with its byte range. With --json every packet
and event is one JSON object per line (the schema is in docs/json.md).

Connections on the --port ports are decoded, and so is any connection that
opens with a CONNECT (disable with --no-detect). A capture that starts
mid-connection has no CONNECT to tell the MQTT version: it is inferred from
what decodes cleanly, or taken from --mqtt-version.

The first bytes of each side of a connection are checked before they are
decoded: a side that sends TLS, HTTP (or a WebSocket upgrade), SSH, text or
other bytes that are not MQTT is named in a [protocol] event and not decoded
(--force-mqtt decodes it anyway). A capture without MQTT ends with a
[no_mqtt] line saying what it holds and what to try.

` + exitStatusHelp,
		Example: `  mqttpcap read capture.pcapng
  mqttpcap read capture.pcapng -V
  mqttpcap read capture.pcapng --json | jq 'select(.type == "CONNECT") | .fields.client_id'
  mqttpcap read capture.pcap --port 1883,6002
  mqttpcap read midstream.pcap --mqtt-version 5
  tcpdump -i any -w - port 1883 | mqttpcap read -`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(exportFormatArg(cmd, args)) != 1 {
				return usageErr(fmt.Errorf("read: expected one capture file, got %d arguments", len(args)),
					"usage: mqttpcap read [flags] FILE (use - for standard input)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			args = exportFormatArg(cmd, args)
			if len(args) == 1 && cmd.Flags().Changed("export-hex") && o.export.format == "at" {
				o.export.format = pendingFormat(cmd)
			}
			o.path = args[0]
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runRead(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	o.out.addFlags(f)
	o.dec.addFlags(f)
	f.StringVar(&o.export.format, "export-hex", "", "write the chosen packets instead of the list: at (default: an ESP8266 AT+CIPSEND script), hex, c, fixture (JSON), go")
	f.Lookup("export-hex").NoOptDefVal = "at"
	f.StringVarP(&o.export.output, "output", "o", "", "write the export to this file instead of stdout")
	f.StringVar(&o.export.server, "server", "", "host for AT+CIPSTART instead of the captured server address (e.g. studio-mqtt.heclouds.com)")
	f.IntVar(&o.export.port, "server-port", 0, "port for AT+CIPSTART instead of the captured one")
	f.BoolVar(&o.export.fix, "fix-length", false, "re-encode exported packets whose remaining length is written wrongly (one byte over 127, or not minimal)")
	f.BoolVar(&o.export.refresh, "refresh-token", false, "give exported CONNECTs a fresh OneNET token (needs --key; --expires or --ttl, default 365d)")
	f.StringVar(&o.export.expires, "expires", "", "with --refresh-token: expiry (2030-01-01, RFC 3339, Unix seconds)")
	f.StringVar(&o.export.ttl, "ttl", "", "with --refresh-token: expiry from now (365d, 12h)")
	f.StringVar(&o.export.goPkg, "go-package", "fixtures", "package name of the go fixture format")
	return cmd
}

// exportFormatArg lets "--export-hex FORMAT" take its value after a space:
// pflag gives an optional value only with "=", so a format name left among
// the arguments is taken out (and remembered for pendingFormat).
func exportFormatArg(cmd *cobra.Command, args []string) []string {
	if !cmd.Flags().Changed("export-hex") || len(args) != 2 {
		return args
	}
	for i, a := range args {
		for _, f := range exportFormats {
			if a == f {
				cmd.Annotations = map[string]string{"export-format": a}
				return []string{args[1-i]}
			}
		}
	}
	return args
}

func pendingFormat(cmd *cobra.Command) string {
	if f := cmd.Annotations["export-format"]; f != "" {
		return f
	}
	return "at"
}

// validate checks the flags and turns them into pipeline options.
func (o *readOptions) validate() (pipeline.Options, error) {
	if err := o.g.validateColor(); err != nil {
		return pipeline.Options{}, err
	}
	if err := o.out.validate(); err != nil {
		return pipeline.Options{}, err
	}
	opts, err := o.dec.pipelineOptions(o.g.ios)
	if err != nil {
		return opts, err
	}
	opts.Fields = o.out.needFields()
	if err := o.export.validate(); err != nil {
		return opts, err
	}
	return opts, nil
}

// parseSize reads "16MiB", "64k", "1000" (bytes).
func parseSize(flag, s string, min int) (int, error) {
	t := strings.TrimSpace(strings.ToLower(s))
	mult := 1
	for _, u := range []struct {
		suffix string
		mult   int
	}{{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"kb", 1000}, {"mb", 1000 * 1000}, {"gb", 1000 * 1000 * 1000},
		{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"b", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.Atoi(t)
	if err != nil || n < 0 || n > (1<<40)/mult {
		return 0, usageErr(fmt.Errorf("%s: %q is not a size (e.g. 16MiB, 512k, 100000)", flag, s))
	}
	if n*mult < min {
		return 0, usageErr(fmt.Errorf("%s: %s is too small (at least %d bytes)", flag, s, min))
	}
	return n * mult, nil
}

// sink is a pipeline sink whose output must be flushed at the end.
type sink interface {
	pipeline.Sink
	Flush() error
}

func runRead(ctx context.Context, o *readOptions) error {
	opts, err := o.validate()
	if err != nil {
		return err
	}
	ios := o.g.ios
	src, err := openCapture(ios, o.path)
	if err != nil {
		return err
	}
	defer src.Close()

	var s sink
	var collect *exportCollector
	if o.export.format != "" {
		collect = &exportCollector{match: o.export.defaultMatch()}
		if m := o.out.match(); m != nil {
			collect.match = m
		}
		s = collect
	} else {
		s = o.out.sink(ios, o.g.color, false)
	}
	prog := newProgress(ios, src, o.path)
	if prog != nil {
		opts.Progress = prog.update
	}
	p := pipeline.New(opts, s)
	runErr := p.Run(ctx, src)
	prog.done()
	if err := s.Flush(); err != nil && runErr == nil {
		runErr = err
	}
	if collect != nil && (runErr == nil || errors.Is(runErr, capture.ErrCutShort)) {
		if err := o.export.write(ios, o.path, collect.pkts, &o.dec.keys); err != nil {
			return err
		}
	}
	return readError(src.Name(), runErr)
}

// openCapture opens the capture and turns failures into one-line errors
// naming the file, with a hint when one helps.
func openCapture(ios *ioStreams, path string) (*capture.File, error) {
	var src *capture.File
	var err error
	if path == "-" {
		src, err = capture.NewReader(ios.In, "standard input")
	} else {
		src, err = capture.OpenFile(path)
	}
	if err == nil {
		return src, nil
	}
	name := path
	if path == "-" {
		name = "standard input"
	}
	var pe *fs.PathError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, withCode(exitInput, fmt.Errorf("%s: no such file", name))
	case errors.Is(err, fs.ErrPermission):
		return nil, withCode(exitInput, fmt.Errorf("%s: permission denied", name),
			"captures written by tcpdump as root may need: sudo chown $USER "+path)
	case errors.As(err, &pe):
		return nil, withCode(exitInput, fmt.Errorf("%s: %v", name, pe.Err))
	case errors.Is(err, capture.ErrNotCapture):
		var hints []string
		if strings.Contains(err.Error(), `"vers`) || strings.Contains(err.Error(), `"{`) {
			hints = append(hints, "mqttpcap reads pcap and pcapng captures (Wireshark: File > Save As, tcpdump -w)")
		}
		return nil, withCode(exitInput, fmt.Errorf("%s: %w", name, err), hints...)
	case errors.Is(err, capture.ErrCutShort):
		return nil, withCode(exitDamaged, fmt.Errorf("%s: %w", name, err))
	}
	return nil, withCode(exitInput, fmt.Errorf("%s: %w", name, err))
}

// readError maps the end of a run to the exit status.
func readError(name string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, capture.ErrCutShort), errors.Is(err, capture.ErrDamaged):
		return withCode(exitDamaged, fmt.Errorf("%s: %w", name, err))
	case errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, pipeline.ErrInternal):
		return withCode(exitError, fmt.Errorf("%s: %w", name, err),
			"everything else in the capture was decoded and printed; the frame is marked internal_error in the output")
	case errors.Is(err, io.ErrShortWrite), errors.Is(err, os.ErrClosed):
		return withCode(exitError, fmt.Errorf("writing the output: %w", err))
	}
	return err
}
