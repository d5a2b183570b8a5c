package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// What a key press does on the main screens, by mode and pane (the keys
// themselves are in keys.go; the prompt line's, prompt.go; the help's,
// help.go).

// key handles a key press.
func (m *model) key(k tea.KeyPressMsg) tea.Cmd {
	if m.prompt != promptNone {
		return m.promptKey(k)
	}
	m.msg, m.msgErr = "", false
	if m.help {
		return m.helpKey(k)
	}
	switch {
	case key.Matches(k, m.keys.Quit):
		if k.String() == "q" && m.mode != modeMain {
			m.mode = modeMain
			return nil
		}
		return tea.Quit
	case key.Matches(k, m.keys.Help):
		m.help, m.helpTop = true, 0
		return nil
	}
	switch m.mode {
	case modeConns:
		return m.connsKey(k)
	case modeFlow:
		return m.flowKey(k)
	case modeToken:
		return m.tokenKey(k)
	}
	return m.mainKey(k)
}

func (m *model) mainKey(k tea.KeyPressMsg) tea.Cmd {
	km := m.keys
	lh, th, hh := m.heights()
	page := map[pane]int{paneList: lh, paneTree: th, paneHex: hh}[m.focus]
	switch {
	case key.Matches(k, km.Back):
		if m.zoom {
			m.zoom = false
		}
	case key.Matches(k, km.NextPane):
		m.focus = (m.focus + 1) % 3
	case key.Matches(k, km.PrevPane):
		m.focus = (m.focus + 2) % 3
	case key.Matches(k, km.Zoom):
		m.zoom = !m.zoom
		m.clampTop()
	case key.Matches(k, km.Up):
		m.move(-1)
	case key.Matches(k, km.Down):
		m.move(1)
	case key.Matches(k, km.PageUp):
		m.move(-max(page, 1))
	case key.Matches(k, km.PageDown):
		m.move(max(page, 1))
	case key.Matches(k, km.HalfUp):
		m.move(-max(page/2, 1))
	case key.Matches(k, km.HalfDown):
		m.move(max(page/2, 1))
	case key.Matches(k, km.Top):
		m.focus = paneList
		m.moveTo(0)
	case key.Matches(k, km.Bottom):
		m.focus = paneList
		m.moveTo(m.count() - 1)
		m.follow = m.o.Live
	case key.Matches(k, km.Left):
		if m.focus == paneHex {
			m.hexMove(-1)
		}
	case key.Matches(k, km.Right):
		if m.focus == paneHex {
			m.hexMove(1)
		}
	case key.Matches(k, km.Search):
		return m.openPrompt(promptSearch, "/", m.search)
	case key.Matches(k, km.NextMatch):
		m.findText(m.search, 1)
	case key.Matches(k, km.PrevMatch):
		m.findText(m.search, -1)
	case key.Matches(k, km.Jump):
		return m.openPrompt(promptJump, "frame: ", "")
	case key.Matches(k, km.Filter):
		return m.openPrompt(promptFilter, "filter: ", m.filter)
	case key.Matches(k, km.ClearFilter):
		m.applyView("", nil, -1)
	case key.Matches(k, km.Follow):
		m.followSelected()
	case key.Matches(k, km.Unfollow):
		f, _ := parse(m.filter)
		m.applyView(m.filter, f, -1)
	case key.Matches(k, km.Conns):
		m.openConns()
	case key.Matches(k, km.Flow):
		m.openFlow()
	case key.Matches(k, km.NextProblem):
		m.findFlag(efProblem, 1, "protocol problem")
	case key.Matches(k, km.PrevProblem):
		m.findFlag(efProblem, -1, "protocol problem")
	case key.Matches(k, km.NextFinding):
		m.findFlag(efFinding, 1, "OneNET finding")
	case key.Matches(k, km.PrevFinding):
		m.findFlag(efFinding, -1, "OneNET finding")
	case key.Matches(k, km.Mark):
		m.toggleMark()
	case key.Matches(k, km.MarkAll):
		m.markAll()
	case key.Matches(k, km.ClearMarks):
		clear(m.marks)
		m.say("marks cleared")
	case key.Matches(k, km.Export):
		if len(m.marks) == 0 {
			m.fail("no packet is marked: m marks the selected one, A every row shown")
			return nil
		}
		cmd := m.openPrompt(promptExport, "export "+plural(len(m.marks), "marked packet")+" as FORMAT FILE: ", "")
		// The default is a placeholder, not text: typing replaces it
		// instead of appending to it, and enter on the empty line takes it.
		m.input.Placeholder = defaultExport
		return cmd
	case key.Matches(k, km.Copy):
		return m.copyHex()
	case key.Matches(k, km.Token):
		m.openToken()
	}
	return nil
}

// move moves in the focused pane.
func (m *model) move(d int) {
	switch m.focus {
	case paneList:
		m.moveTo(m.sel + d)
	case paneTree:
		m.fieldMove(d)
	case paneHex:
		m.hexMove(d * 16)
	}
}

// scroll is the mouse wheel: it moves the pane in focus.
func (m *model) scroll(d int) {
	if m.help {
		m.helpScroll(d)
		return
	}
	switch m.mode {
	case modeMain:
		m.move(d)
	case modeConns:
		m.conns.move(d)
	case modeFlow:
		m.flow.move(d)
	case modeToken:
		m.token.scroll(d, m.h-3)
	}
}
