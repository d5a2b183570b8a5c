package stream

import (
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/reassembly"
)

// factory creates the reassembly streams of watched connections. A
// gopacket stream lives from the first packet reassembly sees to its close
// or flush; the Conn (and the MQTT state behind it) lives on if the
// connection carries on after an idle flush.
type factory struct {
	t *Tracker
}

func (f *factory) New(_, _ gopacket.Flow, tcp *layers.TCP, ac reassembly.AssemblerContext) reassembly.Stream {
	ctx := ac.(*packetCtx)
	return &tcpStream{t: f.t, conn: ctx.conn, gen: ctx.gen}
}

// tcpStream forwards one connection's reassembled data to the Handler.
type tcpStream struct {
	t    *Tracker
	conn *Conn
	// gen is the reassembly generation it was made for: once the
	// connection has started again (a retried SYN), or ended, what
	// reassembly still does with it is not reported.
	gen uint64
	// pendingGap is a hole found when reassembly restarted on a connection
	// it had flushed, reported with the next data.
	pendingGap [2]int64
}

// Accept takes every segment. A direction whose SYN was not seen starts at
// its first segment (a mid-connection capture); forcing a start only then
// keeps reassembly of duplicated traffic right (go-stack.md §4).
func (s *tcpStream) Accept(tcp *layers.TCP, _ gopacket.CaptureInfo, _ reassembly.TCPFlowDirection, nextSeq reassembly.Sequence, start *bool, ac reassembly.AssemblerContext) bool {
	ctx := ac.(*packetCtx)
	c := s.conn
	if s.stale() || ctx.release {
		*start = nextSeq < 0 // a release RST ends even a direction never started
		return true
	}
	i := dirIndex(ctx.fromClient)
	if (tcp.FIN || tcp.RST) && !c.ender[i].valid && ends(tcp, nextSeq) {
		c.ender[i] = ender{valid: true, frame: ctx.frame, ts: ctx.ts, rst: tcp.RST}
	}
	switch {
	case nextSeq >= 0:
		c.expect[i], c.expectValid[i] = uint32(nextSeq), true
		if len(tcp.Payload) > 0 && seqDiff(uint32(nextSeq), tcp.Seq) > 0 {
			// Reassembly will hold this segment behind a hole.
			if c.queued == nil {
				c.queued = new([2]queue)
			}
			c.queued[i].add(queuedSeg{seq: tcp.Seq, frame: ctx.frame, ts: ctx.ts, iface: ctx.iface})
		}
	case tcp.SYN:
		c.expect[i], c.expectValid[i] = tcp.Seq+1, true
	default:
		*start = true
		if c.expectValid[i] {
			if d := seqDiff(c.expect[i], tcp.Seq); d > 0 {
				s.pendingGap[i] += d
			}
		}
		c.expect[i], c.expectValid[i] = tcp.Seq, true
	}
	return true
}

// ends says whether reassembly will end a direction with a FIN or RST
// segment rather than drop it: a RST only at the next sequence number, a
// FIN unless all of it lies before (RFC 5961; gopacket's rules).
func ends(tcp *layers.TCP, nextSeq reassembly.Sequence) bool {
	if nextSeq < 0 {
		return true
	}
	if tcp.RST {
		return tcp.Seq == uint32(nextSeq)
	}
	return seqDiff(uint32(nextSeq), tcp.Seq+uint32(len(tcp.Payload))) >= 0
}

// stale says the connection has ended or started again since this stream
// was made.
func (s *tcpStream) stale() bool { return s.conn.done || s.gen != s.conn.gen }

