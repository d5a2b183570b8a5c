package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// The garbage collector's default (GOGC=100) lets the heap grow to twice
// what is live before it collects. That is right for a small heap, but a
// capture with tens of thousands of open connections keeps a large live
// heap (about 3 KB per connection), and peak RSS is then twice it: 380 MB
// for 50,000 connections where 220 MB were live. mqttpcap keeps the
// headroom at a quarter of the live heap once that is more than
// minHeadroom, the same as the default below it: the bounded state of
// long captures (a few tens of MB) is collected exactly as before, and a
// large live heap costs more frequent collections instead of twice its
// size (measured in the README's Performance section).
const (
	minHeadroom    = 32 << 20 // bytes the heap may grow past the live heap, at least
	minGCPercent   = 25       // the headroom as a share of the live heap, at least
	defaultPercent = 100
)

// boundGCHeadroom starts adjusting GOGC after each collection, unless the
// user chose GOGC or GOMEMLIMIT; stop ends it (tests) and puts GOGC back
// to the default.
func boundGCHeadroom(getenv func(string) string) (stop func()) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	t := &gcTuner{sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/gogc:percent"}}}
	t.arm()
	return func() {
		t.stopped.Store(true)
		debug.SetGCPercent(defaultPercent)
	}
}

// gcTuner sets GOGC from the live heap of the last collection.
type gcTuner struct {
	sample  []metrics.Sample // only the finalizer goroutine uses it
	stopped atomic.Bool
}

// gcSentinel is garbage as soon as it is made: its finalizer runs after
// the next collection, adjusts GOGC and makes the next sentinel. It holds
// a pointer so that it is not a tiny allocation, which may share a block
// with other objects and never be finalized.
type gcSentinel struct {
	t *gcTuner
	_ [16]byte
}

func (t *gcTuner) arm() {
	runtime.SetFinalizer(&gcSentinel{t: t}, func(s *gcSentinel) {
		if s.t.stopped.Load() {
			return
		}
		s.t.adjust()
		s.t.arm()
	})
}

// adjust sets GOGC for the live heap, when it is not already that: the
// current value is read each time rather than remembered, so that a change
// made elsewhere (debug.SetGCPercent) is set right at the next collection.
func (t *gcTuner) adjust() {
	metrics.Read(t.sample)
	live, current := t.sample[0].Value, t.sample[1].Value
	if live.Kind() != metrics.KindUint64 || current.Kind() != metrics.KindUint64 {
		return
	}
	if p := gcPercent(live.Uint64()); uint64(p) != current.Uint64() {
		debug.SetGCPercent(p)
	}
}

// gcPercent is the GOGC that lets a heap of live bytes grow by
// max(minHeadroom, live × minGCPercent %), never by more than the default.
func gcPercent(live uint64) int {
	if live <= minHeadroom {
		return defaultPercent
	}
	p := int(minHeadroom * 100 / live)
	return max(minGCPercent, min(defaultPercent, p))
}
