package pipeline

import (
	"math"
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

// item is one frame, event or end of connection handed from the stream
// side to a consumer. Workers read items the stream side wrote on another
// core, a cache line at a time: an item is kept to 104 bytes (it was 232,
// and reading it was a tenth of a worker's time), with what is rare out of
// line in its batch.
type item struct {
	st *connState
	c  *stream.Conn
	// frame and t say where the frame or event came from.
	frame  uint64
	t      time.Time
	extent Extent
	// The frame (decode.Frame, its Raw in the arena), when it fits: else
	// flagWide is set and aux indexes batch.wide.
	start          int64
	rawOff, rawLen uint32
	rl             uint32
	// aux is the frame's Missing, or the index of the event in
	// batch.events, of the end in batch.ends, of the frame in batch.wide.
	aux        int32
	headerLen  uint8
	kind       itemKind
	fromClient bool
	flags      itemFlags
}

// itemFlags are a frame's booleans.
type itemFlags uint8

const (
	flagOneByteLength itemFlags = 1 << iota
	flagTruncated
	flagBadLength
	flagCapped
	flagWide // the frame is batch.wide[aux]
)

// itemEnd is what an end of connection carries.
type itemEnd struct {
	final *stream.Conn
	why   string
}

type batch struct {
	items []item
	// seq is the number of the first item (the others follow in order).
	seq    uint64
	arena  []byte
	events []Event
	ends   []itemEnd
	wide   []decode.Frame
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
	clear(bt.ends)
	clear(bt.wide)
	bt.items, bt.arena, bt.events, bt.worker = bt.items[:0], bt.arena[:0], bt.events[:0], bt.worker[:0]
	bt.ends, bt.wide = bt.ends[:0], bt.wide[:0]
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
				cs.handle(bt, i)
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
	if len(items) == 1 {
		b.cur.seq = b.seq
	}
	it.extent = b.p.extent()
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
	// The arena's offsets fit 32 bits: a batch is sent on past 256 KB,
	// and an MQTT packet is under 256 MB.
	off := len(b.cur.arena)
	b.cur.arena = append(b.cur.arena, fr.Raw...)
	if fr.SnaplenFrame == 0 && fr.HeaderLen >= 0 && fr.HeaderLen <= math.MaxUint8 && fr.Missing >= math.MinInt32 && fr.Missing <= math.MaxInt32 {
		it.start, it.rawOff, it.rawLen, it.rl = fr.Start, uint32(off), uint32(len(fr.Raw)), fr.RemainingLength
		it.aux, it.headerLen = int32(fr.Missing), uint8(fr.HeaderLen)
		it.flags = flagIf(fr.OneByteLength, flagOneByteLength) | flagIf(fr.Truncated, flagTruncated) | flagIf(fr.BadLength, flagBadLength) |
			flagIf(fr.Capped, flagCapped)
	} else {
		// A frame the snap length cut, or with a field too wide for the
		// item: whole, beside the items (Raw is rebuilt from the arena).
		it.flags, it.aux, it.rawOff, it.rawLen = flagWide, int32(len(b.cur.wide)), uint32(off), uint32(len(fr.Raw))
		fr.Raw = nil
		b.cur.wide = append(b.cur.wide, fr)
	}
	b.commit(it)
}

func flagIf(ok bool, f itemFlags) itemFlags {
	if ok {
		return f
	}
	return 0
}

// decodeFrame is the frame an item holds, its Raw in the batch's arena.
func (bt *batch) decodeFrame(it *item) decode.Frame {
	end := int(it.rawOff) + int(it.rawLen)
	raw := bt.arena[it.rawOff:end:end]
	if it.flags&flagWide != 0 {
		fr := bt.wide[it.aux]
		fr.Raw = raw
		return fr
	}
	return decode.Frame{Raw: raw, HeaderLen: int(it.headerLen), RemainingLength: it.rl, Start: it.start, Missing: int(it.aux),
		OneByteLength: it.flags&flagOneByteLength != 0, Truncated: it.flags&flagTruncated != 0, BadLength: it.flags&flagBadLength != 0,
		Capped: it.flags&flagCapped != 0}
}

func (b *batcher) event(st *connState, c *stream.Conn, fromClient bool, frame uint64, t time.Time, e Event) {
	it := b.next()
	it.kind, it.st, it.c, it.fromClient, it.frame, it.t = itemEvent, st, c, fromClient, frame, t
	it.aux = int32(len(b.cur.events))
	b.cur.events = append(b.cur.events, e)
	b.commit(it)
}

func (b *batcher) done(st *connState, c, final *stream.Conn, why string) {
	// final is a snapshot the producer will not touch again: the consumer
	// may read the connection's counts from it.
	it := b.next()
	it.kind, it.st, it.c, it.aux = itemDone, st, c, int32(len(b.cur.ends))
	b.cur.ends = append(b.cur.ends, itemEnd{final: final, why: why})
	b.commit(it)
}

// handle hands item i of a batch to the consumer.
func (cs *consumer) handle(bt *batch, i int) {
	it := &bt.items[i]
	cs.seq, cs.extent = bt.seq+uint64(i), it.extent
	switch it.kind {
	case itemFrame:
		cs.frame(it.st, it.c, it.fromClient, bt.decodeFrame(it), it.frame, it.t)
	case itemEvent:
		cs.event(it.st, it.c, it.fromClient, it.frame, it.t, bt.events[it.aux])
	case itemDone:
		e := &bt.ends[it.aux]
		cs.done(it.st, it.c, e.final, e.why)
	}
}
