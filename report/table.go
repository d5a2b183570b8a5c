package report

import (
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// table lays out rows of cells in columns: left-aligned, two spaces apart,
// each column as wide as its widest cell; a cell may be styled (escape codes
// do not count towards widths). A table wider than width is folded: the
// columns that do not fit go to a second block (and a third…), each
// repeating the first column so rows can be matched; a line still too long
// is cut with "…".
type table struct {
	header []string
	rows   [][]string
	right  map[int]bool // right-aligned columns (numbers)
	// capped are the columns of values from the traffic (client ids,
	// topics) with the width they are elided to unless full (elided is set
	// then), so that one long value (a 700-character client id) cannot
	// widen every row of the table.
	capped map[int]int
	full   bool
	elided bool
}

// Cell caps: a client id, and a topic (OneNET's $sys topics run to ~60
// characters and are worth reading whole).
const (
	maxClientIDCell = 40
	maxTopicCell    = 64
)

// TableOptions lay out the summary and stats tables.
type TableOptions struct {
	Styled bool
	Width  int  // the terminal's (0: no limit)
	Full   bool // cells whole, all the topics of a connection
}

func (tb *table) add(cells ...string) {
	if !tb.full {
		for i, c := range cells {
			if n := tb.capped[i]; n > 0 && cellWidth(c) > n {
				cells[i] = ansi.Truncate(c, n-1, "") + "…"
				tb.elided = true
			}
		}
	}
	tb.rows = append(tb.rows, cells)
}

// elisionNote says that cells were elided and how to see them.
func elisionNote(b []byte, st styles) []byte {
	b = append(b, st.dim.Render("  (long values were elided: --full shows them whole)")...)
	return append(b, '\n')
}

// unlistedNote says how many connections the bounded summary left out.
func unlistedNote(b []byte, c *Collector, st styles, width int) []byte {
	n := c.Counts
	if n.Unlisted == 0 {
		return b
	}
	text := "(" + plural(n.Unlisted, "more connection") + " not listed"
	if n.UnlistedProblems > 0 {
		text += ", " + strconv.Itoa(n.UnlistedProblems) + " of them with a problem"
	}
	text += ": the summary lists the first " + strconv.Itoa(c.maxConns()) + " to end and the first " + strconv.Itoa(c.maxConns()) +
		" with a problem; read --json and read --format csv list every one)"
	for i, line := range wrapLines(text, width, 3) {
		indent := "  "
		if i > 0 {
			indent = "   "
		}
		b = append(b, st.dim.Render(indent+line)...)
		b = append(b, '\n')
	}
	return b
}

func cellWidth(s string) int {
	if strings.IndexByte(s, 0x1b) >= 0 {
		return textWidth(s)
	}
	return utf8.RuneCountInString(s)
}

func (tb *table) render(b []byte, st styles, width int, indent string) []byte {
	widths := make([]int, len(tb.header))
	for i, h := range tb.header {
		widths[i] = cellWidth(h)
	}
	for _, r := range tb.rows {
		for i, c := range r {
			if i < len(widths) {
				widths[i] = max(widths[i], cellWidth(c))
			}
		}
	}
	for i, cols := range foldColumns(widths, width-len(indent)) {
		if i > 0 {
			b = append(b, '\n')
		}
		b = tb.renderColumns(b, st, width, indent, widths, cols)
	}
	return b
}

// foldColumns splits the column indexes into blocks that fit room (no
// limit when room <= 0), each block starting with column 0.
func foldColumns(widths []int, room int) [][]int {
	all := make([]int, len(widths))
	for i := range all {
		all[i] = i
	}
	total := -2
	for _, w := range widths {
		total += w + 2
	}
	if room <= 0 || total <= room || len(widths) < 2 {
		return [][]int{all}
	}
	var blocks [][]int
	cur, used := []int{0}, widths[0]
	for i := 1; i < len(widths); i++ {
		if len(cur) > 1 && used+2+widths[i] > room {
			blocks = append(blocks, cur)
			cur, used = []int{0}, widths[0]
		}
		cur = append(cur, i)
		used += 2 + widths[i]
	}
	return append(blocks, cur)
}

func (tb *table) renderColumns(b []byte, st styles, width int, indent string, widths, cols []int) []byte {
	line := func(cells []string, header bool) {
		var l strings.Builder
		l.WriteString(indent)
		for k, i := range cols {
			if i >= len(cells) {
				break
			}
			c := cells[i]
			pad := strings.Repeat(" ", widths[i]-cellWidth(c))
			if tb.right[i] {
				l.WriteString(pad)
			}
			if header {
				l.WriteString(st.header.Render(c))
			} else {
				l.WriteString(c)
			}
			if k < len(cols)-1 {
				if !tb.right[i] {
					l.WriteString(pad)
				}
				l.WriteString("  ")
			}
		}
		s := strings.TrimRight(l.String(), " ")
		if width > 0 && cellWidth(s) > width {
			s = ansi.Truncate(s, width-1, "") + "…"
		}
		b = append(b, s...)
		b = append(b, '\n')
	}
	line(tb.header, true)
	for _, r := range tb.rows {
		line(r, false)
	}
	return b
}

// seconds renders a duration for a table: "0.152 s", "12.3 s", "3 m 05 s".
func seconds(d time.Duration) string {
	switch {
	case d < 10*time.Second:
		return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) + " s"
	case d < 2*time.Minute:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
	}
	m := int(d / time.Minute)
	return strconv.Itoa(m) + " m " + pad2(int(d%time.Minute/time.Second)) + " s"
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// SummaryTable writes the per-connection summary: one row per connection
// (client, server, client id, version, login, duration, MQTT packets and
// bytes each way, keep alive and the longest silence of the client, how it
// ended, the OneNET verdict), then a line per connection with its topics.
//
// Long cells are elided (TableOptions.Full keeps them); the list of a
// connection's topics shows the first five when laid out for a width, all
// of them otherwise.
func SummaryTable(b []byte, c *Collector, o TableOptions) []byte {
	st := newStyles(o.Styled)
	width := o.Width
	var conns []*ConnSummary
	for _, s := range c.Listed() {
		if !s.Hidden {
			conns = append(conns, s)
		}
	}
	if len(conns) == 0 {
		return b
	}
	sort.SliceStable(conns, func(i, j int) bool { return conns[i].Conn.Stream < conns[j].Conn.Stream })
	b = append(b, '\n')
	b = append(b, st.group.Render("Connections")...)
	b = append(b, '\n')
	tb := &table{header: []string{"strm", "client", "server", "client id", "ver", "login", "duration", "MQTT c→s", "s→c", "bytes c→s", "s→c", "keep alive", "ended", "OneNET"},
		right: map[int]bool{0: true, 6: true, 7: true, 8: true, 9: true, 10: true}, capped: map[int]int{3: maxClientIDCell}, full: o.Full}
	for _, s := range conns {
		ver := "-"
		if s.Info.TLS && s.Info.Transport == "" {
			ver = "TLS" // not decrypted
		} else if s.Info.Version == 0 && s.Info.Protocol != "" {
			ver = protocolLabel(s.Info.Protocol)
		} else if s.Info.Version != 0 {
			ver = s.Info.Version.String()
			if s.Info.VersionInferred {
				ver += "?"
			}
			ver += transportSuffix(s.Info.Transport)
		}
		login := s.Login
		switch {
		case s.Refused:
			login = st.problem.Render(login)
		case login == "accepted":
			login = st.ok.Render(login)
		case login == "" && s.ClientID != "":
			login = st.warn.Render("no CONNACK")
		case login == "":
			login = "-"
		}
		ka := "-"
		if s.KeepAlive > 0 {
			ka = strconv.Itoa(int(s.KeepAlive)) + " s, quiet ≤ " + seconds(s.MaxQuiet)
			if s.KeepAliveExceeded() {
				ka = st.problem.Render(ka + " > 1.5×")
			}
		}
		on := "-"
		if s.Verdict.Status != "" {
			on = s.Verdict.Status
			if s.Verdict.OK() {
				on = st.ok.Render(on)
			} else {
				on = st.problem.Render(on)
			}
		}
		clientID := "-"
		if s.ClientID != "" {
			clientID = strconv.Quote(s.ClientID)
		}
		client, server := connAddrs(s.Conn, &s.Info, "-")
		tb.add(streamLabel(s.Conn), client, server, clientID, ver, login,
			seconds(s.Duration()), strconv.Itoa(s.MQTT[0]), strconv.Itoa(s.MQTT[1]),
			strconv.FormatInt(s.Conn.Bytes[0], 10), strconv.FormatInt(s.Conn.Bytes[1], 10), ka, s.HowEnded(), on)
	}
	b = tb.render(b, st, width, "  ")
	if tb.elided {
		b = elisionNote(b, st)
	}
	b = unlistedNote(b, c, st, width)
	for _, s := range conns {
		if len(s.Topics) == 0 {
			continue
		}
		type tc struct {
			topic string
			n     int
		}
		var ts []tc
		for t, n := range s.Topics {
			ts = append(ts, tc{t, n})
		}
		sort.Slice(ts, func(i, j int) bool { return ts[i].n > ts[j].n || (ts[i].n == ts[j].n && ts[i].topic < ts[j].topic) })
		var parts []string
		for i, t := range ts {
			if i == 5 && width > 0 {
				parts = append(parts, "+"+strconv.Itoa(len(ts)-5)+" more")
				break
			}
			parts = append(parts, strconv.Quote(t.topic)+" ×"+strconv.Itoa(t.n))
		}
		if s.OtherTopics > 0 {
			parts = append(parts, "+"+strconv.Itoa(s.OtherTopics)+" to further topics (not counted one by one)")
		}
		head := "  stream " + streamLabel(s.Conn) + " publishes: "
		lines := []string{head + strings.Join(parts, ", ")}
		if width > 0 && cellWidth(lines[0]) > width { // one topic per line
			lines = []string{strings.TrimSuffix(head, " ")}
			for _, part := range parts {
				lines = append(lines, "    "+part)
			}
		}
		for _, line := range lines {
			if width > 0 && cellWidth(line) > width {
				line = ansi.Truncate(line, width-1, "") + "…"
			}
			b = append(b, st.dim.Render(line)...)
			b = append(b, '\n')
		}
	}
	return b
}
