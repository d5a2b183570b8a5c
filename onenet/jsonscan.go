package onenet

import "strconv"

// A JSON scanner over bytes for OneJSON payloads: no reflection, no
// allocation. It accepts and rejects exactly what encoding/json (v1)
// accepts and rejects, reports a syntax error at encoding/json's
// SyntaxError.Offset (the bytes read when the error was found), and reads
// strings as encoding/json unquotes them (escapes decoded, invalid UTF-8
// and lone surrogates as U+FFFD). The differential tests hold it to that.

// maxJSONDepth is encoding/json's nesting limit (maxNestingDepth).
const maxJSONDepth = 10000

// jscan checks JSON text. Its methods take the index of a value's first
// byte and return the index after the value, or -1 after recording the
// first syntax error.
type jscan struct {
	b      []byte
	errOff int    // encoding/json's SyntaxError.Offset
	errAt  int    // index of the offending byte (len(b) at the end)
	what   string // what was wrong, for people
	// top, when set, collects the members of the document's object as the
	// check passes them, so that reading them needs no second pass.
	top *[]span
}

// span is a member of an object: its key (quotes included) is b[k0:k1],
// its value b[v0:v1].
type span struct{ k0, k1, v0, v1 int }

// fail records a syntax error at b[i] (i == len(b): the text ended).
func (s *jscan) fail(i int, what string) int {
	s.errAt, s.what = i, what
	s.errOff = min(i+1, len(s.b))
	return -1
}

// reason says what the scanner found wrong, in words.
func (s *jscan) reason() string {
	if s.errAt >= len(s.b) {
		return "the payload ends where " + s.what + " should be"
	}
	c := s.b[s.errAt]
	var q string
	switch {
	case c == '\'':
		q = `'\''`
	case c >= 0x20 && c < 0x7f:
		q = "'" + string(rune(c)) + "'"
	default:
		q = "byte 0x" + strconv.FormatUint(uint64(c)>>4, 16) + strconv.FormatUint(uint64(c)&15, 16)
	}
	return "unexpected " + q + " where " + s.what + " should be"
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func (s *jscan) ws(i int) int {
	for i < len(s.b) && isSpace(s.b[i]) {
		i++
	}
	return i
}

// document checks that b is exactly one JSON value with optional
// whitespace around it, and returns the index of its first byte.
func (s *jscan) document() (start int, ok bool) {
	start = s.ws(0)
	end := s.value(start, 0)
	if end < 0 {
		return start, false
	}
	if end = s.ws(end); end < len(s.b) {
		s.fail(end, "the end of the payload")
		return start, false
	}
	return start, true
}

// value checks the value at b[i] (i at its first byte), nested in depth
// containers.
func (s *jscan) value(i, depth int) int {
	if i >= len(s.b) {
		return s.fail(i, "a value")
	}
	switch c := s.b[i]; c {
	case '{':
		return s.object(i, depth+1)
	case '[':
		return s.array(i, depth+1)
	case '"':
		return s.str(i)
	case 't':
		return s.literal(i, "true")
	case 'f':
		return s.literal(i, "false")
	case 'n':
		return s.literal(i, "null")
	default:
		if c == '-' || isDigit(c) {
			return s.number(i)
		}
		return s.fail(i, "a value")
	}
}

func (s *jscan) object(i, depth int) int {
	if depth > maxJSONDepth {
		return s.fail(i, "a value nested at most 10000 deep")
	}
	i = s.ws(i + 1)
	if i < len(s.b) && s.b[i] == '}' {
		return i + 1
	}
	for {
		if i = s.member(i, depth); i < 0 {
			return -1
		}
		if i = s.ws(i); i >= len(s.b) {
			return s.fail(i, `"," or "}"`)
		}
		switch s.b[i] {
		case ',':
			i = s.ws(i + 1)
		case '}':
			return i + 1
		default:
			return s.fail(i, `"," or "}" after an object member`)
		}
	}
}

// member checks `"key": value` at b[i] and returns the index after it.
func (s *jscan) member(i, depth int) int {
	if i >= len(s.b) || s.b[i] != '"' {
		return s.fail(i, "a quoted object key")
	}
	k0 := i
	if i = s.str(i); i < 0 {
		return -1
	}
	k1 := i
	if i = s.ws(i); i >= len(s.b) || s.b[i] != ':' {
		return s.fail(i, `":" after an object key`)
	}
	v0 := s.ws(i + 1)
	v1 := s.value(v0, depth)
	if depth == 1 && s.top != nil && v1 >= 0 {
		*s.top = append(*s.top, span{k0, k1, v0, v1})
	}
	return v1
}

func (s *jscan) array(i, depth int) int {
	if depth > maxJSONDepth {
		return s.fail(i, "a value nested at most 10000 deep")
	}
	i = s.ws(i + 1)
	if i < len(s.b) && s.b[i] == ']' {
		return i + 1
	}
	for {
		if i = s.value(i, depth); i < 0 {
			return -1
		}
		if i = s.ws(i); i >= len(s.b) {
			return s.fail(i, `"," or "]"`)
		}
		switch s.b[i] {
		case ',':
			i = s.ws(i + 1)
		case ']':
			return i + 1
		default:
			return s.fail(i, `"," or "]" after an array element`)
		}
	}
}

// str checks a string at b[i] == '"'.
func (s *jscan) str(i int) int {
	b := s.b
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1
		case c == '\\':
			i++
			if i >= len(b) {
				return s.fail(i, "an escape")
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				for range 4 {
					if i++; i >= len(b) || !isHex(b[i]) {
						return s.fail(i, `a hexadecimal digit of a \u escape`)
					}
				}
			default:
				return s.fail(i, `an escape (\" \\ \/ \b \f \n \r \t \uXXXX)`)
			}
		case c < 0x20:
			return s.fail(i, "a character of a string (control characters must be escaped)")
		}
	}
	return s.fail(i, `the closing quote of a string`)
}

func (s *jscan) number(i int) int {
	b := s.b
	if b[i] == '-' {
		if i++; i >= len(b) || !isDigit(b[i]) {
			return s.fail(i, "a digit after '-'")
		}
	}
	if b[i] == '0' {
		i++
	} else {
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && b[i] == '.' {
		if i++; i >= len(b) || !isDigit(b[i]) {
			return s.fail(i, "a digit after a decimal point")
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		if i++; i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return s.fail(i, "a digit of an exponent")
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	return i
}

func (s *jscan) literal(i int, lit string) int {
	for k := 1; k < len(lit); k++ {
		if i+k >= len(s.b) || s.b[i+k] != lit[k] {
			return s.fail(i+k, "the literal "+lit)
		}
	}
	return i + len(lit)
}
