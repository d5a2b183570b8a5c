package main

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/filter"
	"github.com/mqttpcap/mqttpcap/onenet"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/report"
)

// decodeOptions are the flags that say what to decode and how, shared by
// read and live.
type decodeOptions struct {
	ports       []uint
	noDetect    bool
	version     string
	maxPacket   string
	maxBuffer   string
	holeTimeout time.Duration
	idleTimeout time.Duration
	keys        keyOptions
	noOneNET    bool
	replyWindow time.Duration
	forceMQTT   bool
	tlsKeys     tlsKeyOptions
}

func (d *decodeOptions) addFlags(f *pflag.FlagSet) {
	f.UintSliceVarP(&d.ports, "port", "p", []uint{1883, 8883}, "TCP ports that carry MQTT (a list: --port 1883,6002); 8883 is usually TLS")
	f.BoolVar(&d.noDetect, "no-detect", false, "do not look for MQTT on other ports (by a CONNECT at the start of a connection)")
	f.BoolVar(&d.forceMQTT, "force-mqtt", false, "decode every connection on the MQTT ports as MQTT, even one that starts as TLS, HTTP, SSH, text or other bytes (fuzzing traffic); by default such a connection is named and not decoded")
	f.StringVar(&d.version, "mqtt-version", "", "MQTT version of connections whose CONNECT is not in the capture: 3.1, 3.1.1 or 5 (default: inferred)")
	f.StringVar(&d.maxPacket, "max-packet", "16MiB", "largest MQTT packet kept whole; bigger ones keep their start")
	f.StringVar(&d.maxBuffer, "max-buffer", "256MiB", "cap on the bytes all connections buffer for incomplete MQTT packets")
	f.DurationVar(&d.holeTimeout, "hole-timeout", 10*time.Second, "how long (capture time) data waits behind a missing TCP segment before it is reported as a gap")
	f.DurationVar(&d.idleTimeout, "idle-timeout", 30*time.Minute, "connections idle this long (capture time) are closed")
	d.keys.addFlags(f)
	f.BoolVar(&d.noOneNET, "no-onenet", false, "do not read tokens, topics and payloads as OneNET's")
	f.DurationVar(&d.replyWindow, "reply-window", onenet.DefaultReplyWindow, "how long (capture time) a OneNET request waits for its reply before it counts as unanswered (the platform's own timeout is 5s)")
	d.tlsKeys.addFlags(f)
}

// checkFlags rejects the key flags with --no-onenet, where nothing reads a
// token.
func (d *decodeOptions) checkFlags(given flagSet) error {
	if !d.noOneNET {
		return nil
	}
	return given.unusedFlag("does nothing with --no-onenet: tokens are not read, so no signature is checked", nil, "key", "key-file")
}

// pipelineOptions checks the flags and turns them into pipeline options.
func (d *decodeOptions) pipelineOptions(ios *ioStreams) (pipeline.Options, error) {
	opts := pipeline.DefaultOptions()
	opts.Stream.Ports = opts.Stream.Ports[:0]
	for _, p := range d.ports {
		if p == 0 || p > 65535 {
			return opts, usageErr(fmt.Errorf("--port: %d is not a TCP port (1-65535)", p))
		}
		opts.Stream.Ports = append(opts.Stream.Ports, uint16(p))
	}
	opts.Stream.DetectOtherPorts = !d.noDetect
	opts.ForceMQTT = d.forceMQTT
	if d.version != "" {
		v, ok := decode.ParseVersion(d.version)
		if !ok {
			return opts, usageErr(fmt.Errorf("--mqtt-version: %q is not an MQTT version (3.1, 3.1.1 or 5)", d.version))
		}
		opts.Assume = v
	}
	var err error
	if opts.MaxPacket, err = parseSize("--max-packet", d.maxPacket, 64); err != nil {
		return opts, err
	}
	maxBuffer, err := parseSize("--max-buffer", d.maxBuffer, 1024)
	if err != nil {
		return opts, err
	}
	opts.MaxBuffered = int64(maxBuffer)
	if d.holeTimeout <= 0 || d.idleTimeout <= 0 {
		return opts, usageErr(errors.New("--hole-timeout and --idle-timeout must be positive"))
	}
	opts.Stream.HoleTimeout, opts.Stream.IdleTimeout = d.holeTimeout, d.idleTimeout
	opts.OneNET = !d.noOneNET
	if d.replyWindow <= 0 {
		return opts, usageErr(fmt.Errorf("--reply-window: %v is not a duration above zero (e.g. 5s, 30s)", d.replyWindow))
	}
	opts.ReplyWindow = d.replyWindow
	if opts.Keys, err = d.keys.keyFunc(ios); err != nil {
		return opts, err
	}
	if opts.TLSKeys, err = d.tlsKeys.keyLog(ios, ""); err != nil {
		return opts, err
	}
	return opts, nil
}

