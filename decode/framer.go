package decode

// DefaultMaxPacket is the largest packet a Framer buffers whole. Bigger
// packets keep their first DefaultMaxPacket bytes (enough for every header
// field and the start of the payload) and the rest is counted, not stored.
const DefaultMaxPacket = 16 << 20

// maxResyncChecks bounds the candidate headers one resync looks at, so
// that crafted garbage cannot make it quadratic.
const maxResyncChecks = 1024

// resyncWindow bounds how much unsynchronised data is scanned for a fixed
// header before it is given up as not MQTT.
const resyncWindow = 64 << 10

// Framer cuts one direction of a connection into control packets.
//
// Feed it the stream's bytes in order, then call Next until it returns
// false; Gap tells it bytes were lost, End that the stream ended. Frames
// alias either the fed chunk or the framer's own buffer and are valid until
// the next call. The Framer never loses sync on a remaining length split
// across chunks: it waits for the whole header.
type Framer struct {
	// Plausible reports whether a frame found while resynchronising is a
	// real packet (it decodes cleanly). Nil accepts any well-formed header.
	Plausible func(Frame) bool
	// MaxPacket overrides DefaultMaxPacket when > 0.
	MaxPacket int
	// Budget, when set, bounds the bytes all framers sharing it buffer.
	Budget *Budget

	buf     []byte // bytes not yet framed, copied out of earlier chunks; buf comes just before chunk
	chunk   []byte // the rest of the chunk being framed without copying
	pos     int64  // stream offset just after the last byte fed (or lost)
	release int    // bytes at the start of buf handed out in the last frame, dropped on the next call

	started  bool
	synced   bool
	hasReady bool
	// origin is the stream offset where the framer lost sync (or where an
	// unsynchronised stream began): a packet starting exactly there may be
	// accepted before it is complete.
	origin int64
	// skip counts bytes of an oversized packet still to be discarded.
	skip int64
	// over is the oversized packet being skipped, allocated for the first
	// one only: a connection's framers stay small.
	over *oversized
	// notes holds the events not handed out yet and the run of bytes
	// being skipped, made on the first: most framers never have one.
	notes *framerNotes
}

// framerNotes are a framer's events not handed out yet (those before
// evHead were), and skipped, the run of bytes skipped since sync was lost,
// not reported yet: one unsynchronised run is one EventSkipped, however
// many chunks and resync attempts it takes, reported when the framer finds
// its next packet (or at a gap, or the end).
type framerNotes struct {
	events     []FramerEvent
	evHead     int
	skipped    FramerEvent
	hasSkipped bool
}

// oversized is a packet larger than the framer's cap: big while its tail
// goes by, ready once it has.
type oversized struct {
	big   Frame // the packet being skipped (its kept prefix is buf)
	ready Frame // the frame to hand out on the next call
}

// Budget is a byte limit shared by framers.
type Budget struct {
	Limit int64 // <= 0: unlimited
	Used  int64
}

func (b *Budget) take(n int) bool {
	if b == nil || b.Limit <= 0 {
		return true
	}
	if b.Used+int64(n) > b.Limit {
		return false
	}
	b.Used += int64(n)
	return true
}

func (b *Budget) give(n int) {
	if b != nil && b.Limit > 0 {
		b.Used -= int64(n)
	}
}

// FramerEventKind classifies what a Framer reports besides frames.
type FramerEventKind uint8

// Framer events.
const (
	// EventSkipped: bytes that were not MQTT were skipped while looking for
	// a fixed header (after a gap, or at the start of a mid-stream capture).
	EventSkipped FramerEventKind = iota + 1
	// EventCapDropped: a packet was larger than the buffer cap; its tail was
	// counted but not kept.
	EventCapDropped
	// EventBadLength: a remaining length of more than 4 bytes; the framer
	// lost the packet boundary and resynchronises.
	EventBadLength
)

// FramerEvent is something a Framer did that the user should know.
type FramerEvent struct {
	Kind  FramerEventKind
	Start int64 // stream offset
	Len   int64
}

