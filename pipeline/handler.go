package pipeline

import (
	"strconv"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/stream"
)

// connState is the pipeline's state of one watched connection.
type connState struct {
	info    ConnInfo
	session decode.Session
	dirs    [2]dirState
	tlsSeen bool
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
	// cut lists stream ranges the snap length cut (zero-filled).
	cut     []cutRange
	started bool
}

type cutRange struct {
	start, end int64
	frame      uint64
}

// handler implements stream.Handler for a Pipeline.
type handler struct {
	p *Pipeline
}

func (h *handler) state(c *stream.Conn) *connState { return c.State.(*connState) }

func (h *handler) Opened(c *stream.Conn) {
	st := &connState{}
	st.session.Assume = h.p.opts.Assume
	st.session.StartSeen = c.StartSeen[0]
	for i := range st.dirs {
		f := &st.dirs[i].framer
		f.Plausible = st.session.Plausible
		f.MaxPacket = h.p.opts.MaxPacket
		f.Budget = &h.p.budget
	}
	c.State = st
}

func dirIdx(fromClient bool) int {
	if fromClient {
		return 0
	}
	return 1
}

func (h *handler) Data(c *stream.Conn, fromClient bool, chunk *stream.Chunk) {
	st := h.state(c)
	i := dirIdx(fromClient)
	d := &st.dirs[i]
	if st.info.TLS {
		return
	}
	if !d.started {
		d.started = true
		lostFirst := len(chunk.Missing) > 0 && chunk.Missing[0].Lost && chunk.Missing[0].Off == 0
		if !lostFirst && looksLikeTLS(chunk.Data) {
			st.info.TLS = true
			frame, t := chunk.Origin(0)
			h.p.emit(&Record{Kind: KindEvent, Frame: frame, Time: t, Conn: c, FromClient: fromClient, Info: &st.info,
				Event: Event{Type: "tls", Message: "TLS (" + tlsRecordName(chunk.Data) + "): the connection is encrypted, its MQTT packets cannot be decoded"}})
			return
		}
	}
	// Bytes the capture lost were filled in by the stream layer: split the
	// chunk there and tell the framer about the gap.
	from := 0
	for _, m := range chunk.Missing {
		if !m.Lost {
			continue
		}
		h.feed(c, st, fromClient, chunk, from, m.Off)
		frame, t := chunk.Origin(m.Off)
		h.Gap(c, fromClient, int64(m.Len), frame, t)
		from = m.Off + m.Len
	}
	h.feed(c, st, fromClient, chunk, from, len(chunk.Data))
}

// feed frames and decodes chunk.Data[from:to].
func (h *handler) feed(c *stream.Conn, st *connState, fromClient bool, chunk *stream.Chunk, from, to int) {
	if from >= to {
		return
	}
	d := &st.dirs[dirIdx(fromClient)]
	data := chunk.Data[from:to]
	// part gives the frames of bytes of data (offsets relative to data).
	part := partOf(chunk, from)
	chunkStart := d.framer.Pos()
	for _, m := range chunk.Missing {
		if !m.Lost && m.Off >= from && m.Off < to {
			d.cut = append(d.cut, cutRange{start: chunkStart + int64(m.Off-from), end: chunkStart + int64(m.Off-from+m.Len), frame: m.Frame})
		}
	}
	d.framer.Feed(data, chunk.AtStart && from == 0)
	for {
		fr, ok := d.framer.Next()
		if !ok {
			break
		}
		frame, t := h.origin(d, part, int64(len(data)), chunkStart, fr)
		h.packet(c, st, fromClient, fr, frame, t)
	}
	h.framerEvents(c, st, fromClient, part, chunkStart)
	// Remember where the bytes of the packet still in progress came from.
	if start, ok := d.framer.Pending(); ok {
		first := max(start-chunkStart, 0)
		if start >= chunkStart {
			d.pendFrame, d.pendTime = 0, time.Time{}
		}
		for _, off := range [2]int64{first, int64(len(data)) - 1} {
			if off >= 0 && off < int64(len(data)) {
				if f, t := part(int(off)); f > d.pendFrame {
					d.pendFrame, d.pendTime = f, t
				}
			}
		}
	} else {
		d.pendFrame, d.pendTime = 0, time.Time{}
	}
}

// partOf returns the origin function of the chunk's bytes from offset from.
func partOf(chunk *stream.Chunk, from int) func(int) (uint64, time.Time) {
	return func(off int) (uint64, time.Time) { return chunk.Origin(from + off) }
}

// origin is the frame that completed a packet: the latest frame among those
// that carried its bytes.
func (h *handler) origin(d *dirState, part func(int) (uint64, time.Time), n, chunkStart int64, fr decode.Frame) (uint64, time.Time) {
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
			if f, tt := part(int(off)); f > frame {
				frame, t = f, tt
			}
		}
	}
	return frame, t
}

// packet decodes a frame and hands it on.
func (h *handler) packet(c *stream.Conn, st *connState, fromClient bool, fr decode.Frame, frame uint64, t time.Time) {
	i := dirIdx(fromClient)
	if cut, cutFrame, ok := st.dirs[i].cutAt(fr); ok {
		// Decode only what was captured: the zeros standing in for the
		// bytes the snap length cut are not the packet's.
		fr.Missing = len(fr.Raw) - cut + max(fr.Missing, 0)
		fr.Raw, fr.Truncated, fr.SnaplenFrame = fr.Raw[:cut], true, cutFrame
	}
	p := st.session.Decode(fr, fromClient)
	st.info.Version, st.info.VersionInferred = st.session.Version()
	st.info.Packets[i]++
	h.p.emit(&Record{Kind: KindPacket, Frame: frame, Time: t, Conn: c, FromClient: fromClient, Packet: p, Info: &st.info})
}

