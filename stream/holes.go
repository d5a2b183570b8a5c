package stream

import (
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// A hole is bytes of one direction that reassembly has not seen while it
// holds later bytes behind them. It ends in one of three ways: the bytes
// arrive (late, or retransmitted); the receiver acknowledges bytes past it
// (so they were sent, and only the capture lacks them: they are filled in
// as lost, after a short wait, see ackWait); or reassembly gives up after
// the hole timeout or a buffer cap (a Gap).

// queuedSeg is a segment reassembly holds behind a hole.
type queuedSeg struct {
	seq   uint32
	frame uint64
	ts    int64
	iface int32
}

// maxQueued bounds the segments remembered per direction. Past it the
// lowest are kept: they border the next holes to fill; the holes past
// them are left to the hole timeout.
const maxQueued = 64

// queue lists the segments held behind holes, in sequence order (one entry
// per start).
type queue struct {
	segs []queuedSeg
}

func (q *queue) add(s queuedSeg) {
	i := len(q.segs)
	for i > 0 && seqDiff(s.seq, q.segs[i-1].seq) > 0 {
		i--
	}
	if i > 0 && q.segs[i-1].seq == s.seq {
		return
	}
	if len(q.segs) == maxQueued {
		if i == len(q.segs) {
			return
		}
		q.segs = q.segs[:len(q.segs)-1]
	}
	q.segs = append(q.segs, queuedSeg{})
	copy(q.segs[i+1:], q.segs[i:])
	q.segs[i] = s
}

// drop forgets the segments that no longer wait behind a hole: those
// starting at or before expect, the next byte reassembly delivers.
func (q *queue) drop(expect uint32) {
	n := 0
	for n < len(q.segs) && seqDiff(expect, q.segs[n].seq) <= 0 {
		n++
	}
	if n > 0 {
		q.segs = q.segs[:copy(q.segs, q.segs[n:])]
	}
}

// ackWait is an acknowledgement of bytes the capture has not shown yet,
// waiting for them. With `-i any` and on multi-queue NICs a receiver's ACK
// is often written to the capture before the data segment it
// acknowledges: declaring the bytes lost at once would throw that segment
// away when it arrives a frame later. Once the wait is over, the bytes
// before upTo that are still missing are lost (lostTo): the holes there
// are filled as soon as reassembly holds data behind them.
type ackWait struct {
	valid bool
	upTo  uint32 // the receiver acknowledged the bytes before this
	frame uint64 // the first ACK past the bytes seen
	ts    int64
	// lostTo: the bytes still missing before it are lost (the wait for
	// them is over).
	lostTo    uint32
	lostValid bool
}

// The wait for acknowledged bytes: the frames (of any connection) that
// follow the ACK, up to this many and within this much capture time. The
// reordering it absorbs is a frame or two, microseconds apart. The wait
// is checked before each frame is processed: the bytes are declared lost
// before the first frame past the wait, so when they really are lost,
// the data held behind them still comes out in frame order (a long wait
// would let the other direction's answers come out first).
const (
	ackWaitFrames = 4
	ackWaitTime   = 10 * time.Millisecond
)

// maxFill bounds a hole filled in.
const maxFill = 16 << 20

// noteAck is told that the other side acknowledged direction j's bytes up
// to ack, in the packet frame. Bytes acknowledged but not seen start a
// wait.
func (t *Tracker) noteAck(c *Conn, j int, ack uint32, frame uint64, ts int64) {
	if !c.expectValid[j] {
		return
	}
	ahead := seqDiff(c.expect[j], ack)
	if ahead <= 0 || ahead > maxFill {
		return // nothing unseen acknowledged (or an ACK from elsewhere in sequence space)
	}
	w := &c.ackWait[j]
	if w.lostValid && seqDiff(w.lostTo, ack) <= 0 {
		return // already known lost
	}
	if w.valid {
		if seqDiff(w.upTo, ack) > 0 {
			w.upTo = ack
		}
		return
	}
	w.valid, w.upTo, w.frame, w.ts = true, ack, frame, ts
	if !c.waiting {
		c.waiting = true
		t.waiting = append(t.waiting, c)
	}
}

// expireAckWaits ends the waits that are over when frame, captured at
// now, is next (all of them when all is set: the capture ended): the bytes
// still missing are lost, and the holes reassembly holds data behind are
// filled.
func (t *Tracker) expireAckWaits(frame uint64, now int64, all bool) {
	if len(t.waiting) == 0 {
		return
	}
	waiting := t.waiting
	t.waiting = nil
	for n, c := range waiting {
		c.waiting = false
		for j := range c.ackWait {
			w := &c.ackWait[j]
			if !w.valid || c.done {
				continue
			}
			if all || frame > w.frame+ackWaitFrames || now-w.ts > int64(ackWaitTime) {
				w.valid, w.lostTo, w.lostValid = false, w.upTo, true
				t.fillLost(c, j)
				continue
			}
			if !c.waiting {
				c.waiting = true
				t.waiting = append(t.waiting, c)
			}
		}
		waiting[n] = nil
	}
}

// fillLost fills the holes of direction j that are known lost, if
// reassembly holds data behind them.
func (t *Tracker) fillLost(c *Conn, j int) {
	w := &c.ackWait[j]
	if !w.lostValid || !c.expectValid[j] {
		return
	}
	if seqDiff(w.lostTo, c.expect[j]) >= 0 {
		w.lostValid = false // everything before lostTo was delivered
		return
	}
	if c.queued != nil && len(c.queued[j].segs) > 0 {
		t.fillHoles(c, j, w.lostTo, true, true)
	}
}

// fillHoles fills the holes of direction j with zeros marked lost, so that
// what reassembly holds behind them is delivered now: the holes before
// upTo when limit is set (the receiver acknowledged them), else all it
// knows of. acked says the receiver acknowledged the bytes (they were sent
// but not captured); otherwise reassembly gave up on them.
func (t *Tracker) fillHoles(c *Conn, j int, upTo uint32, limit, acked bool) {
	if c.queued == nil {
		return
	}
	for range maxQueued {
		q := &c.queued[j]
		if c.done || !c.expectValid[j] {
			return
		}
		q.drop(c.expect[j])
		if len(q.segs) == 0 {
			return
		}
		next := q.segs[0]
		hole := seqDiff(c.expect[j], next.seq)
		if hole <= 0 || hole > maxFill || (limit && seqDiff(next.seq, upTo) < 0) {
			return
		}
		before := c.expect[j]
		t.fill(c, j, before, int(hole), next, acked)
		if c.expect[j] == before {
			return // reassembly did not take the fill: do not loop on it
		}
	}
}

// fill hands reassembly n zero bytes at seq in direction j, marked lost,
// in the name of the packet after the hole.
func (t *Tracker) fill(c *Conn, j int, seq uint32, n int, after queuedSeg, acked bool) {
	src, dst := c.Client, c.Server
	if j == 1 {
		src, dst = dst, src
	}
	var ack uint32
	if c.expectValid[1-j] {
		ack = c.expect[1-j]
	}
	seg := syntheticTCP(layers.TCPPort(src.Port()), layers.TCPPort(dst.Port()), seq, ack, false, make([]byte, n))
	ci := gopacket.CaptureInfo{Timestamp: time.Unix(0, after.ts), InterfaceIndex: int(after.iface)}
	ctx := t.ctxs.get(ci, after.frame)
	ctx.fromClient, ctx.conn, ctx.gen = j == 0, c, c.gen
	ctx.pad, ctx.lost, ctx.acked = int32(n), true, acked
	c.padded[j]++
	t.assemble(c, tcpPacket{src: src, dst: dst}, seg, ctx)
}