func (f *Framer) maxPacket() int {
	if f.MaxPacket > 0 {
		return f.MaxPacket
	}
	return DefaultMaxPacket
}

// HasEvents reports whether Events has anything to return.
func (f *Framer) HasEvents() bool { return f.notes != nil && f.notes.evHead < len(f.notes.events) }

// Events returns and clears what happened since the last call, in stream
// order.
func (f *Framer) Events() []FramerEvent {
	n := f.notes
	if n == nil {
		return nil
	}
	ev := n.events[n.evHead:]
	n.events, n.evHead = n.events[:0], 0
	return ev
}

// NextEvent returns the next event that starts before stream offset
// before, if there is one. Called with the start of each frame Next
// returns, it puts events and frames in stream order: the bytes skipped
// before a packet are reported before it.
func (f *Framer) NextEvent(before int64) (FramerEvent, bool) {
	n := f.notes
	if n == nil || n.evHead >= len(n.events) || n.events[n.evHead].Start >= before {
		return FramerEvent{}, false
	}
	e := n.events[n.evHead]
	if n.evHead++; n.evHead == len(n.events) {
		n.events, n.evHead = n.events[:0], 0
	}
	return e, true
}

// Pos is the stream offset just after the last byte fed.
func (f *Framer) Pos() int64 { return f.pos }

// chunkOff is the stream offset of chunk[0]; bufStart that of buf[0]
// (buf and chunk are contiguous, except while an oversized packet's tail is
// skipped, when big.Start says where it began).
func (f *Framer) chunkOff() int64 { return f.pos - int64(len(f.chunk)) }
func (f *Framer) bufStart() int64 { return f.pos - int64(len(f.chunk)) - int64(len(f.buf)) }

// Synced reports whether the framer knows where packets start.
func (f *Framer) Synced() bool { return f.synced }

// Pending returns the stream offset where the bytes of an incomplete packet
// (or of unsynchronised data) start, and whether there are any.
func (f *Framer) Pending() (int64, bool) {
	switch {
	case f.skip > 0 || f.hasReady:
		return f.over.big.Start, true
	case len(f.buf) > f.release:
		return f.bufStart() + int64(f.release), true
	case len(f.chunk) > 0:
		return f.chunkOff(), true
	}
	return 0, false
}

// PacketEnd returns the stream offset just after the packet in progress,
// when the framer is in sync and has its whole fixed header. Bytes before
// that offset belong to that packet whatever they hold; the caller uses it
// to tell which bytes a snap-length cut took from a known packet and which
// it took from packets whose headers were never seen.
func (f *Framer) PacketEnd() (int64, bool) {
	if f.skip > 0 {
		return f.over.big.Start + int64(f.over.big.HeaderLen) + int64(f.over.big.RemainingLength), true
	}
	if !f.synced || f.hasReady {
		return 0, false
	}
	var hdr [2 + maxVBIBytes]byte
	n := copy(hdr[:], f.buf[f.release:])
	n += copy(hdr[n:], f.chunk)
	if n == 0 {
		return 0, false
	}
	h, ok := parseHeader(hdr[:n])
	if !ok || h.badLength {
		return 0, false
	}
	start := f.bufStart() + int64(f.release)
	if len(f.buf) == f.release {
		start = f.chunkOff()
	}
	return start + int64(h.headerLen) + int64(h.rl), true
}

// Feed gives the framer the next bytes of the stream. The first Feed of a
// stream says whether it starts at a packet boundary (the TCP start was
// seen) or somewhere unknown (a mid-connection capture). Call Next until it
// returns false before feeding more.
func (f *Framer) Feed(data []byte, atStart bool) {
	f.dropReleased()
	if !f.started {
		f.started, f.synced, f.origin = true, atStart, f.pos
	}
	f.stash()
	f.chunk = data
	f.pos += int64(len(data))
	f.skipChunk()
}

