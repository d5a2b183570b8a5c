package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/ui"
)

// liveOptions are the parsed flags of `mqttpcap live`, and what the run
// depends on.
type liveOptions struct {
	g        *globalOptions
	given    flagSet // the flags the command line gave
	iface    string
	count    int
	duration time.Duration
	write    string
	allTCP   bool
	buffer   string
	ui       bool
	dec      decodeOptions
	out      outputOptions
	// open starts the capture: capture.OpenLive, or a fake in tests.
	open func(capture.LiveOptions) (capture.Live, error)
	// now is the wall clock (for --duration).
	now func() time.Time
	// pollTimeout is how often the loop wakes up on a quiet interface.
	pollTimeout time.Duration
}

const liveExitStatusHelp = `EXIT STATUS
  0    the capture stopped cleanly: Ctrl-C (SIGINT or SIGTERM), -c or
       --duration
  1    an unexpected error, such as a failed write of the output or of -w
  2    bad flags or arguments
  3    the capture could not start or failed: unknown interface, missing
       privileges, interface gone`

func newLiveCmd(g *globalOptions, runF func(context.Context, *liveOptions) error) *cobra.Command {
	o := &liveOptions{g: g, open: capture.OpenLive, now: time.Now, pollTimeout: capture.DefaultPollTimeout}
	cmd := &cobra.Command{
		Use:   "live -i INTERFACE [flags]",
		Short: "Decode the MQTT traffic of a network interface as it happens",
		Long: `Capture the traffic of a network interface and print every MQTT control
packet the moment it completes, decoded as 'mqttpcap read' decodes a file:
the same packet list, -V field tree, --json lines, --redact and OneNET
layer (--key). The output is flushed after every packet, so
'mqttpcap live -i lo --json | jq' shows each packet as it comes. The time
column counts from the first captured packet.

No libpcap is needed: Linux captures with an AF_PACKET socket (-i any
captures every interface), macOS reads /dev/bpf. Capturing needs
privileges: root, or on Linux the capabilities cap_net_raw and cap_net_admin
(sudo setcap cap_net_raw,cap_net_admin+eip "$(command -v mqttpcap)"), on
macOS access to /dev/bpf* (root, or Wireshark's ChmodBPF).

A kernel filter passes only the TCP segments from or to the --port ports
(default 1883 and 8883) and the usual MQTT-over-WebSocket ports (80, 8080,
8083, 8084, 443), so other traffic costs nothing. Finding MQTT on other
ports by its CONNECT or WebSocket upgrade (as read does) needs --all-tcp,
which passes every TCP segment. With --tls-keylog, keys the client appends
to the key log while live captures are read as its connections need them. On a loopback interface every packet is captured once:
the kernel's outgoing copy is dropped, as tcpdump does. Custom filters
(tcpdump expressions) are not supported.

The capture stops on Ctrl-C, after -c MQTT packets or after --duration. It
then ends the open connections (their summaries and OneNET verdicts are
printed), completes the -w file and prints one line on stderr: packets
captured, MQTT packets, connections, and packets the kernel dropped because
its buffer was full (--buffer-size).

-w FILE also saves every captured packet in a pcapng file, which
'mqttpcap read', Wireshark and tshark open; frame numbers in the output
are the file's.

--ui shows the traffic in the interactive browser of 'mqttpcap ui' instead
of printing it: the packet list follows new packets until you move away
from its last row (G follows again); -Y is the filter it starts with. The
line about what was captured is printed when you quit (q).

Run 'mqttpcap interfaces' to list the interfaces with their addresses.

` + liveExitStatusHelp,
		Example: `  sudo mqttpcap live -i eth0
  sudo mqttpcap live -i lo --port 1883 -V
  sudo mqttpcap live -i any --json | jq -c 'select(.type == "PUBLISH") | [.fields.topic, .fields.payload]'
  sudo mqttpcap live -i en0 -w session.pcapng --duration 10m
  sudo mqttpcap live -i wlan0 --all-tcp -c 20
  sudo mqttpcap live -i eth0 --ui
  mqttpcap interfaces`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 0 {
				return usageErr(fmt.Errorf("live: unexpected argument %q", args[0]),
					"usage: mqttpcap live -i INTERFACE [flags] (mqttpcap read FILE decodes a capture file)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.given = cmd.Flags().Changed
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runLive(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.iface, "interface", "i", "", `interface to capture on (Linux: "any" for all)`)
	f.IntVarP(&o.count, "count", "c", 0, "stop after this many MQTT packets (that -Y shows, with -Y)")
	f.DurationVar(&o.duration, "duration", 0, "stop after this long (30s, 10m, 2h)")
	f.StringVarP(&o.write, "write", "w", "", "also save the captured packets in this pcapng file")
	f.BoolVar(&o.allTCP, "all-tcp", false, "pass every TCP segment to mqttpcap, to find MQTT on other ports by its CONNECT")
	f.StringVar(&o.buffer, "buffer-size", "16MiB", "kernel capture buffer (Linux); raise it if packets are dropped")
	f.BoolVar(&o.ui, "ui", false, "browse the traffic in the interactive UI of 'mqttpcap ui' (the list follows new packets unless you scroll away)")
	o.out.addFlags(f)
	o.dec.addFlags(f)
	_ = cmd.RegisterFlagCompletionFunc("interface", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return interfaceNames(), cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

// validate checks the flags and turns them into pipeline and capture
// options.
func (o *liveOptions) validate() (pipeline.Options, capture.LiveOptions, error) {
	var lo capture.LiveOptions
	if err := o.g.validateColor(); err != nil {
		return pipeline.Options{}, lo, err
	}
	if err := o.out.validate(); err != nil {
		return pipeline.Options{}, lo, err
	}
	if err := o.out.checkFlags(o.given); err != nil {
		return pipeline.Options{}, lo, err
	}
	if o.ui {
		if err := o.given.unusedFlag("does nothing with --ui: the UI shows the list, the field tree and the hexdump itself",
			[]string{"-Y still chooses what the UI starts with"}, "json", "detail", "hex", "width", "full", "no-summary", "redact"); err != nil {
			return pipeline.Options{}, lo, err
		}
	}
	if err := o.dec.checkFlags(o.given); err != nil {
		return pipeline.Options{}, lo, err
	}
	if o.iface == "" {
		return pipeline.Options{}, lo, usageErr(errors.New("live: choose an interface with -i"),
			"available: "+availableList())
	}
	if o.count < 0 {
		return pipeline.Options{}, lo, usageErr(fmt.Errorf("-c: %d is negative", o.count))
	}
	if o.duration < 0 {
		return pipeline.Options{}, lo, usageErr(fmt.Errorf("--duration: %v is negative", o.duration))
	}
	buffer, err := parseSize("--buffer-size", o.buffer, 1<<20)
	if err != nil {
		return pipeline.Options{}, lo, err
	}
	o.dec.tlsKeys.follow = true // clients write their keys as they connect
	opts, err := o.dec.pipelineOptions(o.g.ios)
	if err != nil {
		return opts, lo, err
	}
	if len(opts.Stream.Ports) > capture.MaxFilterPorts && !o.allTCP {
		return opts, lo, usageErr(fmt.Errorf("--port: %d ports; the kernel filter takes at most %d", len(opts.Stream.Ports), capture.MaxFilterPorts),
			"use --all-tcp to capture every TCP port")
	}
	opts.Fields = o.out.needFields()
	// Each packet's records come out as soon as it is fed, on this
	// goroutine.
	opts.Parallel = false
	// Only the --port ports reach mqttpcap, unless --all-tcp.
	opts.Stream.DetectOtherPorts = opts.Stream.DetectOtherPorts && o.allTCP
	lo = capture.LiveOptions{
		Interface:  o.iface,
		Filter:     capture.FilterSpec{Ports: filterPorts(opts.Stream), AllTCP: o.allTCP},
		BufferSize: buffer,
		Timeout:    o.pollTimeout,
	}
	return opts, lo, nil
}

func runLive(ctx context.Context, o *liveOptions) error {
	opts, lo, err := o.validate()
	if err != nil {
		return err
	}
	ios := o.g.ios
	if o.ui {
		if err := uiTerminal(ios, "live --ui"); err != nil {
			return err
		}
	}
	src, err := o.open(lo)
	if err != nil {
		return liveOpenError(o.iface, err)
	}
	defer src.Close()

	var file *os.File
	var pcapng *capture.NgWriter
	if o.write != "" {
		if file, err = os.Create(o.write); err != nil {
			return withCode(exitError, fmt.Errorf("-w: %w", err))
		}
		pcapng = capture.NewNgWriter(file, o.iface, src.LinkType(), lo.Filter.String())
	}

	var l *liveLoop
	var p *pipeline.Pipeline
	var runErr error
	if o.ui {
		var out *countingSink
		_, styled := ios.colorOutput(o.g.color)
		runErr = ui.Run(ctx, ui.Options{Name: "live " + src.Name(), Source: src.Name(), Live: true, Color: styled, Keys: opts.Keys,
			Filter: o.out.expr, Input: ios.In, Output: ios.Out, Environ: ios.Environ, Width: ios.Width,
			Read: func(ctx context.Context, sink pipeline.Sink, _ func(uint64, int64, int64)) error {
				out = &countingSink{sink: flushless{sink}, max: o.count}
				p = pipeline.New(opts, out)
				l = &liveLoop{o: o, src: src, p: p, out: out, pcapng: pcapng, ids: newInterfaceIDs(o.iface)}
				err := l.run(ctx)
				// A clean stop: end the connections.
				p.Close()
				return err
			}})
	} else {
		out := &countingSink{sink: o.out.sink(ios, o.g.color, true, o.dec.keys.secrets(ios)), max: o.count, match: o.out.match()}
		p = pipeline.New(opts, out)
		fmt.Fprintf(ios.ErrOut, "mqttpcap: live: listening on %s (link type %s), %s; Ctrl-C stops\n",
			src.Name(), src.LinkType(), lo.Filter)
		l = &liveLoop{o: o, src: src, p: p, out: out, pcapng: pcapng, ids: newInterfaceIDs(o.iface)}
		runErr = l.run(ctx)
		// A clean stop: end the connections, then the outputs.
		p.Close()
		if err := out.Flush(); err != nil && runErr == nil {
			runErr = withCode(exitError, fmt.Errorf("writing the output: %w", err))
		}
	}
	if pcapng != nil {
		err := pcapng.Flush()
		if cerr := file.Close(); err == nil {
			err = cerr
		}
		if err != nil && runErr == nil {
			runErr = withCode(exitError, fmt.Errorf("-w %s: %w", o.write, err))
		}
	}
	if l == nil {
		return runErr
	}
	fmt.Fprintln(ios.ErrOut, l.summary(p))
	if err := p.InternalErrors(); err != nil && runErr == nil {
		runErr = readError("live: "+src.Name(), err)
	}
	return runErr
}

// liveLoop reads packets until the capture stops.
type liveLoop struct {
	o      *liveOptions
	src    capture.Live
	p      *pipeline.Pipeline
	out    *countingSink
	pcapng *capture.NgWriter
	ids    *interfaceIDs
	frames uint64
	dirty  bool // the pcapng file has unflushed packets
}

func (l *liveLoop) run(ctx context.Context) error {
	o := l.o
	var deadline time.Time
	if o.duration > 0 {
		deadline = o.now().Add(o.duration)
	}
	for {
		if ctx.Err() != nil || (!deadline.IsZero() && !o.now().Before(deadline)) {
			return nil
		}
		data, ci, lt, err := l.src.Next()
		switch {
		case errors.Is(err, capture.ErrNoPacket):
			if err := l.idle(); err != nil {
				return err
			}
			continue
		case err == io.EOF:
			return nil
		case errors.Is(err, capture.ErrInterfaceDown):
			return withCode(exitInput, fmt.Errorf("live: %s: the interface went down", l.src.Name()))
		case err != nil:
			return withCode(exitInput, fmt.Errorf("live: %s: %w", l.src.Name(), err))
		}
		// Interfaces are numbered as in the -w file: the first seen is 0.
		id, err := l.ids.id(ci.InterfaceIndex, lt, l.pcapng)
		if err != nil {
			return withCode(exitError, fmt.Errorf("-w %s: %w", o.write, err))
		}
		ci.InterfaceIndex = id
		if l.pcapng != nil {
			if err := l.pcapng.WritePacket(ci, data); err != nil {
				return withCode(exitError, fmt.Errorf("-w %s: %w", o.write, err))
			}
			l.dirty = true
		}
		l.frames++
		if err := l.p.Feed(data, ci, lt); err != nil {
			return withCode(exitError, fmt.Errorf("writing the output: %w", err))
		}
		if o.count > 0 && l.out.shown >= o.count {
			return nil
		}
	}
}

// idle runs when no packet came within the poll timeout.
func (l *liveLoop) idle() error {
	// Gaps and idle connections are reported on a quiet interface too.
	if err := l.p.Tick(l.o.now()); err != nil {
		return withCode(exitError, fmt.Errorf("writing the output: %w", err))
	}
	if l.dirty {
		l.dirty = false
		// Let the file be read while the capture goes on.
		if err := l.pcapng.Flush(); err != nil {
			return withCode(exitError, fmt.Errorf("-w %s: %w", l.o.write, err))
		}
	}
	return nil
}

func (l *liveLoop) summary(p *pipeline.Pipeline) string {
	mqtt := liveCount(uint64(l.out.packets), "MQTT packet")
	if l.out.match != nil {
		mqtt += fmt.Sprintf(" (%d shown)", l.out.shown)
	}
	s := fmt.Sprintf("mqttpcap: live: %s captured, %s, %s", liveCount(l.frames, "packet"),
		mqtt, liveCount(uint64(p.Stats().Connections), "connection"))
	if st, err := l.src.Stats(); err == nil {
		s += fmt.Sprintf(", %d dropped by the kernel", st.Dropped)
	}
	return s
}

func liveCount(n uint64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// flushless is a pipeline sink with nothing to flush (the UI's index).
type flushless struct{ pipeline.Sink }

func (flushless) Flush() error { return nil }

// countingSink counts MQTT packets, and those -Y shows, and passes on no
// more than max of the latter (-c): after the last, the connections'
// summaries still come.
type countingSink struct {
	sink
	max     int
	match   func(*pipeline.Record) bool // -Y, nil without one
	packets int                         // MQTT packets decoded
	shown   int                         // MQTT packets passed on (that -Y matches)
}

func (c *countingSink) Record(r *pipeline.Record) error {
	if r.Kind == pipeline.KindPacket {
		if c.max > 0 && c.shown >= c.max {
			return nil
		}
		c.packets++
		if c.match == nil || c.match(r) {
			c.shown++
		}
	}
	return c.sink.Record(r)
}

// interfaceIDs numbers capture interfaces from 0 in the order their first
// packet comes, as the -w file does, so that live output and `read` of the
// file agree.
type interfaceIDs struct {
	capture string // the -i name
	ids     map[int]int
	last    [2]int // the last index and its id
}

func newInterfaceIDs(name string) *interfaceIDs {
	return &interfaceIDs{capture: name, ids: make(map[int]int), last: [2]int{-1, -1}}
}

func (m *interfaceIDs) id(index int, lt capture.LinkType, w *capture.NgWriter) (int, error) {
	if m.last[0] == index {
		return m.last[1], nil
	}
	id, ok := m.ids[index]
	if !ok {
		id = len(m.ids)
		if w != nil {
			var err error
			if id, err = w.AddInterface(m.name(index), lt); err != nil {
				return 0, err
			}
		}
		m.ids[index] = id
	}
	m.last = [2]int{index, id}
	return id, nil
}

// name is the interface of a packet: the -i one, or for "any" the one
// the packet was seen on.
func (m *interfaceIDs) name(index int) string {
	if m.capture != "any" {
		return m.capture
	}
	if ifc, err := netInterfaceByIndex(index); err == nil {
		return ifc.Name
	}
	return fmt.Sprintf("if%d", index)
}
