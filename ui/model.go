package ui

import (
	"strconv"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/mqttpcap/mqttpcap/report"
)

type mode int

const (
	modeMain mode = iota
	modeConns
	modeFlow
	modeToken
)

type pane int

const (
	paneList pane = iota
	paneTree
	paneHex
)

type promptKind int

// defaultExport is what the export prompt offers: hex, which needs no
// server address, to a file in the working directory.
const defaultExport = "hex mqttpcap-marked.txt"

const (
	promptNone promptKind = iota
	promptFilter
	promptSearch
	promptJump
	promptExport
)

// tickMsg makes the model look at the index and the filter job again.
type tickMsg struct{}

// tickEvery is how often the screen follows the background work.
const tickEvery = 100 * time.Millisecond

func tick() tea.Cmd {
	return tea.Tick(tickEvery, func(time.Time) tea.Msg { return tickMsg{} })
}

// model is the Bubble Tea model of the UI.
type model struct {
	o      Options
	ix     *Index
	keys   keyMap
	st     styles
	w, h   int
	styled bool

	// Loaders, one per thing on screen that keeps a packet: the list's
	// rows, the selected packet, and the other views.
	ldList, ldDetail, ldAux *loader

	mode    mode
	focus   pane
	zoom    bool
	help    bool
	helpTop int // the help's first row on screen

	// The list: rows is nil when every entry is shown.
	rows   *rowSet
	sel    int // the selected row's position
	top    int // the first row on screen
	follow bool
	marks  map[int]bool
	lv     *report.View // list lines, for the list's width
	lines  map[int]string

	// The selected packet's field tree and hexdump.
	det detail

	// The filter bar and the other prompts.
	prompt   promptKind
	input    textinput.Model
	inputErr string
	filter   string // the applied display filter
	stream   int    // the followed connection, -1 for none
	history  []string
	histPos  int
	search   string
	msg      string
	msgErr   bool

	// The connections, flow and token views.
	conns connsView
	flow  flowView
	token textView

	helpModel help.Model
	status    Status
	// now is the wall clock (export file names).
	now func() time.Time
}

func newModel(ix *Index, o Options) *model {
	m := &model{o: o, ix: ix, keys: newKeyMap(), st: newStyles(o.Color), styled: o.Color, stream: -1,
		marks: map[int]bool{}, lines: map[int]string{}, follow: o.Live, now: o.Now}
	if m.now == nil {
		m.now = time.Now
	}
	m.ldList, m.ldDetail, m.ldAux = ix.loader(), ix.loader(), ix.loader()
	m.input = textinput.New()
	s := textinput.DefaultStyles(true)
	s.Cursor.Blink = false
	if !o.Color {
		s = textinput.Styles{Cursor: textinput.CursorStyle{Blink: false}}
		s.Focused.Suggestion = s.Focused.Suggestion.Faint(false)
		// Without colour a placeholder would look like typed text.
		s.Focused.Placeholder = s.Focused.Placeholder.Faint(true)
	}
	m.input.SetStyles(s)
	m.input.ShowSuggestions = true
	m.helpModel = help.New()
	if !o.Color {
		m.helpModel.Styles = help.Styles{}
	}
	m.det.idx = -1
	m.w, m.h = 80, 24
	if o.Width > 0 && o.Height > 0 {
		m.w, m.h = o.Width, o.Height
	}
	m.resize()
	m.status = ix.Status()
	if f, err := parse(o.Filter); err == nil && f != nil {
		m.history = append(m.history, o.Filter)
		m.applyView(o.Filter, f, -1)
	}
	return m
}

// Init implements tea.Model.
func (m *model) Init() tea.Cmd { return tick() }

