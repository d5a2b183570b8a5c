package report

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"charm.land/lipgloss/v2"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/onenet"
)

// HexdumpOptions configure Hexdump.
type HexdumpOptions struct {
	// Styled colours each field's bytes (lipgloss); else the plain layout,
	// which carries the same information with letters.
	Styled bool
	// Width is the terminal width: legend lines longer than it are elided
	// with "…" (0: no limit). The rows of bytes are never cut.
	Width int
	// Redact shows the secrets' bytes (SecretSpans) as "**" and their
	// values as "********".
	Redact bool
	// Whole shows every row of long fields (a payload) and whole values in
	// the legend: output with no width (piped) is never shortened. Without
	// it, the middle rows of a field longer than hexKeepRows rows are
	// summed up in one line.
	Whole bool
	// Highlight is a byte range shown in reverse video, styled or not (a
	// field selected in an interactive view); none when its Len is 0.
	Highlight decode.Span
}

const (
	hexRowLen = 16
	// hexKeepRows is how many rows of a long field (a payload) are shown:
	// the first and last half of them, the rest summed up in one line.
	hexKeepRows = 8
	// hexMinValue is the narrowest a legend value is elided to before the
	// whole line is cut instead.
	hexMinValue = 8
)

// hexLetters name the legend entries, cycling for packets with more.
const hexLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// hexPalette colours the legend entries in turn: ANSI 256 indexes that
// differ from their neighbours and read on dark and light backgrounds. Red
// is left out: it marks problem bytes.
var hexPalette = [...]string{"39", "208", "35", "170", "178", "73", "168", "107", "141", "130"}

// hexEntry is one legend entry: the fields that share one byte range (a
// byte-wide bit field and its bits are one entry), or bytes no field
// accounts for.
type hexEntry struct {
	span   decode.Span
	fields []int // indexes into Packet.Fields; the first is the entry's name
	depth  int   // the deepest of fields
	group  int   // undecoded bytes: the group field they lie in, or -1
	owned  int   // how many bytes the entry owns
	letter byte  // 0 for entries that own no byte
	color  int
}

// hexLayout says which legend entry owns each byte of a packet.
type hexLayout struct {
	entries []hexEntry
	owner   []int32 // entry index per byte
}

// layoutOf gives every byte of p exactly one owner: among the fields that
// are not groups, the deepest one covering it (when two overlapping fields
// are as deep, the shorter, then the earlier). Fields with the same span
// are one entry; runs of bytes no field covers become entries of their
// own. Entries are in the order of their first byte.
func layoutOf(p *decode.Packet) hexLayout {
	n := len(p.Raw)
	var es []hexEntry
	bySpan := make(map[decode.Span]int)
	for i, f := range p.Fields {
		if f.Kind == decode.KindGroup {
			continue
		}
		s := clipSpan(f.Span, n)
		if j, ok := bySpan[s]; ok {
			es[j].fields = append(es[j].fields, i)
			es[j].depth = max(es[j].depth, f.Depth)
			continue
		}
		bySpan[s] = len(es)
		es = append(es, hexEntry{span: s, fields: []int{i}, depth: f.Depth, group: -1})
	}
	owner := make([]int32, n)
	for i := range owner {
		owner[i] = -1
	}
	for j, e := range es {
		for i := e.span.Off; i < e.span.Off+e.span.Len; i++ {
			if c := owner[i]; c < 0 || e.depth > es[c].depth || e.depth == es[c].depth && e.span.Len < es[c].span.Len {
				owner[i] = int32(j)
			}
		}
	}
	// Bytes no field covers (a truncated or undecodable tail) are entries
	// of their own, split where the group they lie in changes.
	var groups []int
	for i, f := range p.Fields {
		if f.Kind == decode.KindGroup {
			groups = append(groups, i)
		}
	}
	for i := 0; i < n; {
		if owner[i] >= 0 {
			i++
			continue
		}
		g, end := groupAt(p, groups, i)
		j := i
		for j < end && owner[j] < 0 {
			owner[j] = int32(len(es))
			j++
		}
		es = append(es, hexEntry{span: decode.Span{Off: i, Len: j - i}, group: g})
		i = j
	}
	for _, o := range owner {
		es[o].owned++
	}
	// Order by first byte; remap the owners.
	order := make([]int, len(es))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(es[a].span.Off, es[b].span.Off) })
	sorted := make([]hexEntry, len(es))
	where := make([]int32, len(es))
	for to, from := range order {
		sorted[to] = es[from]
		where[from] = int32(to)
	}
	for i, o := range owner {
		owner[i] = where[o]
	}
	k := 0
	for i := range sorted {
		if sorted[i].owned > 0 {
			sorted[i].letter = hexLetters[k%len(hexLetters)]
			sorted[i].color = k % len(hexPalette)
			k++
		}
	}
	return hexLayout{entries: sorted, owner: owner}
}

