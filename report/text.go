package report

import (
	"bufio"
	"io"
	"strconv"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/stream"
)

// TextOptions configure the human-readable output.
type TextOptions struct {
	// Styled colours the output with lipgloss (stdout is a terminal and
	// colour is not disabled). The layout is the same either way.
	Styled bool
	// Detail prints every field with its byte range (-V).
	Detail bool
	// Preview is how many characters of topics and payloads the packet list
	// shows (0: 60).
	Preview int
	// Header prints a column header before the first line.
	Header bool
	// FlushEach flushes after every record (live capture).
	FlushEach bool
}

// Text writes the packet list (one line per MQTT packet) or, with Detail,
// the field tree of every packet.
type Text struct {
	opts   TextOptions
	w      *bufio.Writer
	st     styles
	b      []byte
	seen   map[*stream.Conn]bool
	header bool
}

// NewText returns a text writer on w.
func NewText(w io.Writer, opts TextOptions) *Text {
	if opts.Preview == 0 {
		opts.Preview = 60
	}
	return &Text{opts: opts, w: bufio.NewWriterSize(w, 64<<10), st: newStyles(opts.Styled), seen: make(map[*stream.Conn]bool)}
}

// Flush writes out what is buffered.
func (t *Text) Flush() error { return t.w.Flush() }

// Record implements pipeline.Sink.
func (t *Text) Record(r *pipeline.Record) error {
	t.b = t.b[:0]
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
		return nil
	}
	if _, err := t.w.Write(t.b); err != nil {
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
)

func (t *Text) headerLine() {
	if !t.opts.Header || t.header || t.opts.Detail {
		return
	}
	t.header = true
	var h []byte
	h = padLeft(h, "frame", colFrame)
	h = padLeft(h, "time", colTime)
	h = padLeft(h, "strm", colStream)
	h = append(h, "  dir  "...)
	h = append(h, "type"...)
	h = pad(h, 4, colType)
	h = append(h, "info"...)
	t.b = append(t.b, t.st.header.Render(string(h))...)
	t.b = append(t.b, '\n')
}

// prefix writes the frame, time, stream and direction columns.
func (t *Text) prefix(r *pipeline.Record) {
	t.headerLine()
	var col []byte
	col = padLeft(col, strconv.FormatUint(r.Frame, 10), colFrame)
	t.b = append(t.b, t.st.frame.Render(string(col))...)
	rel := "-"
	if !r.Time.IsZero() {
		rel = relTime(r.Rel)
	}
	col = padLeft(col[:0], rel, colTime)
	t.b = append(t.b, t.st.dim.Render(string(col))...)
	stream := "-"
	if r.Conn != nil {
		stream = strconv.Itoa(r.Conn.Stream)
	}
	col = padLeft(col[:0], stream, colStream)
	t.b = append(t.b, col...)
	t.b = append(t.b, "  "...)
	switch {
	case r.Conn == nil:
		t.b = append(t.b, "   "...)
	case r.FromClient:
		t.b = append(t.b, t.st.client.Render("C→S")...)
	default:
		t.b = append(t.b, t.st.server.Render("S→C")...)
	}
	t.b = append(t.b, "  "...)
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
	t.b = append(t.b, t.st.dim.Render("  ── stream "+strconv.Itoa(c.Stream)+": client "+c.Client.String()+
		" → server "+c.Server.String()+iface+connNote(c))...)
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
	start := len(t.b)
	t.b = append(t.b, t.st.typeStyle(p.Type).Render(name)...)
	t.b = pad(t.b, len(name), colType)
	_ = start
	t.b = facts(t.b, p, t.opts.Preview)
	if p.VersionInferred && p.Version != decode.VersionUnknown && p.Type != decode.CONNECT && r.Info != nil && r.Info.Packets[0]+r.Info.Packets[1] == 1 {
		t.b = append(t.b, t.st.dim.Render(" (MQTT "+p.Version.String()+" assumed: no CONNECT seen)")...)
	}
	if p.Truncated {
		t.b = append(t.b, t.st.warn.Render(" [incomplete]")...)
	}
	t.b = append(t.b, '\n')
	t.problems(p, "        ")
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
		t.b = append(t.b, style.Render(line)...)
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
	t.b = append(t.b, t.st.event.Render(name)...)
	t.b = pad(t.b, len(name), colType)
	t.b = append(t.b, r.Event.Message...)
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
