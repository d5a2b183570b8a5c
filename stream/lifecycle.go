package stream

import (
	"strconv"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/reassembly"
)

// How connections start again and end: a retried SYN, a forgotten
// conversation, idleness, the end of the capture; and how each connection
// keeps reassembly state of its own (flowOf) that is dropped when it ends
// (release).

// retry continues a connection a RST ended before it carried a byte when
// its client sends the same SYN again: one connection for all the tries,
// as Wireshark has one tcp.stream. Reassembly starts afresh.
func (t *Tracker) retry(c *Conn, d int, tcp *layers.TCP) {
	_, cd := makeKey(c.Client, c.Server)
	if d != cd || !c.isnValid || tcp.Seq != c.isn {
		return
	}
	old := c.gen
	c.gen = t.nextGen()
	t.release(c, old)
	c.rstPending = false
	c.End, c.EndFrame, c.ender = [2]string{}, [2]uint64{}, [2]ender{}
	c.started, c.expectValid, c.padded = [2]bool{}, [2]bool{}, [2]int{}
	c.queued, c.ackWait = nil, [2]ackWait{}
}

func (t *Tracker) nextGen() uint64 {
	t.gens++
	return t.gens
}

// assemble hands a segment of c to reassembly, then releases what
// connections reassembly ended meanwhile (release cannot run inside its
// callbacks).
func (t *Tracker) assemble(c *Conn, pkt tcpPacket, tcp *layers.TCP, ctx *packetCtx) {
	t.assembleGen(c.Interface, ctx.gen, pkt, tcp, ctx)
	t.releaseEnded()
}

func (t *Tracker) assembleGen(iface int, gen uint64, pkt tcpPacket, tcp *layers.TCP, ctx *packetCtx) {
	t.assemblerFor(iface).asm.AssembleWithContext(flowOf(pkt, gen), tcp, ctx)
}

func (t *Tracker) releaseEnded() {
	for len(t.ended) > 0 {
		c := t.ended[len(t.ended)-1]
		t.ended = t.ended[:len(t.ended)-1]
		t.release(c, c.gen)
	}
}

// forget makes room in the conversation table: the connections of the
// conversations it forgets end.
func (t *Tracker) forget(frame uint64, ci gopacket.CaptureInfo) {
	keys := t.convs.victims()
	for _, k := range keys {
		for _, v := range t.convs.get(k).views {
			if v.open() {
				t.giveUp(v.conn, "idle")
			}
		}
		t.convs.remove(k)
	}
	if t.convs.evicted == 0 && len(keys) > 0 {
		t.h.Event(Event{Kind: "cap", Frame: frame, Time: ci.Timestamp,
			Message: "more than " + strconv.Itoa(t.convs.max) + " TCP connections: the least recently seen are forgotten; " +
				"a forgotten connection seen again gets a new stream number (Wireshark's would be the old one)"})
	}
	t.convs.evicted += uint64(len(keys))
	t.stats.Forgotten = t.convs.evicted
}

// Flush gives up holes older than the hole timeout and ends idle
// connections, as of capture time now.
func (t *Tracker) Flush(now time.Time) {
	t.since, t.lastFlush = 0, now
	t.flushes++
	t.expireAckWaits(t.stats.Frames+1, now.UnixNano(), false)
	for _, a := range t.asms {
		a.asm.FlushWithOptions(reassembly.FlushOptions{T: now.Add(-t.cfg.HoleTimeout), TC: now.Add(-t.cfg.IdleTimeout)})
	}
	t.releaseEnded()
	t.defrag.expire(now.UnixNano(), false)
	t.stats.FragmentsDropped = t.defrag.dropped
	idle := now.Add(-t.cfg.IdleTimeout)
	live := t.live[:0]
	for _, c := range t.live {
		if !c.done && c.LastTime.Before(idle) {
			t.finish(c, "idle")
			t.release(c, c.gen)
		}
		if !c.done {
			live = append(live, c)
		}
	}
	clear(t.live[len(live):])
	t.live = live
}

// Close flushes everything at the end of the capture: buffered data is
// delivered (holes reported as gaps) and every connection is done.
func (t *Tracker) Close() {
	t.defrag.close()
	t.stats.FragmentsDropped = t.defrag.dropped
	t.expireAckWaits(0, 0, true)
	for _, a := range t.asms {
		a.asm.FlushAll()
	}
	t.ended = t.ended[:0] // FlushAll closed everything
	// Done in stream order, for stable output.
	var open []*Conn
	for _, c := range t.live {
		if !c.done {
			open = append(open, c)
		}
	}
	sortConns(open)
	for _, c := range open {
		t.finish(c, "capture end")
	}
	t.live = nil
}

// finish ends a connection: Done is called once. A connection a RST ended
// before it carried a byte, kept for a retried SYN, ends as "rst".
func (t *Tracker) finish(c *Conn, why string) {
	if c.done {
		return
	}
	if c.rstPending {
		why, c.rstPending = "rst", false
	}
	c.done = true
	t.h.Done(c, why)
}

// flowOf is the network flow a connection's segments are reassembled
// under. gopacket keys its connections by network and transport flow;
// the endpoint type, which only names the kind of address, is set to a
// number of the connection's own (its generation), so that a connection
// started again on the same addresses and ports (a reused port, a retried
// SYN after a RST) gets new reassembly state, while gopacket still holds
// the old one until it is released.
func flowOf(pkt tcpPacket, gen uint64) gopacket.Flow {
	typ := gopacket.EndpointType(firstGenEndpoint + int64(gen))
	if pkt.src.Addr().Is4() {
		src, dst := pkt.src.Addr().As4(), pkt.dst.Addr().As4()
		return gopacket.NewFlow(typ, src[:], dst[:])
	}
	src, dst := pkt.src.Addr().As16(), pkt.dst.Addr().As16()
	return gopacket.NewFlow(typ, src[:], dst[:])
}

// firstGenEndpoint is far above gopacket's registered endpoint types.
const firstGenEndpoint = 1 << 32

// giveUp ends a connection that will see no more packets although it is
// open (its port was reused, or it is forgotten): what reassembly holds
// behind holes is delivered after gaps, then it is done and reassembly
// drops it.
func (t *Tracker) giveUp(c *Conn, why string) {
	if c.done {
		return
	}
	for j := range c.queued {
		t.fillHoles(c, j, 0, false, false)
	}
	t.finish(c, why)
	t.release(c, c.gen)
}

// release makes reassembly drop generation gen of a connection that is
// over: a RST at the next sequence number in each direction reassembly has
// not closed. Without it gopacket would keep the connection until the idle
// timeout. It must not be called from a reassembly callback (gopacket
// holds the connection's lock then): finish defers it.
func (t *Tracker) release(c *Conn, gen uint64) {
	for i := range c.End {
		if c.End[i] != "" && gen == c.gen {
			continue // reassembly saw this direction end
		}
		src, dst := c.Client, c.Server
		if i == 1 {
			src, dst = dst, src
		}
		var seq uint32
		if c.expectValid[i] {
			seq = c.expect[i]
		}
		rst := syntheticTCP(layers.TCPPort(src.Port()), layers.TCPPort(dst.Port()), seq, 0, true, nil)
		ctx := t.ctxs.get(gopacket.CaptureInfo{Timestamp: c.LastTime, InterfaceIndex: c.Interface}, c.LastFrame)
		ctx.fromClient, ctx.conn, ctx.gen, ctx.release = i == 0, c, gen, true
		t.assembleGen(c.Interface, gen, tcpPacket{src: src, dst: dst}, rst, ctx)
	}
}