// outputOptions are the flags that choose the output, shared by read and
// live.
type outputOptions struct {
	detail    bool
	hex       bool
	json      bool
	redact    bool
	noSummary bool
	full      bool
	width     widthFlag
	expr      string
	filter    *filter.Filter
	// fileNames: the output names the file of every record (several
	// inputs); fileLines: the list marks where a merge's files change.
	fileNames, fileLines bool
}

func (o *outputOptions) addFlags(f *pflag.FlagSet) {
	f.BoolVarP(&o.detail, "detail", "V", false, "print every field of every packet with its byte range, and its annotated hexdump")
	f.BoolVarP(&o.hex, "hex", "x", false, "print each packet's bytes under its line: rows of 16, coloured and lettered by field, with a legend")
	f.BoolVar(&o.json, "json", false, "print one JSON object per packet or event (schema: docs/json.md)")
	f.BoolVar(&o.redact, "redact", false, "mask the secrets in every view: passwords, token signatures, MQTT 5 authentication data, access keys (for sharing the output)")
	f.BoolVar(&o.noSummary, "no-summary", false, "do not print the per-connection summary at the end")
	f.BoolVar(&o.full, "full", false, "show every value whole: topics, payloads and tokens (not elided to fit the width), table cells, all of a connection's topics")
	o.width.addFlag(f, "lay text out for this many columns: auto (the terminal's width; unlimited when piped) or a number (0: unlimited)")
	f.StringVarP(&o.expr, "filter", "Y", "", `show (or export) only the packets, events and connections matching a display filter, e.g. 'type == CONNECT && client_id == "my_tv"' (see "mqttpcap help filters")`)
}

func (o *outputOptions) validate() error {
	if o.json && o.hex {
		return usageErr(errors.New("--json and --hex cannot be used together"),
			"--json carries each packet's bytes as \"raw\" hex")
	}
	if o.json && o.detail {
		return usageErr(errors.New("--json and -V/--detail cannot be used together"),
			"--json already carries every field; use -V for the human-readable tree")
	}
	f, err := parseFilter("", o.expr)
	if err != nil {
		return err
	}
	o.filter = f
	return nil
}

// match is the -Y filter as a function, nil without one.
func (o *outputOptions) match() func(*pipeline.Record) bool {
	if o.filter == nil {
		return nil
	}
	return o.filter.Match
}

// sink builds the output: JSON lines, or the text list or detail view,
// styled when stdout is a terminal. flushEach writes every record at once
// (live capture).
// With --redact the records' secrets are masked before the output sees
// them (report.Redactor), and keys, the access keys given, are scrubbed
// from every message.
func (o *outputOptions) sink(ios *ioStreams, color string, flushEach bool, keys []string) sink {
	var s sink
	if o.json {
		j := report.NewJSONLines(ios.Out)
		j.Redact, j.FlushEach, j.Filter, j.Files = o.redact, flushEach, o.match(), o.fileNames
		s = j
	} else {
		out, styled := ios.colorOutput(color)
		s = report.NewText(out, report.TextOptions{Styled: styled, Detail: o.detail, Hex: o.hex && !o.detail, Header: styled, Redact: o.redact,
			FlushEach: flushEach, Summary: !o.noSummary, Width: o.layoutWidth(ios), Full: o.full, Filter: o.match(), Files: o.fileLines})
	}
	if o.redact {
		return report.NewRedactor(s, keys).(sink)
	}
	return s
}

// layoutWidth is --width when given, else the terminal's width.
func (o *outputOptions) layoutWidth(ios *ioStreams) int { return o.width.columns(ios) }

// widthFlag is --width: "auto" or a number of columns.
type widthFlag struct {
	n   int
	set bool
}

func (w *widthFlag) addFlag(f *pflag.FlagSet, usage string) { f.Var(w, "width", usage) }

func (w *widthFlag) String() string {
	if !w.set {
		return "auto"
	}
	return strconv.Itoa(w.n)
}

func (w *widthFlag) Set(s string) error {
	if s == "auto" {
		*w = widthFlag{}
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return fmt.Errorf("%q is not auto or a number of columns (0: unlimited)", s)
	}
	*w = widthFlag{n: n, set: true}
	return nil
}

func (w *widthFlag) Type() string { return "columns" }

// columns is the width to lay out for: the flag's, or the terminal's.
func (w *widthFlag) columns(ios *ioStreams) int {
	if w.set {
		return w.n
	}
	return ios.termWidth()
}

// needFields says whether the output shows each packet's field list (the
// tree and the hexdump), which the decoder builds only when asked.
func (o *outputOptions) needFields() bool { return o.detail || o.hex }

// parseFilter parses a -Y expression (nil for none); errors are usage
// errors that point at the column, prefixed with the command when given.
func parseFilter(command, expr string) (*filter.Filter, error) {
	if expr == "" {
		return nil, nil
	}
	f, err := filter.Parse(expr)
	if err != nil {
		return nil, usageErr(fmt.Errorf("%s-Y: %w", command, err), `run "mqttpcap help filters" for the fields and operators`)
	}
	return f, nil
}
