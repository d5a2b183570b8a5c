package ui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// gutter is the width of the list's left margin: the selection, the mark
// and the row's flag (a protocol problem or a OneNET finding).
const gutter = 3

// View implements tea.Model.
func (m *model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "mqttpcap ui " + m.o.Name
	return v
}

// render lays the whole screen out: exactly m.h lines of at most m.w
// columns.
func (m *model) render() string {
	var lines []string
	lines = append(lines, m.titleLine())
	body := m.h - 3
	switch {
	case m.help:
		lines = append(lines, m.helpView(body)...)
	case m.mode == modeConns:
		lines = append(lines, m.connsView(body)...)
	case m.mode == modeFlow:
		lines = append(lines, m.flowView(body)...)
	case m.mode == modeToken:
		lines = append(lines, m.token.view(body)...)
	default:
		lines = append(lines, m.mainView()...)
	}
	for len(lines) < m.h-2 {
		lines = append(lines, "")
	}
	lines = lines[:m.h-2]
	lines = append(lines, m.promptLine(), m.keysLine())
	for i, l := range lines {
		lines[i] = fit(l, m.w)
	}
	return strings.Join(lines, "\n")
}

// fit cuts a line to w columns.
func fit(s string, w int) string {
	if ansi.StringWidth(s) > w {
		return ansi.Truncate(s, w-1, "") + "…"
	}
	return s
}

// pad fills a line to w columns (for bars).
func pad(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return fit(s, w)
}

func (m *model) titleLine() string {
	st := m.status
	left := " mqttpcap ui  " + m.o.Name
	var parts []string
	parts = append(parts, plural(st.Entries, "row"), plural(st.Conns, "connection"))
	switch {
	case st.Err != nil:
		parts = append(parts, "stopped: "+st.Err.Error())
	case m.o.Live && !st.Done:
		state := "live"
		if m.follow {
			state += ", following"
		}
		parts = append(parts, state)
	case !st.Done:
		p := "reading"
		if st.Total > 0 {
			p += fmt.Sprintf(" %d%%", st.Read*100/st.Total)
		}
		parts = append(parts, p+fmt.Sprintf(" (%d frames)", st.Frames))
	}
	if m.filter != "" || m.stream >= 0 {
		_, scanned, done, _ := m.rows.snapshot()
		f := "shown " + strconv.Itoa(m.count())
		if !done && scanned < st.Entries {
			f += fmt.Sprintf(" (filtering %d%%)", scanned*100/max(st.Entries, 1))
		}
		parts = append(parts, f)
	}
	if len(m.marks) > 0 {
		parts = append(parts, strconv.Itoa(len(m.marks))+" marked")
	}
	return m.st.bar.Render(pad(left+"  ·  "+strings.Join(parts, "  ·  "), m.w))
}

// mainView is the list, the field tree and the hexdump.
func (m *model) mainView() []string {
	lh, th, hh := m.heights()
	var out []string
	if lh > 0 {
		out = append(out, m.paneTitle(paneList, m.listTitle()))
		out = append(out, m.listView(lh)...)
		for len(out) < lh+1 {
			out = append(out, "")
		}
	}
	if th > 0 {
		out = append(out, m.paneTitle(paneTree, "field tree"))
		tree := m.treeView(th)
		out = append(out, tree...)
		for i := len(tree); i < th; i++ {
			out = append(out, "")
		}
	}
	if hh > 0 {
		title := "hexdump"
		if d := &m.det; d.row != nil && d.row.Packet != nil {
			title = fmt.Sprintf("hexdump  byte 0x%02x of %d", d.hexOff, len(d.row.Packet.Raw))
		}
		out = append(out, m.paneTitle(paneHex, title))
		out = append(out, m.hexView(hh)...)
	}
	return out
}

func (m *model) listTitle() string {
	var parts []string
	if m.stream >= 0 {
		parts = append(parts, "stream "+strconv.Itoa(m.stream))
	}
	if m.filter != "" {
		parts = append(parts, "filter: "+m.filter)
	}
	if len(parts) == 0 {
		return "packets"
	}
	return "packets  " + strings.Join(parts, "  ")
}

// paneTitle is the line above a pane: for the list, the column header.
func (m *model) paneTitle(p pane, title string) string {
	st := m.st.paneTitle
	mark := "  "
	if m.focus == p {
		st, mark = m.st.paneFocus, "▸ "
	}
	if p == paneList {
		hdr := string(m.lv.ListHeader(nil, m.status.Extent))
		return st.Render(mark+" ") + hdr + "   " + st.Render(title)
	}
	return st.Render(mark + "── " + title + " " + strings.Repeat("─", max(0, m.w-len(title)-8)))
}

