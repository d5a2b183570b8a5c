package report

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// A small JSON appender: the JSON-lines output is on the hot path of
// `read --json`, and building maps for encoding/json would allocate per
// field. Keys are written in a fixed order, so the output is stable.

type jsonBuf struct {
	b     []byte
	first bool // no member written yet in the current object or array
}

func (j *jsonBuf) open(c byte) { j.b = append(j.b, c); j.first = true }

func (j *jsonBuf) close(c byte) { j.b = append(j.b, c); j.first = false }

func (j *jsonBuf) sep() {
	if !j.first {
		j.b = append(j.b, ',')
	}
	j.first = false
}

func (j *jsonBuf) key(k string) {
	j.sep()
	j.b = append(j.b, '"')
	j.b = append(j.b, k...)
	j.b = append(j.b, '"', ':')
	j.first = true // the value follows without a comma
}

func (j *jsonBuf) str(k string, v []byte) { j.key(k); j.first = false; j.b = appendJSONString(j.b, v) }
func (j *jsonBuf) strs(k, v string) {
	j.key(k)
	j.first = false
	j.b = appendJSONString(j.b, v)
}
func (j *jsonBuf) uint(k string, v uint64) {
	j.key(k)
	j.first = false
	j.b = strconv.AppendUint(j.b, v, 10)
}
func (j *jsonBuf) int(k string, v int64) {
	j.key(k)
	j.first = false
	j.b = strconv.AppendInt(j.b, v, 10)
}
func (j *jsonBuf) bool(k string, v bool) { j.key(k); j.first = false; j.b = strconv.AppendBool(j.b, v) }
func (j *jsonBuf) null(k string)         { j.key(k); j.first = false; j.b = append(j.b, "null"...) }
func (j *jsonBuf) hex(k string, v []byte) {
	j.key(k)
	j.first = false
	j.b = append(j.b, '"')
	j.b = appendHex(j.b, v)
	j.b = append(j.b, '"')
}
func (j *jsonBuf) time(k string, t time.Time) {
	j.key(k)
	j.first = false
	if t.IsZero() {
		j.b = append(j.b, "null"...)
		return
	}
	j.b = append(j.b, '"')
	j.b = t.UTC().AppendFormat(j.b, time.RFC3339Nano)
	j.b = append(j.b, '"')
}

// element starts an array element.
func (j *jsonBuf) element() { j.sep() }

func appendHex(b, v []byte) []byte {
	const digits = "0123456789abcdef"
	for _, c := range v {
		b = append(b, digits[c>>4], digits[c&0x0f])
	}
	return b
}

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendJSONString[T string | []byte](b []byte, s T) []byte {
	const digits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != 0x7f {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', digits[c>>4], digits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune([]byte(s[i:min(i+utf8.UTFMax, len(s))]))
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, `\u202`...)
			b = append(b, digits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
