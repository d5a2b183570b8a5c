package filter

import (
	"bytes"
	"regexp"
	"strings"
)

// text is a string value of a record: packet fields are byte slices that
// alias the capture, OneNET and connection fields are strings. Holding
// either avoids converting (and allocating) on every Match.
type text struct {
	s       string
	b       []byte
	isBytes bool
}

func str(s string) text    { return text{s: s} }
func bin(b []byte) text    { return text{b: b, isBytes: true} }
func (t text) empty() bool { return len(t.s) == 0 && len(t.b) == 0 }

// literal is a string from the filter in both forms, made once at Parse
// time for the bytes package.
type literal struct {
	s string
	b []byte
}

func newLiteral(s string) literal { return literal{s: s, b: []byte(s)} }

func (t text) equal(l literal, fold bool) bool {
	switch {
	case t.isBytes && fold:
		return bytes.EqualFold(t.b, l.b)
	case t.isBytes:
		return string(t.b) == l.s // compiled without a conversion
	case fold:
		return strings.EqualFold(t.s, l.s)
	}
	return t.s == l.s
}

func (t text) contains(l literal) bool {
	if t.isBytes {
		return bytes.Contains(t.b, l.b)
	}
	return strings.Contains(t.s, l.s)
}

func (t text) matches(re *regexp.Regexp) bool {
	if t.isBytes {
		return re.Match(t.b)
	}
	return re.MatchString(t.s)
}

// number reads a text value holding a number (onenet.id).
func (t text) number() (int64, bool) {
	if t.isBytes {
		return parseInt(t.b)
	}
	return parseInt(t.s)
}

// parseInt reads a decimal or 0x hexadecimal integer with an optional minus
// sign. It is not strconv.ParseInt(s, 0, 64), which would read "010" as
// octal 8: a user typing qos == 010 means ten. Generic so that record
// bytes are read without a conversion.
func parseInt[T string | []byte](s T) (int64, bool) {
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	base := uint64(10)
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		s, base = s[2:], 16
	}
	if len(s) == 0 {
		return 0, false
	}
	const limit = 1 << 63 // magnitude of the most negative int64
	var n uint64
	for i := 0; i < len(s); i++ {
		d := digit(s[i])
		if d >= base {
			return 0, false
		}
		if n > (limit-d)/base {
			return 0, false
		}
		n = n*base + d
	}
	switch {
	case neg:
		return -int64(n), true // -(1<<63) wraps to itself: correct
	case n == limit:
		return 0, false
	}
	return int64(n), true
}

// digit is the value of a hexadecimal digit, or 99.
func digit(c byte) uint64 {
	switch {
	case '0' <= c && c <= '9':
		return uint64(c - '0')
	case 'a' <= c && c <= 'f':
		return uint64(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return uint64(c-'A') + 10
	}
	return 99
}

// compareInt applies an ordering or equality operator.
func compareInt(o op, a, b int64) bool {
	switch o {
	case opEq:
		return a == b
	case opNe:
		return a != b
	case opLt:
		return a < b
	case opLe:
		return a <= b
	case opGt:
		return a > b
	case opGe:
		return a >= b
	}
	return false
}
