package report

import (
	"strconv"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/stream"
)

// The packet list: one line per packet or event,
//
//	frame        time  strm  dir  type        info
//	    4    0.000220     0  C→S  CONNECT     v3.1.1 client_id="my_tv" ...
//
// The frame, time and stream columns are right-aligned in widths that start
// at what a capture of an hour and a few thousand connections needs and
// grow, for the rest of the output, when the capture read so far needs more
// (see grow): a value never touches its neighbour, whatever the size of the
// capture (frame 10044 at 1520.908711 s in stream 1000 used to print as
// "100441520.9087111000").

// Initial column widths. time and strm include the space that separates
// them from the column on their left.
const (
	colFrame  = 6
	colTime   = 11
	colStream = 5
	colType   = 12
	// colDir is the direction column with the spaces around it: "  C→S  ".
	colDir = 2 + 3 + 2
)

// listCols are the current widths of the growing columns.
type listCols struct{ frame, time, stream int }

// grow widens the columns for the capture read so far (the record's
// Extent): the frames read, the streams opened and the latest time. The
// widths then depend only on the records before, in record order, so the
// pipeline's workers lay lines out as one writer would. A value that still
// does not fit (a time that went back and forth) widens its own line only.
func (t *Text) grow(e pipeline.Extent) {
	t.cols.frame = max(t.cols.frame, decimalLen(e.Frames))
	t.cols.time = max(t.cols.time, relLen(e.Rel)+1)
	t.cols.stream = max(t.cols.stream, decimalLen(uint64(max(e.Streams-1, 0)))+1)
}

// decimalLen is the number of decimal digits of v.
func decimalLen(v uint64) int {
	n := 1
	for ; v >= 10; v /= 10 {
		n++
	}
	return n
}

// relLen is len(appendRel(nil, d)).
func relLen(d time.Duration) int {
	return decimalLen(uint64(max(d.Microseconds(), 0)/1e6)) + 7
}

func newListCols() listCols { return listCols{frame: colFrame, time: colTime, stream: colStream} }

// info is the column where a line's info starts.
func (c listCols) info() int { return c.frame + c.time + c.stream + colDir + colType }

// minPreview is as short as the list squeezes a topic or payload to fit
// the terminal before it cuts the line instead.
const minPreview = 12

// headerLine appends the list's column header line, for the columns'
// widths cols, to b. It is the first line of the output (Text.write).
func (t *Text) headerLine(b []byte, cols listCols) []byte {
	var h []byte
	h = padLeft(h, "frame", cols.frame)
	h = padLeft(h, "time", cols.time)
	h = padLeft(h, "strm", cols.stream)
	h = append(h, "  dir  "...)
	h = append(h, "type"...)
	h = pad(h, 4, colType)
	h = append(h, "info"...)
	if t.st.header.on {
		b = append(b, t.st.header.Render(string(h))...)
	} else {
		b = append(b, h...)
	}
	return append(b, '\n')
}

// prefix writes the frame, time, stream and direction columns, widening a
// column for good when its value needs it. Plain output is appended without
// building strings (the packet list is the hot path of `read`); styled
// output renders each column.
func (t *Text) prefix(r *pipeline.Record) {
	t.grow(r.Extent)
	t.scratch = padUint(t.scratch[:0], r.Frame, t.cols.frame)
	t.putBytes(t.st.frame, t.scratch)
	t.scratch = t.scratch[:0]
	if r.Time.IsZero() {
		t.scratch = append(pad(t.scratch, 1, t.cols.time), '-')
	} else {
		t.num = appendRel(t.num[:0], r.Rel)
		t.scratch = append(pad(t.scratch, len(t.num), max(t.cols.time, len(t.num)+1)), t.num...)
	}
	t.putBytes(t.st.dim, t.scratch)
	if r.Conn == nil {
		t.b = append(pad(t.b, 1, t.cols.stream), '-')
	} else {
		stream := uint64(r.Conn.Stream)
		t.b = padUint(t.b, stream, max(t.cols.stream, decimalLen(stream)+1))
	}
	t.b = append(t.b, "  "...)
	switch {
	case r.Conn == nil:
		t.b = append(t.b, "   "...)
	case r.FromClient:
		t.put(t.st.client, "C→S")
	default:
		t.put(t.st.server, "S→C")
	}
	t.b = append(t.b, "  "...)
}

// padUint appends v right-aligned in width.
func padUint(b []byte, v uint64, width int) []byte {
	return strconv.AppendUint(pad(b, decimalLen(v), width), v, 10)
}

// appendRel appends seconds with 6 decimals.
func appendRel(b []byte, d time.Duration) []byte {
	us := max(d.Microseconds(), 0)
	sec, frac := uint64(us/1e6), uint64(us%1e6)
	b = strconv.AppendUint(b, sec, 10)
	var digits [7]byte
	digits[0] = '.'
	for i := 6; i > 0; i-- { // right to left: one constant division per digit
		digits[i] = byte('0' + frac%10)
		frac /= 10
	}
	return append(b, digits[:]...)
}

func relTime(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 6, 64)
}

// connLine introduces a connection before its first packet in the list,
// wrapped to the width.
func (t *Text) connLine(r *pipeline.Record) {
	if t.opts.Detail {
		return
	}
	c := r.Conn
	iface := ""
	if c.Interface != 0 {
		iface = " (capture interface " + strconv.Itoa(c.Interface) + ")"
	}
	t.b = append(t.b, "  "...)
	client, server := connAddrs(c, r.Info, "-")
	t.putWrapped(t.st.dim, "── stream "+strconv.Itoa(c.Stream)+": client "+client+
		" → server "+server+iface+transportNote(r.Info)+connNote(c), 2, 5)
	t.b = append(t.b, '\n')
}

