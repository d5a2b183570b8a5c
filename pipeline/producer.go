package pipeline

import (
	"math"
	"strconv"
	"time"

	"golang.org/x/sys/cpu"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/detect"
	"github.com/mqttpcap/mqttpcap/onenet"
	"github.com/mqttpcap/mqttpcap/stream"
	"github.com/mqttpcap/mqttpcap/transport"
)

// connState is the pipeline's state of one watched connection. The
// producer (stream side: framing) owns dirs, tls and probe; the consumer
// (decoding, output) owns session and info. In parallel mode they run on
// different goroutines and share nothing else.
type connState struct {
	// Producer side.
	dirs [2]dirState
	// tr is the connection's transport (TLS, WebSocket) between TCP and
	// MQTT, nil when MQTT is straight on TCP (transport.go).
	tr *transportState
	// tls marks a Direct input (direct.go) that is TLS: not decoded.
	tls  bool
	said bool // the connection's protocol event was reported
	// shard chooses the worker that owns the connection's records in the
	// sharded mode (set once, by the stream side, before any record). 32
	// bits, beside the flags: with 8 bytes more the state would take the
	// next size class (objects with pointers carry an 8-byte header).
	shard uint32
	h     *handler
	// Consumer side, on cache lines of its own: the two sides run on
	// different cores, and a line both write to goes back and forth.
	_       cpu.CacheLinePad
	info    ConnInfo
	session decode.Session
	onenet  onenet.Conn
}

// dirState follows one direction: its framer, and where the bytes of the
// packet in progress came from.
type dirState struct {
	framer decode.Framer
	// pendFrame is the latest frame that carried bytes of the packet in
	// progress before the current chunk (a packet completes at the latest
	// frame among its bytes).
	pendFrame uint64
	pendTime  time.Time
	// skipFrame is the frame of the last byte fed while the framer was
	// not in sync: the frame of a skip that ended before the current chunk.
	skipFrame uint64
	skipTime  time.Time
	// cut lists stream ranges the snap length cut (zero-filled), nil
	// until there is one: snap lengths that cut are rare, and a capture
	// can hold tens of thousands of connections.
	cut *[]cutRange
	// classified says the direction's first bytes were looked at
	// (detect.Classify); other is what they are when not MQTT: the
	// direction's bytes are then not framed.
	classified bool
	other      detect.Protocol
}

type cutRange struct {
	start, end int64
	frame      uint64
}

// handler implements stream.Handler for a Pipeline: it is the producer,
// which frames each direction and hands frames and events to the consumer
// in order.
type handler struct {
	p   *Pipeline
	out sender
	// probe is the decoder of the framers' trial decodes (the stream side
	// is one goroutine: one serves every connection).
	probe decode.Decoder
}

// state is a connection's state, nil once the connection is done (Done
// releases it: a capture's finished connections keep no decoder state).
func (h *handler) state(c *stream.Conn) *connState {
	st, _ := c.State.(*connState)
	return st
}

func (h *handler) Opened(c *stream.Conn) {
	st := &connState{shard: uint32(c.Stream), h: h}
	st.session.Assume = h.p.opts.Assume
	st.session.StartSeen = c.StartSeen[0]
	st.session.SkipFields = !h.p.opts.Fields
	st.onenet.Key, st.onenet.ReplyWindow = h.p.opts.Keys, h.p.opts.ReplyWindow
	plausible := st.plausible // one closure for both directions
	for i := range st.dirs {
		f := &st.dirs[i].framer
		f.Plausible = plausible
		f.MaxPacket = h.p.opts.MaxPacket
		f.Budget = &h.p.budget
	}
	c.State = st
}

// plausible tells the framer whether a frame found while resynchronising
// is a real packet, in either version: the producer does not know the
// connection's version (the consumer does).
func (st *connState) plausible(f decode.Frame) bool {
	probe := &st.h.probe
	probe.SkipFields = true
	for _, v := range [2]decode.Version{decode.V311, decode.V5} {
		if clean(probe.DecodeFrame(f, v)) {
			return true
		}
	}
	return false
}

func clean(p *decode.Packet) bool {
	for _, pr := range p.Problems {
		if pr.Code != "truncated" {
			return false
		}
	}
	return true
}

func dirIdx(fromClient bool) int {
	if fromClient {
		return 0
	}
	return 1
}

func (h *handler) Data(c *stream.Conn, fromClient bool, chunk *stream.Chunk) {
	st := h.state(c)
	if st == nil {
		return // the connection is done
	}
	i := dirIdx(fromClient)
	d := &st.dirs[i]
	if st.tr == nil && !d.classified {
		d.classified = true
		h.classify(c, st, fromClient, chunk)
	}
	if st.tr != nil {
		d.classified = true
		h.transportData(c, st, fromClient, chunk)
		return
	}
	if d.other != detect.MQTT {
		return
	}
	h.frameBytes(c, st, fromClient, bytesView{data: chunk.Data, atStart: chunk.AtStart, missing: chunk.Missing, org: chunk}, 0, len(chunk.Data), true)
}

