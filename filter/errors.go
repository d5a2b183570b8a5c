package filter

import (
	"strconv"
	"strings"
)

// SyntaxError is a mistake in a filter expression: Col is the 1-based
// column, in runes, of the token it is about (one past the last rune when
// something is missing at the end), and Msg says what was expected there.
type SyntaxError struct {
	Expr string
	Col  int
	Msg  string
}

// Error gives `column 9: expected a value after "==" in 'type == && qos > 0'`:
// the column first, so that a caller prefixing the flag name
// ("-Y: column 9: ...") reads naturally, and the expression last, quoted as
// typed, so the column can be counted on it.
func (e *SyntaxError) Error() string {
	s := "column " + strconv.Itoa(e.Col) + ": " + e.Msg
	if strings.TrimSpace(e.Expr) == "" {
		return s // "in ''" would add nothing
	}
	return s + " in '" + e.Expr + "'"
}