func (s *tcpStream) ReassembledSG(sg reassembly.ScatterGather, ac reassembly.AssemblerContext) {
	c := s.conn
	ctx := ac.(*packetCtx)
	if s.stale() || ctx.release {
		return
	}
	fromClient := ctx.fromClient
	i := dirIndex(fromClient)
	_, _, end, skip := sg.Info()
	avail, _ := sg.Lengths()
	h := s.t.h
	if skip < 0 {
		// Data flushed before the direction's start was ever seen.
		c.expectValid[i] = false
	}
	if skip > 0 || s.pendingGap[i] > 0 {
		n := max(int64(skip), 0) + s.pendingGap[i]
		s.pendingGap[i] = 0
		frame, ts := ctx.frame, ctx.ts
		if first := ctxOf(sg.CaptureInfo(0)); first != nil {
			frame, ts = first.frame, first.ts
		}
		h.Gap(c, fromClient, n, frame, time.Unix(0, ts).UTC())
		if c.expectValid[i] && skip > 0 {
			c.expect[i] += uint32(skip)
		}
	}
	if avail > 0 {
		chunk := &s.t.chunk
		*chunk = Chunk{Data: sg.Fetch(avail), sg: sg, AtStart: !c.started[i] && c.StartSeen[i], Missing: chunk.Missing[:0]}
		chunk.single = singleSource(sg, chunk.Data, ctx)
		c.started[i] = true
		chunk.Missing = c.missingIn(sg, i, avail, chunk.Missing)
		if c.expectValid[i] {
			c.expect[i] += uint32(avail)
		}
		h.Data(c, fromClient, chunk)
	}
	if c.queued != nil {
		if c.expectValid[i] {
			c.queued[i].drop(c.expect[i])
		} else {
			c.queued[i] = queue{}
		}
	}
	if end {
		// The FIN or RST that ended the direction: reassembly may deliver
		// it with another packet (a hole filled in, a later segment), so it
		// was noted when it came (Accept).
		e := c.ender[i]
		if !e.valid {
			e = ender{valid: true, frame: ctx.frame, ts: ctx.ts, rst: ctx.rst}
		}
		how := "fin"
		if e.rst {
			how = "rst"
		}
		if c.End[i] == "" {
			c.End[i], c.EndFrame[i] = how, e.frame
			h.Closed(c, fromClient, e.frame, time.Unix(0, e.ts).UTC())
		}
		if how == "rst" {
			if c.isnValid && c.Bytes[0]+c.Bytes[1] == 0 {
				// Not one byte yet: a retried SYN may follow (Tracker.retry).
				c.rstPending = true
			} else {
				s.t.finish(c, "rst")
				s.t.ended = append(s.t.ended, c)
			}
		}
	}
}

// singleSource returns the packet that carried every byte of data, the
// avail bytes sg delivers, or nil when they came in several. Most chunks
// are the payload of the packet being assembled, delivered in place:
// that is told by the slice itself, without asking sg for the capture
// info of its ends (which costs a walk and a CaptureInfo built twice).
func singleSource(sg reassembly.ScatterGather, data []byte, ctx *packetCtx) *packetCtx {
	if ctx.payload != nil && len(data) == int(ctx.n) && &data[0] == ctx.payload {
		return ctx
	}
	if first := ctxOf(sg.CaptureInfo(0)); first != nil && first == ctxOf(sg.CaptureInfo(len(data)-1)) {
		return first
	}
	return nil
}

// ReassemblyComplete ends the connection once both directions closed; a
// flush of an idle connection only ends the gopacket stream.
func (s *tcpStream) ReassemblyComplete(reassembly.AssemblerContext) bool {
	c := s.conn
	if !s.stale() && c.End[0] != "" && c.End[1] != "" {
		s.t.finish(c, "closed")
	}
	return true
}

// missingIn returns the parts of the avail bytes of sg that are zeros
// standing in for bytes never captured, found by the packet that carried
// them (not by sequence numbers, which a damaged or odd capture can make
// disagree with reassembly's own: then the zeros would reach the framer as
// made-up packets).
func (c *Conn) missingIn(sg reassembly.ScatterGather, i, avail int, out []Missing) []Missing {
	if c.padded[i] == 0 {
		return out
	}
	for off := 0; off < avail; {
		ctx := ctxOf(sg.CaptureInfo(off))
		end := spanEnd(sg, off, avail, ctx)
		if ctx != nil && ctx.pad > 0 {
			from := off
			if !ctx.lost {
				from = max(off, end-int(ctx.pad))
			}
			if from < end {
				out = append(out, Missing{Off: from, Len: end - from, Frame: ctx.frame, Lost: ctx.lost, Acked: ctx.acked})
			}
			if !ctx.padSeen {
				ctx.padSeen = true
				c.padded[i]--
			}
		}
		off = end
	}
	return out
}

// spanEnd returns the first offset after off, up to avail, whose byte came
// in another packet than ctx. A packet's bytes are contiguous in the
// stream, so the end is found by exponential, then binary search.
func spanEnd(sg reassembly.ScatterGather, off, avail int, ctx *packetCtx) int {
	same := func(x int) bool { return ctxOf(sg.CaptureInfo(x)) == ctx }
	lo, step := off, 1 // lo is known to be in the span
	for lo+step < avail && same(lo+step) {
		lo += step
		step *= 2
	}
	hi := min(lo+step, avail) // hi is past the span, or avail
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if same(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}
