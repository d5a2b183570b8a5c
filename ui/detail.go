package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/report"
)

// detail is the selected row's field tree and hexdump, linked: the
// selected field's bytes are highlighted in the hexdump, and the byte
// under the hexdump's cursor selects the field that owns it.
type detail struct {
	idx  int // the entry shown, -1 for none
	row  *Row
	err  error
	tree []string
	// fieldLine is the tree line of each field; field the selected one
	// (-1: none).
	fieldLine []int
	field     int
	hexOff    int // the hexdump's cursor, a byte offset in the packet
	treeTop   int
	hexTop    int
	hex       []string
	hexFor    [2]int // the entry and field the hexdump was laid out for
	view      *report.View
}

// loadDetail shows entry idx in the tree and the hexdump: its record is
// rebuilt from the spill, its packet decoded again with every field.
func (m *model) loadDetail(idx int) {
	d := &m.det
	*d = detail{idx: idx, field: -1, hexFor: [2]int{-1, -1}}
	if idx < 0 {
		return
	}
	d.view = report.NewView(report.ViewOptions{Styled: m.styled, Width: m.w - 1})
	r, err := m.ldDetail.row(idx, false)
	if err != nil {
		d.err = err
		return
	}
	d.row = r
	var b []byte
	if r.Kind == pipeline.KindEvent {
		b = m.lv.ListLine(b, &r.Record)
		b = append(b, '\n')
		if r.Event.Message != "" {
			b = append(b, "  "...)
			b = append(b, r.Event.Message...)
			b = append(b, '\n')
		}
		d.tree = splitLines(string(b))
		return
	}
	p := r.Packet
	b = d.view.DetailHeader(b, &r.Record)
	d.tree = splitLines(string(b))
	d.fieldLine = make([]int, len(p.Fields))
	for i := range p.Fields {
		d.fieldLine[i] = len(d.tree)
		d.tree = append(d.tree, splitLines(string(d.view.FieldLine(nil, p, i)))...)
	}
	d.tree = append(d.tree, splitLines(string(d.view.DetailNotes(nil, &r.Record)))...)
	if len(p.Fields) > 0 {
		d.field = 0
		// Start on the first field under the fixed header: the one a user
		// looks at first (the client id, the topic...).
		for i, f := range p.Fields {
			if f.Depth == 0 && f.Kind != decode.KindGroup {
				d.field = i
				break
			}
		}
		d.hexOff = p.Fields[d.field].Span.Off
	}
}

func splitLines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// fieldMove selects the field d fields on.
func (m *model) fieldMove(d int) {
	det := &m.det
	if det.row == nil || det.row.Packet == nil || len(det.fieldLine) == 0 {
		return
	}
	det.field = max(0, min(det.field+d, len(det.fieldLine)-1))
	det.hexOff = det.row.Packet.Fields[det.field].Span.Off
	_, th, _ := m.heights()
	det.treeTop = keepVisible(det.treeTop, det.fieldLine[det.field], th, len(det.tree))
}

// hexMove moves the hexdump's cursor by d bytes and selects the field of
// the byte under it.
func (m *model) hexMove(d int) {
	det := &m.det
	if det.row == nil || det.row.Packet == nil || len(det.row.Packet.Raw) == 0 {
		return
	}
	p := det.row.Packet
	det.hexOff = max(0, min(det.hexOff+d, len(p.Raw)-1))
	if f := report.FieldAt(p, det.hexOff); f >= 0 {
		det.field = f
		_, th, _ := m.heights()
		det.treeTop = keepVisible(det.treeTop, det.fieldLine[f], th, len(det.tree))
	}
}

// keepVisible returns the top line that keeps line visible in a pane of h
// lines showing n.
func keepVisible(top, line, h, n int) int {
	if h <= 0 {
		return top
	}
	if line < top {
		top = line
	}
	if line >= top+h {
		top = line - h + 1
	}
	return max(0, min(top, n-h))
}

// highlight is the byte range the hexdump highlights: the selected field's.
func (d *detail) highlight() decode.Span {
	if d.row == nil || d.row.Packet == nil || d.field < 0 {
		return decode.Span{}
	}
	s := d.row.Packet.Fields[d.field].Span
	if s.Len == 0 {
		s.Len = 1
	}
	return s
}

// hexLines lays the hexdump out (again when the selection changed).
func (m *model) hexLines() []string {
	d := &m.det
	if d.row == nil || d.row.Packet == nil {
		return nil
	}
	if d.hexFor != [2]int{d.idx, d.field} || d.hex == nil {
		d.hex = splitLines(string(d.view.Hexdump(nil, &d.row.Record, d.highlight())))
		d.hexFor = [2]int{d.idx, d.field}
	}
	return d.hex
}

// treeView renders the tree pane.
func (m *model) treeView(h int) []string {
	d := &m.det
	switch {
	case d.err != nil:
		return []string{m.st.err.Render("cannot read this record back: " + d.err.Error())}
	case d.row == nil:
		return []string{m.st.dim.Render("  (no packet selected)")}
	}
	sel := -1
	if d.field >= 0 && d.field < len(d.fieldLine) {
		sel = d.fieldLine[d.field]
	}
	if sel >= 0 {
		d.treeTop = keepVisible(d.treeTop, sel, h, len(d.tree))
	}
	d.treeTop = max(0, min(d.treeTop, len(d.tree)-h))
	var out []string
	for i := d.treeTop; i < len(d.tree) && len(out) < h; i++ {
		line := d.tree[i]
		if i == sel {
			line = m.selected(line, m.focus == paneTree)
		}
		out = append(out, line)
	}
	return out
}

// hexView renders the hexdump pane, scrolled to the highlighted bytes.
func (m *model) hexView(h int) []string {
	lines := m.hexLines()
	if len(lines) == 0 {
		return nil
	}
	d := &m.det
	// Each row of 16 bytes is two lines (bytes, letters).
	cur := 2 * (d.hexOff / 16)
	if d.field >= 0 {
		cur = 2 * (d.highlight().Off / 16)
		if m.focus == paneHex {
			cur = 2 * (d.hexOff / 16)
		}
	}
	d.hexTop = keepVisible(d.hexTop, cur, h, len(lines))
	var out []string
	for i := d.hexTop; i < len(lines) && len(out) < h; i++ {
		line := lines[i]
		if m.focus == paneHex && i == 2*(d.hexOff/16)+1 {
			line = m.hexCursor(line, d.hexOff%16)
		}
		out = append(out, line)
	}
	return out
}

// hexCursor marks the byte under the cursor on its letter line.
func (m *model) hexCursor(line string, col int) string {
	plain := []rune(ansi.Strip(line))
	at := 8 + 3*col
	if col >= 8 {
		at++
	}
	for len(plain) <= at+1 {
		plain = append(plain, ' ')
	}
	plain[at], plain[at+1] = '^', '^'
	return string(plain)
}

// hexByteAt is the byte of the hexdump line at column x (a click), or -1.
func hexByteAt(line, x int) int {
	if line%2 != 0 || x < 8 {
		return -1
	}
	c := x - 8
	if c >= 24 {
		c-- // the gap in the middle of the row
	}
	col := c / 3
	if col < 0 || col >= 16 {
		return -1
	}
	return line/2*16 + col
}