// skipChunk discards the tail of an oversized packet from the chunk, and
// makes the packet ready once its last byte has gone by.
func (f *Framer) skipChunk() {
	if f.skip == 0 {
		return
	}
	n := min(f.skip, int64(len(f.chunk)))
	f.skip -= n
	f.chunk = f.chunk[n:]
	if f.skip == 0 {
		f.over.ready, f.hasReady = f.over.big, true
		f.over.ready.Raw = f.buf
	}
}

// stash moves the unframed rest of the current chunk into buf.
func (f *Framer) stash() {
	if len(f.chunk) == 0 {
		return
	}
	n := len(f.chunk)
	if !f.Budget.take(n) {
		// The shared cap is reached: these bytes are lost like a gap.
		f.event(FramerEvent{Kind: EventCapDropped, Start: f.chunkOff(), Len: int64(n)})
		f.Budget.give(len(f.buf))
		f.buf, f.chunk, f.synced, f.origin = f.buf[:0], nil, false, f.pos
		return
	}
	f.buf = append(f.buf, f.chunk...)
	f.chunk = nil
}

func (f *Framer) dropReleased() {
	if f.release == 0 {
		return
	}
	n := f.release
	f.release = 0
	f.Budget.give(n)
	rest := copy(f.buf, f.buf[n:])
	f.buf = f.buf[:rest]
}

// Gap tells the framer n bytes of the stream were lost. A packet in
// progress is returned as truncated; the framer then looks for the next
// fixed header.
func (f *Framer) Gap(n int64) (Frame, bool) {
	fr, ok := f.flushPartial()
	f.reportSkipped()
	f.pos += n
	f.synced, f.started, f.origin = false, true, f.pos
	return fr, ok
}

// End returns the incomplete packet left when the stream ended, if any.
func (f *Framer) End() (Frame, bool) {
	fr, ok := f.flushPartial()
	f.reportSkipped()
	return fr, ok
}

// flushPartial hands out what is buffered as a truncated frame (a copy: it
// is rare) and empties the buffer.
func (f *Framer) flushPartial() (Frame, bool) {
	f.dropReleased()
	f.stash()
	start := f.bufStart()
	raw := append([]byte(nil), f.buf...)
	f.Budget.give(len(f.buf))
	f.buf = f.buf[:0]
	switch {
	case f.hasReady:
		f.hasReady = false
		fr := f.over.ready
		fr.Raw = raw
		return fr, true
	case f.skip > 0:
		fr := f.over.big
		fr.Raw, fr.Missing = raw, int(f.skip)
		f.skip = 0
		return fr, true
	case len(raw) == 0:
		return Frame{}, false
	case !f.synced:
		f.addSkipped(start, int64(len(raw)))
		return Frame{}, false
	}
	h, ok := parseHeader(raw)
	if !ok || h.badLength {
		// Not even a whole fixed header.
		return Frame{Raw: raw, HeaderLen: len(raw), Start: start, Truncated: true, Missing: -1}, true
	}
	total := h.headerLen + int(h.rl)
	return Frame{Raw: raw, HeaderLen: h.headerLen, RemainingLength: h.rl, Start: start,
		Truncated: true, Missing: total - len(raw)}, true
}

// Next returns the next complete frame, if the bytes fed so far hold one.
func (f *Framer) Next() (Frame, bool) {
	// Fast path: in sync, nothing buffered, a whole packet of up to 16 KB
	// at the start of the chunk, its length in one or two bytes written
	// minimally (the common case: a OneJSON post is a few hundred bytes).
	// cut gives the same frame, after more checks.
	if f.synced && f.release == 0 && len(f.buf) == 0 && !f.hasReady && f.skip == 0 && len(f.chunk) >= 2 {
		if c := f.chunk; c[1] < 0x80 {
			if total := 2 + int(c[1]); total <= len(c) {
				fr := Frame{Raw: c[:total:total], HeaderLen: 2, RemainingLength: uint32(c[1]), Start: f.chunkOff()}
				f.chunk = c[total:]
				return fr, true
			}
		} else if len(c) >= 3 && c[2] != 0 && c[2] < 0x80 {
			rl := uint32(c[1]&0x7f) | uint32(c[2])<<7
			if total := 3 + int(rl); total <= len(c) && total <= f.maxPacket() {
				fr := Frame{Raw: c[:total:total], HeaderLen: 3, RemainingLength: rl, Start: f.chunkOff()}
				f.chunk = c[total:]
				return fr, true
			}
		}
	}
	f.dropReleased()
	if f.hasReady {
		f.hasReady = false
		f.release = len(f.buf)
		return f.over.ready, true
	}
	if f.skip > 0 {
		return Frame{}, false
	}
	if !f.synced {
		f.stash()
		if !f.resync() {
			return Frame{}, false
		}
	}
	if len(f.buf) > 0 {
		return f.nextFromBuf()
	}
	return f.nextFromChunk()
}

