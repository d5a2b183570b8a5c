package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/ui"
)

// uiOptions are the parsed flags of `mqttpcap ui`.
type uiOptions struct {
	g     *globalOptions
	given flagSet
	path  string
	dec   decodeOptions
	expr  string
}

const uiKeysHelp = `The screen has three panes: the packet list (read's lines, with a "!" for
a protocol problem and a "⚑" for a OneNET finding), the selected packet's
field tree and its annotated hexdump. Selecting a field highlights its
bytes; moving in the hexdump selects the field of the byte under the
cursor. Tab moves between the panes, z zooms the one in focus.

  j/k ↑/↓ pgup/pgdn g/G   move (G follows new packets in live mode)
  /  n  N                 search the list's text
  :                       jump to a frame
  f  F                    display filter (the -Y language, checked as you
                          type; tab completes, ↑/↓ recall), clear it
  s  S                    follow the selected packet's connection, stop
  c                       connections (read's summary table with the OneNET
                          verdicts); enter follows one
  w                       flow of the connection: client and broker as two
                          columns, an arrow per packet, refused logins and
                          unanswered requests marked
  p  P  o  O              next/previous protocol problem, OneNET finding
  m  A  U  e              mark (all shown, none), export the marked packets
                          in an --export-hex format: "hex out.txt"
  y                       copy the packet's hex to the clipboard (OSC 52)
  t                       explain a CONNECT's OneNET token (token decode)
  ?  q                    every key, quit

The mouse selects rows, fields and bytes, and its wheel scrolls, where the
terminal reports it.`

func newUICmd(g *globalOptions, runF func(context.Context, *uiOptions) error) *cobra.Command {
	o := &uiOptions{g: g}
	cmd := &cobra.Command{
		Use:               "ui [flags] FILE",
		ValidArgsFunction: captureFiles,
		Short:             "Browse a capture interactively: packet list, field tree and hexdump",
		Long: `Open a capture in an interactive terminal browser. It shows the packets at
once and reads the rest of the file in the background (the title says how
far), so a capture of gigabytes opens as fast as a small one; memory grows
by about 24 bytes per packet, the packets themselves are kept in a
temporary file and decoded again when they are shown. The list, the
field tree and the hexdump are those of read, -V and --hex: the same
decoding and the same lines.

` + uiKeysHelp + `

'mqttpcap live -i IF --ui' shows live traffic the same way.

EXIT STATUS
  0    the user quit, the capture was read to its end or not yet
  2    bad flags or arguments, or standard output is not a terminal
  3    the input could not be read: missing, unreadable, or not a capture
  4    the capture is cut short or damaged (the UI showed what came before)`,
		Example: `  mqttpcap ui capture.pcapng
  mqttpcap ui capture.pcapng -Y 'type == CONNECT'
  mqttpcap ui capture.pcapng --key "$KEY"       # the token view checks signatures
  sudo mqttpcap live -i eth0 --ui`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr(fmt.Errorf("ui: expected one capture file, got %d arguments", len(args)),
					"usage: mqttpcap ui [flags] FILE")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.path = args[0]
			o.given = cmd.Flags().Changed
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return runUI(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	o.dec.addFlags(f)
	f.StringVarP(&o.expr, "filter", "Y", "", `start with this display filter (f changes it in the UI; see "mqttpcap help filters")`)
	return cmd
}

// uiTerminal checks that the UI has a terminal to draw on.
func uiTerminal(ios *ioStreams, command string) error {
	if !ios.OutTTY {
		return usageErr(fmt.Errorf("%s: standard output is not a terminal", command),
			"the UI is interactive; mqttpcap read prints the packet list to a pipe or file")
	}
	return nil
}

func runUI(ctx context.Context, o *uiOptions) error {
	if err := o.g.validateColor(); err != nil {
		return err
	}
	if o.path == "-" {
		return usageErr(errors.New("ui: standard input is the keyboard: give a capture file"),
			"tcpdump -w FILE, then mqttpcap ui FILE; or mqttpcap live -i IF --ui")
	}
	if _, err := parseFilter("ui: ", o.expr); err != nil {
		return err
	}
	opts, err := o.dec.pipelineOptions(o.g.ios)
	if err != nil {
		return err
	}
	if err := o.dec.checkFlags(o.given); err != nil {
		return err
	}
	ios := o.g.ios
	if err := uiTerminal(ios, "ui"); err != nil {
		return err
	}
	src, err := openCapture(ctx, ios, o.path)
	if err != nil {
		return err
	}
	defer src.Close()
	var size int64
	if st, err := os.Stat(o.path); err == nil {
		size = st.Size()
	}
	// The UI decodes each packet's fields again when it shows it: the
	// pipeline only needs the typed members.
	opts.Fields = false
	_, styled := ios.colorOutput(o.g.color)
	err = ui.Run(ctx, ui.Options{
		Name: o.path, Source: filepath.Base(o.path), Color: styled, Keys: opts.Keys, Filter: o.expr,
		Input: ios.In, Output: ios.Out, Environ: ios.Environ, Width: ios.Width,
		Read: func(ctx context.Context, sink pipeline.Sink, progress func(uint64, int64, int64)) error {
			opts.Progress = func(frames uint64) { progress(frames, src.BytesRead(), size) }
			return pipeline.New(opts, sink).Run(ctx, src)
		},
	})
	return readError(src.Name(), err)
}
