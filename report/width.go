package report

import "github.com/charmbracelet/x/ansi"

// textWidth is how many terminal columns s takes. Printable ASCII (the
// common case: fields, topics, JSON), one column a byte, is measured
// without ansi.StringWidth's grapheme clustering; anything else (escape
// codes, wide characters) is measured by it.
func textWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}
