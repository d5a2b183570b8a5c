package report

import (
	"bufio"
	"io"
	"strconv"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/stream"
)

// TextOptions configure the human-readable output.
type TextOptions struct {
	// Styled colours the output with lipgloss (stdout is a terminal and
	// colour is not disabled). The layout is the same either way.
	Styled bool
	// Detail prints every field with its byte range (-V), then the
	// packet's annotated hexdump.
	Detail bool
	// Hex prints each packet's annotated hexdump under its list line
	// (--hex).
	Hex bool
	// Preview is how many characters of topics and payloads the packet list
	// shows (0: 60).
	Preview int
	// Header prints a column header before the first line.
	Header bool
	// FlushEach flushes after every record (live capture).
	FlushEach bool
	// Redact masks passwords and token signatures.
	Redact bool
	// Summary prints the per-connection summary table at the end.
	Summary bool
	// Width is the terminal width (0: no limit). Packet lines are fitted
	// to it by eliding topics and payloads; Full turns that off.
	Width int
	// Full shows topics, payloads and tokens whole, in the list and in the
	// field tree, instead of eliding them.
	Full bool
	// Filter, when set, chooses the packets and events shown (-Y); the
	// summary still counts everything.
	Filter func(*pipeline.Record) bool
}

// Text writes the packet list (one line per MQTT packet) or, with Detail,
// the field tree of every packet.
type Text struct {
	opts    TextOptions
	w       *bufio.Writer
	st      styles
	b       []byte
	scratch []byte
	onenet  []byte
	elided  bool // a value was elided to fit the width: say how to see it whole
	seen    map[*stream.Conn]bool
	collect *Collector
	header  bool // the column header was written
	// direct, in a shard, is the worker's buffer each record is written
	// to (see NewShard).
	direct io.Writer
}

// NewText returns a text writer on w.
func NewText(w io.Writer, opts TextOptions) *Text {
	switch {
	case opts.Full:
		opts.Preview, opts.Width = -1, 0
	case opts.Preview == 0:
		opts.Preview = 60
	}
	t := &Text{opts: opts, w: bufio.NewWriterSize(w, 64<<10), st: newStyles(opts.Styled), seen: make(map[*stream.Conn]bool)}
	if opts.Summary {
		t.collect = NewCollector()
	}
	return t
}

// Flush writes the summary (when asked) and what is buffered.
func (t *Text) Flush() error {
	if t.elided {
		t.b = t.b[:0]
		t.putWrapped(t.st.dim, "(long values were elided to fit "+strconv.Itoa(t.opts.Width)+" columns: --full shows them whole, -V --hex shows every byte)", 0, 1)
		t.w.Write(append(t.b, '\n'))
		t.elided = false
	}
	if t.collect != nil {
		t.w.Write(SummaryTable(nil, t.collect, t.opts.Styled, t.opts.Width))
		t.collect = NewCollector()
	}
	return t.w.Flush()
}

// Record implements pipeline.Sink.
func (t *Text) Record(r *pipeline.Record) error {
	t.b = t.b[:0]
	if t.collect != nil {
		t.collect.Observe(r)
	}
	if t.opts.Filter != nil && r.Kind != pipeline.KindConnDone && !t.opts.Filter(r) {
		return nil
	}
	switch r.Kind {
	case pipeline.KindPacket:
		if r.Conn != nil && !t.seen[r.Conn] {
			t.seen[r.Conn] = true
			t.connLine(r)
		}
		if t.opts.Detail {
			t.detail(r)
		} else {
			t.listLine(r)
		}
	case pipeline.KindEvent:
		t.eventLine(r)
	case pipeline.KindConnDone:
		delete(t.seen, r.Conn)
		t.verdictBlock(r)
	}
	return t.write(t.b)
}

// write writes a record's output, after the column header when it is the
// first output. A shard writes straight to its worker's buffer.
func (t *Text) write(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	if t.opts.Header && !t.header && !t.opts.Detail {
		t.header = true
		if _, err := t.w.Write(t.headerLine(nil)); err != nil {
			return err
		}
	}
	if t.direct != nil {
		_, err := t.direct.Write(b)
		return err
	}
	if _, err := t.w.Write(b); err != nil {
		return err
	}
	if t.opts.FlushEach {
		return t.w.Flush()
	}
	return nil
}

