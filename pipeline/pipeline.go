package pipeline

import (
	"context"
	"errors"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/cpu"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/onenet"
	"github.com/mqttpcap/mqttpcap/stream"
	tlsdec "github.com/mqttpcap/mqttpcap/transport/tls"
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
	// ReplyWindow is how long (capture time) a OneNET request waits for its
	// reply before it counts as unanswered (0: onenet.DefaultReplyWindow;
	// negative: until the connection ends).
	ReplyWindow time.Duration
	// ForceMQTT frames and decodes every watched connection as MQTT, even
	// when its first bytes are TLS, HTTP or anything else (for traffic
	// from a fuzzer); by default such connections are named, not decoded.
	ForceMQTT bool
	// Parallel runs decoding and output beside the reading and reassembly,
	// fed in batches, in Run (not in Feed, whose records must come out at
	// once): on Workers goroutines, each owning a share of the connections,
	// when the sink can be split (Sharder), else on one. The records, their
	// order and the output are the same as without it.
	Parallel bool
	// Workers is how many goroutines decode and format when Parallel
	// (0: GOMAXPROCS).
	Workers int
	// File names the capture in every record (Record.File) when it is one
	// of several inputs; Origins, for a source that reads several files as
	// one, says which file each frame came from. Without either, records
	// name no file.
	File    string
	Origins Origins
	// TLSKeys decrypts TLS connections (--tls-keylog); the secrets of a
	// pcapng capture's Decryption Secrets Blocks are added to it (or make
	// one).
	TLSKeys *tlsdec.KeyLog
}

// DefaultOptions are the options of `mqttpcap read` without flags.
func DefaultOptions() Options {
	o := Options{Stream: stream.DefaultConfig(), MaxBuffered: 256 << 20, Parallel: true, OneNET: true}
	o.Stream.SniffPorts = DefaultWebSocketPorts
	return o
}

// Pipeline decodes the MQTT traffic of one capture.
type Pipeline struct {
	// Set by New, then only read, by the stream side and the workers.
	opts    Options
	sink    Sink
	tracker *stream.Tracker
	handler *handler
	// keys is where TLS connections find their secrets (nil: no key log).
	keys *tlsdec.KeyLog
	// wsPort are the WebSocket ports (Options.Stream.SniffPorts).
	wsPort map[uint16]bool
	// start is the first frame's capture time: written once, then read by
	// every worker for each record.
	start time.Time
	// err is the first error of the output; failed says there is one.
	errMu  sync.Mutex
	err    error
	failed atomic.Bool
	// internal counts the frames and packets a bug stopped from being
	// decoded.
	internal internalErrors
	// nothingSaid: the no_mqtt event was reported.
	nothingSaid bool

	// What the stream side writes at every frame has cache lines of its
	// own: on the lines of the fields above, each write made every worker
	// reading them wait for the line (false sharing cost a worker about a
	// tenth of its time).
	_      cpu.CacheLinePad
	frames uint64
	// lastTime is the capture time of the latest frame.
	lastTime time.Time
	// maxRel is the latest capture time read, relative to the first.
	maxRel time.Duration
	found  found // what the producer saw (the notice when there is no MQTT)
	budget decode.Budget
	_      cpu.CacheLinePad
}

// New returns a pipeline that hands its records to sink.
func New(opts Options, sink Sink) *Pipeline {
	p := &Pipeline{opts: opts, sink: sink, keys: opts.TLSKeys}
	p.budget.Limit = opts.MaxBuffered
	if p.budget.Limit == 0 {
		p.budget.Limit = 256 << 20
	}
	p.handler = &handler{p: p, out: newConsumer(p, sink, true)}
	// Connections that carry MQTT under WebSocket or TLS are found by
	// their first bytes (transport.go).
	p.wsPort = make(map[uint16]bool)
	for _, port := range opts.Stream.SniffPorts {
		p.wsPort[port] = true
	}
	p.opts.Stream.Sniff = p.sniff
	p.tracker = stream.NewTracker(p.opts.Stream, p.handler)
	return p
}

// workers is the number of decoding goroutines to use.
func (p *Pipeline) workers() int {
	if p.opts.Workers > 0 {
		return p.opts.Workers
	}
	return runtime.GOMAXPROCS(0)
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
	// A pcapng file may carry TLS key log lines (Decryption Secrets
	// Blocks) before the packets they decrypt.
	secrets, _ := src.(interface{ TLSSecrets() []byte })
	var parallel interface {
		sender
		close()
	}
	if p.opts.Parallel {
		sharder, ok := p.sink.(Sharder)
		if workers := p.workers(); ok && workers > 1 {
			parallel = newSharded(p, sharder, workers)
		} else {
			parallel = newBatcher(newConsumer(p, p.sink, false))
		}
		p.handler.out = parallel
		defer func() { p.handler.out = newConsumer(p, p.sink, true) }()
	}
	finish := func() {
		if parallel != nil {
			parallel.close()
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
		if secrets != nil {
			if lines := secrets.TLSSecrets(); lines != nil {
				p.AddTLSSecrets(lines)
			}
		}
		p.packet(data, ci, lt)
		if p.failed.Load() {
			finish()
			return p.firstErr()
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
	if err := p.firstErr(); err != nil {
		return err
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
		return p.firstErr()
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
		return p.firstErr()
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

// extent is how much of the capture has been read (on the stream side).
func (p *Pipeline) extent() Extent {
	e := Extent{Frames: p.frames, Streams: p.tracker.Streams()}
	if !p.start.IsZero() {
		// The latest time read so far: a capture whose clock goes back
		// (arkime-synthetic's does) must not narrow the widths a worker
		// that sees only the later records would lay out.
		p.maxRel = max(p.maxRel, p.lastTime.Sub(p.start))
		e.Rel = p.maxRel
	}
	return e
}

// fail records the first error of a sink (or of the ordered output) and
// stops the run.
func (p *Pipeline) fail(err error) {
	p.errMu.Lock()
	defer p.errMu.Unlock()
	if p.err == nil {
		p.err = err
		p.failed.Store(true)
	}
}

// firstErr is the error fail recorded, if any.
func (p *Pipeline) firstErr() error {
	p.errMu.Lock()
	defer p.errMu.Unlock()
	return p.err
}
