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
	// stamp is the last time's date and clock to the second, as
	// RFC 3339, for stampSec: records come a few per second of capture,
	// and formatting the whole time was a twentieth of the output's time.
	stamp    []byte
	stampSec int64
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
	j.b = j.appendTime(j.b, t)
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

// appendTime appends t in UTC as time.RFC3339Nano does, reusing the
// formatted date and clock of the previous time within the same second.
func (j *jsonBuf) appendTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	if sec := t.Unix(); sec != j.stampSec || j.stamp == nil {
		j.stamp, j.stampSec = t.AppendFormat(j.stamp[:0], "2006-01-02T15:04:05"), sec
	}
	b = append(b, j.stamp...)
	if ns := t.Nanosecond(); ns != 0 {
		// The fraction without its trailing zeros, as .999999999 writes it.
		var frac [10]byte
		frac[0] = '.'
		for i := 9; i > 0; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		for frac[n-1] == '0' {
			n--
		}
		b = append(b, frac[:n]...)
	}
	return append(b, 'Z')
}