const (
	colFrame  = 6
	colTime   = 11
	colStream = 4
	colType   = 12
	// listInfoColumn is where a list line's info starts, after the
	// frame, time, stream, direction and type columns.
	listInfoColumn = colFrame + colTime + colStream + 2 + 3 + 2 + colType
)

// minPreview is as short as the list squeezes a topic or payload to fit
// the terminal before it cuts the line instead.
const minPreview = 12

// listFacts appends a packet's facts, and OneNET's, fitted to the
// terminal when its width is known (the line's first used columns are
// taken): when both do not fit on the line, OneNET's go to a line of their
// own, returned for the caller to write after the packet's line; then
// previews of topics and payloads shrink, and what still does not fit is
// cut with an ellipsis. Facts are plain text, so widths are measured
// without escape codes.
func (t *Text) listFacts(r *pipeline.Record, used int) (next []byte) {
	preview := t.opts.Preview
	start := len(t.b)
	t.b = facts(t.b, r.Packet, preview)
	start = min(start, len(t.b)) // facts trims the padding when it has nothing to say
	t.onenet = onenetFacts(t.onenet[:0], r.OneNET, preview)
	if t.opts.Width <= 0 {
		t.b = append(t.b, t.onenet...)
		return nil
	}
	room := max(t.opts.Width-used, minPreview)
	w := ansi.StringWidth(string(t.b[start:]))
	if w+ansi.StringWidth(string(t.onenet)) <= room {
		t.b = append(t.b, t.onenet...)
		return nil
	}
	if len(t.onenet) > 0 {
		const indent = "        "
		next = fitLine(append([]byte(indent), t.onenet[2:]...), t.opts.Width, len(indent), preview,
			func(b []byte, preview int) []byte { return append(b, onenetFacts(nil, r.OneNET, preview)[2:]...) })
		t.elided = t.elided || len(next) < len(indent)+len(t.onenet)-2
	}
	if w > room {
		t.elided = true
		t.b = append(t.b[:start], fitLine(t.b[start:], room, 0, preview,
			func(b []byte, preview int) []byte { return facts(b, r.Packet, preview) })...)
	}
	return next
}

// fitLine shrinks text (rendered by render with a preview length) to width
// columns: first with shorter previews, then by cutting it. The first keep
// bytes of text are kept as they are.
func fitLine(text []byte, width, keep, preview int, render func(b []byte, preview int) []byte) []byte {
	over := ansi.StringWidth(string(text)) - width
	if over <= 0 {
		return text
	}
	if preview > minPreview {
		text = render(append([]byte(nil), text[:keep]...), max(minPreview, preview-over))
	}
	if ansi.StringWidth(string(text)) > width {
		text = []byte(ansi.Truncate(string(text), width, "…"))
	}
	return text
}