// bytesView is what the framer is fed: a chunk of a TCP stream, or what a
// transport decoded from it.
type bytesView struct {
	data    []byte
	atStart bool
	missing []stream.Missing
	org     transport.Origins
}

// frameBytes frames v.data[from:to]. Bytes the capture lost or the snap
// length cut were filled with zeros by the stream layer (or a transport):
// the bytes are split there. tcp says the view is the TCP stream itself,
// whose losses are reported here as gaps (a transport's are reported when
// the TCP stream loses them).
func (h *handler) frameBytes(c *stream.Conn, st *connState, fromClient bool, v bytesView, from, to int, tcp bool) {
	i := dirIdx(fromClient)
	for _, m := range v.missing {
		off, end := max(m.Off, from), min(m.Off+m.Len, to)
		if off >= end {
			continue
		}
		h.feed(c, st, fromClient, v, from, off)
		from = end
		if m.Lost {
			frame, t := v.org.Origin(off)
			if tcp {
				h.gap(c, fromClient, int64(end-off), frame, t, m.Acked)
			} else {
				h.framerGap(c, st, fromClient, int64(end-off), frame, t)
			}
			continue
		}
		// Zeros cut from the packet in progress stand in for its missing
		// bytes (it is decoded up to the cut and marked). Past that packet's
		// end the zeros would be read as made-up fixed headers: the rest of
		// the cut is a gap, and the framer looks for the next real header.
		covered := min(h.packetRest(&st.dirs[i]), int64(end-off))
		h.feed(c, st, fromClient, v, off, off+int(covered))
		if rest := int64(end-off) - covered; rest > 0 {
			frame, t := v.org.Origin(off)
			h.snaplenGap(c, st, fromClient, rest, frame, t)
		}
	}
	h.feed(c, st, fromClient, v, from, to)
}

// packetRest is how many bytes of the packet in progress are still to
// come (0 when there is none, or its fixed header is not complete).
func (h *handler) packetRest(d *dirState) int64 {
	end, ok := d.framer.PacketEnd()
	if !ok {
		return 0
	}
	return max(end-d.framer.Pos(), 0)
}

// snaplenGap tells the framer that n bytes the snap length cut held no
// known packet: like a gap, but the [snaplen] event has already said so.
func (h *handler) snaplenGap(c *stream.Conn, st *connState, fromClient bool, n int64, frame uint64, t time.Time) {
	d := &st.dirs[dirIdx(fromClient)]
	d.classified = true // the first bytes are not all there: left to the framer
	fr, ok := d.framer.Gap(n)
	h.flushed(c, st, fromClient, fr, ok, frame, t)
}

// feed frames and decodes v.data[from:to].
func (h *handler) feed(c *stream.Conn, st *connState, fromClient bool, v bytesView, from, to int) {
	if from >= to {
		return
	}
	d := &st.dirs[dirIdx(fromClient)]
	data := v.data[from:to]
	// part gives the frames of bytes of data (offsets relative to data).
	part := origins{org: v.org, from: from}
	chunkStart := d.framer.Pos()
	for _, m := range v.missing {
		if !m.Lost && m.Off >= from && m.Off < to {
			if d.cut == nil {
				d.cut = new([]cutRange)
			}
			*d.cut = append(*d.cut, cutRange{start: chunkStart + int64(m.Off-from), end: chunkStart + int64(m.Off-from+m.Len), frame: m.Frame})
		}
	}
	d.framer.Feed(data, v.atStart && from == 0)
	for {
		fr, ok := d.framer.Next()
		if !ok {
			break
		}
		h.framerEvents(c, st, fromClient, part, int64(len(data)), chunkStart, fr.Start)
		frame, t := h.origin(d, part, int64(len(data)), chunkStart, fr)
		h.packet(c, st, fromClient, fr, frame, t)
	}
	h.framerEvents(c, st, fromClient, part, int64(len(data)), chunkStart, math.MaxInt64)
	if !d.framer.Synced() {
		d.skipFrame, d.skipTime = part.at(len(data) - 1)
	}
	// Remember where the bytes of the packet still in progress came from.
	if start, ok := d.framer.Pending(); ok {
		first := max(start-chunkStart, 0)
		if start >= chunkStart {
			d.pendFrame, d.pendTime = 0, time.Time{}
		}
		for _, off := range [2]int64{first, int64(len(data)) - 1} {
			if off >= 0 && off < int64(len(data)) {
				if f, t := part.at(int(off)); f > d.pendFrame {
					d.pendFrame, d.pendTime = f, t
				}
			}
		}
	} else {
		d.pendFrame, d.pendTime = 0, time.Time{}
	}
}

