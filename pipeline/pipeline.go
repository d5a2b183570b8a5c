package pipeline

import (
	"context"
	"errors"
	"io"
	"sync/atomic"
	"time"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/onenet"
	"github.com/mqttpcap/mqttpcap/stream"
)

// Options configure a run.
type Options struct {
	Stream stream.Config
	// Fields records every decoded field with its byte range in
	// Packet.Fields (for the detailed view and hexdumps); without it only
	// the typed members are set, which is cheaper.
	Fields bool
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
	// OneNET enables the OneNET view (tokens, topics, payloads, verdicts);
	// Keys gives access keys to verify token signatures.
	OneNET bool
	Keys   onenet.KeyFunc
	// ForceMQTT frames and decodes every watched connection as MQTT, even
	// when its first bytes are TLS, HTTP or anything else (for traffic
	// from a fuzzer); by default such connections are named, not decoded.
	ForceMQTT bool
	// Parallel runs decoding and output on a second goroutine, fed in
	// batches, in Run (not in Feed, whose records must come out at once).
	// The records and their order are the same.
	Parallel bool
}

// DefaultOptions are the options of `mqttpcap read` without flags.
func DefaultOptions() Options {
	return Options{Stream: stream.DefaultConfig(), MaxBuffered: 256 << 20, Parallel: true, OneNET: true}
}

// Pipeline decodes the MQTT traffic of one capture.
type Pipeline struct {
	opts    Options
	sink    Sink
	tracker *stream.Tracker
	handler *handler
	budget  decode.Budget
	err     error // set by the consumer; read by the producer only after it stopped
	failed  atomic.Bool
	frames  uint64
	start   time.Time
	rec     Record
	// lastTime is the capture time of the latest frame; internal counts
	// the frames and packets a bug stopped from being decoded.
	lastTime time.Time
	internal internalErrors
	found    found // what the producer saw (the notice when there is no MQTT)
	// nothingSaid: the no_mqtt event was reported.
	nothingSaid bool
}

// New returns a pipeline that hands its records to sink.
func New(opts Options, sink Sink) *Pipeline {
	p := &Pipeline{opts: opts, sink: sink}
	p.budget.Limit = opts.MaxBuffered
	if p.budget.Limit == 0 {
		p.budget.Limit = 256 << 20
	}
	p.handler = &handler{p: p, out: &consumer{p: p}}
	p.tracker = stream.NewTracker(opts.Stream, p.handler)
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
	var batches *batcher
	if p.opts.Parallel {
		batches = newBatcher(&consumer{p: p})
		p.handler.out = batches
		defer func() { p.handler.out = &consumer{p: p} }()
	}
	finish := func() {
		if batches != nil {
			batches.close()
		}
	}
	for {
		data, ci, lt, err := src.Next()
		if err != nil {
			if err != io.EOF {
				readErr = err
			}
			break
		}
		p.packet(data, ci, lt)
		if p.failed.Load() {
			finish()
			return p.err
		}
		if p.frames&0x3ff == 0 {
			if err := ctx.Err(); err != nil {
				p.Close()
				finish()
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
	if readErr != nil {
		kind := "damaged"
		if errors.Is(readErr, capture.ErrCutShort) {
			kind = "cut_short"
		}
		p.handler.out.event(nil, nil, false, p.frames, time.Time{}, Event{Type: kind, Message: readErr.Error()})
	}
	finish()
	if p.err != nil {
		return p.err
	}
	if readErr != nil {
		return readErr
	}
	return p.internal.err()
}

// Feed processes one packet (for live capture, which reads its own source).
func (p *Pipeline) Feed(data []byte, ci capture.CaptureInfo, lt capture.LinkType) error {
	p.packet(data, ci, lt)
	if p.failed.Load() {
		return p.err
	}
	return nil
}

// Tick flushes as of now when no packet came for a while (live capture on
// a quiet interface): holes older than the hole timeout are reported as
// gaps and idle connections end, instead of waiting for the next packet.
func (p *Pipeline) Tick(now time.Time) error {
	defer p.recoverStream()
	p.tracker.Flush(now)
	if p.failed.Load() {
		return p.err
	}
	return nil
}

// Close delivers what is still buffered at the end of the capture.
func (p *Pipeline) Close() {
	defer p.recoverStream()
	p.tracker.Close()
	p.sayNothingFound()
}

// InternalErrors is the error for the frames a bug stopped from being
// decoded so far (wrapping ErrInternal), or nil. Run returns it; live
// capture, which feeds frames itself, asks for it at the end.
func (p *Pipeline) InternalErrors() error { return p.internal.err() }

// packet hands one captured frame to the stream layer.
func (p *Pipeline) packet(data []byte, ci capture.CaptureInfo, lt capture.LinkType) {
	p.frames++
	if p.frames == 1 {
		p.start = ci.Timestamp
	}
	p.lastTime = ci.Timestamp
	defer p.recoverStream()
	p.tracker.Packet(p.frames, ci, lt, data)
}

// emit hands a record to the sink. One Record is reused for all of them
// (records are valid only during the sink's call), so emitting allocates
// nothing.
func (p *Pipeline) emit(r Record) {
	if p.err != nil {
		return
	}
	if !r.Time.IsZero() && !p.start.IsZero() {
		r.Rel = r.Time.Sub(p.start)
	}
	p.rec = r
	if err := p.sink.Record(&p.rec); err != nil {
		p.err = err
		p.failed.Store(true)
	}
}