// headerLine appends the list's column header line to b.
func (t *Text) headerLine(b []byte) []byte {
	var h []byte
	h = padLeft(h, "frame", colFrame)
	h = padLeft(h, "time", colTime)
	h = padLeft(h, "strm", colStream)
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

// prefix writes the frame, time, stream and direction columns. Plain
// output is appended without building strings (the packet list is the hot
// path of `read`); styled output renders each column.
func (t *Text) prefix(r *pipeline.Record) {
	t.scratch = padUint(t.scratch[:0], r.Frame, colFrame)
	t.putBytes(t.st.frame, t.scratch)
	t.scratch = t.scratch[:0]
	if r.Time.IsZero() {
		t.scratch = append(pad(t.scratch, 1, colTime), '-')
	} else {
		t.scratch = padRel(t.scratch, r.Rel, colTime)
	}
	t.putBytes(t.st.dim, t.scratch)
	if r.Conn == nil {
		t.b = append(pad(t.b, 1, colStream), '-')
	} else {
		t.b = padUint(t.b, uint64(r.Conn.Stream), colStream)
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

// put appends s in style st.
func (t *Text) put(st style, s string) {
	if st.on {
		t.b = append(t.b, st.Render(s)...)
		return
	}
	t.b = append(t.b, s...)
}

// putBytes appends b in style st.
func (t *Text) putBytes(st style, b []byte) {
	if st.on {
		t.b = append(t.b, st.Render(string(b))...)
		return
	}
	t.b = append(t.b, b...)
}

// padUint appends v right-aligned in width.
func padUint(b []byte, v uint64, width int) []byte {
	n := 1
	for x := v; x >= 10; x /= 10 {
		n++
	}
	return strconv.AppendUint(pad(b, n, width), v, 10)
}

// padRel appends seconds with 6 decimals right-aligned in width.
func padRel(b []byte, d time.Duration, width int) []byte {
	us := d.Microseconds()
	if us < 0 {
		us = 0
	}
	sec, frac := uint64(us/1e6), uint64(us%1e6)
	n := 1 + 7
	for x := sec; x >= 10; x /= 10 {
		n++
	}
	b = strconv.AppendUint(pad(b, n, width), sec, 10)
	b = append(b, '.')
	for div := uint64(100000); div > 0; div /= 10 {
		b = append(b, byte('0'+frac/div%10))
	}
	return b
}

func relTime(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 6, 64)
}

func (t *Text) connLine(r *pipeline.Record) {
	if t.opts.Detail {
		return
	}
	c := r.Conn
	iface := ""
	if c.Interface != 0 {
		iface = " (capture interface " + strconv.Itoa(c.Interface) + ")"
	}
	client, server := connAddrs(c, r.Info, "-")
	t.b = append(t.b, t.st.dim.Render("  ── stream "+strconv.Itoa(c.Stream)+": client "+client+
		" → server "+server+iface+connNote(c))...)
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

func (t *Text) listLine(r *pipeline.Record) {
	p := r.Packet
	t.prefix(r)
	name := p.Type.String()
	t.put(t.st.typeStyle(p.Type), name)
	t.b = pad(t.b, len(name), colType)
	next := t.listFacts(r, listInfoColumn)
	if p.VersionInferred && p.Version != decode.VersionUnknown && p.Type != decode.CONNECT && r.Info != nil && r.Info.Packets[0]+r.Info.Packets[1] == 1 {
		t.b = append(t.b, t.st.dim.Render(" (MQTT "+p.Version.String()+" assumed: no CONNECT seen)")...)
	}
	if p.Truncated {
		t.b = append(t.b, t.st.warn.Render(" [incomplete]")...)
	}
	t.b = append(t.b, '\n')
	if next != nil {
		t.b = append(t.b, next...)
		t.b = append(t.b, '\n')
	}
	t.problems(p, "        ")
	t.onenetFindings(r.OneNET, "        ")
	if t.opts.Hex {
		t.hexdump(r)
	}
}

// hexdump appends the packet's annotated hexdump and a blank line.
func (t *Text) hexdump(r *pipeline.Record) {
	t.b = Hexdump(t.b, r.Packet, r.OneNET, HexdumpOptions{Styled: t.opts.Styled, Width: t.opts.Width, Redact: t.opts.Redact})
	t.b = append(t.b, '\n')
}

func (t *Text) problems(p *decode.Packet, indent string) {
	for _, pr := range p.Problems {
		t.b = append(t.b, indent...)
		line := "! 0x" + hex4(pr.Off) + " "
		if pr.Field != "" {
			line += pr.Field + ": "
		}
		line += pr.Message
		style := t.st.problem
		if pr.Code == "truncated" || pr.Code == "snaplen" {
			style = t.st.warn
		}
		t.putWrapped(style, line, len(indent), len(indent)+2)
		t.b = append(t.b, '\n')
	}
}

func hex4(off int) string {
	s := strconv.FormatInt(int64(off), 16)
	for len(s) < 2 {
		s = "0" + s
	}
	return s
}

func (t *Text) eventLine(r *pipeline.Record) {
	t.prefix(r)
	name := "[" + r.Event.Type + "]"
	t.put(t.st.event, name)
	t.b = pad(t.b, len(name), colType)
	t.putWrapped(t.st.plain, r.Event.Message, listInfoColumn, listInfoColumn)
	t.b = append(t.b, '\n')
}

func pad(b []byte, n, width int) []byte {
	for ; n < width; n++ {
		b = append(b, ' ')
	}
	return b
}

func padLeft(b []byte, s string, width int) []byte {
	for i := len(s); i < width; i++ {
		b = append(b, ' ')
	}
	return append(b, s...)
}
