package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
)

// EachOptions configure RunEach.
type EachOptions struct {
	// Workers is how many jobs run at once (0: GOMAXPROCS).
	Workers int
	// Ahead is how many jobs past the one being written out may have
	// started (0: 4 × Workers): it bounds the output held back.
	Ahead int
	// Memory is how much of a job's output is held in memory while an
	// earlier job is being written out; beyond it the output goes to a
	// temporary file (0: 1 MiB).
	Memory int
	// TempDir is where those files go ("": os.TempDir()).
	TempDir string
}

// errNotRun is the result of a job a cancellation kept from starting.
var errNotRun = errors.New("not run")

// ErrOutput wraps the errors of writing to RunEach's output: an output
// that fails (a closed pipe, a full disk) fails every job after it.
var ErrOutput = errors.New("writing the output")

// RunEach runs jobs 0 to n-1, each given a writer for its output, on up to
// Workers goroutines, and writes their outputs to out one after the other,
// in job order, so the output is the same however many run at once: the
// job being written out writes straight to out, and the jobs after it,
// while they run, into memory and then a temporary file, written out when
// their turn comes. Memory stays bounded whatever the outputs' sizes:
// Memory per job, for at most Ahead jobs.
//
// done is called for each job in job order, after its output is written
// and before the next job's: with the job's error, for the caller to
// report it in the same order. When done returns an error, or ctx is
// cancelled, the jobs not started are not run (done is not called for
// them), those running are cancelled, and RunEach returns that error once
// they have ended.
func RunEach(ctx context.Context, n int, o EachOptions, out io.Writer,
	job func(ctx context.Context, i int, w io.Writer) error, done func(i int, err error) error) error {
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ahead := o.Ahead
	if ahead <= 0 {
		ahead = 4 * workers
	}
	ahead = max(ahead, workers)
	if o.Memory <= 0 {
		o.Memory = 1 << 20
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	relays := make([]*relay, n)
	results := make([]chan error, n)
	for i := range relays {
		relays[i] = &relay{memory: o.Memory, dir: o.TempDir}
		results[i] = make(chan error, 1)
	}
	// Each job takes a slot among the workers and one in the window of
	// jobs ahead of the one written out; the window slot is given back
	// when its output is written.
	slots := make(chan struct{}, workers)
	window := make(chan struct{}, ahead)
	var running sync.WaitGroup
	stopped := make(chan struct{}) // the dispatcher has ended
	go func() {
		defer close(stopped)
		for i := 0; i < n; i++ {
			ok := true
			select {
			case window <- struct{}{}:
				select {
				case slots <- struct{}{}:
				case <-ctx.Done():
					ok = false
				}
			case <-ctx.Done():
				ok = false
			}
			if !ok {
				for ; i < n; i++ {
					results[i] <- errNotRun
				}
				return
			}
			running.Add(1)
			go func(i int) {
				defer running.Done()
				err := job(ctx, i, relays[i])
				<-slots
				results[i] <- err
			}(i)
		}
	}()
	var first error
	for i := 0; i < n && first == nil; i++ {
		if err := relays[i].promote(out); err != nil {
			first = err
			break
		}
		err := <-results[i]
		if err == errNotRun {
			first = ctx.Err()
			break
		}
		first = done(i, err)
		<-window
	}
	cancel()
	<-stopped
	running.Wait()
	for _, r := range relays {
		r.discard()
	}
	return first
}

// relay is one job's writer: into memory, then a temporary file, until
// the job's turn comes (promote), then straight to the output.
type relay struct {
	mu     sync.Mutex
	out    io.Writer // set by promote
	mem    []byte
	file   *os.File
	memory int
	dir    string
	err    error
}

func (r *relay) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return 0, r.err
	}
	if r.out != nil {
		n, err := r.out.Write(p)
		if err != nil {
			r.err = fmt.Errorf("%w: %w", ErrOutput, err)
			return n, r.err
		}
		return n, nil
	}
	if r.file == nil && len(r.mem)+len(p) <= r.memory {
		r.mem = append(r.mem, p...)
		return len(p), nil
	}
	if r.file == nil {
		f, err := os.CreateTemp(r.dir, "mqttpcap-*.out")
		if err != nil {
			r.err = fmt.Errorf("holding back an output: %w", err)
			return 0, r.err
		}
		// Unlinked at once where the system allows it: nothing is left
		// behind, whatever ends the process.
		if os.Remove(f.Name()) == nil {
			r.dir = ""
		}
		r.file = f
		if _, err := f.Write(r.mem); err != nil {
			r.err = fmt.Errorf("holding back an output: %w", err)
			return 0, r.err
		}
		r.mem = nil
	}
	if _, err := r.file.Write(p); err != nil {
		r.err = fmt.Errorf("holding back an output: %w", err)
		return 0, r.err
	}
	return len(p), nil
}

// promote writes what the job wrote so far to out, and from then on lets
// it write there directly.
func (r *relay) promote(out io.Writer) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return nil // the job failed: its error says why
	}
	r.out = out
	if len(r.mem) > 0 {
		if _, err := out.Write(r.mem); err != nil {
			r.err = fmt.Errorf("%w: %w", ErrOutput, err)
			return r.err
		}
		r.mem = nil
	}
	if r.file != nil {
		f := r.file
		r.file = nil
		defer r.closeFile(f)
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			r.err = fmt.Errorf("holding back an output: %w", err)
			return r.err
		}
		if _, err := io.Copy(writerOnly{out}, f); err != nil {
			r.err = fmt.Errorf("%w: %w", ErrOutput, err)
			return r.err
		}
	}
	return nil
}

// discard drops what was held back (a job whose turn never came).
func (r *relay) discard() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.mem = nil
	if r.file != nil {
		r.closeFile(r.file)
		r.file = nil
	}
	if r.err == nil {
		r.err = errors.New("the output was discarded")
	}
}

func (r *relay) closeFile(f *os.File) {
	f.Close()
	if r.dir != "" {
		os.Remove(f.Name())
	}
}

// writerOnly hides an output's ReadFrom, so that io.Copy writes in chunks
// through Write.
type writerOnly struct{ io.Writer }