// Update implements tea.Model.
func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = max(msg.Width, 20), max(msg.Height, 8)
		m.resize()
		return m, nil
	case tickMsg:
		m.refresh()
		return m, tick()
	case tea.KeyPressMsg:
		cmd := m.key(msg)
		m.refresh()
		return m, cmd
	case tea.PasteMsg:
		if m.prompt != promptNone {
			var cmd tea.Cmd
			m.input, cmd = m.input.Update(msg)
			m.validatePrompt()
			return m, cmd
		}
	case tea.MouseClickMsg:
		m.click(msg.Mouse())
		m.refresh()
	case tea.MouseWheelMsg:
		mouse := msg.Mouse()
		d := 3
		if mouse.Button == tea.MouseWheelUp {
			d = -3
		}
		m.scroll(d)
		m.refresh()
	}
	return m, nil
}

// resize lays the panes out for the terminal's size.
func (m *model) resize() {
	m.lv = report.NewView(report.ViewOptions{Styled: m.styled, Width: m.w - gutter})
	clear(m.lines)
	m.det.idx = -1 // the tree is laid out for the width
	m.input.SetWidth(max(m.w*11/20, 10))
	m.helpModel.SetWidth(m.w)
}

// count is the number of rows the list shows.
func (m *model) count() int {
	if m.rows == nil {
		return m.status.Entries
	}
	rows, _, _, _ := m.rows.snapshot()
	return len(rows)
}

// entry is the index entry of the row at pos.
func (m *model) entry(pos int) int {
	if m.rows == nil {
		return pos
	}
	rows, _, _, _ := m.rows.snapshot()
	return int(rows[pos])
}

// refresh follows the index and the filter job, keeps the selection on its
// entry, and rebuilds the selected packet's view when it changed.
func (m *model) refresh() {
	old := m.status.Extent
	m.status = m.ix.Status()
	if m.status.Extent != old {
		clear(m.lines) // the columns are laid out for the extent
	}
	n := m.count()
	switch {
	case n == 0:
		m.sel, m.top = 0, 0
	case m.follow:
		m.sel = n - 1
	case m.sel >= n:
		m.sel = n - 1
	}
	m.clampTop()
	idx := -1
	if n > 0 {
		idx = m.entry(m.sel)
	}
	if idx != m.det.idx {
		m.loadDetail(idx)
	}
}

// listHeight and the other pane heights: the screen is a title line, the
// list with its header, the field tree and the hexdump each under a title
// line, the prompt line and the keys line.
func (m *model) heights() (list, tree, hex int) {
	avail := max(m.h-6, 3)
	if m.zoom {
		switch m.focus {
		case paneList:
			return avail, 0, 0
		case paneTree:
			return 0, avail, 0
		default:
			return 0, 0, avail
		}
	}
	list = max(2, avail*2/5)
	rest := avail - list
	tree = (rest + 1) / 2
	return list, tree, rest - tree
}

func (m *model) clampTop() {
	lh, _, _ := m.heights()
	lh = max(lh, 1)
	if m.sel < m.top {
		m.top = m.sel
	}
	if m.sel >= m.top+lh {
		m.top = m.sel - lh + 1
	}
	m.top = max(0, min(m.top, m.count()-lh))
}

// moveTo selects the row at pos (clamped); the list follows new rows again
// once the last one is selected.
func (m *model) moveTo(pos int) {
	n := m.count()
	m.sel = max(0, min(pos, n-1))
	m.follow = n > 0 && m.sel == n-1 && m.o.Live
	m.clampTop()
}

// say shows a message on the prompt line until the next key.
func (m *model) say(s string)  { m.msg, m.msgErr = s, false }
func (m *model) fail(s string) { m.msg, m.msgErr = s, true }

// selectEntry selects the row of entry idx, or the first after it.
func (m *model) selectEntry(idx int) {
	if m.rows == nil {
		m.moveTo(idx)
		return
	}
	rows, _, _, _ := m.rows.snapshot()
	lo, hi := 0, len(rows)
	for lo < hi {
		mid := (lo + hi) / 2
		if int(rows[mid]) < idx {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	m.moveTo(lo)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}
