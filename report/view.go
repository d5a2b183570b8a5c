package report

import (
	"github.com/charmbracelet/x/ansi"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/pipeline"
)

// View renders read's views one piece at a time, for programs that lay
// them out themselves (the terminal UI of `mqttpcap ui`): one line of the
// packet list, the header, one field and the notes of the field tree, the
// annotated hexdump. It is the code read prints with, so both show the
// same lines. A View is not safe for concurrent use; what it returns is
// appended to the caller's slice.
type View struct {
	t *Text
}

// ViewOptions lay out a View.
type ViewOptions struct {
	Styled bool
	// Width is the width to fit lines to (0: no limit), as --width does.
	Width  int
	Redact bool
}

// NewView returns a View.
func NewView(o ViewOptions) *View {
	return &View{t: NewText(nil, TextOptions{Styled: o.Styled, Width: o.Width, Redact: o.Redact})}
}

// render runs fn on the View's Text with b as its buffer.
func (v *View) render(b []byte, fn func(t *Text)) []byte {
	t := v.t
	t.b = b
	fn(t)
	b = t.b
	t.b = nil
	return b
}

// ListHeader appends the packet list's column header (no newline), laid
// out for a capture of extent e.
func (v *View) ListHeader(b []byte, e pipeline.Extent) []byte {
	v.t.cols = newListCols()
	v.t.grow(e)
	b = v.t.headerLine(b, v.t.cols)
	return b[:len(b)-1]
}

// ListLine appends the line read prints for a packet or an event (no
// newline), with the columns laid out for r.Extent (the whole capture's,
// so that every line of a view lines up), fitted to the width. What read
// prints on the lines after it (problems, OneNET findings, OneNET facts
// that did not fit) is left out: the field tree's notes show it.
func (v *View) ListLine(b []byte, r *pipeline.Record) []byte {
	return v.render(b, func(t *Text) {
		t.cols = newListCols()
		switch r.Kind {
		case pipeline.KindPacket:
			t.listMain(r)
		case pipeline.KindEvent:
			// One line: the message is cut to the width, not wrapped.
			start, width := len(t.b), t.opts.Width
			t.opts.Width = 0
			t.eventLine(r)
			t.opts.Width = width
			t.b = t.b[:len(t.b)-1]
			if line := string(t.b[start:]); width > 0 && textWidth(line) > width {
				t.b = append(t.b[:start], ansi.Truncate(line, width, "…")...)
			}
		}
	})
}

// DetailHeader appends the two lines above a packet's field tree, each
// ending in a newline.
func (v *View) DetailHeader(b []byte, r *pipeline.Record) []byte {
	return v.render(b, func(t *Text) { t.detailHeader(r) })
}

// FieldLine appends the tree line of p.Fields[i], its byte range first,
// ending in a newline (a value too long for the width wraps onto more
// lines).
func (v *View) FieldLine(b []byte, p *decode.Packet, i int) []byte {
	return v.render(b, func(t *Text) { t.fieldLine(p, p.Fields[i], rangeColumn(p)) })
}

// DetailNotes appends what -V prints under the tree: OneNET's reading of
// the packet, its problems and OneNET's findings.
func (v *View) DetailNotes(b []byte, r *pipeline.Record) []byte {
	return v.render(b, func(t *Text) { t.detailNotes(r) })
}

// Hexdump appends the packet's annotated hexdump, every row of it, with
// the bytes of highlight in reverse video.
func (v *View) Hexdump(b []byte, r *pipeline.Record, highlight decode.Span) []byte {
	o := v.t.opts
	return Hexdump(b, r.Packet, r.OneNET, HexdumpOptions{Styled: o.Styled, Width: o.Width, Redact: o.Redact, Whole: true, Highlight: highlight})
}

// FieldAt returns the index in p.Fields of the field that owns byte off in
// the hexdump (the one its letter names: the deepest field over it), or -1
// for bytes no field accounts for.
func FieldAt(p *decode.Packet, off int) int {
	if off < 0 || off >= len(p.Raw) {
		return -1
	}
	lay := layoutOf(p)
	e := lay.entries[lay.owner[off]]
	if len(e.fields) == 0 {
		return -1
	}
	// The entry's deepest field is the one the byte belongs to.
	best := e.fields[0]
	for _, i := range e.fields {
		if p.Fields[i].Depth > p.Fields[best].Depth {
			best = i
		}
	}
	return best
}
