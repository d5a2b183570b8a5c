package pipeline

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/stream"
)

// Options configure a run.
type Options struct {
	Stream stream.Config
	// Assume is the MQTT version of connections whose CONNECT was not
	// captured; VersionUnknown infers it.
	Assume decode.Version
	// MaxPacket is the largest MQTT packet kept whole (decode.DefaultMaxPacket
	// when 0).
	MaxPacket int
	// MaxBuffered caps the bytes all connections buffer for incomplete MQTT
	// packets (0: 256 MiB).
	MaxBuffered int64
	// Progress, when set, is called about every 100 ms of wall time with the
	// number of frames read.
	Progress func(frames uint64)
	// Now is the wall clock (for Progress), time.Now when nil.
	Now func() time.Time
}

// DefaultOptions are the options of `mqttpcap read` without flags.
func DefaultOptions() Options {
	return Options{Stream: stream.DefaultConfig(), MaxBuffered: 256 << 20}
}

// Pipeline decodes the MQTT traffic of one capture.
type Pipeline struct {
	opts    Options
	sink    Sink
	tracker *stream.Tracker
	budget  decode.Budget
	err     error
	frames  uint64
	start   time.Time
}

// New returns a pipeline that hands its records to sink.
func New(opts Options, sink Sink) *Pipeline {
	p := &Pipeline{opts: opts, sink: sink}
	p.budget.Limit = opts.MaxBuffered
	if p.budget.Limit == 0 {
		p.budget.Limit = 256 << 20
	}
	p.tracker = stream.NewTracker(opts.Stream, &handler{p: p})
	return p
}

// Stats returns the stream layer's counts.
func (p *Pipeline) Stats() stream.Stats { return p.tracker.Stats() }

// Frames is the number of frames read so far.
func (p *Pipeline) Frames() uint64 { return p.frames }

// Run reads src to its end. It returns nil when the capture was read to its
// end, the source's error (wrapping capture.ErrCutShort or ErrDamaged) after
// flushing everything decoded before the damage, the context's error when
// cancelled, or the first error of the sink.
func (p *Pipeline) Run(ctx context.Context, src capture.Source) error {
	now := p.opts.Now
	if now == nil {
		now = time.Now
	}
	var lastProgress time.Time
	var readErr error
	for {
		data, ci, lt, err := src.Next()
		if err != nil {
			if err != io.EOF {
				readErr = err
			}
			break
		}
		p.frames++
		if p.frames == 1 {
			p.start = ci.Timestamp
		}
		p.tracker.Packet(p.frames, ci, lt, data)
		if p.err != nil {
			return p.err
		}
		if p.frames&0x3ff == 0 {
			if err := ctx.Err(); err != nil {
				p.Close()
				return err
			}
			if p.opts.Progress != nil {
				if t := now(); t.Sub(lastProgress) >= 100*time.Millisecond {
					lastProgress = t
					p.opts.Progress(p.frames)
				}
			}
		}
	}
	p.Close()
	if readErr != nil && p.err == nil {
		kind := "damaged"
		if errors.Is(readErr, capture.ErrCutShort) {
			kind = "cut_short"
		}
		p.emit(&Record{Kind: KindEvent, Frame: p.frames, Event: Event{Type: kind, Message: readErr.Error()}})
	}
	if p.err != nil {
		return p.err
	}
	return readErr
}

// Feed processes one packet (for live capture, which reads its own source).
func (p *Pipeline) Feed(data []byte, ci capture.CaptureInfo, lt capture.LinkType) error {
	p.frames++
	if p.frames == 1 {
		p.start = ci.Timestamp
	}
	p.tracker.Packet(p.frames, ci, lt, data)
	return p.err
}

// Close delivers what is still buffered at the end of the capture.
func (p *Pipeline) Close() {
	p.tracker.Close()
}

func (p *Pipeline) emit(r *Record) {
	if p.err != nil {
		return
	}
	if !r.Time.IsZero() && !p.start.IsZero() {
		r.Rel = r.Time.Sub(p.start)
	}
	p.err = p.sink.Record(r)
}
