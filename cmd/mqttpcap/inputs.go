package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/pipeline"
)

// read and stats (and the exports) take several captures: files and
// folders, a folder giving its capture files. By default each is read on
// its own, several at once across the cores, their outputs written one
// after the other in the order of the arguments (eachInput); with --merge
// they are read as one capture in time order (capture.Merge).

// input is one capture to read: a file named on the command line or found
// in a folder. err is set for an argument that gave no capture (a folder
// that cannot be listed, or holds none): it is reported in its place.
type input struct {
	path string
	err  error
}

// captureExts are the names of capture files, which a folder's listing
// always takes (a damaged one is then named, not skipped); other files
// are taken when they start as a capture does.
var captureExts = []string{".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz", ".cap.gz"}

// expandInputs turns the arguments into the captures to read. several is
// true when there is more than one argument or a folder: the outputs then
// name each capture's file, whatever the folder holds.
func expandInputs(args []string) (ins []input, several bool, err error) {
	several = len(args) > 1
	for _, a := range args {
		if a == "-" && len(args) > 1 {
			return nil, false, usageErr(errors.New(`"-" (standard input) cannot be read with other inputs`),
				"read the pipe on its own, or save it first: tcpdump -w capture.pcap")
		}
		st, err := os.Stat(a)
		if a == "-" || err != nil || !st.IsDir() {
			ins = append(ins, input{path: a}) // a missing file is named when it is opened
			continue
		}
		several = true
		files, err := listFolder(a)
		switch {
		case err != nil:
			ins = append(ins, input{path: a, err: withCode(exitInput, fmt.Errorf("%s: cannot list the folder: %w", a, unwrapPath(err)))})
		case len(files) == 0:
			ins = append(ins, input{path: a, err: withCode(exitInput, fmt.Errorf("%s: no capture file in the folder", a),
				"a folder gives its pcap and pcapng files (not those of its subfolders)")})
		}
		for _, f := range files {
			ins = append(ins, input{path: f})
		}
	}
	return ins, several, nil
}

// listFolder is a folder's capture files (not its subfolders'), sorted by
// name with numbers by value: dump2 before dump10, as tcpdump -C names
// them. Hidden files are left out.
func listFolder(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		path := filepath.Join(dir, name)
		if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
			continue
		}
		lower := strings.ToLower(name)
		if slices.ContainsFunc(captureExts, func(ext string) bool { return strings.HasSuffix(lower, ext) }) || capture.LooksLikeCapture(path) {
			files = append(files, path)
		}
	}
	slices.SortFunc(files, naturalCompare)
	return files, nil
}

// naturalCompare orders names with their digit runs compared as numbers.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := len(na) - len(nb); c != 0 {
				return c
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			if c := da - db; c != 0 { // 007 after 7
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func digits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// reportedError ends a command whose errors were printed as they came (one
// line per input that failed): code is the exit status.
type reportedError struct{ code int }

func (e *reportedError) Error() string {
	return fmt.Sprintf("failed (exit status %d, reported above)", e.code)
}

// failures collects the outcome of several inputs: each failure is
// printed in its place, and the exit status is the smallest of their
// codes (1, an unexpected error, before 3, an input that could not be
// read, before 4, one cut short or damaged).
type failures struct {
	ios    *ioStreams
	code   int
	failed int
}

// add prints an input's error, if any, and says whether it must stop the
// others: an interrupt, or an output that cannot be written.
func (f *failures) add(err error) (stop error) {
	if err == nil {
		return nil
	}
	switch {
	case errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, pipeline.ErrOutput):
		return withCode(exitError, err)
	}
	code := reportError(f.ios.ErrOut, err)
	f.failed++
	if f.code == 0 || code < f.code {
		f.code = code
	}
	return nil
}

// err is the command's end: nil when every input was read.
func (f *failures) err() error {
	if f.code == 0 {
		return nil
	}
	return &reportedError{code: f.code}
}

