package pipeline

import (
	"sync"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/stream"
)

// In parallel mode the producer (capture reading, reassembly, framing) and
// the consumer (decoding, output) run on two goroutines and exchange
// batches of items: frames copied into the batch's arena, and events. The
// order of items is the order of the sequential mode, so the output is the
// same.

const (
	batchItems = 512
	batchBytes = 256 << 10
	batchQueue = 4
)

type itemKind uint8

const (
	itemFrame itemKind = iota + 1
	itemEvent
	itemDone
)

type item struct {
	kind       itemKind
	st         *connState
	c          *stream.Conn
	fromClient bool
	frame      uint64
	t          time.Time
	fr         decode.Frame // Raw is rebuilt from the arena
	rawOff     int
	rawLen     int
	final      *stream.Conn
	ev         Event
	why        string
}

type batch struct {
	items []item
	arena []byte
}

// batcher is the sender of the parallel mode.
type batcher struct {
	cur  *batch
	full chan *batch
	free chan *batch
	wg   sync.WaitGroup
}

func newBatcher(cs *consumer) *batcher {
	b := &batcher{full: make(chan *batch, batchQueue), free: make(chan *batch, batchQueue+2)}
	b.cur = &batch{}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		for bt := range b.full {
			for i := range bt.items {
				it := &bt.items[i]
				switch it.kind {
				case itemFrame:
					end := it.rawOff + it.rawLen
					it.fr.Raw = bt.arena[it.rawOff:end:end]
					cs.frame(it.st, it.c, it.fromClient, it.fr, it.frame, it.t)
				case itemEvent:
					cs.event(it.st, it.c, it.fromClient, it.frame, it.t, it.ev)
				case itemDone:
					cs.done(it.st, it.c, it.final, it.why)
				}
				*it = item{}
			}
			bt.items, bt.arena = bt.items[:0], bt.arena[:0]
			select {
			case b.free <- bt:
			default:
			}
		}
	}()
	return b
}

func (b *batcher) add(it item) {
	b.cur.items = append(b.cur.items, it)
	if len(b.cur.items) >= batchItems || len(b.cur.arena) >= batchBytes {
		b.flush()
	}
}

// flush sends the current batch to the consumer.
func (b *batcher) flush() {
	if len(b.cur.items) == 0 {
		return
	}
	b.full <- b.cur
	select {
	case b.cur = <-b.free:
	default:
		b.cur = &batch{}
	}
}

// close sends what is left and waits for the consumer to finish.
func (b *batcher) close() {
	b.flush()
	close(b.full)
	b.wg.Wait()
}

func (b *batcher) frame(st *connState, c *stream.Conn, fromClient bool, fr decode.Frame, frame uint64, t time.Time) {
	off := len(b.cur.arena)
	b.cur.arena = append(b.cur.arena, fr.Raw...)
	n := len(fr.Raw)
	fr.Raw = nil
	b.add(item{kind: itemFrame, st: st, c: c, fromClient: fromClient, frame: frame, t: t, fr: fr, rawOff: off, rawLen: n})
}

func (b *batcher) event(st *connState, c *stream.Conn, fromClient bool, frame uint64, t time.Time, e Event) {
	b.add(item{kind: itemEvent, st: st, c: c, fromClient: fromClient, frame: frame, t: t, ev: e})
}

func (b *batcher) done(st *connState, c, _ *stream.Conn, why string) {
	// The consumer may read the connection's counters: give it a copy the
	// producer will not touch again.
	snap := *c
	b.add(item{kind: itemDone, st: st, c: c, final: &snap, why: why})
}