// origins gives the frame of the bytes of part of a chunk (or of a
// transport's output); without one (bytes the framer held when a gap or
// the end flushed it), frame and t.
type origins struct {
	org   transport.Origins
	from  int
	frame uint64
	t     time.Time
}

func (o origins) at(off int) (uint64, time.Time) {
	if o.org == nil {
		return o.frame, o.t
	}
	return o.org.Origin(o.from + off)
}

// origin is the frame that completed a packet: the latest frame among those
// that carried its bytes.
func (h *handler) origin(d *dirState, part origins, n, chunkStart int64, fr decode.Frame) (uint64, time.Time) {
	var frame uint64
	var t time.Time
	if fr.Start < chunkStart {
		frame, t = d.pendFrame, d.pendTime
		d.pendFrame, d.pendTime = 0, time.Time{}
	}
	first := max(fr.Start-chunkStart, 0)
	last := fr.Start + int64(len(fr.Raw)) - 1 - chunkStart
	for _, off := range [2]int64{first, last} {
		if off >= 0 && off < n {
			if f, tt := part.at(int(off)); f > frame {
				frame, t = f, tt
			}
		}
	}
	return frame, t
}

// packet hands a frame on to be decoded.
func (h *handler) packet(c *stream.Conn, st *connState, fromClient bool, fr decode.Frame, frame uint64, t time.Time) {
	i := dirIdx(fromClient)
	if cut, cutFrame, ok := st.dirs[i].cutAt(fr); ok {
		// Decode only what was captured: the zeros standing in for the
		// bytes the snap length cut are not the packet's.
		fr.Missing = len(fr.Raw) - cut + max(fr.Missing, 0)
		fr.Raw, fr.Truncated, fr.SnaplenFrame = fr.Raw[:cut], true, cutFrame
	}
	h.p.found.frames++
	h.out.frame(st, c, fromClient, fr, frame, t)
}

// cutAt returns the offset of the first byte of a frame that the snap
// length cut, if any, with the frame that lost it, and forgets the cut
// ranges the frame passed.
func (d *dirState) cutAt(fr decode.Frame) (int, uint64, bool) {
	if d.cut == nil || len(*d.cut) == 0 {
		return 0, 0, false
	}
	end := fr.Start + int64(len(fr.Raw))
	first := -1
	var frame uint64
	keep := (*d.cut)[:0]
	for _, r := range *d.cut {
		if r.start < end && r.end > fr.Start {
			off := int(max(r.start-fr.Start, 0))
			if first < 0 || off < first {
				first, frame = off, r.frame
			}
		}
		if r.end > end {
			keep = append(keep, r)
		}
	}
	*d.cut = keep
	return first, frame, first >= 0
}

// framerEvents hands on the framer's events that start before stream
// offset before (all of them: math.MaxInt64), in stream order. part holds
// the n bytes fed from stream offset chunkStart (none when a gap or the
// end flushed the framer).
func (h *handler) framerEvents(c *stream.Conn, st *connState, fromClient bool, part origins, n, chunkStart, before int64) {
	f := &st.dirs[dirIdx(fromClient)].framer
	for {
		ev, ok := f.NextEvent(before)
		if !ok {
			return
		}
		// The event's frame: for skipped bytes the frame of the last of
		// them (records come in the order they complete), for a capped
		// packet the frame where the cap was reached; within the bytes at
		// hand.
		off := ev.Start - chunkStart
		if ev.Kind == decode.EventSkipped {
			off += ev.Len - 1
		}
		frame, t := part.at(int(min(max(off, 0), max(n-1, 0))))
		if d := &st.dirs[dirIdx(fromClient)]; off < 0 && part.org != nil && d.skipFrame != 0 {
			frame, t = d.skipFrame, d.skipTime // the skip ended in an earlier chunk
		}
		e := Event{Bytes: ev.Len}
		switch ev.Kind {
		case decode.EventSkipped:
			e.Type = "not_mqtt"
			e.Message = strconv.FormatInt(ev.Len, 10) + " bytes skipped that are not MQTT (looking for the next fixed header)"
		case decode.EventCapDropped:
			e.Type = "cap"
			e.Message = strconv.FormatInt(ev.Len, 10) + " bytes of an MQTT packet larger than the buffer cap were counted but not kept"
		case decode.EventBadLength:
			continue // reported as a problem of the packet
		}
		h.out.event(st, c, fromClient, frame, t, e)
	}
}

func (h *handler) Gap(c *stream.Conn, fromClient bool, n int64, frame uint64, t time.Time) {
	st := h.state(c)
	if st != nil && st.tr != nil {
		h.gapEvent(c, st, fromClient, n, frame, t, false)
		st.tr.gap(transport.Dir(dirIdx(fromClient)), n, frame, t)
		h.drain(c, st)
		return
	}
	h.gap(c, fromClient, n, frame, t, false)
}