func (f *Framer) nextFromChunk() (Frame, bool) {
	if len(f.chunk) == 0 {
		return Frame{}, false
	}
	fr, n, ok := f.cut(f.chunk, f.chunkOff())
	// A packet over the cap keeps its first maxPacket bytes however it
	// arrives, so that the frames do not depend on how TCP segmented the
	// stream: whole in this chunk, or with at least maxPacket of its bytes
	// here (keep them, skip the rest); with fewer, it is buffered like any
	// packet until nextFromBuf has maxPacket of them.
	over := ok && len(fr.Raw) > f.maxPacket() && !fr.BadLength && !fr.OneByteLength
	if h, hok := parseHeader(f.chunk); !ok && hok && h.headerLen+int(h.rl) > f.maxPacket() && len(f.chunk) >= f.maxPacket() {
		over = true
	}
	if over && f.keepCapped() {
		return f.Next()
	}
	if !ok {
		f.stash()
		return Frame{}, false
	}
	f.chunk = f.chunk[n:]
	return fr, true
}

// keepCapped keeps the first maxPacket bytes of the oversized packet that
// starts the chunk and skips the rest of it; false when the shared buffer
// budget cannot take them.
func (f *Framer) keepCapped() bool {
	keep := f.maxPacket()
	if !f.Budget.take(keep) {
		return false
	}
	f.buf = append(f.buf, f.chunk[:keep]...)
	f.chunk = f.chunk[keep:]
	f.startSkip()
	return true
}

func (f *Framer) nextFromBuf() (Frame, bool) {
	// Complete the pending packet from the chunk, one header at a time.
	for {
		fr, n, ok := f.cut(f.buf, f.bufStart())
		if ok {
			f.release = n
			return fr, true
		}
		if len(f.chunk) == 0 {
			return Frame{}, false
		}
		take := min(f.need(f.buf), len(f.chunk))
		if room := f.maxPacket() - len(f.buf); take > room {
			take = max(room, 0)
		}
		if take == 0 {
			f.startSkip()
			return f.Next()
		}
		if !f.Budget.take(take) {
			f.startSkip()
			return f.Next()
		}
		f.buf = append(f.buf, f.chunk[:take]...)
		f.chunk = f.chunk[take:]
	}
}

// need is how many more bytes b needs to be a whole packet (or a whole
// fixed header, when the header itself is incomplete).
func (f *Framer) need(b []byte) int {
	h, ok := parseHeader(b)
	if !ok {
		return 1
	}
	return max(h.headerLen+int(h.rl)-len(b), 1)
}

// startSkip gives up buffering an oversized packet: the bytes kept so far
// stay in buf, the rest is counted as it goes by.
func (f *Framer) startSkip() {
	h, ok := parseHeader(f.buf)
	if !ok {
		return
	}
	total := h.headerLen + int(h.rl)
	missing := total - len(f.buf)
	start := f.bufStart()
	f.event(FramerEvent{Kind: EventCapDropped, Start: start + int64(len(f.buf)), Len: int64(missing)})
	if f.over == nil {
		f.over = new(oversized)
	}
	f.over.big = Frame{HeaderLen: h.headerLen, RemainingLength: h.rl, Start: start, Truncated: true, Missing: missing, Capped: true}
	f.skip = int64(missing)
	f.skipChunk()
}

