package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/export"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/report"
)

// readEach reads several captures apart, several at once (eachInput): each
// input's output after the previous one's, its text headed by its name,
// its JSON lines and table rows naming it, its tables in files of their
// own; an export takes the packets of them all.
func (o *readOptions) readEach(ctx context.Context, opts pipeline.Options, ins []input) error {
	ios := o.g.ios
	if o.tables.format != "" {
		if err := tableNames(ins); err != nil {
			return err
		}
		if st, err := os.Stat(o.export.output); err == nil && !st.IsDir() {
			return usageErr(fmt.Errorf("-o %s: with several inputs -o is a directory (each input's tables are files in it), and this is a file", o.export.output))
		}
	}
	opts.Workers = workersPerInput(len(ins))
	collects := make([]*exportCollector, len(ins))
	f, err := eachInput(ctx, ios, ins, func(ctx context.Context, i int, in input, jios *ioStreams) error {
		src, err := openCapture(ctx, jios, in.path)
		if err != nil {
			return err
		}
		defer src.Close()
		s, collect, err := o.sink(jios, readRun{name: src.Name(), path: in.path, several: true, input: i})
		if err != nil {
			return err
		}
		if o.tables.format == "" && o.export.format == "" && !o.out.json {
			out, styled := jios.colorOutput(o.g.color)
			if _, err := out.Write(report.FileHeader(nil, src.Name(), styled, i == 0)); err != nil {
				return err
			}
		}
		jopts := opts
		jopts.File = in.path
		runErr := pipeline.New(jopts, s).Run(ctx, src)
		if err := s.Flush(); err != nil && runErr == nil {
			runErr = err
		}
		if collect != nil && (runErr == nil || errors.Is(runErr, capture.ErrCutShort)) {
			collects[i] = collect
		}
		return readError(src.Name(), runErr)
	})
	if err != nil {
		return err
	}
	if o.export.format != "" {
		var pkts []export.Packet
		var names []string
		for i, c := range collects {
			if c != nil {
				pkts = append(pkts, c.pkts...)
				names = append(names, ins[i].path)
			}
		}
		if len(names) > 0 {
			if err := o.export.write(ios, strings.Join(names, ", "), pkts, &o.dec.keys); err != nil {
				return err
			}
		}
	}
	return f.err()
}

// readMerged reads several files as one capture in time order
// (capture.Merge): connections go on from one file to the next. A file
// that cannot be opened is named and left out; one damaged or cut short
// ends there, and is named at the end.
func (o *readOptions) readMerged(ctx context.Context, opts pipeline.Options, ins []input) error {
	ios := o.g.ios
	f := &failures{ios: ios}
	m, err := openMerged(ctx, ios, ins, f)
	if m == nil {
		return err
	}
	defer m.Close()
	opts.Origins = m
	s, collect, err := o.sink(ios, readRun{name: m.Name(), path: o.paths[0], merged: true})
	if err != nil {
		return err
	}
	prog := newProgress(ios, m, m.Names()...)
	if prog != nil {
		opts.Progress = prog.update
	}
	runErr := pipeline.New(opts, s).Run(ctx, m)
	prog.done()
	if err := s.Flush(); err != nil && runErr == nil {
		runErr = err
	}
	if interrupted(ctx, false) {
		return context.Canceled
	}
	if collect != nil && (runErr == nil || errors.Is(runErr, capture.ErrCutShort) || errors.Is(runErr, capture.ErrDamaged)) {
		if err := o.export.write(ios, m.Name(), collect.pkts, &o.dec.keys); err != nil {
			return err
		}
	}
	return mergeEnd(f, m, runErr)
}

// mergeEnd reports how a merge ended: each file that ended damaged or cut
// short, by name, or the run's own error.
func mergeEnd(f *failures, m *capture.Merged, runErr error) error {
	var me *capture.MergeError
	if errors.As(runErr, &me) {
		for _, err := range me.Errs {
			name, cause := capture.FileError(err)
			if stop := f.add(readError(name, cause)); stop != nil {
				return stop
			}
		}
		return f.err()
	}
	if stop := f.add(readError(m.Name(), runErr)); stop != nil {
		return stop
	}
	return f.err()
}
