package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/hexin"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/report"
)

// readOptions are the parsed flags of `mqttpcap read`.
type readOptions struct {
	g      *globalOptions
	given  flagSet  // the flags the command line gave
	paths  []string // the captures: files and folders, or "-"
	merge  bool     // --merge: the files are one capture
	dec    decodeOptions
	out    outputOptions
	export exportOptions
	tables tableOptions
}

func newReadCmd(g *globalOptions, runF func(context.Context, *readOptions) error) *cobra.Command {
	o := &readOptions{g: g}
	o.export.now = time.Now
	cmd := &cobra.Command{
		Use:               "read [flags] FILE|FOLDER...",
		ValidArgsFunction: captureFiles,
		Short:             "Decode every MQTT packet of a capture file",
		Long: `Read a pcap or pcapng capture (gzip-compressed or not; "-" reads standard
input) and print every MQTT control packet in the order it completed.

Several captures can be given, files and folders (a folder gives its
capture files, by name, numbers by value: dump, dump1, dump2, dump10).
Each is read on its own, several at once across the cores, and their
outputs come one after the other in the order of the arguments: the text
of each headed by "══ file NAME", each JSON line naming its "file", each
capture's tables in files of their own (-o is then a directory). A capture
that cannot be read is named and the others are read. With --merge the
files are one capture cut in pieces (a ring buffer of dumpcap -b or
tcpdump -C/-G): they are read as one, in time order as mergecap joins
them, so connections go on from one file to the next; frames are numbered
across the files in that order (as in mergecap's output), and the list
marks where each file's frames start ("══ file b.pcap from frame 1201 (its
frame 1)"), JSON lines give each frame's "file" and "file_frame".

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
decoded: a side that sends HTTP (other than a WebSocket upgrade), SSH, text
or other bytes that are not MQTT is named in a [protocol] event and not
decoded (--force-mqtt decodes it anyway). A capture without MQTT ends with a
[no_mqtt] line saying what it holds and what to try.

MQTT over WebSocket is found by its HTTP upgrade (on any port with the
mqtt subprotocol, and on 80, 8080, 8083, 8084 and 443 without a flag) and
decoded from the frames. TLS is decrypted with the client's key log
(--tls-keylog FILE, the SSLKEYLOGFILE format), or the keys a pcapng
carries; without them each TLS connection is one [tls] line that says
which session's keys are missing.

With --format parquet or csv, read writes two analysis tables instead of
the list (docs/tables.md has their columns): packets, one row per MQTT
packet, and connections, one row per connection (the summary's row).
-o PATH says where: a directory (existing, or ending in /) gets
packets.parquet and connections.parquet; a file name gets the packets and,
beside it, NAME.connections.parquet. --partition-by date writes them
Hive-style, one directory per UTC day (PATH/packets/date=2026-11-01/
capture.pcapng.parquet), so that the tables of many captures, written
anywhere, are queried as one with DuckDB or Spark. -Y chooses the rows;
--redact masks the secrets in the payloads.

` + exitStatusHelp,
		Example: `  mqttpcap read capture.pcapng
  mqttpcap read capture.pcapng -V
  mqttpcap read capture.pcapng --json | jq 'select(.type == "CONNECT") | .fields.client_id'
  mqttpcap read capture.pcap --port 1883,6002
  mqttpcap read midstream.pcap --mqtt-version 5
  tcpdump -i any -w - port 1883 | mqttpcap read -
  mqttpcap read tls.pcapng --tls-keylog keys.log -Y 'transport == tls'
  mqttpcap read a.pcap b.pcapng captures/ --json
  mqttpcap read --merge ring/          # dumpcap -b files: one capture, connections across files
  mqttpcap read capture.pcapng --format parquet -o tables/
  mqttpcap read captures/ --format parquet -o tables/   # tables/packets/<capture>.parquet
  mqttpcap read capture.pcapng --format csv -o out.csv -Y 'type == PUBLISH'
  mqttpcap read capture.pcapng --format parquet -o fleet/ --partition-by date
  duckdb -c "SELECT topic, count(*) FROM 'tables/packets.parquet' GROUP BY ALL"`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(exportFormatArg(cmd, args)) == 0 {
				return usageErr(errors.New("read: expected a capture file, got no argument"),
					"usage: mqttpcap read [flags] FILE|FOLDER... (use - for standard input)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			n := len(args)
			args = exportFormatArg(cmd, args)
			if len(args) < n && cmd.Flags().Changed("export-hex") && o.export.format == "at" {
				o.export.format = pendingFormat(cmd)
			}
			o.paths = args
			o.given = cmd.Flags().Changed
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runRead(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.merge, "merge", false, "read the files as one capture in time order (a ring buffer, or one link's capture split by time): connections go on across files; frames are numbered across them as mergecap numbers its output")
	o.out.addFlags(f)
	o.dec.addFlags(f)
	o.export.addFlags(f)
	o.tables.addFlags(f)
	f.Lookup("output").Usage = "write the export to this file (bin: this directory) instead of stdout; with --format, where the tables go (a directory, or the packets table's file)"
	f.Lookup("export-hex").NoOptDefVal = "at"
	return cmd
}

// exportFormatArg lets "--export-hex FORMAT" take its value after a space:
// pflag gives an optional value only with "=", so a format left among the
// arguments is taken out (and remembered for pendingFormat, which checks
// it): a known format name that is no file, or else, beside one capture,
// the one argument that looks like a word rather than a file (no dot or
// slash, and no such file), so that "--export-hex xml" says xml is not a
// format instead of "xml: no such file".
func exportFormatArg(cmd *cobra.Command, args []string) []string {
	if !cmd.Flags().Changed("export-hex") || len(args) < 2 || cmd.Flags().Lookup("export-hex").Value.String() != "at" {
		return args
	}
	take := func(i int) []string {
		cmd.Annotations = map[string]string{"export-format": args[i]}
		return slices.Delete(slices.Clone(args), i, i+1)
	}
	for i, a := range args {
		if _, err := os.Stat(a); err != nil && slices.Contains(exportFormats, a) {
			return take(i)
		}
	}
	if len(args) != 2 {
		return args
	}
	word := func(a string) bool {
		if a == "-" || a == "" || strings.ContainsAny(a, "./\\") {
			return false
		}
		_, err := os.Stat(a)
		return err != nil
	}
	switch w0, w1 := word(args[0]), word(args[1]); {
	case w0 && !w1:
		return take(0)
	case w1 && !w0:
		return take(1)
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
	if o.tables.format != "" || o.given != nil && o.given("partition-by") {
		if err := o.tables.checkFlags(o.given, &o.export); err != nil {
			return opts, err
		}
	} else if err := o.export.checkFlags(o.given); err != nil {
		return opts, err
	}
	if o.export.format == "" && o.tables.format == "" {
		if err := o.out.checkFlags(o.given); err != nil {
			return opts, err
		}
	}
	if !o.export.refresh { // --refresh-token reads the key whatever --no-onenet says
		if err := o.dec.checkFlags(o.given); err != nil {
			return opts, err
		}
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
	ins, several, err := expandInputs(o.paths)
	if err != nil {
		return err
	}
	switch {
	case o.merge:
		return o.readMerged(ctx, opts, ins)
	case several:
		return o.readEach(ctx, opts, ins)
	}
	return o.readOne(ctx, opts, ins[0].path)
}

// readOne reads one capture (or standard input).
func (o *readOptions) readOne(ctx context.Context, opts pipeline.Options, path string) error {
	ios := o.g.ios
	src, err := openCapture(ctx, ios, path)
	if err != nil {
		return err
	}
	defer src.Close()
	s, collect, err := o.sink(ios, readRun{name: src.Name(), path: path})
	if err != nil {
		return err
	}
	if path == "-" {
		s = &dropEndEvents{sink: s, ctx: ctx}
	}
	prog := newProgress(ios, src, path)
	if prog != nil {
		opts.Progress = prog.update
	}
	p := pipeline.New(opts, s)
	runErr := p.Run(ctx, src)
	prog.done()
	if err := s.Flush(); err != nil && runErr == nil {
		runErr = err
	}
	if interrupted(ctx, path == "-" && runErr != nil) {
		return context.Canceled
	}
	if collect != nil && (runErr == nil || errors.Is(runErr, capture.ErrCutShort)) {
		collect.warnTransports(ios, &o.export)
		if err := o.export.write(ios, path, collect.pkts, &o.dec.keys); err != nil {
			return err
		}
	}
	return readError(src.Name(), runErr)
}

// readRun says what one pipeline run of read reads.
type readRun struct {
	name string // the capture's name in messages
	path string // its path ("-", or the first argument of a merge)
	// several: one of several inputs read apart (input is its number);
	// merged: several files read as one. The output then names the file
	// of every record.
	several, merged bool
	input           int
}

// sink builds the output of a run: the tables, the export's collector, or
// the packet list or JSON lines.
func (o *readOptions) sink(ios *ioStreams, r readRun) (sink, *exportCollector, error) {
	var s sink
	var collect *exportCollector
	switch {
	case o.tables.format != "":
		name := filepath.Base(r.name)
		if r.merged {
			name = filepath.Base(filepath.Clean(r.path))
		}
		w, err := o.tables.writer(o.export.output, name, name, r.several && o.tables.partitionBy == "", o.out.match())
		if err != nil {
			return nil, nil, err
		}
		ts := &tableSink{Writer: w, ios: ios, prefix: "mqttpcap: "}
		if r.several {
			ts.prefix = "mqttpcap: " + r.name + ": "
		}
		s = ts
		if o.out.redact {
			s = report.NewRedactor(s, o.dec.keys.secrets(ios)).(sink)
		}
	case o.export.format != "":
		collect = &exportCollector{match: o.export.defaultMatch(), files: r.several || r.merged, input: r.input}
		if m := o.out.match(); m != nil {
			collect.match = m
		}
		s = collect
	default:
		out := o.out
		out.fileNames = r.several || r.merged
		out.fileLines = r.merged
		s = out.sink(ios, o.g.color, false, o.dec.keys.secrets(ios))
		if r.merged && !o.out.json {
			// The list marks where the files change: it depends on the
			// record before, so one goroutine writes it.
			s = serialSink{s}
		}
	}
	return s, collect, nil
}

// serialSink hides a sink's pipeline.Sharder: the pipeline writes it from
// one goroutine.
type serialSink struct{ sink }

// openCapture opens the capture and turns failures into one-line errors
// naming the file, with a hint when one helps. Standard input is read
// until ctx is cancelled.
func openCapture(ctx context.Context, ios *ioStreams, path string) (*capture.File, error) {
	var src *capture.File
	var err error
	if path == "-" {
		src, err = capture.NewReader(newStdinReader(ctx, ios.In), "standard input")
	} else {
		src, err = capture.OpenFile(path)
	}
	if err == nil {
		return src, nil
	}
	if interrupted(ctx, path == "-") {
		return nil, context.Canceled
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
		if path != "-" {
			if what := decodeReads(path); what != "" {
				hints = append(hints, "it looks like "+what+": mqttpcap decode "+shellWord(path)+" reads it")
			}
		}
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

// decodeHead is how much of a file that is not a capture decodeReads looks at.
const decodeHead = 64 << 10

// decodeReads says what a file that is not a capture is when mqttpcap
// decode reads it ("hex text", "an ESP8266 serial log"), "" when it does
// not (or is raw bytes, which decode takes as anything): users give read
// the hex and serial logs that decode is for.
func decodeReads(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	head := make([]byte, decodeHead)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if n == decodeHead {
		// Only whole lines: a cut one may not be hex.
		if i := bytes.LastIndexByte(head, '\n'); i > 0 {
			head = head[:i+1]
		}
	}
	in, err := hexin.Parse(head)
	if err != nil {
		return ""
	}
	switch in.Format {
	case "serial":
		return "an ESP8266 serial log"
	case "at":
		return "an AT script"
	case "fixture", "go":
		return "an mqttpcap " + in.Format + " export"
	case "c":
		return "C byte arrays"
	case "hex", "wireshark":
		return "hex text"
	}
	return ""
}

// shellWord quotes a path for a command line when it needs it.
func shellWord(s string) string {
	if s == "" || strings.ContainsAny(s, " \t'\"$\\`*?[]{}()<>|&;#~!") {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return s
}