// cut returns the frame at the start of b, if b holds all of it.
func (f *Framer) cut(b []byte, off int64) (Frame, int, bool) {
	h, ok := parseHeader(b)
	if !ok {
		return Frame{}, 0, false
	}
	if h.badLength {
		f.event(FramerEvent{Kind: EventBadLength, Start: off, Len: int64(h.headerLen)})
		f.synced, f.origin = false, off+int64(h.headerLen)
		return Frame{Raw: b[:h.headerLen:h.headerLen], HeaderLen: h.headerLen, Start: off, BadLength: true}, h.headerLen, true
	}
	total := h.headerLen + int(h.rl)
	if alt, ok, wait := f.oneByteLength(b, h, off); wait {
		return Frame{}, 0, false
	} else if ok {
		return alt, len(alt.Raw), true
	}
	if total > len(b) {
		return Frame{}, 0, false
	}
	return Frame{Raw: b[:total:total], HeaderLen: h.headerLen, RemainingLength: h.rl, Start: off}, total, true
}

// oneByteLength detects the classic embedded-encoder bug (onenet.md §6.3,
// anchors.md §3.10): a remaining length over 127 written as one byte. The
// VBI reading then ends in a 0x00 continuation (not minimal) and gives a
// packet that does not decode, while reading the byte alone gives one that
// does. wait says more bytes are needed to decide.
func (f *Framer) oneByteLength(b []byte, h header, off int64) (Frame, bool, bool) {
	if h.headerLen < 3 || b[h.headerLen-1] != 0 || b[1] < 0x80 {
		return Frame{}, false, false
	}
	alt := 2 + int(b[1])
	total := h.headerLen + int(h.rl)
	if len(b) < max(alt, total) {
		return Frame{}, false, true
	}
	bug := Frame{Raw: b[:alt:alt], HeaderLen: 2, RemainingLength: uint32(b[1]), Start: off, OneByteLength: true}
	normal := Frame{Raw: b[:total:total], HeaderLen: h.headerLen, RemainingLength: h.rl, Start: off}
	if decodesCleanly(bug, true) && !decodesCleanly(normal, false) {
		return bug, true, false
	}
	return Frame{}, false, false
}

// decodesCleanly reports whether a frame decodes without problems in some
// MQTT version (the framer does not know the connection's version).
func decodesCleanly(fr Frame, ignoreLength bool) bool {
	var d Decoder
	for _, v := range [...]Version{V311, V5} {
		p := d.DecodeFrame(fr, v)
		clean := true
		for _, pr := range p.Problems {
			if ignoreLength && pr.Code == "one_byte_length" {
				continue
			}
			clean = false
			break
		}
		if clean {
			return true
		}
	}
	return false
}