func connNote(c *stream.Conn) string {
	switch c.Roles {
	case "port":
		return " (no TCP handshake captured: client and server told by the port)"
	case "connect":
		return " (MQTT found by its CONNECT on a non-MQTT port)"
	}
	return ""
}

// listIndent is where the lines that follow a list line start (OneNET's
// facts and notes that did not fit, problems, findings).
const listIndent = "        "

func (t *Text) listLine(r *pipeline.Record) {
	p := r.Packet
	next, note, noteLine := t.listMain(r)
	t.b = append(t.b, '\n')
	if noteLine {
		t.b = append(t.b, listIndent...)
		t.putWrapped(t.st.dim, note[1:], len(listIndent), len(listIndent))
		t.b = append(t.b, '\n')
	}
	if next != nil {
		t.b = append(t.b, next...)
		t.b = append(t.b, '\n')
	}
	t.problems(p, listIndent)
	t.onenetFindings(r.OneNET, listIndent)
	if t.opts.Hex {
		t.hexdump(r)
	}
}

// listMain writes a packet's line of the list, without its newline and the
// lines that follow it: the OneNET facts that did not fit (next) and the
// note (when noteLine).
func (t *Text) listMain(r *pipeline.Record) (next []byte, note string, noteLine bool) {
	p := r.Packet
	t.prefix(r)
	name := p.Type.String()
	t.put(t.st.typeStyle(p.Type), name)
	t.b = pad(t.b, len(name), colType)
	if p.VersionInferred && p.Version != decode.VersionUnknown && p.Type != decode.CONNECT && r.Info != nil && r.Info.Packets[0]+r.Info.Packets[1] == 1 {
		note = " (MQTT " + p.Version.String() + " assumed: no CONNECT seen)"
	}
	next, noteLine = t.listFacts(r, t.cols.info(), note)
	if note != "" && !noteLine {
		t.b = append(t.b, t.st.dim.Render(note)...)
	}
	if p.Truncated {
		t.b = append(t.b, t.st.warn.Render(" [incomplete]")...)
	}
	return next, note, noteLine
}

// listFacts appends a packet's facts, and OneNET's, fitted to the
// terminal when its width is known (the line's first used columns are
// taken; note, and " [incomplete]", follow): when they do not all fit on
// the line, OneNET's go to a line of their own, returned for the caller to
// write after the packet's line, and the note too (noteLine); then
// previews of topics and payloads shrink, and what still does not fit is
// cut with an ellipsis. Facts are plain text, so widths are measured
// without escape codes.
func (t *Text) listFacts(r *pipeline.Record, used int, note string) (next []byte, noteLine bool) {
	preview := t.opts.Preview
	start := len(t.b)
	t.b = facts(t.b, r.Packet, preview)
	start = min(start, len(t.b)) // facts trims the padding when it has nothing to say
	t.onenet = onenetFacts(t.onenet[:0], r.OneNET, preview)
	if t.opts.Width <= 0 {
		t.b = append(t.b, t.onenet...)
		return nil, false
	}
	tail := len(note)
	if r.Packet.Truncated {
		tail += len(" [incomplete]")
	}
	room := max(t.opts.Width-used, minPreview)
	w := textWidth(string(t.b[start:]))
	if w+textWidth(string(t.onenet))+tail <= room {
		t.b = append(t.b, t.onenet...)
		return nil, false
	}
	if len(t.onenet) > 0 {
		next = fitLine(append([]byte(listIndent), t.onenet[2:]...), t.opts.Width, len(listIndent), preview,
			func(b []byte, preview int) []byte { return append(b, onenetFacts(nil, r.OneNET, preview)[2:]...) })
		t.elided = t.elided || len(next) < len(listIndent)+len(t.onenet)-2
	}
	if w+tail > room && note != "" {
		noteLine = true
		tail -= len(note)
	}
	if w+tail > room {
		t.elided = true
		t.b = append(t.b[:start], fitLine(t.b[start:], room-tail, 0, preview,
			func(b []byte, preview int) []byte { return facts(b, r.Packet, preview) })...)
	}
	return next, noteLine
}

// fitLine shrinks text (rendered by render with a preview length) to width
// columns: first with shorter previews, then by cutting it. The first keep
// bytes of text are kept as they are.
func fitLine(text []byte, width, keep, preview int, render func(b []byte, preview int) []byte) []byte {
	over := textWidth(string(text)) - width
	if over <= 0 {
		return text
	}
	if preview > minPreview {
		text = render(append([]byte(nil), text[:keep]...), max(minPreview, preview-over))
	}
	if textWidth(string(text)) > width {
		text = []byte(ansi.Truncate(string(text), max(width, 1), "…"))
	}
	return text
}

func (t *Text) eventLine(r *pipeline.Record) {
	t.prefix(r)
	name := "[" + r.Event.Type + "]"
	t.put(t.st.event, name)
	t.b = pad(t.b, len(name), max(colType, len(name)+1))
	// A name longer than the type column ([ws_problem]) starts the
	// message that much further right.
	info := t.cols.info()
	t.putWrapped(t.st.plain, r.Event.Message, info+max(0, len(name)+1-colType), info)
	t.b = append(t.b, '\n')
}
