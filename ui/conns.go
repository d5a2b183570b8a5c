package ui

import (
	"sort"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/report"
)

// connsView is the connections view: read's summary table (report's, with
// its OneNET verdicts) for the connections that ended, then those still
// open; enter follows the selected one in the list.
type connsView struct {
	lines   []string
	rows    []int // the line of each connection
	streams []int
	sel     int
	top     int
	left    int // horizontal scroll, in columns
	h       int
}

func (c *connsView) move(d int) {
	if len(c.rows) == 0 {
		return
	}
	c.sel = max(0, min(c.sel+d, len(c.rows)-1))
	c.top = keepVisible(c.top, c.rows[c.sel], c.h, len(c.lines))
}

func (m *model) openConns() {
	ix := m.ix
	ix.mu.RLock()
	b := report.SummaryTable(nil, ix.collect, report.TableOptions{Styled: m.styled})
	var done []*report.ConnSummary
	for _, s := range ix.collect.Done {
		if !s.Hidden {
			done = append(done, s)
		}
	}
	var open []*conn
	for _, c := range ix.conns {
		if !c.ended {
			open = append(open, c)
		}
	}
	ix.mu.RUnlock()
	sort.SliceStable(done, func(i, j int) bool { return done[i].Conn.Stream < done[j].Conn.Stream })
	cv := connsView{h: max(m.h-4, 1)}
	cv.lines = splitLines(string(b))
	if len(cv.lines) > 0 && cv.lines[0] == "" {
		cv.lines = cv.lines[1:]
	}
	for i, s := range done {
		// The summary table: its title, its header, then a row per
		// connection in stream order.
		cv.rows = append(cv.rows, 2+i)
		cv.streams = append(cv.streams, s.Conn.Stream)
	}
	if len(open) > 0 {
		cv.lines = append(cv.lines, "", m.st.title.Render("Open connections")+" (their summary comes when they end)")
		for _, c := range open {
			client, server := pipeline.Addrs(&c.c, &c.info)
			id := "-"
			if c.info.HasConnect {
				id = strconv.Quote(c.info.ClientID)
			}
			ver := "-"
			if c.info.Version != 0 {
				ver = c.info.Version.String()
			}
			cv.rows = append(cv.rows, len(cv.lines))
			cv.streams = append(cv.streams, c.c.Stream)
			cv.lines = append(cv.lines, "  "+padTo(strconv.Itoa(c.c.Stream), 5)+"  "+client+" → "+server+"  "+id+"  "+ver+"  "+
				strconv.Itoa(c.info.Packets[0])+" c→s, "+strconv.Itoa(c.info.Packets[1])+" s→c MQTT packets so far")
		}
	}
	if len(cv.lines) == 0 {
		cv.lines = []string{"  (no connection yet)"}
	}
	// Start on the selected packet's connection.
	if c := m.selectedConn(); c != nil {
		for i, s := range cv.streams {
			if s == c.c.Stream {
				cv.sel = i
			}
		}
	}
	cv.move(0)
	m.conns = cv
	m.mode = modeConns
}

// padTo right-aligns s in w columns.
func padTo(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return strings.Repeat(" ", w-n) + s
	}
	return s
}

func (m *model) connsKey(k tea.KeyPressMsg) tea.Cmd {
	c := &m.conns
	c.h = max(m.h-4, 1)
	switch k.String() {
	case "esc", "c":
		m.mode = modeMain
	case "up", "k":
		c.move(-1)
	case "down", "j":
		c.move(1)
	case "pgup", "ctrl+b":
		c.move(-c.h)
	case "pgdown", "ctrl+f":
		c.move(c.h)
	case "g", "home":
		c.move(-len(c.rows))
	case "G", "end":
		c.move(len(c.rows))
	case "left", "h":
		c.left = max(0, c.left-8)
	case "right", "l":
		c.left += 8
	case "enter", "s":
		if len(c.streams) > 0 {
			m.mode = modeMain
			f, _ := parse(m.filter)
			m.applyView(m.filter, f, c.streams[c.sel])
			m.say("following stream " + strconv.Itoa(c.streams[c.sel]) + " (S stops)")
		}
	case "w":
		if len(c.streams) > 0 {
			m.openFlowStream(c.streams[c.sel], -1)
		}
	}
	return nil
}

func (m *model) connsView(h int) []string {
	c := &m.conns
	c.h = h - 1
	out := []string{m.st.dim.Render("  enter follows the connection in the list, w shows its flow, ←/→ scroll, esc goes back")}
	sel := -1
	if len(c.rows) > 0 {
		sel = c.rows[c.sel]
	}
	for i := c.top; i < len(c.lines) && len(out) < h; i++ {
		line := c.lines[i]
		if c.left > 0 {
			line = ansi.Cut(line, c.left, c.left+m.w)
		}
		if i == sel {
			line = m.selected(line, true)
		}
		out = append(out, line)
	}
	return out
}
