package report

import (
	"bufio"
	"io"
	"strconv"

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
	// shows before fitting the line to Width (0: all of them when Width is
	// 0, else up to Width). Output is shortened only to fit a width.
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
	// Filter, when set, chooses the records shown (-Y): packets, events,
	// and connections (their OneNET verdict, their summary row), by one
	// rule. A connection's row counts all its packets.
	Filter func(*pipeline.Record) bool
	// Files marks, for a capture merged from several files, where the
	// records' frames start coming from another file (Record.File). It
	// depends on the record before: a Text with Files must not be split
	// across workers (give the pipeline a sink that is no Sharder).
	Files bool
}

// Text writes the packet list (one line per MQTT packet) or, with Detail,
// the field tree of every packet.
type Text struct {
	opts    TextOptions
	w       *bufio.Writer
	st      styles
	b       []byte
	scratch []byte
	num     []byte
	onenet  []byte
	elided  bool // a value was elided to fit the width: say how to see it whole
	seen    map[*stream.Conn]bool
	collect *Collector
	header  bool   // the column header was written
	file    string // with Files: the file of the last record shown
	cols    listCols
	// direct, in a shard, is the worker's buffer each record is written
	// to (see NewShard).
	direct io.Writer
}

// NewText returns a text writer on w.
func NewText(w io.Writer, opts TextOptions) *Text {
	switch {
	case opts.Full:
		opts.Preview, opts.Width = -1, 0
	case opts.Preview != 0:
	case opts.Width > 0:
		opts.Preview = opts.Width // no value is longer than the line; listFacts fits it
	default:
		opts.Preview = -1 // no width: nothing is shortened
	}
	t := &Text{opts: opts, w: bufio.NewWriterSize(w, 64<<10), st: newStyles(opts.Styled), seen: make(map[*stream.Conn]bool), cols: newListCols()}
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
		t.w.Write(SummaryTable(nil, t.collect, TableOptions{Styled: t.opts.Styled, Width: t.opts.Width, Full: t.opts.Full}))
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
	if t.opts.Filter != nil && !t.opts.Filter(r) {
		if r.Kind == pipeline.KindConnDone {
			// The filter chooses the connections the summary lists as it
			// chooses packets: by their "connection" record.
			delete(t.seen, r.Conn)
			if t.collect != nil {
				t.collect.Done[len(t.collect.Done)-1].Hidden = true
			}
		}
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
	if t.opts.Files && len(t.b) > 0 && r.File != "" && r.File != t.file {
		t.file = r.File
		t.b = t.fileLine(t.b, r)
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
		if _, err := t.w.Write(t.headerLine(nil, newListCols())); err != nil {
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

// hexdump appends the packet's annotated hexdump and a blank line.
func (t *Text) hexdump(r *pipeline.Record) {
	t.b = Hexdump(t.b, r.Packet, r.OneNET, HexdumpOptions{Styled: t.opts.Styled, Width: t.opts.Width, Redact: t.opts.Redact,
		Whole: t.opts.Width <= 0})
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
