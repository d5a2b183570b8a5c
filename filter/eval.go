package filter

import (
	"net/netip"
	"regexp"

	"github.com/mqttpcap/mqttpcap/pipeline"
)

// node is a compiled piece of a filter: small structs behind an interface,
// built once by Parse, so that Match only reads them and never allocates.
type node interface {
	match(r *pipeline.Record) bool
}

type andNode struct{ a, b node }

func (n *andNode) match(r *pipeline.Record) bool { return n.a.match(r) && n.b.match(r) }

type orNode struct{ a, b node }

func (n *orNode) match(r *pipeline.Record) bool { return n.a.match(r) || n.b.match(r) }

type notNode struct{ x node }

func (n *notNode) match(r *pipeline.Record) bool { return !n.x.match(r) }

// Every comparison walks the field's values with the same rule: true when
// any value satisfies the operator, except != which is true when there are
// values and none is equal. A field the record lacks has no values, so
// every comparison on it is false (see the package doc).

// numNode compares a number or bool field (bools are 0 and 1).
type numNode struct {
	f  *field
	op op
	v  int64
}

func (n *numNode) match(r *pipeline.Record) bool {
	for i := 0; ; i++ {
		v, ok := n.f.num(r, i)
		switch {
		case !ok:
			return n.op == opNe && i > 0
		case n.op == opNe:
			if v == n.v {
				return false
			}
		case compareInt(n.op, v, n.v):
			return true
		}
	}
}

// numTextNode orders a string field holding a number (onenet.id); a value
// that is not a number satisfies no ordering.
type numTextNode struct {
	f  *field
	op op
	v  int64
}

func (n *numTextNode) match(r *pipeline.Record) bool {
	for i := 0; ; i++ {
		t, ok := n.f.str(r, i)
		if !ok {
			return false
		}
		if v, ok := t.number(); ok && compareInt(n.op, v, n.v) {
			return true
		}
	}
}

// textNode is ==, != or contains on a string field.
type textNode struct {
	f    *field
	op   op
	lit  literal
	fold bool
}

func (n *textNode) match(r *pipeline.Record) bool {
	for i := 0; ; i++ {
		t, ok := n.f.str(r, i)
		switch {
		case !ok:
			return n.op == opNe && i > 0
		case n.op == opContains:
			if t.contains(n.lit) {
				return true
			}
		case n.op == opNe:
			if t.equal(n.lit, n.fold) {
				return false
			}
		case t.equal(n.lit, n.fold):
			return true
		}
	}
}

// regexpNode is matches: a search, anchored only if the pattern says so.
type regexpNode struct {
	f  *field
	re *regexp.Regexp
}

func (n *regexpNode) match(r *pipeline.Record) bool {
	for i := 0; ; i++ {
		t, ok := n.f.str(r, i)
		if !ok {
			return false
		}
		if t.matches(n.re) {
			return true
		}
	}
}

// addrNode is == or != on src or dst. With no port in the filter it
// compares the address alone; IPv4-mapped IPv6 addresses equal their IPv4
// form, as a capture may show either.
type addrNode struct {
	f        *field
	op       op
	ap       netip.AddrPort
	addrOnly bool
}

func (n *addrNode) match(r *pipeline.Record) bool {
	for i := 0; ; i++ {
		ap, ok := n.f.addr(r, i)
		switch {
		case !ok || !ap.IsValid():
			return n.op == opNe && i > 0
		case ap.Addr().Unmap() == n.ap.Addr().Unmap() && (n.addrOnly || ap.Port() == n.ap.Port()):
			if n.op == opNe {
				return false
			}
			return true
		case n.op == opEq:
		}
	}
}

// presentNode is a bare field: true when the record has a value that is
// not zero, false or empty.
type presentNode struct{ f *field }

func (n *presentNode) match(r *pipeline.Record) bool {
	switch {
	case n.f.typ == typeAddr:
		ap, ok := n.f.addr(r, 0)
		return ok && ap.IsValid()
	case n.f.num != nil:
		for i := 0; ; i++ {
			v, ok := n.f.num(r, i)
			if !ok {
				return false
			}
			if v != 0 {
				return true
			}
		}
	default:
		for i := 0; ; i++ {
			t, ok := n.f.str(r, i)
			if !ok {
				return false
			}
			if !t.empty() {
				return true
			}
		}
	}
}
