package report

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/onenet"
)

// The legend under a hexdump: one line per field (its letter, byte range,
// name and value), then the problems.

// legendPart is a piece of a legend line with its style.
type legendPart struct {
	text  string
	st    style
	value bool // the field's value: elided first when the line is too long
}

// legend writes one line per entry, then one per problem.
func (h *hexdump) legend(on *onenet.PacketInfo) {
	rangeW := 12
	for _, e := range h.lay.entries {
		rangeW = max(rangeW, len(spanText(e.span))+2)
	}
	for _, pr := range h.p.Problems {
		rangeW = max(rangeW, len(spanText(decode.Span{Off: pr.Off, Len: 1}))+2)
	}
	for _, e := range h.lay.entries {
		mark, mst := "-", h.st.dim
		if e.letter != 0 {
			mark, mst = string(e.letter), styleOf(h.colors[e.color].s.Bold(true), h.opts.Styled)
		}
		label, value, tail := h.entryText(e, on)
		rng := spanText(e.span)
		h.line([]legendPart{
			{text: "  "}, {text: mark, st: mst}, {text: "  "},
			{text: rng, st: h.st.dim}, {text: strings.Repeat(" ", rangeW-len(rng))},
			{text: label}, {text: value, value: true}, {text: tail},
		})
	}
	for _, pr := range h.p.Problems {
		st := h.st.problem
		if pr.Code == "truncated" || pr.Code == "snaplen" {
			st = h.st.warn
		}
		rng := spanText(decode.Span{Off: pr.Off, Len: 1})
		text := pr.Message
		if pr.Field != "" {
			text = spaced(pr.Field) + ": " + text
		}
		h.line([]legendPart{
			{text: "  "}, {text: "!", st: st}, {text: "  "},
			{text: rng, st: h.st.dim}, {text: strings.Repeat(" ", rangeW-len(rng))},
			{text: text, st: st},
		})
	}
}

// line writes a legend line, elided to the width: first the value (keeping
// its closing quote), then, when that is not enough, the line's end.
func (h *hexdump) line(parts []legendPart) {
	if w := h.opts.Width; w > 0 {
		total := 0
		for _, pt := range parts {
			total += textWidth(pt.text)
		}
		for i, pt := range parts {
			if !pt.value || total <= w {
				continue
			}
			vw := textWidth(pt.text)
			if budget := w - (total - vw); budget >= hexMinValue {
				parts[i].text = elideValue(pt.text, budget)
				total += textWidth(parts[i].text) - vw
			}
		}
		if total > w {
			used := 0
			for i, pt := range parts {
				pw := textWidth(pt.text)
				if used+pw < w {
					used += pw
					continue
				}
				parts[i].text = ansi.Truncate(pt.text, w-used-1, "") + "…"
				parts = parts[:i+1]
				break
			}
		}
	}
	for _, pt := range parts {
		h.b = append(h.b, pt.st.Render(pt.text)...)
	}
	h.b = append(trimSpace(h.b), '\n')
}

// elideValue cuts v to width cells ending with "…", keeping a closing
// quote.
func elideValue(v string, width int) string {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return ansi.Truncate(strings.TrimSuffix(v[:len(v)-1], "…"), width-1, "…") + `"`
	}
	return ansi.Truncate(v, width, "…")
}

// entryText is an entry's name, value and (for a OneNET token) the token's
// reading. The value is what the detailed view shows (fieldValue).
func (h *hexdump) entryText(e hexEntry, on *onenet.PacketInfo) (label, value, tail string) {
	p := h.p
	if len(e.fields) == 0 {
		label = "not decoded (" + plural(e.span.Len, "byte") + ")"
		if e.group >= 0 {
			label = spaced(p.Fields[e.group].Name) + ": " + label
		}
		if h.redactedEntry(e) {
			return label[:len(label)-1] + ", redacted): ", `"********"`, ""
		}
		return label, "", ""
	}
	f := p.Fields[e.fields[0]]
	if h.redactedEntry(e) && (f.Kind == decode.KindBinary || f.Kind == decode.KindString) {
		label = spaced(f.Name) + " (" + plural(len(f.Data), "byte") + ", redacted): "
		tail := ""
		if f.Name == "password" && on != nil && on.Token != nil {
			tail = "  OneNET " + tokenSummary(on.Token)
		}
		return label, `"********"`, tail
	}
	var extra []string
	var v []byte
	switch {
	case f.Name == "packet_type":
		label = "fixed header: "
		v = append(v, decode.Type(f.Uint).String()...)
		v = append(v, ", flags "...)
		for i := 3; i >= 0; i-- {
			v = append(v, byte('0'+p.Flags>>uint(i)&1))
		}
	case f.Kind == decode.KindBinary:
		label = spaced(f.Name) + " (" + plural(len(f.Data), "byte") + ")"
		if len(f.Data) > 0 {
			label += ": "
			// appendBinary starts with the length, which the label gives.
			v = appendBinary(nil, f.Data, h.preview())
			v = v[strings.Index(string(v), ": ")+2:]
		}
	default:
		label = spaced(f.Name) + ": "
		v = fieldValue(v, p, f, h.preview())
	}
	for _, i := range e.fields[1:] {
		g := p.Fields[i]
		switch {
		case f.Name == "packet_type" && g.Name == "flags":
		case g.Kind == decode.KindBool:
			if g.Uint != 0 {
				extra = append(extra, spaced(g.Name))
			}
		case g.Kind == decode.KindUint:
			if g.Uint != 0 {
				extra = append(extra, spaced(g.Name)+" "+strconv.FormatUint(g.Uint, 10))
			}
		default:
			extra = append(extra, spaced(g.Name)+" "+string(fieldValue(nil, p, g, h.preview())))
		}
	}
	if len(extra) > 0 {
		tail = " [" + strings.Join(extra, ", ") + "]"
	}
	if f.Name == "password" && on != nil && on.Token != nil {
		tail += "  OneNET " + tokenSummary(on.Token)
	}
	return label, string(v), tail
}

// preview is how much of a value the legend shows before fitting the line
// to the width: all of it with Whole.
func (h *hexdump) preview() int {
	if h.opts.Whole {
		return -1
	}
	return detailPreview
}

// spaced is a snake_case name as words: "remaining_length" → "remaining length".
func spaced(name string) string { return strings.ReplaceAll(name, "_", " ") }

func plural(n int, unit string) string {
	s := strconv.Itoa(n) + " " + unit
	if n != 1 {
		s += "s"
	}
	return s
}
