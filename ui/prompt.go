package ui

import (
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/mqttpcap/mqttpcap/filter"
)

// The prompt line: a filter, a search, a jump or an export typed at the
// bottom of the screen, checked as it is typed, and what enter does with it.

// openPrompt opens the prompt line with the given text.
func (m *model) openPrompt(kind promptKind, prompt, value string) tea.Cmd {
	m.prompt = kind
	m.input.Prompt = prompt
	m.input.SetValue(value)
	m.input.Placeholder = ""
	m.input.CursorEnd()
	m.inputErr = ""
	m.histPos = len(m.history)
	m.input.SetSuggestions(nil)
	m.validatePrompt()
	return m.input.Focus()
}

func (m *model) closePrompt() {
	m.prompt = promptNone
	m.input.Blur()
}

// promptKey handles a key while a prompt is open.
func (m *model) promptKey(k tea.KeyPressMsg) tea.Cmd {
	switch k.String() {
	case "esc":
		m.closePrompt()
		return nil
	case "ctrl+c":
		return tea.Quit
	case "enter":
		return m.submitPrompt()
	case "up", "down":
		if m.prompt == promptFilter && len(m.history) > 0 && len(m.input.MatchedSuggestions()) == 0 {
			if k.String() == "up" {
				m.histPos = max(m.histPos-1, 0)
			} else {
				m.histPos = min(m.histPos+1, len(m.history))
			}
			v := ""
			if m.histPos < len(m.history) {
				v = m.history[m.histPos]
			}
			m.input.SetValue(v)
			m.input.CursorEnd()
			m.validatePrompt()
			return nil
		}
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(k)
	m.validatePrompt()
	return cmd
}

// validatePrompt checks the filter as it is typed and offers completions
// of its last word (filter.Complete, as the shell completion of -Y).
func (m *model) validatePrompt() {
	m.inputErr = ""
	if m.prompt != promptFilter {
		return
	}
	v := m.input.Value()
	if strings.TrimSpace(v) != "" {
		if _, err := filter.Parse(v); err != nil {
			m.inputErr = err.Error()
			if se, ok := err.(*filter.SyntaxError); ok {
				m.inputErr = "column " + strconv.Itoa(se.Col) + ": " + se.Msg
			}
		}
	}
	if v == "" || strings.HasSuffix(v, " ") && !strings.HasSuffix(strings.TrimSpace(v), "=") {
		m.input.SetSuggestions(nil)
		return
	}
	m.input.SetSuggestions(filter.Complete(v))
}

func (m *model) submitPrompt() tea.Cmd {
	v := strings.TrimSpace(m.input.Value())
	kind := m.prompt
	switch kind {
	case promptFilter:
		f, err := parse(v)
		if err != nil {
			return nil // the error is shown; enter does nothing
		}
		m.closePrompt()
		if v != "" && (len(m.history) == 0 || m.history[len(m.history)-1] != v) {
			m.history = append(m.history, v)
		}
		m.applyView(v, f, m.stream)
	case promptSearch:
		m.closePrompt()
		m.search = v
		m.findText(v, 1)
	case promptJump:
		m.closePrompt()
		n, err := strconv.ParseUint(strings.TrimPrefix(v, "#"), 10, 64)
		if err != nil {
			m.fail(strconv.Quote(v) + " is not a frame number")
			return nil
		}
		m.jumpFrame(n)
	case promptExport:
		m.closePrompt()
		if v == "" {
			v = defaultExport
		}
		m.export(v)
	}
	return nil
}

// parse parses a display filter ("" is none).
func parse(expr string) (*filter.Filter, error) {
	if strings.TrimSpace(expr) == "" {
		return nil, nil
	}
	return filter.Parse(expr)
}

// applyView shows the rows a display filter and a followed connection
// choose, keeping the selected packet selected when it is among them.
func (m *model) applyView(expr string, f *filter.Filter, stream int) {
	keep := -1
	if m.count() > 0 {
		keep = m.entry(m.sel)
	}
	if m.rows != nil {
		m.rows.cancel()
	}
	m.filter, m.stream = expr, stream
	m.rows = nil
	if f != nil || stream >= 0 {
		m.rows = newRowSet(m.ix, f, expr, stream)
		if m.o.Sync {
			m.rows.wait()
		}
	}
	m.follow = m.o.Live
	m.sel, m.top = 0, 0
	if keep >= 0 {
		m.selectEntry(keep)
	}
}
