package main

import (
	"context"
	"io"
	"time"

	"github.com/mqttpcap/mqttpcap/pipeline"
)

// stdinReader reads standard input until the context is cancelled (Ctrl-C):
// a read blocked on a quiet pipe (tcpdump -w - with no traffic) or a
// terminal would otherwise keep mqttpcap waiting, since the interrupt is
// caught to end the output cleanly. After the cancellation it reports the
// end of the input, so the capture ends as a file would and the caller
// sees ctx.Err().
type stdinReader struct {
	ctx  context.Context
	r    io.Reader
	buf  []byte
	res  chan readResult
	busy bool // a read is running in the background
}

type readResult struct {
	n   int
	err error
}

func newStdinReader(ctx context.Context, r io.Reader) *stdinReader {
	return &stdinReader{ctx: ctx, r: r, res: make(chan readResult, 1)}
}

func (s *stdinReader) Read(p []byte) (int, error) {
	if s.ctx.Err() != nil {
		return 0, io.EOF
	}
	if !s.busy {
		// The background read fills its own buffer: after a cancellation
		// it may still complete, and must not write into p then.
		if cap(s.buf) < len(p) {
			s.buf = make([]byte, len(p))
		}
		buf := s.buf[:len(p)]
		s.busy = true
		go func() {
			n, err := s.r.Read(buf)
			s.res <- readResult{n, err}
		}()
	}
	select {
	case r := <-s.res:
		s.busy = false
		return copy(p, s.buf[:r.n]), r.err
	case <-s.ctx.Done():
		return 0, io.EOF
	}
}

// interruptGrace is how long an input that ended (or ended badly) waits for
// the interrupt that may have ended it: Ctrl-C stops the whole pipeline
// (`tcpdump -w - | mqttpcap read -`), and tcpdump's exit can reach mqttpcap
// as the end of its input before the signal does.
const interruptGrace = 200 * time.Millisecond

// interrupted reports whether ctx was cancelled, waiting up to
// interruptGrace for it when the input was standard input.
func interrupted(ctx context.Context, stdin bool) bool {
	if ctx.Err() != nil || !stdin {
		return ctx.Err() != nil
	}
	select {
	case <-ctx.Done():
		return true
	case <-time.After(interruptGrace):
		return false
	}
}

// dropEndEvents hides the [cut_short] and [damaged] events of an input
// ended by an interrupt: a pipe stopped mid-record is not a damaged file.
type dropEndEvents struct {
	sink
	ctx context.Context
}

func (d *dropEndEvents) Record(r *pipeline.Record) error {
	if interruptedEnd(d.ctx, r) {
		return nil
	}
	return d.sink.Record(r)
}

// interruptedEnd says r is the [cut_short] or [damaged] event of an input
// an interrupt ended.
func interruptedEnd(ctx context.Context, r *pipeline.Record) bool {
	return r.Kind == pipeline.KindEvent && r.Conn == nil && (r.Event.Type == "cut_short" || r.Event.Type == "damaged") && ctx.Err() != nil
}
