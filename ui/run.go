package ui

import (
	"context"
	"errors"
	"io"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/mqttpcap/mqttpcap/onenet"
	"github.com/mqttpcap/mqttpcap/pipeline"
)

// Options configure the UI.
type Options struct {
	// Name is what the title shows (the capture's path, or the interface);
	// Source the capture's base name for exports' comments.
	Name, Source string
	// Read fills sink with the capture's records: a pipeline run over a
	// file, or the live capture loop, until the capture ends or ctx is
	// cancelled. progress reports the frames read and, for a file, the
	// bytes read of its size.
	Read func(ctx context.Context, sink pipeline.Sink, progress func(frames uint64, read, total int64)) error
	// Live follows new packets (unless the user scrolled away).
	Live bool
	// Color styles the views; without it only reverse video marks the
	// selection.
	Color bool
	// Profile is the terminal's colour profile (detected when zero).
	Profile colorprofile.Profile
	// Keys verify token signatures in the token view.
	Keys onenet.KeyFunc
	// TempDir holds the spill file (the system's when "").
	TempDir string
	// Input, Output and Environ are the terminal (os.Stdin, os.Stdout and
	// os.Environ when nil).
	Input   io.Reader
	Output  io.Writer
	Environ []string
	// Width and Height are the starting size, until the terminal says.
	Width, Height int
	// Filter is the display filter to start with ("" for none); it must
	// parse.
	Filter string
	// Sync makes filters complete before the screen is drawn again
	// (tests).
	Sync bool
	// Now is the wall clock.
	Now func() time.Time
}

// Run shows the UI until the user quits. The capture is read in the
// background from the start; Run returns Read's error (nil when the
// capture was read to its end or the user quit before), or the
// terminal's.
func Run(ctx context.Context, o Options) error {
	ix, err := NewIndex(o.TempDir)
	if err != nil {
		return err
	}
	defer ix.Close()
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	readDone := make(chan error, 1)
	go func() {
		err := o.Read(rctx, ix, func(frames uint64, read, total int64) {
			ix.mu.Lock()
			ix.frames, ix.read, ix.total = frames, read, total
			ix.mu.Unlock()
		})
		if errors.Is(err, context.Canceled) && rctx.Err() != nil {
			err = nil
		}
		ix.finish(err)
		readDone <- err
	}()
	opts := []tea.ProgramOption{tea.WithContext(ctx)}
	if o.Input != nil {
		opts = append(opts, tea.WithInput(o.Input))
	}
	if o.Output != nil {
		opts = append(opts, tea.WithOutput(o.Output))
	}
	if o.Environ != nil {
		opts = append(opts, tea.WithEnvironment(o.Environ))
	}
	if o.Profile != colorprofile.Unknown {
		opts = append(opts, tea.WithColorProfile(o.Profile))
	}
	m := newModel(ix, o)
	_, runErr := tea.NewProgram(m, opts...).Run()
	if m.rows != nil {
		m.rows.cancel()
	}
	cancel()
	readErr := <-readDone
	if runErr != nil && !errors.Is(runErr, tea.ErrProgramKilled) {
		return runErr
	}
	if runErr != nil {
		return ctx.Err()
	}
	return readErr
}