// gap reports n missing bytes; acked says the receiver acknowledged them,
// so they were sent but not captured.
func (h *handler) gap(c *stream.Conn, fromClient bool, n int64, frame uint64, t time.Time, acked bool) {
	st := h.state(c)
	if st == nil {
		return // the connection is done
	}
	if st.dirs[dirIdx(fromClient)].other != detect.MQTT {
		return
	}
	h.framerGap(c, st, fromClient, n, frame, t)
	h.gapEvent(c, st, fromClient, n, frame, t, acked)
}

// framerGap tells a direction's framer n bytes are missing.
func (h *handler) framerGap(c *stream.Conn, st *connState, fromClient bool, n int64, frame uint64, t time.Time) {
	d := &st.dirs[dirIdx(fromClient)]
	fr, ok := d.framer.Gap(n)
	h.flushed(c, st, fromClient, fr, ok, frame, t)
}

// gapEvent reports n missing bytes of the TCP stream.
func (h *handler) gapEvent(c *stream.Conn, st *connState, fromClient bool, n int64, frame uint64, t time.Time, acked bool) {
	dir := "client→server"
	if !fromClient {
		dir = "server→client"
	}
	why := "were never captured (the receiver acknowledged them)"
	if !acked {
		why = "are missing (reassembly gave up waiting for them: --hole-timeout, or its buffer cap)"
	}
	h.out.event(st, c, fromClient, frame, t, Event{Type: "gap", Bytes: n, Message: strconv.FormatInt(n, 10) + " bytes of the " + dir +
		" stream before frame " + strconv.FormatUint(frame, 10) + " " + why + "; decoding resumes at the next MQTT fixed header"})
}

// incomplete hands on the packet in progress of one direction, if any, as
// truncated.
func (h *handler) incomplete(c *stream.Conn, st *connState, fromClient bool, frame uint64, t time.Time) {
	fr, ok := st.dirs[dirIdx(fromClient)].framer.End()
	h.flushed(c, st, fromClient, fr, ok, frame, t)
}

// flushed hands on a truncated frame the framer gave up.
func (h *handler) flushed(c *stream.Conn, st *connState, fromClient bool, fr decode.Frame, ok bool, frame uint64, t time.Time) {
	d := &st.dirs[dirIdx(fromClient)]
	if d.pendFrame != 0 {
		frame, t = d.pendFrame, d.pendTime
	}
	if ok {
		h.packet(c, st, fromClient, fr, frame, t)
	}
	if frame == 0 {
		frame, t = c.LastFrame, c.LastTime // the end of a connection: its last frame
	}
	// The bytes held were the pending ones: their latest frame.
	h.framerEvents(c, st, fromClient, origins{frame: frame, t: t}, 1, 0, math.MaxInt64)
	d.pendFrame, d.pendTime = 0, time.Time{}
}

func (h *handler) Closed(c *stream.Conn, fromClient bool, frame uint64, t time.Time) {
	st := h.state(c)
	if st == nil {
		return // the connection is done
	}
	i := dirIdx(fromClient)
	h.incomplete(c, st, fromClient, frame, t)
	who := "client"
	if !fromClient {
		who = "server"
	}
	e := Event{Type: c.End[i]}
	if e.Type == "rst" {
		e.Message = "the " + who + " reset the connection (RST)"
	} else {
		e.Message = "the " + who + " closed its side of the connection (FIN)"
	}
	h.out.event(st, c, fromClient, frame, t, e)
}

func (h *handler) Done(c *stream.Conn, why string) {
	st := h.state(c)
	if st == nil {
		return
	}
	if st.tr != nil {
		n := len(st.tr.ev)
		st.tr.end()
		// What the transport finds at the end (a frame or record cut off)
		// is known at the connection's last frame, as an MQTT packet cut
		// off is (flushed): the records stay in completion order.
		for i := n; i < len(st.tr.ev); i++ {
			if e := &st.tr.ev[i]; e.Frame < c.LastFrame {
				e.Frame, e.Time = c.LastFrame, c.LastTime
			}
		}
		h.drain(c, st)
	}
	for _, fromClient := range [2]bool{true, false} {
		h.incomplete(c, st, fromClient, 0, c.LastTime)
	}
	h.out.done(st, c, c.Snapshot(), why)
	// Nothing more comes for it: the consumer has what it needs (the item
	// holds st until it is handled), and the stream layer keeps the Conn
	// for numbering, not its decoders.
	c.State = nil
}

func (h *handler) Event(e stream.Event) {
	var st *connState
	if e.Conn != nil {
		st = h.state(e.Conn)
	}
	h.out.event(st, e.Conn, e.FromClient, e.Frame, e.Time, Event{Type: e.Kind, Message: e.Message})
}
