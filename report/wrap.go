package report

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// minWrap is the narrowest a wrapped message gets, however far right it
// starts: narrower, it would be one word per line.
const minWrap = 24

// wrapLines breaks a plain-text message that starts at column col into
// lines that fit width columns (all of it on one line when width <= 0),
// at spaces, and inside words only when a word is longer than a line.
// Messages are wrapped, never cut: they are what the user came to read.
// (ansi.Wrap also breaks after hyphens: a date like 2022-08-23 would be
// split.)
func wrapLines(text string, width, col int) []string {
	if width <= 0 || col+textWidth(text) <= width {
		return []string{text}
	}
	limit := max(width-col, minWrap)
	var lines []string
	var cur strings.Builder
	cw := 0
	flush := func() {
		lines = append(lines, cur.String())
		cur.Reset()
		cw = 0
	}
	for i, w := range strings.Split(text, " ") {
		ww := textWidth(w)
		if i > 0 && cw+1+ww > limit && cw > 0 {
			flush()
		} else if i > 0 {
			cur.WriteByte(' ')
			cw++
		}
		for cw+ww > limit && ww > 0 {
			// A word longer than a line: as much as fits, then the rest.
			head := ansi.Truncate(w, limit-cw, "")
			if head == "" {
				flush()
				continue
			}
			cur.WriteString(head)
			flush()
			w = w[len(head):]
			ww = textWidth(w)
		}
		cur.WriteString(w)
		cw += ww
	}
	if cw > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}

// putWrapped appends text in style st, wrapped to the terminal's width, the
// first line at column col (what is already on the line) and the others
// indented by hang spaces.
func (t *Text) putWrapped(st style, text string, col, hang int) {
	for i, line := range wrapLines(text, t.opts.Width, max(col, hang)) {
		if i > 0 {
			t.b = append(t.b, '\n')
			t.b = pad(t.b, 0, hang)
		}
		t.put(st, line)
	}
}
