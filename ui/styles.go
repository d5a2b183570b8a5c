package ui

import (
	"charm.land/lipgloss/v2"
)

// styles are the UI's own (the list, tree and hexdump are report's). Without
// colour only attributes are used (reverse, bold), which NO_COLOR allows.
type styles struct {
	title, bar, paneTitle, paneFocus, sel, dim, err, ok, warn, problem, mark, client, server lipgloss.Style
}

func newStyles(color bool) styles {
	s := styles{
		title:     lipgloss.NewStyle().Bold(true),
		bar:       lipgloss.NewStyle().Reverse(true),
		paneTitle: lipgloss.NewStyle(),
		paneFocus: lipgloss.NewStyle().Bold(true),
		sel:       lipgloss.NewStyle().Reverse(true),
		dim:       lipgloss.NewStyle(),
		err:       lipgloss.NewStyle().Bold(true),
		ok:        lipgloss.NewStyle(),
		warn:      lipgloss.NewStyle(),
		problem:   lipgloss.NewStyle().Bold(true),
		mark:      lipgloss.NewStyle().Bold(true),
		client:    lipgloss.NewStyle(),
		server:    lipgloss.NewStyle(),
	}
	if !color {
		return s
	}
	fg := func(c string) lipgloss.Style { return lipgloss.NewStyle().Foreground(lipgloss.Color(c)) }
	s.bar = lipgloss.NewStyle().Foreground(lipgloss.Color("231")).Background(lipgloss.Color("24"))
	s.paneTitle = fg("245")
	s.paneFocus = fg("39").Bold(true)
	s.dim = lipgloss.NewStyle().Faint(true)
	s.err = fg("196").Bold(true)
	s.ok = fg("35").Bold(true)
	s.warn = fg("214")
	s.problem = fg("196").Bold(true)
	s.mark = fg("214").Bold(true)
	s.client = fg("39")
	s.server = fg("208")
	return s
}
