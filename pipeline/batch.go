package pipeline

import (
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/cpu"

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
	st     *connState
	c      *stream.Conn
	// fromClient, frame and t say where the frame or event came from.
	fromClient bool
	frame      uint64
	t          time.Time
	fr         decode.Frame // Raw is rebuilt from the arena
	rawOff     int
	rawLen     int
	// ev is the event's index in batch.events: events are rare, and an
	// item small enough to read quickly on the worker's side.
	ev    int
	final *stream.Conn
	why   string
}

type batch struct {
	items  []item
	arena  []byte
	events []Event
	// In the sharded mode: the worker of each item, each worker's part,
	// how many workers have yet to finish the batch, and done, closed when
	// none has.
	worker  []uint16
	parts   []workerPart
	pending atomic.Int32
	done    chan struct{}
}

// workerPart is one worker's share of a batch: the indexes of its items,
// their rendered output, and where each item's output ends. Each worker
// writes only its own part, and the parts lie on cache lines of their own
// (two workers appending to neighbouring slice headers would take the
// line from each other at every write).
type workerPart struct {
	items []int32
	out   []byte
	ends  []int
	_     cpu.CacheLinePad
}

// reset empties a batch for reuse.
func (bt *batch) reset() {
	clear(bt.items)
	clear(bt.events)
	bt.items, bt.arena, bt.events, bt.worker = bt.items[:0], bt.arena[:0], bt.events[:0], bt.worker[:0]
	for k := range bt.parts {
		pt := &bt.parts[k]
		pt.items, pt.out, pt.ends = pt.items[:0], pt.out[:0], pt.ends[:0]
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
	// assign, when set, chooses the worker of the batch's item i.
	assign func(bt *batch, i int)
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
		b.assign(b.cur, len(b.cur.items)-1)
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
	it.kind, it.st, it.c, it.fromClient, it.frame, it.t = itemEvent, st, c, fromClient, frame, t
	it.ev = len(b.cur.events)
	b.cur.events = append(b.cur.events, e)
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
		cs.event(it.st, it.c, it.fromClient, it.frame, it.t, bt.events[it.ev])
	case itemDone:
		cs.done(it.st, it.c, it.final, it.why)
	}
}
