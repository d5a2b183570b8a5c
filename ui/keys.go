package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
)

// keyMap is every key of the UI; the help overlay lists them all, in
// these groups.
type keyMap struct {
	Up, Down, PageUp, PageDown, HalfUp, HalfDown, Top, Bottom key.Binding
	Left, Right, NextPane, PrevPane, Zoom                     key.Binding
	Search, NextMatch, PrevMatch, Jump, Filter, ClearFilter   key.Binding
	Follow, Unfollow, Conns, Flow, NextProblem, PrevProblem   key.Binding
	NextFinding, PrevFinding                                  key.Binding
	Mark, MarkAll, ClearMarks, Export, Copy, Token            key.Binding
	Help, Back, Quit                                          key.Binding
}

func newKeyMap() keyMap {
	b := func(help string, keys ...string) key.Binding {
		k := strings.Join(keys, "/")
		switch keys[0] {
		case "up":
			k = "↑/k"
		case "down":
			k = "↓/j"
		case "left":
			k = "←/h"
		case "right":
			k = "→/l"
		}
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, help))
	}
	return keyMap{
		Up:          b("up: previous row, field or hex row", "up", "k"),
		Down:        b("down: next row, field or hex row", "down", "j"),
		PageUp:      b("page up", "pgup", "ctrl+b"),
		PageDown:    b("page down", "pgdown", "ctrl+f"),
		HalfUp:      b("half a page up", "ctrl+u"),
		HalfDown:    b("half a page down", "ctrl+d"),
		Top:         b("first row", "g", "home"),
		Bottom:      b("last row (and follow new packets, live)", "G", "end"),
		Left:        b("hexdump: previous byte", "left", "h"),
		Right:       b("hexdump: next byte", "right", "l"),
		NextPane:    b("next pane: list → field tree → hexdump", "tab"),
		PrevPane:    b("previous pane", "shift+tab"),
		Zoom:        b("zoom the pane (again: all three)", "z"),
		Search:      b("search the list's text", "/"),
		NextMatch:   b("next match", "n"),
		PrevMatch:   b("previous match", "N"),
		Jump:        b("jump to a frame", ":"),
		Filter:      b("display filter (-Y language; tab completes)", "f"),
		ClearFilter: b("clear the display filter and the followed connection", "F"),
		Follow:      b("follow the selected packet's connection", "s"),
		Unfollow:    b("stop following the connection", "S"),
		Conns:       b("connections (enter follows one)", "c"),
		Flow:        b("flow of the selected packet's connection", "w"),
		NextProblem: b("next protocol problem", "p"),
		PrevProblem: b("previous protocol problem", "P"),
		NextFinding: b("next OneNET finding", "o"),
		PrevFinding: b("previous OneNET finding", "O"),
		Mark:        b("mark or unmark the packet", "m", "space"),
		MarkAll:     b("mark every row shown", "A"),
		ClearMarks:  b("clear the marks", "U"),
		Export:      b("export the marked packets (--export-hex formats)", "e"),
		Copy:        b("copy the packet's hex (OSC 52 clipboard)", "y"),
		Token:       b("explain the CONNECT's OneNET token", "t"),
		Help:        b("this help", "?"),
		Back:        b("back, close", "esc"),
		Quit:        b("quit", "q", "ctrl+c"),
	}
}

// groups are the help overlay's sections.
func (k keyMap) groups() []struct {
	title string
	keys  []key.Binding
} {
	return []struct {
		title string
		keys  []key.Binding
	}{
		{"move", []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.HalfUp, k.HalfDown, k.Top, k.Bottom, k.Left, k.Right, k.NextPane, k.PrevPane, k.Zoom}},
		{"find", []key.Binding{k.Search, k.NextMatch, k.PrevMatch, k.Jump, k.Filter, k.ClearFilter, k.NextProblem, k.PrevProblem, k.NextFinding, k.PrevFinding}},
		{"connections", []key.Binding{k.Follow, k.Unfollow, k.Conns, k.Flow}},
		{"act", []key.Binding{k.Mark, k.MarkAll, k.ClearMarks, k.Export, k.Copy, k.Token}},
		{"", []key.Binding{k.Help, k.Back, k.Quit}},
	}
}

// ShortHelp implements help.KeyMap: the footer.
func (k keyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Help, k.Quit, k.Filter, k.Search, k.Conns, k.Flow, k.Mark, k.Export, k.Copy, k.Token, k.NextProblem}
}

// FullHelp implements help.KeyMap.
func (k keyMap) FullHelp() [][]key.Binding {
	var out [][]key.Binding
	for _, g := range k.groups() {
		out = append(out, g.keys)
	}
	return out
}
