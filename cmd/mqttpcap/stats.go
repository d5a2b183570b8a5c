package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/mqttpcap/mqttpcap/capture"

	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/report"
)

type statsOptions struct {
	g     *globalOptions
	given flagSet
	path  string
	dec   decodeOptions
	json  bool
	width widthFlag
	full  bool
	expr  string
}

func newStatsCmd(g *globalOptions) *cobra.Command {
	o := &statsOptions{g: g}
	cmd := &cobra.Command{
		Use:               "stats [flags] FILE",
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

` + exitStatusHelp,
		Example: `  mqttpcap stats capture.pcapng
  mqttpcap stats capture.pcapng --json | jq '.topics[:5]'
  mqttpcap stats capture.pcapng -Y 'client_id == "my_tv"'
  mqttpcap stats capture.pcapng -Y 'tcp.stream == 3'`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr(errors.New("stats: expected one capture file"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.path = args[0]
			o.given = cmd.Flags().Changed
			return runStats(cmd.Context(), o)
		},
	}
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
	ios := o.g.ios
	opts, err := o.dec.pipelineOptions(ios)
	if err != nil {
		return err
	}
	src, err := openCapture(ctx, ios, o.path)
	if err != nil {
		return err
	}
	defer src.Close()
	c := report.NewCollector()
	c.Requests = true
	timed := &timedSource{Source: src}
	prog := newProgress(ios, src, o.path)
	if prog != nil {
		opts.Progress = prog.update
	}
	c.Keep = func(r *pipeline.Record) bool {
		return (o.path != "-" || !interruptedEnd(ctx, r)) && (f == nil || f.Match(r))
	}
	p := pipeline.New(opts, c)
	runErr := p.Run(ctx, timed)
	prog.done()
	// Interrupted, the stats of what was read are still printed.
	stopped := interrupted(ctx, o.path == "-" && runErr != nil)
	if stopped {
		runErr = context.Canceled
	}
	info := report.StatsInfo{Source: src.Name(), Frames: p.Frames(), First: timed.first, Last: timed.last}
	var werr error
	if o.json {
		b, err := report.StatsJSON(c, info)
		if err != nil {
			return err
		}
		_, werr = fmt.Fprintf(ios.Out, "%s\n", b)
	} else {
		out, styled := ios.colorOutput(o.g.color)
		_, werr = out.Write(report.StatsText(nil, c, info, report.TableOptions{Styled: styled, Width: o.width.columns(ios), Full: o.full}))
	}
	if werr != nil {
		return withCode(exitError, fmt.Errorf("writing the output: %w", werr))
	}
	return readError(src.Name(), runErr)
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