// listView renders the rows on screen.
func (m *model) listView(h int) []string {
	n := m.count()
	if n == 0 {
		msg := "  (no packets yet)"
		switch {
		case m.rows != nil:
			if _, _, done, err := m.rows.snapshot(); err != nil {
				msg = "  cannot read the rows back: " + err.Error()
			} else if done && m.status.Done {
				msg = "  (no packet matches)"
			}
		case m.status.Done:
			msg = "  (the capture has no MQTT packets)"
		}
		return []string{m.st.dim.Render(msg)}
	}
	var out []string
	for pos := m.top; pos < n && len(out) < h; pos++ {
		idx := m.entry(pos)
		out = append(out, m.listRow(pos, idx))
	}
	return out
}

// listRow is one row: the gutter, then read's line for the record.
func (m *model) listRow(pos, idx int) string {
	line, ok := m.lines[idx]
	if !ok {
		r, err := m.ldList.row(idx, true)
		if err != nil {
			line = m.st.err.Render("cannot read this record back: " + err.Error())
		} else {
			line = string(m.lv.ListLine(nil, &r.Record))
		}
		if len(m.lines) > 4096 {
			clear(m.lines)
		}
		m.lines[idx] = line
	}
	e := m.ix.Entry(idx)
	g := []byte("   ")
	if pos == m.sel {
		g[0] = '>'
	}
	if m.marks[idx] {
		g[1] = '*'
	}
	flag := " "
	switch {
	case e.flags&efProblem != 0:
		flag = m.st.problem.Render("!")
	case e.flags&efFinding != 0:
		flag = m.st.problem.Render("⚑")
	}
	head := string(g[:2])
	if m.marks[idx] {
		head = string(g[0]) + m.st.mark.Render("*")
	}
	if pos == m.sel {
		return m.selected(head+ansi.Strip(flag)+line, m.focus == paneList)
	}
	return head + flag + line
}

// selected shows a line as the selection: reverse video, whole width.
func (m *model) selected(line string, focused bool) string {
	plain := ansi.Strip(line)
	// A mark in the margin too, for terminals (and eyes) without reverse
	// video.
	if strings.HasPrefix(plain, " ") {
		plain = ">" + plain[1:]
	}
	if !focused {
		return m.st.title.Render(fit(plain, m.w))
	}
	return m.st.sel.Render(pad(plain, m.w))
}

// promptLine is the filter bar, another prompt, or a message.
func (m *model) promptLine() string {
	if m.prompt != promptNone {
		line := m.input.View()
		if m.inputErr != "" {
			line += "  " + m.st.err.Render("✗ "+m.inputErr)
		} else if m.prompt == promptFilter && strings.TrimSpace(m.input.Value()) != "" {
			line += "  " + m.st.ok.Render("✓")
		}
		return line
	}
	if m.msg != "" {
		if m.msgErr {
			return m.st.err.Render(m.msg)
		}
		return m.msg
	}
	if m.filter != "" {
		return m.st.dim.Render("filter: " + m.filter + "   (f edits, F clears)")
	}
	return ""
}

// keysLine is the footer: the main keys.
func (m *model) keysLine() string {
	var ks []key.Binding
	short := func(b key.Binding, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(shortKey(b), desc))
	}
	km := m.keys
	switch {
	case m.help:
		ks = []key.Binding{key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "scroll")),
			key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "page")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("?/esc/q", "close"))}
	case m.mode == modeConns:
		ks = []key.Binding{short(km.Back, "back"), key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "follow")), short(km.Help, "help")}
	case m.mode == modeFlow:
		ks = []key.Binding{short(km.Back, "back"), key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "go to packet")), short(km.Help, "help")}
	case m.mode == modeToken:
		ks = []key.Binding{short(km.Back, "back"), short(km.Help, "help")}
	default:
		ks = []key.Binding{short(km.Help, "help"), short(km.Quit, "quit"), short(km.Filter, "filter"), short(km.Search, "search"),
			short(km.Jump, "frame"), short(km.Conns, "conns"), short(km.Flow, "flow"), short(km.Mark, "mark"), short(km.Export, "export"),
			short(km.Copy, "copy"), short(km.Token, "token"), short(km.NextProblem, "problem"), short(km.NextFinding, "OneNET"), short(km.NextPane, "pane")}
	}
	return m.helpModel.ShortHelpView(ks)
}

// shortKey is the first key of a binding, as the footer names it.
func shortKey(b key.Binding) string {
	k := b.Keys()[0]
	switch k {
	case "up":
		return "↑"
	case "down":
		return "↓"
	}
	return k
}
