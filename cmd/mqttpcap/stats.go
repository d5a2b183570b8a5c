package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/filter"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/report"
)

type statsOptions struct {
	g      *globalOptions
	given  flagSet
	paths  []string
	merge  bool
	filter *filter.Filter
	dec    decodeOptions
	json   bool
	width  widthFlag
	full   bool
	expr   string
}

func newStatsCmd(g *globalOptions) *cobra.Command {
	o := &statsOptions{g: g}
	cmd := &cobra.Command{
		Use:               "stats [flags] FILE|FOLDER...",
		ValidArgsFunction: captureFiles,
		Short:             "The whole capture at a glance: connections, packet types, topics, rates",
		Long: `Read a capture and print what is in it instead of every packet: packets by
type, topics with their message counts, rates and payload sizes, one line
per connection (login, duration, packets and bytes each way, keep alive and
the longest silence of the client, how it ended, the OneNET verdict),
OneNET reply latencies, and counts of protocol problems and events.

With -Y only the records the filter keeps are counted, by the rule of read
(see "mqttpcap help filters"): packets, events, and connections, which are
counted when their "connection" record matches. -Y 'client_id == "my_tv"'
gives the stats of one device's connections; -Y 'type == PUBLISH' counts
PUBLISH packets and no connection.

Several captures, files and folders, give each capture's stats, headed by
"══ file NAME" (with --json, one document per capture), in the order of
the arguments. With --merge the files are read as one capture in time
order (a ring buffer, one link's capture split by time): one set of stats,
connections going on across the files.

` + exitStatusHelp,
		Example: `  mqttpcap stats capture.pcapng
  mqttpcap stats capture.pcapng --json | jq '.topics[:5]'
  mqttpcap stats capture.pcapng -Y 'client_id == "my_tv"'
  mqttpcap stats capture.pcapng -Y 'tcp.stream == 3'
  mqttpcap stats captures/ --json | jq -s 'map({source, mqtt_packets})'
  mqttpcap stats --merge ring/`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErr(errors.New("stats: expected a capture file, got no argument"),
					"usage: mqttpcap stats [flags] FILE|FOLDER... (use - for standard input)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.paths = args
			o.given = cmd.Flags().Changed
			return runStats(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.merge, "merge", false, "read the files as one capture in time order (a ring buffer, or one link's capture split by time): connections go on across files")
	o.dec.addFlags(cmd.Flags())
	cmd.Flags().BoolVar(&o.json, "json", false, "print one JSON document (schema: docs/json.md)")
	cmd.Flags().BoolVar(&o.full, "full", false, "show long table cells (client ids, topics) and every topic of a connection whole")
	cmd.Flags().StringVarP(&o.expr, "filter", "Y", "", `count only the records matching a display filter, e.g. 'client_id == "my_tv"' (see "mqttpcap help filters")`)
	o.width.addFlag(cmd.Flags(), "lay the tables out for this many columns: auto (the terminal's width; unlimited when piped) or a number (0: unlimited)")
	return cmd
}

func runStats(ctx context.Context, o *statsOptions) error {
	if err := o.g.validateColor(); err != nil {
		return err
	}
	if o.json {
		if err := o.given.unusedFlag("does nothing with --json: the JSON document is laid out for no width and holds every value whole", nil, "width", "full"); err != nil {
			return err
		}
	}
	if err := o.dec.checkFlags(o.given); err != nil {
		return err
	}
	f, err := parseFilter("", o.expr)
	if err != nil {
		return err
	}
	o.filter = f
	opts, err := o.dec.pipelineOptions(o.g.ios)
	if err != nil {
		return err
	}
	ins, several, err := expandInputs(o.paths)
	if err != nil {
		return err
	}
	switch {
	case o.merge:
		return o.statsMerged(ctx, opts, ins)
	case several:
		return o.statsEach(ctx, opts, ins)
	}
	ios := o.g.ios
	src, err := openCapture(ctx, ios, ins[0].path)
	if err != nil {
		return err
	}
	defer src.Close()
	runErr := o.stats(ctx, ios, opts, src, ins[0].path, -1)
	return readError(src.Name(), runErr)
}

// stats reads one capture (or several merged) and prints its stats. input
// is the input's number when it is one of several (its text is headed by
// its name), else -1.
func (o *statsOptions) stats(ctx context.Context, ios *ioStreams, opts pipeline.Options, src statsSource, path string, input int) error {
	c := report.NewCollector()
	c.Requests = true
	timed := &timedSource{Source: src}
	var prog *progress
	if input < 0 {
		paths := []string{path}
		if m, ok := src.(*capture.Merged); ok {
			paths = m.Names()
		}
		prog = newProgress(ios, src, paths...)
	}
	if prog != nil {
		opts.Progress = prog.update
	}
	c.Keep = func(r *pipeline.Record) bool {
		return (path != "-" || !interruptedEnd(ctx, r)) && (o.filter == nil || o.filter.Match(r))
	}
	p := pipeline.New(opts, c)
	runErr := p.Run(ctx, timed)
	prog.done()
	// Interrupted, the stats of what was read are still printed.
	stopped := interrupted(ctx, path == "-" && runErr != nil)
	if stopped {
		runErr = context.Canceled
	}
	info := report.StatsInfo{Source: src.Name(), Frames: p.Frames(), First: timed.first, Last: timed.last}
	if m, ok := src.(*capture.Merged); ok {
		info.Files = m.Names()
	}
	var werr error
	if o.json {
		b, err := report.StatsJSON(c, info)
		if err != nil {
			return err
		}
		_, werr = fmt.Fprintf(ios.Out, "%s\n", b)
	} else {
		out, styled := ios.colorOutput(o.g.color)
		var b []byte
		if input >= 0 {
			b = report.FileHeader(b, src.Name(), styled, input == 0)
		}
		_, werr = out.Write(report.StatsText(b, c, info, report.TableOptions{Styled: styled, Width: o.width.columns(ios), Full: o.full}))
	}
	switch {
	case werr == nil:
	case errors.Is(werr, pipeline.ErrOutput): // one of several inputs: it says so
		return werr
	default:
		return withCode(exitError, fmt.Errorf("writing the output: %w", werr))
	}
	return runErr
}

// statsSource is a capture file, or several merged.
type statsSource interface {
	capture.Source
	progressSource
}

// statsEach prints the stats of several captures, each on its own, in
// the order of the arguments (read at once across the cores).
func (o *statsOptions) statsEach(ctx context.Context, opts pipeline.Options, ins []input) error {
	opts.Workers = workersPerInput(len(ins))
	f, err := eachInput(ctx, o.g.ios, ins, func(ctx context.Context, i int, in input, jios *ioStreams) error {
		src, err := openCapture(ctx, jios, in.path)
		if err != nil {
			return err
		}
		defer src.Close()
		return readError(src.Name(), o.stats(ctx, jios, opts, src, in.path, i))
	})
	if err != nil {
		return err
	}
	return f.err()
}

// statsMerged prints the stats of several files read as one capture.
func (o *statsOptions) statsMerged(ctx context.Context, opts pipeline.Options, ins []input) error {
	ios := o.g.ios
	f := &failures{ios: ios}
	m, err := openMerged(ctx, ios, ins, f)
	if m == nil {
		return err
	}
	defer m.Close()
	opts.Origins = m
	runErr := o.stats(ctx, ios, opts, m, o.paths[0], -1)
	if errors.Is(runErr, context.Canceled) {
		return runErr
	}
	return mergeEnd(f, m, runErr)
}

// timedSource notes the capture times of the first and last frame, for the
// capture's span (the records only tell the MQTT traffic's).
type timedSource struct {
	capture.Source
	first, last time.Time
}

func (t *timedSource) Next() ([]byte, capture.CaptureInfo, capture.LinkType, error) {
	data, ci, lt, err := t.Source.Next()
	if err == nil {
		if t.first.IsZero() {
			t.first = ci.Timestamp
		}
		t.last = ci.Timestamp
	}
	return data, ci, lt, err
}
