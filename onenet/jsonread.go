package onenet

import (
	"bytes"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Reading values that the scanner has checked. The functions below trust
// their input to be valid JSON.

// members walks the members of the checked object at b[i] == '{': next
// gives the key (quotes included) and value of each member in turn.
type members struct {
	b []byte
	i int
}

func (m *members) next() (key, val []byte, ok bool) {
	b := m.b
	if m.i >= len(b) || b[m.i] == '}' {
		return nil, nil, false
	}
	i := skipSpace(b, m.i+1)
	if i >= len(b) || b[i] == '}' {
		m.i = i
		return nil, nil, false
	}
	k0 := i
	i = skipString(b, i)
	key = b[k0:i]
	v0 := skipSpace(b, skipSpace(b, i)+1)
	i = skipValue(b, v0)
	val = b[v0:i]
	m.i = skipSpace(b, i) // at ',' or '}'
	return key, val, true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipString returns the index after the checked string at b[i] == '"'.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '"':
			return i + 1
		case '\\':
			i++
		}
	}
	return i
}

// skipValue returns the index after the checked value at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return i
	}
	for i < len(b) && !isSpace(b[i]) && b[i] != ',' && b[i] != '}' && b[i] != ']' {
		i++ // a number or a literal
	}
	return i
}

// elements walks the elements of the checked array at b[i] == '['.
type elements struct {
	b []byte
	i int
}

func (e *elements) next() (val []byte, ok bool) {
	b := e.b
	if e.i >= len(b) || b[e.i] == ']' {
		return nil, false
	}
	i := skipSpace(b, e.i+1)
	if i >= len(b) || b[i] == ']' {
		e.i = i
		return nil, false
	}
	end := skipValue(b, i)
	val = b[i:end]
	e.i = skipSpace(b, end)
	return val, true
}

// nextRune reads the character of checked string content s at r as
// encoding/json's unquote does, and returns it with the index after it.
func nextRune(s []byte, r int) (rune, int) {
	c := s[r]
	if c != '\\' {
		if c < utf8.RuneSelf {
			return rune(c), r + 1
		}
		rr, size := utf8.DecodeRune(s[r:]) // invalid UTF-8: U+FFFD, 1
		return rr, r + size
	}
	switch s[r+1] {
	case 'b':
		return '\b', r + 2
	case 'f':
		return '\f', r + 2
	case 'n':
		return '\n', r + 2
	case 'r':
		return '\r', r + 2
	case 't':
		return '\t', r + 2
	case 'u':
		rr := getu4(s[r:])
		r += 6
		if utf16.IsSurrogate(rr) {
			if dec := utf16.DecodeRune(rr, getu4(s[r:])); dec != unicode.ReplacementChar {
				return dec, r + 6
			}
			return unicode.ReplacementChar, r
		}
		return rr, r
	}
	return rune(s[r+1]), r + 2 // " \ /
}

// getu4 reads \uXXXX at the start of s, or gives -1.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case isDigit(c):
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// plainString reports whether a checked string (quotes included) reads as
// its own bytes: no escape, valid UTF-8.
func plainString(q []byte) bool {
	s := q[1 : len(q)-1]
	for i, c := range s {
		if c == '\\' {
			return false
		} else if c >= utf8.RuneSelf {
			// An escape may still follow the first non-ASCII byte.
			return bytes.IndexByte(s[i:], '\\') < 0 && utf8.Valid(s[i:])
		}
	}
	return true
}

// appendUnquoted appends the text of a checked string (quotes included).
func appendUnquoted(dst, q []byte) []byte {
	s := q[1 : len(q)-1]
	for r := 0; r < len(s); {
		var c rune
		c, r = nextRune(s, r)
		dst = utf8.AppendRune(dst, c)
	}
	return dst
}

// keyText is the text of a checked string (quotes included) when it is at
// most len(buf) bytes long, for comparing keys: its own bytes when it has
// no escape, else unquoted into buf. ok is false for longer text.
func keyText(q []byte, buf *[16]byte) (text []byte, ok bool) {
	s := q[1 : len(q)-1]
	if bytes.IndexByte(s, '\\') < 0 {
		return s, true
	}
	n := 0
	for r := 0; r < len(s); {
		var c rune
		c, r = nextRune(s, r)
		if n+utf8.RuneLen(c) > len(buf) {
			return nil, false
		}
		n += utf8.EncodeRune(buf[n:], c)
	}
	return buf[:n], true
}

// foldKeyIs reports whether a checked string (quotes included) names the
// struct field whose upper-case ASCII name is upper, as encoding/json
// matches keys to fields: case-insensitively, each rune folded to the
// smallest of its simple case folding orbit (so "ſ" names "S").
func foldKeyIs(q []byte, upper string) bool {
	s := q[1 : len(q)-1]
	j := 0
	for r := 0; r < len(s); j++ {
		var c rune
		c, r = nextRune(s, r)
		switch {
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		case c >= utf8.RuneSelf:
			c = foldRune(c)
		}
		if j >= len(upper) || c != rune(upper[j]) {
			return false
		}
	}
	return j == len(upper)
}

// foldRune is the smallest rune of c's simple case folding orbit
// (SimpleFold climbs the orbit and wraps around to its smallest).
func foldRune(c rune) rune {
	for {
		f := unicode.SimpleFold(c)
		if f <= c {
			return f
		}
		c = f
	}
}

// parseInt64 reads a checked JSON number as strconv.ParseInt(s, 10, 64)
// does: an integer in range, or not ok.
func parseInt64(b []byte) (int64, bool) {
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	var n uint64
	for _, c := range b {
		if !isDigit(c) {
			return 0, false // a fraction or an exponent
		}
		if n > (1<<63)/10 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
		if n > 1<<63 {
			return 0, false
		}
	}
	switch {
	case neg:
		return -int64(n), true // -(1<<63) is in range and wraps to itself
	case n == 1<<63:
		return 0, false
	}
	return int64(n), true
}