// resync looks for the next plausible fixed header in buf, dropping the
// bytes before it. It returns true once synchronised. A candidate must have
// a valid first byte and a minimal remaining length, decode cleanly
// (Plausible) and be followed by the end of the data or another valid first
// byte; a packet not yet complete is accepted only at the very start of the
// unsynchronised bytes (where a segment after a gap usually starts one),
// and, like a complete one there, it needs no valid byte after it.
func (f *Framer) resync() bool {
	// possible is the first position of a candidate that is not complete
	// yet: bytes from there on must be kept for the next try.
	possible := -1
	keep := func(i int) {
		if possible < 0 {
			possible = i
		}
	}
	checks := 0
	for i := 0; i < len(f.buf); i++ {
		if !validFirstByte(f.buf[i]) {
			continue
		}
		if checks++; checks > maxResyncChecks {
			// Bound the work on garbage: give up what was scanned so far.
			if possible < 0 || possible > i {
				possible = i
			}
			break
		}
		h, ok := parseHeader(f.buf[i:])
		if !ok {
			keep(i) // a header may start here: wait for its bytes
			break
		}
		if h.badLength || !h.minimal {
			continue
		}
		total := h.headerLen + int(h.rl)
		if i+total > len(f.buf) {
			// Not complete yet: accepted only at the start of the
			// unsynchronised bytes, and only if what there is of it decodes.
			partial := Frame{Raw: f.buf[i:], HeaderLen: h.headerLen, RemainingLength: h.rl, Truncated: true, Missing: i + total - len(f.buf)}
			if f.bufStart()+int64(i) == f.origin && total <= f.maxPacket() && (f.Plausible == nil || f.Plausible(partial)) {
				f.synced = true
				f.reportSkipped()
				return true
			}
			if total <= f.maxPacket() {
				keep(i)
			}
			continue
		}
		fr := Frame{Raw: f.buf[i : i+total : i+total], HeaderLen: h.headerLen, RemainingLength: h.rl, Start: f.bufStart() + int64(i)}
		if f.Plausible != nil && !f.Plausible(fr) {
			continue
		}
		if rest := f.buf[i+total:]; len(rest) > 0 && !validFirstByte(rest[0]) && f.bufStart()+int64(i) != f.origin {
			continue
		}
		f.dropPrefix(i)
		f.synced = true
		f.reportSkipped()
		return true
	}
	switch {
	case len(f.buf) > resyncWindow:
		f.dropPrefix(len(f.buf) - maxVBIBytes)
	case possible > 0:
		f.dropPrefix(possible)
	case possible < 0:
		f.dropPrefix(len(f.buf))
	}
	return false
}

func (f *Framer) dropPrefix(i int) {
	if i == 0 {
		return
	}
	f.addSkipped(f.bufStart(), int64(i))
	f.Budget.give(i)
	rest := copy(f.buf, f.buf[i:])
	f.buf = f.buf[:rest]
}

// addSkipped adds n bytes skipped at stream offset start to the run being
// skipped (a new run when they do not follow it).
func (f *Framer) addSkipped(start, n int64) {
	notes := f.notesMade()
	if notes.hasSkipped && notes.skipped.Start+notes.skipped.Len == start {
		notes.skipped.Len += n
		return
	}
	f.reportSkipped()
	notes.skipped, notes.hasSkipped = FramerEvent{Kind: EventSkipped, Start: start, Len: n}, true
}

// notesMade returns the framer's notes, made on first use.
func (f *Framer) notesMade() *framerNotes {
	if f.notes == nil {
		f.notes = new(framerNotes)
	}
	return f.notes
}

// reportSkipped makes the run of skipped bytes an event.
func (f *Framer) reportSkipped() {
	if n := f.notes; n != nil && n.hasSkipped {
		n.events = append(n.events, n.skipped)
		n.hasSkipped = false
	}
}

// event reports e, after the skipped bytes before it: events are in stream
// order.
func (f *Framer) event(e FramerEvent) {
	f.reportSkipped()
	n := f.notesMade()
	n.events = append(n.events, e)
}

// header is a parsed fixed header.
type header struct {
	headerLen int
	rl        uint32
	badLength bool // more than 4 remaining-length bytes
	minimal   bool
}

// parseHeader reads the fixed header at the start of b; ok is false when b
// does not hold all of it yet.
func parseHeader(b []byte) (header, bool) {
	if len(b) < 2 {
		return header{}, false
	}
	rl, n, err := readVBI(b[1:])
	switch err {
	case nil:
		return header{headerLen: 1 + n, rl: rl, minimal: n == 1 || b[n] != 0}, true
	case errVBITooLong:
		return header{headerLen: 1 + n, badLength: true}, true
	}
	return header{}, false
}

// validFirstByte reports whether b can start a control packet: a defined
// type with the flags the spec requires (any PUBLISH flags but QoS 3).
func validFirstByte(b byte) bool {
	t, flags := Type(b>>4), b&0x0f
	switch {
	case t == Reserved:
		return false
	case t == PUBLISH:
		return flags&0x06 != 0x06
	}
	return flags == uint8(requiredFlags[t])
}