func clipSpan(s decode.Span, n int) decode.Span {
	off := min(max(s.Off, 0), n)
	end := min(max(s.Off+max(s.Len, 0), off), n)
	return decode.Span{Off: off, Len: end - off}
}

// groupAt returns the innermost group field around byte i (or -1) and
// where the next group starts or ends after i.
func groupAt(p *decode.Packet, groups []int, i int) (g, next int) {
	g, next = -1, len(p.Raw)
	for _, j := range groups {
		s := p.Fields[j].Span
		if s.Off <= i && i < s.Off+s.Len && (g < 0 || p.Fields[j].Depth >= p.Fields[g].Depth) {
			g = j
		}
		if s.Off > i {
			next = min(next, s.Off)
		} else if s.Off+s.Len > i {
			next = min(next, s.Off+s.Len)
		}
	}
	return g, next
}

// hexdump renders one packet.
type hexdump struct {
	p      *decode.Packet
	lay    hexLayout
	opts   HexdumpOptions
	st     styles
	colors []style
	run    []byte // a row's run of cells in one style, reused
	bad    []bool // per byte: a problem is about it
	// secret are the byte ranges shown as "**" (SecretSpans), with Redact.
	secret []decode.Span
	b      []byte
}

// palettes are the hexdump's field colours, plain and styled: made once
// (lipgloss styles take some making), read-only after.
var palettes = [2]func() []style{
	sync.OnceValue(func() []style { return makePalette(false) }),
	sync.OnceValue(func() []style { return makePalette(true) }),
}

func makePalette(on bool) []style {
	colors := make([]style, len(hexPalette))
	for i, c := range hexPalette {
		colors[i] = styleOf(lipgloss.NewStyle().Foreground(lipgloss.Color(c)), on)
	}
	return colors
}

func paletteStyles(on bool) []style {
	if on {
		return palettes[1]()
	}
	return palettes[0]()
}

// Hexdump appends the annotated hexdump of p to b: rows of 16 bytes, each
// byte marked (by a letter, and in colour when styled) with the legend
// entry it belongs to, and a legend naming each field with its byte range,
// length and decoded value, then each problem with its offset. Long fields
// (payloads) show their first and last rows only. on, when not nil, adds
// the OneNET reading of the password.
func Hexdump(b []byte, p *decode.Packet, on *onenet.PacketInfo, opts HexdumpOptions) []byte {
	h := hexdump{p: p, lay: layoutOf(p), opts: opts, st: newStyles(opts.Styled), b: b, colors: paletteStyles(opts.Styled)}
	h.bad = make([]bool, len(p.Raw))
	for _, pr := range p.Problems {
		if pr.Off >= 0 && pr.Off < len(p.Raw) {
			h.bad[pr.Off] = true
		}
	}
	if opts.Redact {
		h.secret = SecretSpans(p)
	}
	h.rows()
	h.legend(on)
	return h.b
}

// redacted says whether byte i is a secret's, shown masked.
func (h *hexdump) redacted(i int) bool { return inSpans(h.secret, i) }

// redactedEntry says whether a legend entry's bytes are all secret.
func (h *hexdump) redactedEntry(e hexEntry) bool {
	if len(h.secret) == 0 || e.span.Len == 0 {
		return false
	}
	for i := e.span.Off; i < e.span.Off+e.span.Len; i++ {
		if !h.redacted(i) {
			return false
		}
	}
	return true
}

// rows writes the bytes, eliding the middle rows of fields longer than
// hexKeepRows rows.
func (h *hexdump) rows() {
	n := len(h.p.Raw)
	nrows := (n + hexRowLen - 1) / hexRowLen
	elide := make([]bool, nrows)
	for ei, e := range h.lay.entries {
		if e.owned == 0 {
			continue
		}
		r0, r1 := e.span.Off/hexRowLen, (e.span.Off+e.span.Len-1)/hexRowLen
		if r1-r0+1 <= hexKeepRows || h.opts.Whole {
			continue
		}
		for r := r0 + hexKeepRows/2; r <= r1-hexKeepRows/2; r++ {
			if h.soleOwner(r) == ei {
				elide[r] = true
			}
		}
	}
	width := 4
	for x := (n - 1) >> 16; x > 0; x >>= 4 {
		width++
	}
	for r := 0; r < nrows; r++ {
		if elide[r] {
			skipped := 0
			for ; r < nrows && elide[r]; r++ {
				skipped += min(hexRowLen, n-r*hexRowLen)
			}
			r--
			h.b = append(h.b, h.st.dim.Render("  …  ("+strconv.Itoa(skipped)+" more bytes)")...)
			h.b = append(h.b, '\n')
			continue
		}
		h.row(r*hexRowLen, width)
	}
	if nrows > 0 {
		h.b = append(h.b, '\n')
	}
}

