package onenet

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Severity says how much a finding matters.
type Severity int

const (
	Info    Severity = iota // worth knowing, harmless on its own
	Warning                 // suspicious, or the broker's behaviour is unverified
	Error                   // the platform refuses such a token (documented)
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "info"
}

// MarshalText makes a Severity read as its name in JSON output.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Finding is one named check result about a token (onenet.md §2.8).
type Finding struct {
	Code     string   // stable snake_case id, one of the Code constants
	Field    string   // "version", "res", "et", "method", "sign", "username", "client_id", or the key of an unknown part
	Off      int      // byte offset in Token.Raw the finding points at; -1 if none
	Message  string   // one line a user can act on, with expected and actual values; never the key
	Severity Severity // Error, Warning or Info
}

// CheckContext is what Check compares the token with. Empty strings and a
// zero At mean "not known" and skip the check that needs them.
type CheckContext struct {
	Username, ClientID string    // from the CONNECT
	At                 time.Time // capture time of the CONNECT, for the expiry check
	// AtName names At in messages ("this packet" when empty).
	AtName string
}

// Check runs every check of onenet.md §2.8 that needs no key and returns
// the findings, errors first, then warnings, then infos; within a severity
// in the order version, res, identity, et, method, sign, structure,
// encoding. A well-formed, unexpired device token matching the CONNECT
// gives none.
func (t *Token) Check(ctx CheckContext) []Finding {
	c := &checker{t: t, ctx: ctx}
	c.version()
	c.res()
	c.identity()
	c.et()
	c.method()
	c.sign()
	c.structure()
	c.encoding()
	slices.SortStableFunc(c.out, func(a, b Finding) int { return cmp.Compare(b.Severity, a.Severity) })
	return c.out
}

type checker struct {
	t   *Token
	ctx CheckContext
	out []Finding
}

func (c *checker) add(sev Severity, code, field string, off int, format string, args ...any) {
	c.out = append(c.out, Finding{Code: code, Field: field, Off: off, Message: oneLine(fmt.Sprintf(format, args...)), Severity: sev})
}

// valueAt is where a finding about f's value points: the value, or the
// part itself when the value is empty (so the offset stays inside Raw).
func (f *TokenField) valueAt() int {
	if f.ValueLen == 0 {
		return f.Off
	}
	return f.ValueOff
}

// structure checks the presence, uniqueness and order of the five fields
// (onenet.md §2.8 item 1, §2.1).
func (c *checker) structure() {
	t := c.t
	var order []string
	seen := map[string]int{}
	for _, f := range t.Fields {
		switch {
		case !f.HasEquals():
			c.add(Warning, CodeMalformedField, f.Key, f.Off,
				`part %q has no "="; token parts are key=value separated by "&"`, f.Key)
		case !isTokenField(f.Key):
			c.add(Warning, CodeUnknownField, f.Key, f.Off,
				"unknown field %q; a OneNET token has only version, res, et, method and sign", f.Key)
		case seen[f.Key] > 0:
			c.add(Warning, CodeDuplicateField, f.Key, f.Off,
				"field %s appears again at offset %d; this reading uses the first one (%q), which one the broker uses is unknown",
				f.Key, f.Off, t.field(f.Key).RawValue)
		default:
			order = append(order, f.Key)
		}
		if f.HasEquals() {
			seen[f.Key]++
		}
	}
	for off := 0; off <= len(t.Raw) && len(t.Raw) > 0; off++ {
		// An empty part: "&&", or '&' at either end. Point at the '&'
		// after it, or before it at the end of the text.
		if (off == 0 || t.Raw[off-1] == '&') && (off == len(t.Raw) || t.Raw[off] == '&') {
			at := off
			if at == len(t.Raw) {
				at--
			}
			c.add(Warning, CodeMalformedField, "", at,
				`empty part at offset %d (two "&" in a row, or a leading or trailing "&")`, at)
		}
	}
	var want []string
	for _, k := range canonicalOrder() {
		if seen[k] == 0 {
			c.add(Error, CodeMissingField, k, -1,
				"token has no %s field; a OneNET token has version, res, et, method and sign (onenet.md §2.1)", k)
		} else {
			want = append(want, k)
		}
	}
	// The order is not signed, so a different one is only worth knowing.
	for i := range order {
		if order[i] != want[i] {
			c.add(Info, CodeFieldOrder, order[i], t.field(order[i]).Off,
				"fields are in the order %s; official generators write version, res, et, method, sign (the order is not signed)",
				strings.Join(order, ", "))
			break
		}
	}
}

// rawChars are the characters of the §2.3 table that can appear
// un-encoded inside a value ('&' would end the part, '%' starts an escape).
const rawChars = "/+= ?#"

// encoding reports un-encoded characters and bad escapes in res and sign
// (onenet.md §2.3, §2.8 item 7). version, et and method are never encoded.
func (c *checker) encoding() {
	for _, key := range []string{FieldRes, FieldSign} {
		f := c.t.field(key)
		if f == nil {
			continue
		}
		if i := badEscape(f.RawValue); i >= 0 {
			c.add(Warning, CodeBadPercentEscape, key, f.ValueOff+i,
				`%s has a bad percent escape %q at offset %d; a literal "%%" is written %%25 (onenet.md §2.3)`,
				key, f.RawValue[i:min(i+3, len(f.RawValue))], f.ValueOff+i)
		}
		first, n := -1, 0
		var chars []byte
		for i := 0; i < len(f.RawValue); i++ {
			b := f.RawValue[i]
			if strings.IndexByte(rawChars, b) < 0 && b >= 0x20 && b != 0x7f {
				continue
			}
			if first < 0 {
				first = i
			}
			n++
			if !slices.Contains(chars, b) {
				chars = append(chars, b)
			}
		}
		if n == 0 {
			continue
		}
		var quoted, forms []string
		for _, b := range chars {
			// Every entry of the §2.3 table is %XX of the byte itself.
			quoted = append(quoted, fmt.Sprintf("%q", string(b)))
			forms = append(forms, fmt.Sprintf("%q as %%%02X", string(b), b))
		}
		c.add(Warning, CodeNotPercentEncoded, key, f.ValueOff+first,
			"%s has %d un-encoded %s (first at offset %d); OneNET percent-encodes them (%s), whether the broker accepts them raw is unverified (onenet.md §2.3)",
			key, n, strings.Join(quoted, ", "), f.ValueOff+first, strings.Join(forms, ", "))
	}
}

// oneLine keeps a finding's message on one line whatever the token holds:
// control characters from decoded values (a %0A in res) are escaped.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
