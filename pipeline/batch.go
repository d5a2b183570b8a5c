package pipeline

import (
	"sync"
	"sync/atomic"
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
	kind   itemKind
	seq    uint64
	extent Extent
	// worker is the sharded mode's worker for the item; outEnd is where
	// its rendered output ends in that worker's part of batch.out.
	worker     int
	outEnd     int
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
	// In the sharded mode: each worker's rendered output (items say where
	// theirs ends), how many workers have yet to finish the batch, and
	// done, closed when none has.
	out     [][]byte
	pending atomic.Int32
	done    chan struct{}
}

// reset empties a batch for reuse.
func (bt *batch) reset() {
	clear(bt.items)
	bt.items, bt.arena = bt.items[:0], bt.arena[:0]
	for k := range bt.out {
		bt.out[k] = bt.out[k][:0]
	}
}

// batcher collects what the stream side hands on into batches, numbers the
// items, and gives each full batch to dispatch.
type batcher struct {
	p        *Pipeline
	seq      uint64
	cur      *batch
	free     chan *batch
	dispatch func(*batch)
	closeAll func()
	// assign, when set, chooses the worker of each item.
	assign func(*item)
}

// newBatcher returns the sender of the parallel mode with one consumer
// goroutine.
func newBatcher(cs *consumer) *batcher {
	full := make(chan *batch, batchQueue)
	b := &batcher{p: cs.p, free: make(chan *batch, batchQueue+2)}
	b.cur = &batch{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for bt := range full {
			for i := range bt.items {
				cs.handle(bt, &bt.items[i])
			}
			b.recycle(bt)
		}
	}()
	b.dispatch = func(bt *batch) { full <- bt }
	b.closeAll = func() {
		close(full)
		wg.Wait()
	}
	return b
}

// recycle gives a handled batch back for reuse.
func (b *batcher) recycle(bt *batch) {
	bt.reset()
	select {
	case b.free <- bt:
	default:
	}
}

// next numbers a new item at the end of the current batch and returns it
// for the caller to fill in place (an item is a few hundred bytes: built
// on the stack and copied in, it cost a tenth of the stream side's time);
// commit then hands it on.
func (b *batcher) next() *item {
	items := b.cur.items
	if len(items) < cap(items) {
		items = items[:len(items)+1] // zeroed by reset
	} else {
		items = append(items, item{})
	}
	b.cur.items = items
	it := &items[len(items)-1]
	b.seq++
	it.seq, it.extent = b.seq, b.p.extent()
	return it
}

// commit assigns a filled item its worker and sends the batch on when full.
func (b *batcher) commit(it *item) {
	if b.assign != nil {
		b.assign(it)
	}
	if len(b.cur.items) >= batchItems || len(b.cur.arena) >= batchBytes {
		b.flush()
	}
}

// flush hands the current batch on.
func (b *batcher) flush() {
	if len(b.cur.items) == 0 {
		return
	}
	b.dispatch(b.cur)
	select {
	case b.cur = <-b.free:
	default:
		b.cur = &batch{}
	}
}

// close hands on what is left and waits for the consumers to finish.
func (b *batcher) close() {
	b.flush()
	b.closeAll()
}

func (b *batcher) frame(st *connState, c *stream.Conn, fromClient bool, fr decode.Frame, frame uint64, t time.Time) {
	it := b.next()
	it.kind, it.st, it.c, it.fromClient, it.frame, it.t = itemFrame, st, c, fromClient, frame, t
	it.rawOff, it.rawLen = len(b.cur.arena), len(fr.Raw)
	b.cur.arena = append(b.cur.arena, fr.Raw...)
	it.fr = fr
	it.fr.Raw = nil
	b.commit(it)
}

func (b *batcher) event(st *connState, c *stream.Conn, fromClient bool, frame uint64, t time.Time, e Event) {
	it := b.next()
	it.kind, it.st, it.c, it.fromClient, it.frame, it.t, it.ev = itemEvent, st, c, fromClient, frame, t, e
	b.commit(it)
}

func (b *batcher) done(st *connState, c, final *stream.Conn, why string) {
	// final is a snapshot the producer will not touch again: the consumer
	// may read the connection's counts from it.
	it := b.next()
	it.kind, it.st, it.c, it.final, it.why = itemDone, st, c, final, why
	b.commit(it)
}

// handle hands one item of a batch to the consumer.
func (cs *consumer) handle(bt *batch, it *item) {
	cs.seq, cs.extent = it.seq, it.extent
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
}