// cutAt returns the offset of the first byte of a frame that the snap
// length cut, if any, with the frame that lost it, and forgets the cut
// ranges the frame passed.
func (d *dirState) cutAt(fr decode.Frame) (int, uint64, bool) {
	if len(d.cut) == 0 {
		return 0, 0, false
	}
	end := fr.Start + int64(len(fr.Raw))
	first := -1
	var frame uint64
	keep := d.cut[:0]
	for _, r := range d.cut {
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
	d.cut = keep
	return first, frame, first >= 0
}

func (h *handler) framerEvents(c *stream.Conn, st *connState, fromClient bool, part func(int) (uint64, time.Time), chunkStart int64) {
	i := dirIdx(fromClient)
	for _, ev := range st.dirs[i].framer.Events() {
		var frame uint64
		var t time.Time
		if part != nil {
			frame, t = part(max(int(ev.Start-chunkStart), 0))
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
		h.p.emit(&Record{Kind: KindEvent, Frame: frame, Time: t, Conn: c, FromClient: fromClient, Event: e, Info: &st.info})
	}
}

func (h *handler) Gap(c *stream.Conn, fromClient bool, n int64, frame uint64, t time.Time) {
	st := h.state(c)
	if st.info.TLS {
		return
	}
	d := &st.dirs[dirIdx(fromClient)]
	if fromClient && st.info.Packets[0] == 0 {
		// The client's first bytes are lost: its CONNECT may be among them.
		st.session.StartSeen = false
	}
	fr, ok := d.framer.Gap(n)
	h.flushed(c, st, fromClient, fr, ok, frame, t)
	dir := "client→server"
	if !fromClient {
		dir = "server→client"
	}
	h.p.emit(&Record{Kind: KindEvent, Frame: frame, Time: t, Conn: c, FromClient: fromClient, Info: &st.info,
		Event: Event{Type: "gap", Bytes: n, Message: strconv.FormatInt(n, 10) + " bytes of the " + dir +
			" stream were never captured (before frame " + strconv.FormatUint(frame, 10) +
			"); decoding resumes at the next MQTT fixed header"}})
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
	if ok {
		if d.pendFrame != 0 {
			frame, t = d.pendFrame, d.pendTime
		}
		h.packet(c, st, fromClient, fr, frame, t)
	}
	h.framerEvents(c, st, fromClient, nil, 0)
	d.pendFrame, d.pendTime = 0, time.Time{}
}

func (h *handler) Closed(c *stream.Conn, fromClient bool, frame uint64, t time.Time) {
	st := h.state(c)
	i := dirIdx(fromClient)
	if !st.info.TLS {
		h.incomplete(c, st, fromClient, frame, t)
	}
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
	h.p.emit(&Record{Kind: KindEvent, Frame: frame, Time: t, Conn: c, FromClient: fromClient, Event: e, Info: &st.info})
}

func (h *handler) Done(c *stream.Conn, why string) {
	st := h.state(c)
	st.info.Why = why
	if st.info.TLS {
		h.p.emit(&Record{Kind: KindEvent, Frame: c.LastFrame, Time: c.LastTime, Conn: c, Info: &st.info,
			Event: Event{Type: "tls", Bytes: c.Bytes[0] + c.Bytes[1], Message: "TLS connection: " +
				strconv.FormatInt(c.Bytes[0], 10) + " bytes client→server, " + strconv.FormatInt(c.Bytes[1], 10) +
				" bytes server→client, not decoded"}})
	} else {
		for _, fromClient := range [2]bool{true, false} {
			h.incomplete(c, st, fromClient, 0, c.LastTime)
		}
	}
	h.p.emit(&Record{Kind: KindConnDone, Conn: c, Time: c.LastTime, Info: &st.info})
}

func (h *handler) Event(e stream.Event) {
	var info *ConnInfo
	if e.Conn != nil {
		info = &h.state(e.Conn).info
	}
	h.p.emit(&Record{Kind: KindEvent, Frame: e.Frame, Time: e.Time, Conn: e.Conn, Info: info,
		Event: Event{Type: e.Kind, Message: e.Message}})
}

// looksLikeTLS recognises a TLS record header: content type 20-23
// (change cipher spec, alert, handshake, application data) and major
// version 3. An MQTT stream cannot start so: 0x14-0x17 would be a CONNECT
// with reserved flags set.
func looksLikeTLS(b []byte) bool {
	return len(b) >= 3 && b[0] >= 0x14 && b[0] <= 0x17 && b[1] == 0x03 && b[2] <= 0x04
}

func tlsRecordName(b []byte) string {
	switch b[0] {
	case 0x16:
		if len(b) > 5 && b[5] == 1 {
			return "ClientHello"
		}
		if len(b) > 5 && b[5] == 2 {
			return "ServerHello"
		}
		return "handshake"
	case 0x17:
		return "application data"
	case 0x15:
		return "alert"
	}
	return "change cipher spec"
}