// inputJob reads one input with its own standard streams: out is held
// back until the inputs before it are written, and what it says on stderr
// is written after its output, so both come in the order of the
// arguments.
type inputJob func(ctx context.Context, i int, in input, ios *ioStreams) error

// eachInput runs job for every input, as many at once as there are cores
// (pipeline.RunEach), each input's output and errors written in turn. When
// stderr is a terminal and stdout is not, a line there says how many
// captures were read, once reading takes more than a second.
func eachInput(ctx context.Context, ios *ioStreams, ins []input, job inputJob) (*failures, error) {
	f := &failures{ios: ios}
	errOuts := make([]bytes.Buffer, len(ins))
	start, shown := time.Now(), false
	err := pipeline.RunEach(ctx, len(ins), pipeline.EachOptions{Workers: inputsAtOnce(len(ins))}, ios.Out,
		func(ctx context.Context, i int, w io.Writer) error {
			if ins[i].err != nil {
				return ins[i].err
			}
			jios := &ioStreams{In: strings.NewReader(""), Out: w, ErrOut: &errOuts[i], OutTTY: ios.OutTTY,
				Environ: ios.Environ, Width: ios.Width, terminal: ios.Out}
			return job(ctx, i, ins[i], jios)
		},
		func(i int, err error) error {
			if shown {
				fmt.Fprint(ios.ErrOut, "\r\x1b[K")
				shown = false
			}
			ios.ErrOut.Write(errOuts[i].Bytes())
			errOuts[i] = bytes.Buffer{}
			stop := f.add(err)
			if ios.ErrTTY && !ios.OutTTY && i < len(ins)-1 && time.Since(start) > time.Second {
				fmt.Fprintf(ios.ErrOut, "mqttpcap: read %d of %d captures", i+1, len(ins))
				shown = true
			}
			return stop
		})
	if shown {
		fmt.Fprint(ios.ErrOut, "\r\x1b[K")
	}
	return f, err
}

// inputsAtOnce is how many inputs are read at once: one per core.
func inputsAtOnce(n int) int { return max(1, min(n, runtime.GOMAXPROCS(0))) }

// workersPerInput shares the cores among the inputs read at once: the
// decoding workers of each input's pipeline.
func workersPerInput(n int) int { return max(1, runtime.GOMAXPROCS(0)/inputsAtOnce(n)) }

// openMerged opens the inputs as one capture in time order
// (capture.Merge) for --merge: a file that cannot be opened is named in f
// and left out. Without a file left it returns nil and what to exit with
// (f's failures, or the error that stopped the opening).
func openMerged(ctx context.Context, ios *ioStreams, ins []input, f *failures) (*capture.Merged, error) {
	files, err := openInputs(ctx, ios, ins, f)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, f.err()
	}
	return capture.Merge(files), nil
}

// openInputs opens the captures of a merge: each that cannot be opened is
// reported (failures) and left out.
func openInputs(ctx context.Context, ios *ioStreams, ins []input, f *failures) ([]*capture.File, error) {
	var files []*capture.File
	for _, in := range ins {
		err := in.err
		if err == nil {
			var src *capture.File
			if src, err = openCapture(ctx, ios, in.path); err == nil {
				files = append(files, src)
				continue
			}
		}
		if stop := f.add(err); stop != nil {
			for _, src := range files {
				src.Close()
			}
			return nil, stop
		}
	}
	return files, nil
}

// tableNames checks that the inputs' tables get files of their own: they
// are named after the captures, so two captures of one name (in two
// folders) would write the same file.
func tableNames(ins []input) error {
	seen := map[string]string{}
	for _, in := range ins {
		if in.err != nil {
			continue
		}
		name := filepath.Base(in.path)
		if other, ok := seen[name]; ok {
			return usageErr(fmt.Errorf("--format: %s and %s would write the same tables (%s.*): each input's tables are named after its file", other, in.path, name),
				"read them in two runs, each with its own -o directory")
		}
		seen[name] = in.path
	}
	return nil
}
