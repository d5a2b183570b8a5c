package report

import (
	"strconv"
	"unicode/utf8"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/pipeline"
)

// detailPreview bounds how much of a long value (a payload) a view renders
// before fitting it to a width (the hexdump legend's start).
const detailPreview = 256

// rangeWidth is the width of the tree's byte-range column ("0x22-0x9a"),
// widened for a packet whose ranges need it (over 0xfff bytes) so that a
// range never touches the field's name.
const rangeWidth = 12

// valueColumn is where field values start in the tree.
const valueColumn = 2 + rangeWidth + nameWidth + 1

// valuePreview is how many characters of a string value the tree shows:
// all without a width (piped) or with Full, else what fits the width on
// one line.
func (t *Text) valuePreview() int {
	if t.opts.Width > 0 {
		return max(minPreview, t.opts.Width-valueColumn-2)
	}
	return -1
}

// detail writes a packet's header line and its field tree, each field with
// its byte range in the packet.
func (t *Text) detail(r *pipeline.Record) {
	p := r.Packet
	t.detailHeader(r)
	rw := rangeColumn(p)
	for _, f := range p.Fields {
		t.fieldLine(p, f, rw)
	}
	t.detailNotes(r)
	t.b = append(t.b, '\n')
	t.hexdump(r)
}

// detailHeader writes the two lines above a packet's field tree: where it
// was captured, then its type, size and version.
func (t *Text) detailHeader(r *pipeline.Record) {
	p := r.Packet
	c := r.Conn
	dir := "client → server"
	src, dst := connAddrs(c, r.Info, "-")
	if !r.FromClient {
		dir, src, dst = "server → client", dst, src
	}
	t.putParts(t.st.dim, []string{"frame " + strconv.FormatUint(r.Frame, 10), relTime(r.Rel) + "s",
		r.Time.UTC().Format("2006-01-02 15:04:05.000000 UTC"), "stream " + strconv.Itoa(c.Stream),
		src + " → " + dst, dir}, "  ", 2)
	t.b = append(t.b, '\n')
	t.b = append(t.b, t.st.typeStyle(p.Type).Render(p.Type.String())...)
	t.b = append(t.b, ", "...)
	t.b = strconv.AppendInt(t.b, int64(len(p.Raw)), 10)
	t.b = append(t.b, " bytes"...)
	if p.Version != decode.VersionUnknown {
		t.b = append(t.b, ", MQTT "...)
		t.b = append(t.b, p.Version.String()...)
		if p.VersionInferred {
			t.b = append(t.b, " (no CONNECT seen: inferred)"...)
		}
	}
	if n := transportName(r.Info); n != "" {
		t.b = append(t.b, ", over "...)
		t.b = append(t.b, n...)
	}
	if p.Truncated {
		t.b = append(t.b, t.st.warn.Render(", incomplete")...)
	}
	t.b = append(t.b, '\n')
}

// rangeColumn is the width of the tree's byte-range column for p.
func rangeColumn(p *decode.Packet) int {
	rw := rangeWidth
	for _, f := range p.Fields {
		rw = max(rw, len(spanText(f.Span))+1)
	}
	return rw
}

// detailNotes writes what follows the field tree: OneNET's reading of the
// packet, its problems and OneNET's findings.
func (t *Text) detailNotes(r *pipeline.Record) {
	p := r.Packet
	if r.OneNET != nil {
		facts := string(onenetFacts(nil, r.OneNET, t.valuePreview()))
		t.b = append(t.b, "   "...)
		t.putWrapped(t.st.plain, facts[2:], 3, 5)
		t.b = append(t.b, '\n')
	}
	t.problems(p, "  ")
	t.onenetFindings(r.OneNET, "  ")
}

const nameWidth = 30

// fieldLine writes one field of the tree: its byte range in a column rw
// wide, its name indented by depth, its value fitted to the width.
func (t *Text) fieldLine(p *decode.Packet, f decode.Field, rw int) {
	t.b = append(t.b, "  "...)
	rng := spanText(f.Span)
	t.b = append(t.b, t.st.dim.Render(rng)...)
	t.b = pad(t.b, len(rng), rw)
	indent := 2 * f.Depth
	t.b = pad(t.b, 0, indent)
	if f.Kind == decode.KindGroup {
		t.b = append(t.b, t.st.group.Render(f.Name)...)
		t.b = append(t.b, '\n')
		return
	}
	t.b = append(t.b, t.st.field.Render(f.Name)...)
	t.b = pad(t.b, indent+len(f.Name), nameWidth)
	t.b = append(t.b, ' ')
	// (col is where the value starts: after the range column, the name
	// padded to nameWidth and a space.)
	col := max(valueColumn+rw-rangeWidth, 2+rw+indent+len(f.Name)+1)
	var v []byte
	switch {
	case t.opts.Redact && (f.Name == "password" || f.Name == "authentication_data"):
		v = append(v, `"********" (`...)
		v = strconv.AppendInt(v, int64(len(f.Data)), 10)
		v = append(v, " bytes, redacted)"...)
	default:
		v = fieldValue(v, p, f, t.valuePreview())
		if w := t.opts.Width; w > 0 && col+textWidth(string(v)) > w {
			// A string shrinks to fit; what is still too long (a reason
			// code's name) wraps under the value column.
			switch f.Kind {
			case decode.KindString, decode.KindBinary, decode.KindPair:
				v = fitLine(v, w-col, 0, t.valuePreview(), func(b []byte, preview int) []byte { return fieldValue(b, p, f, preview) })
			}
		}
	}
	hang := col
	if t.opts.Width > 0 && t.opts.Width-col < minWrap {
		hang = 4
	}
	t.putWrapped(t.st.plain, string(v), col, hang)
	t.b = append(t.b, '\n')
}

