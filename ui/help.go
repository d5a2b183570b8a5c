package ui

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// The help overlay lists every key. It must all be reachable on the
// smallest usual terminal (80×24), where the list is twice the screen's
// height: it is laid out in two columns when both fit without cutting a
// description short, its descriptions wrap instead of being cut, and it
// scrolls.
const (
	helpIndent = 4  // before a key
	helpKeyW   = 15 // the key column: "pgdown/ctrl+f" and a space
	helpGap    = 2  // between two columns
	// helpMinDesc is the narrowest description column two columns may
	// have: narrower, most descriptions would wrap and one column reads
	// better.
	helpMinDesc = 36
)

// helpNotes follow the keys: what the key list cannot say.
var helpNotes = []string{
	"Mouse: click a row, a field or a byte; the wheel scrolls.",
	"In the connections view enter follows a connection; in the flow view enter selects the packet.",
	"In the filter bar: tab completes a field or value, ↑/↓ recall earlier filters, enter applies, esc cancels.",
}

// helpBlocks is the help as one column w wide, in blocks a column break
// may fall between: each group of keys, then the notes.
func (m *model) helpBlocks(w int) [][]string {
	descW := max(w-helpIndent-helpKeyW, 10)
	var blocks [][]string
	for _, g := range m.keys.groups() {
		b := []string{""}
		if g.title != "" {
			b = append(b, "  "+m.st.title.Render(g.title))
		}
		for _, k := range g.keys {
			for i, l := range wrap(k.Help().Desc, descW) {
				name := ""
				if i == 0 {
					name = k.Help().Key
				}
				b = append(b, strings.Repeat(" ", helpIndent)+pad(name, helpKeyW)+l)
			}
		}
		blocks = append(blocks, b)
	}
	notes := []string{""}
	for _, n := range helpNotes {
		for _, l := range wrap(n, max(w-2, 10)) {
			notes = append(notes, "  "+l)
		}
	}
	return append(blocks, notes)
}

// helpRows lays the help out for the screen's width: two columns split
// between blocks when they fit, else one.
func (m *model) helpRows() []string {
	colW := (m.w - helpGap) / 2
	if colW-helpIndent-helpKeyW < helpMinDesc {
		var rows []string
		for _, b := range m.helpBlocks(m.w) {
			rows = append(rows, b...)
		}
		return rows
	}
	blocks := m.helpBlocks(colW)
	total := 0
	for _, b := range blocks {
		total += len(b)
	}
	// The split that makes the taller column the shortest.
	split, best, left := 0, total, 0
	for i, b := range blocks {
		left += len(b)
		if h := max(left, total-left); h < best {
			split, best = i+1, h
		}
	}
	var l, r []string
	for i, b := range blocks {
		if i < split {
			l = append(l, b...)
		} else {
			r = append(r, b...)
		}
	}
	rows := make([]string, max(len(l), len(r)))
	for i := range rows {
		if i < len(l) {
			rows[i] = l[i]
		}
		if i < len(r) && r[i] != "" {
			rows[i] = pad(rows[i], colW+helpGap) + r[i]
		}
	}
	return rows
}

// helpPage is how many rows of the help the screen shows: the body less
// the help's title line and its scroll line.
func (m *model) helpPage() int { return max(m.h-3-2, 1) }

// helpScroll scrolls the help by d rows, no further than its last page.
func (m *model) helpScroll(d int) {
	last := max(len(m.helpRows())-m.helpPage(), 0)
	m.helpTop = max(0, min(m.helpTop+d, last))
}

// helpKey handles a key while the help is shown: the moving keys scroll
// it, ?, esc and q close it, ctrl+c quits; other keys do nothing, so that
// a key pressed to scroll never acts on the screen beneath.
func (m *model) helpKey(k tea.KeyPressMsg) tea.Cmd {
	km, page := m.keys, m.helpPage()
	switch {
	case k.String() == "ctrl+c":
		return tea.Quit
	case key.Matches(k, km.Help, km.Back) || k.String() == "q":
		m.help = false
	case key.Matches(k, km.Up):
		m.helpScroll(-1)
	case key.Matches(k, km.Down):
		m.helpScroll(1)
	case key.Matches(k, km.PageUp):
		m.helpScroll(-page)
	case key.Matches(k, km.PageDown) || k.String() == "space":
		m.helpScroll(page)
	case key.Matches(k, km.HalfUp):
		m.helpScroll(-max(page/2, 1))
	case key.Matches(k, km.HalfDown):
		m.helpScroll(max(page/2, 1))
	case key.Matches(k, km.Top):
		m.helpTop = 0
	case key.Matches(k, km.Bottom):
		m.helpScroll(len(m.helpRows()))
	}
	return nil
}

// helpView is the help's title line, a page of its rows and a line that
// says whether there is more.
func (m *model) helpView(h int) []string {
	rows := m.helpRows()
	page := max(h-2, 1)
	m.helpTop = max(0, min(m.helpTop, len(rows)-page))
	out := []string{m.st.title.Render("  Keys") + "   ?/esc/q close · ↑↓ pgup pgdn space scroll"}
	end := min(m.helpTop+page, len(rows))
	out = append(out, rows[m.helpTop:end]...)
	for len(out) < page+1 {
		out = append(out, "")
	}
	where := "lines " + strconv.Itoa(m.helpTop+1) + "–" + strconv.Itoa(end) + " of " + strconv.Itoa(len(rows))
	switch {
	case end < len(rows):
		out = append(out, m.st.dim.Render("  ▼ more below  ("+where+")"))
	case m.helpTop > 0:
		out = append(out, m.st.dim.Render("  ▲ more above  ("+where+")"))
	}
	return out
}

// wrap breaks s into lines of at most w columns, at spaces where it can.
func wrap(s string, w int) []string {
	lines := strings.Split(ansi.Wrap(s, w, ""), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return lines
}