// soleOwner is the entry that owns every byte of row r, or -1 when the
// row is shared or has a problem byte.
func (h *hexdump) soleOwner(r int) int {
	start, end := r*hexRowLen, min(r*hexRowLen+hexRowLen, len(h.p.Raw))
	o := h.lay.owner[start]
	for i := start; i < end; i++ {
		if h.lay.owner[i] != o || h.bad[i] {
			return -1
		}
	}
	return int(o)
}

// cellStyle is the style of byte i: its entry's colour, or the problem
// style; key tells styles apart.
func (h *hexdump) cellStyle(i int) (key int, st style) {
	if hl := h.opts.Highlight; hl.Len > 0 && i >= hl.Off && i < hl.Off+hl.Len {
		st := styleOf(lipgloss.NewStyle().Reverse(true), true)
		if h.opts.Styled && !h.bad[i] {
			st = styleOf(h.colors[h.lay.entries[h.lay.owner[i]].color].s.Reverse(true), true)
		}
		return -5 - int(h.lay.owner[i]), st
	}
	if h.bad[i] {
		return -1, h.st.bad
	}
	o := int(h.lay.owner[i])
	return o, h.colors[h.lay.entries[o].color]
}

// row writes the row of bytes from start and its letter row. Runs of bytes
// in one style are rendered as one string.
func (h *hexdump) row(start, width int) {
	raw := h.p.Raw
	end := min(start+hexRowLen, len(raw))
	off := strconv.FormatInt(int64(start), 16)
	h.b = append(h.b, "  "...)
	h.b = append(h.b, h.st.dim.Render(strings.Repeat("0", max(0, width-len(off)))+off)...)
	h.b = append(h.b, "  "...)
	var run []byte // h.run, reused across rows
	runKey, runSt := -3, style{}
	i, gap := 0, hexRowLen/2 // the cell's index in the row; where the gap is
	run = h.run[:0]
	flush := func() {
		switch {
		case len(run) == 0:
		case runSt.on:
			h.b = append(h.b, runSt.Render(string(run))...)
		default:
			h.b = append(h.b, run...)
		}
		run, runKey = run[:0], -3
	}
	// put adds a cell (one or two characters: c2 0 for one) after sep; a
	// style change or the gap in the middle of the row starts a new run,
	// with sep between the runs unstyled.
	put := func(key int, st style, sep string, c1, c2 byte) {
		if key != runKey || i == gap {
			flush()
			h.b = append(h.b, sep...)
			runKey, runSt = key, st
		} else {
			run = append(run, sep...)
		}
		run = append(run, c1)
		if c2 != 0 {
			run = append(run, c2)
		}
	}
	defer func() { h.run = run }()
	for i = 0; i < hexRowLen; i++ {
		sep := " "
		switch i {
		case 0:
			sep = ""
		case hexRowLen / 2:
			sep = "  "
		}
		switch at := start + i; {
		case at >= end:
			put(-2, style{}, sep, ' ', ' ')
		case h.redacted(at):
			key, st := h.cellStyle(at)
			put(key, st, sep, '*', '*')
		default:
			key, st := h.cellStyle(at)
			put(key, st, sep, hexDigit[raw[at]>>4], hexDigit[raw[at]&0xf])
		}
	}
	flush()
	h.b = append(h.b, "   "...)
	gap = -1 // no gap in the text column
	for i = 0; i < end-start; i++ {
		key, st := h.cellStyle(start + i)
		c := raw[start+i]
		switch {
		case h.redacted(start + i):
			c = '*'
		case c < 0x20 || c >= 0x7f:
			c = '.'
		}
		put(key, st, "", c, 0)
	}
	flush()
	h.b = append(h.b, '\n')

	// The letter row: each byte's entry, "!" for a problem byte. Styled,
	// the letters are dim and the marks in the problem style.
	h.b = pad(h.b, 0, 2+width+2)
	gap = hexRowLen / 2
	for i = 0; i < end-start; i++ {
		sep := "  "
		switch i {
		case 0:
			sep = ""
		case hexRowLen / 2:
			sep = "   "
		}
		c, key, st := h.lay.entries[h.lay.owner[start+i]].letter, 0, h.st.dim
		if h.bad[start+i] {
			c, key, st = '!', -1, h.st.problem
		}
		put(key, st, sep, c, 0)
	}
	flush()
	h.b = append(h.b, '\n')
}