// putParts writes parts separated by sep, starting a new line (indented by
// hang) before a part that would go past the width: a header that fits a
// wide terminal on one line, and a narrow one on two.
func (t *Text) putParts(st style, parts []string, sep string, hang int) {
	col := 0
	var line string
	flush := func() {
		t.put(st, line)
		line = ""
	}
	for i, p := range parts {
		w := textWidth(p)
		switch {
		case i == 0:
		case t.opts.Width > 0 && col+len(sep)+w > t.opts.Width:
			flush()
			t.b = append(t.b, '\n')
			t.b = pad(t.b, 0, hang)
			col = hang
		default:
			line += sep
			col += len(sep)
		}
		line += p
		col += w
	}
	flush()
}

// spanText is "0x03-0x08", or "0x0a" for one byte.
func spanText(s decode.Span) string {
	if s.Len <= 1 {
		return "0x" + hex4(s.Off)
	}
	return "0x" + hex4(s.Off) + "-0x" + hex4(s.Off+s.Len-1)
}

// fieldValue renders a field's value with what it means.
// Strings are cut to preview characters (no limit when preview < 0).
func fieldValue(b []byte, p *decode.Packet, f decode.Field, preview int) []byte {
	switch f.Kind {
	case decode.KindUint:
		b = strconv.AppendUint(b, f.Uint, 10)
		switch f.Name {
		case "packet_type":
			b = append(b, ' ')
			b = append(b, decode.Type(f.Uint).String()...)
		case "reason_code", "return_code":
			b = append(b, " (0x"...)
			b = append(b, hexDigit[f.Uint>>4&0xf], hexDigit[f.Uint&0xf], ')')
			if name := decode.ReasonName(p.Type, p.Version, uint8(f.Uint)); name != "" {
				b = append(b, ' ')
				b = append(b, name...)
			}
		case "protocol_level":
			switch f.Uint {
			case 3:
				b = append(b, " (MQTT 3.1)"...)
			case 4:
				b = append(b, " (MQTT 3.1.1)"...)
			case 5:
				b = append(b, " (MQTT 5.0)"...)
			}
		case "keep_alive", "server_keep_alive", "message_expiry_interval", "session_expiry_interval", "will_delay_interval":
			b = append(b, " s"...)
		}
	case decode.KindBool:
		b = strconv.AppendUint(b, f.Uint, 10)
	case decode.KindFlags:
		b = append(b, "0x"...)
		b = append(b, hexDigit[f.Uint>>4&0xf], hexDigit[f.Uint&0xf])
		b = append(b, " ("...)
		for i := 7; i >= 0; i-- {
			if f.Name == "flags" && i > 3 {
				continue
			}
			b = append(b, byte('0'+f.Uint>>uint(i)&1))
			if i == 4 && f.Name != "flags" {
				b = append(b, ' ')
			}
		}
		b = append(b, ')')
	case decode.KindString:
		b = appendQuoted(b, f.Data, preview)
	case decode.KindBinary:
		b = appendBinary(b, f.Data, preview)
	case decode.KindPair:
		b = appendQuoted(b, f.Data, preview/2)
		b = append(b, " = "...)
		b = appendQuoted(b, f.Data2, preview/2)
	}
	return b
}

// appendBinary shows binary data as text when it is printable UTF-8, and
// as hex otherwise (Wireshark shows binary properties as text, anchors.md
// §3.3), with its length.
func appendBinary(b, v []byte, preview int) []byte {
	b = strconv.AppendInt(b, int64(len(v)), 10)
	b = append(b, " bytes"...)
	if len(v) == 0 {
		return b
	}
	b = append(b, ": "...)
	if utf8.Valid(v) && printable(v) {
		return appendQuoted(b, v, preview)
	}
	n := len(v)
	if preview > 0 {
		n = min(n, preview/2)
	}
	b = appendHex(b, v[:n])
	if n < len(v) {
		b = append(b, "…"...)
	}
	return b
}

func printable(v []byte) bool {
	for _, r := range string(v) {
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' || r == 0x7f {
			return false
		}
	}
	return true
}
