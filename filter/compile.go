package filter

import (
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/mqttpcap/mqttpcap/decode"
)

// compare compiles `field op value`, checking the value against the field
// now so that a filter that cannot mean anything is an error, not a filter
// that silently matches nothing.
func (p *parser) compare(f *field, o, v token) (node, *SyntaxError) {
	switch o.op {
	case opContains, opMatches:
		if f.str == nil {
			return nil, p.errAt(o, o.describe()+" applies to strings, and "+quote(f.name)+" "+f.typ.is()+opsHint(f.typ))
		}
		if o.op == opContains {
			return &textNode{f: f, op: opContains, lit: newLiteral(v.text)}, nil
		}
		re, err := regexp.Compile(v.text)
		if err != nil {
			return nil, p.errAt(v, "invalid regular expression: "+strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
		return &regexpNode{f: f, re: re}, nil
	case opLt, opLe, opGt, opGe:
		if f.typ != typeNumber && !f.numText {
			return nil, p.errAt(o, o.describe()+" compares numbers, and "+quote(f.name)+" "+f.typ.is()+opsHint(f.typ))
		}
		n, err := p.number(f, v)
		switch {
		case err != nil:
			return nil, err
		case f.numText:
			return &numTextNode{f: f, op: o.op, v: n}, nil
		}
		return &numNode{f: f, op: o.op, v: n}, nil
	}

	// == and !=
	switch f.typ {
	case typeNumber:
		n, err := p.number(f, v)
		if err != nil {
			return nil, err
		}
		return &numNode{f: f, op: o.op, v: n}, nil
	case typeBool:
		b, ok := parseBool(v.text)
		if !ok {
			return nil, p.errAt(v, "expected true or false for "+quote(f.name)+", found "+v.describe())
		}
		return &numNode{f: f, op: o.op, v: b2i(b)}, nil
	case typeAddr:
		if ap, err := netip.ParseAddrPort(v.text); err == nil {
			return &addrNode{f: f, op: o.op, ap: ap}, nil
		}
		if a, err := netip.ParseAddr(v.text); err == nil {
			return &addrNode{f: f, op: o.op, ap: netip.AddrPortFrom(a, 0), addrOnly: true}, nil
		}
		return nil, p.errAt(v, `expected an address ("192.168.4.2" or "192.168.4.2:50000") for `+quote(f.name)+", found "+v.describe())
	}
	if f.name == "kind" && strings.EqualFold(v.text, "conn") {
		v.text = "connection" // the name before the JSON's was used
	}
	if f.enum != nil && !inEnum(f, v.text) {
		return nil, p.errAt(v, "unknown value "+v.describe()+" for "+quote(f.name)+" (expected "+orList(f.enum)+")")
	}
	return &textNode{f: f, op: o.op, lit: newLiteral(v.text), fold: f.fold}, nil
}

// number reads the value of a number field: an integer, or a name the field
// knows (a packet type, a protocol version). A quoted number is fine.
func (p *parser) number(f *field, v token) (int64, *SyntaxError) {
	if f.parse != nil {
		if n, ok := f.parse(v.text); ok {
			return n, nil
		}
		return 0, p.errAt(v, "expected "+f.want+" for "+quote(f.name)+", found "+v.describe())
	}
	if n, ok := parseInt(v.text); ok {
		return n, nil
	}
	if f.alias != nil {
		if n, ok := f.alias(v.text); ok {
			return n, nil
		}
	}
	if f.name == "type" {
		if slices.Contains(eventTypes, strings.ToLower(v.text)) {
			return 0, p.errAt(v, quote(v.text)+` is an event, not a packet type: events are selected with event.type == `+strings.ToLower(v.text))
		}
		names := make([]string, 16)
		for i := range names {
			names[i] = decode.Type(i).String()
		}
		msg := "unknown packet type " + v.describe()
		if s, ok := closest(v.text, names); ok {
			return 0, p.errAt(v, msg+" (did you mean "+quote(s)+"?)")
		}
		return 0, p.errAt(v, msg+" (expected a name such as PUBLISH, or a number)")
	}
	if tooLarge(v.text) {
		return 0, p.errAt(v, "number "+v.describe()+" does not fit in 64 bits")
	}
	want := f.want
	if want == "" {
		want = "a number"
	}
	return 0, p.errAt(v, "expected "+want+" for "+quote(f.name)+", found "+v.describe())
}

// tooLarge tells a number parseInt refused for its size from a word that
// is no number at all, for the message.
func tooLarge(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if h, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		return h != "" && strings.Trim(h, "0123456789abcdef") == ""
	}
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func parseBool(s string) (bool, bool) {
	switch {
	case strings.EqualFold(s, "true") || s == "1":
		return true, true
	case strings.EqualFold(s, "false") || s == "0":
		return false, true
	}
	return false, false
}

// inEnum checks a value against the field's names the way == will compare
// them, so that a value accepted here can match.
func inEnum(f *field, s string) bool {
	for _, e := range f.enum {
		if e == s || (f.fold && strings.EqualFold(e, s)) {
			return true
		}
	}
	return false
}

// opsHint says which operators a type takes, after a wrong one.
func opsHint(t valueType) string {
	switch t {
	case typeNumber:
		return " (use ==, !=, <, <=, > or >=)"
	case typeBool:
		return " (use == or !=, or the field alone)"
	}
	return " (use ==, !=, contains or matches)"
}

// orList quotes names as `"a", "b" or "c"`.
func orList(names []string) string {
	var b strings.Builder
	for i, n := range names {
		switch {
		case i == 0:
		case i == len(names)-1:
			b.WriteString(" or ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(quote(n))
	}
	return b.String()
}
