package filter

import (
	"strconv"
	"strings"
	"unicode"
)

// maxDepth bounds the nesting of "(" and "!", so that a hostile filter
// cannot make the recursive parser (and Match) use unbounded stack.
const maxDepth = 256

// parser is a recursive-descent parser over the tokens of one expression,
// one function per rule of the grammar in the package doc.
type parser struct {
	expr   string
	toks   []token
	pos    int
	depth  int
	fields []field
}

// enter counts one more level of nesting at t; leave undoes it.
func (p *parser) enter(t token) *SyntaxError {
	if p.depth++; p.depth > maxDepth {
		return p.errAt(t, "the filter nests "+t.describe()+" more than "+strconv.Itoa(maxDepth)+" levels deep")
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

func (p *parser) peek() token { return p.toks[p.pos] }

func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}

func (p *parser) errAt(t token, msg string) *SyntaxError {
	return &SyntaxError{Expr: p.expr, Col: t.col, Msg: msg}
}

// expected reports a missing piece at t: `expected a field, "!" or "("
// after "&&", found "=="`. The previous token says where, t what was there.
func (p *parser) expected(t token, what string) *SyntaxError {
	msg := "expected " + what
	if p.pos > 0 {
		msg += " after " + p.toks[p.pos-1].describe()
	}
	if t.kind != tokEOF {
		msg += ", found " + t.describe()
	}
	return p.errAt(t, msg)
}

func (p *parser) parse() (node, *SyntaxError) {
	if p.peek().kind == tokEOF {
		return nil, &SyntaxError{Expr: p.expr, Col: 1, Msg: "empty filter"}
	}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	switch t := p.peek(); t.kind {
	case tokEOF:
		return n, nil
	case tokRParen:
		return nil, p.errAt(t, `unbalanced ")": there is no "(" to close`)
	default:
		return nil, p.errAt(t, `expected "&&", "||" or the end of the filter, found `+t.describe())
	}
}

// or := and { ("||" | "or") and }
func (p *parser) or() (node, *SyntaxError) {
	n, err := p.and()
	for err == nil && p.peek().kind == tokOr {
		p.next()
		var b node
		b, err = p.and()
		n = &orNode{a: n, b: b}
	}
	return n, err
}

// and := not { ("&&" | "and") not }
func (p *parser) and() (node, *SyntaxError) {
	n, err := p.not()
	for err == nil && p.peek().kind == tokAnd {
		p.next()
		var b node
		b, err = p.not()
		n = &andNode{a: n, b: b}
	}
	return n, err
}

// not := ("!" | "not") not | primary
func (p *parser) not() (node, *SyntaxError) {
	t := p.peek()
	if t.kind != tokNot {
		return p.primary()
	}
	if err := p.enter(t); err != nil {
		return nil, err
	}
	defer p.leave()
	p.next()
	x, err := p.not()
	if err != nil {
		return nil, err
	}
	return &notNode{x: x}, nil
}

// primary := "(" or ")" | comparison | field
func (p *parser) primary() (node, *SyntaxError) {
	t := p.peek()
	switch {
	case t.kind == tokLParen:
		if err := p.enter(t); err != nil {
			return nil, err
		}
		defer p.leave()
		p.next()
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		closing := `")" to close the "(" at column ` + strconv.Itoa(t.col)
		switch c := p.peek(); c.kind {
		case tokRParen:
			p.next()
			return x, nil
		case tokEOF:
			return nil, p.errAt(c, "expected "+closing)
		default:
			return nil, p.errAt(c, `expected "&&", "||" or `+closing+", found "+c.describe())
		}
	case t.kind == tokWord && isName(t.text):
		return p.fieldExpr()
	}
	return nil, p.expected(t, `a field, "!" or "("`)
}

// isName tells a would-be field name from a misplaced value ("3", "-1").
func isName(s string) bool {
	for _, c := range s {
		return unicode.IsLetter(c) || c == '_'
	}
	return false
}

// fieldExpr := comparison | field
func (p *parser) fieldExpr() (node, *SyntaxError) {
	name := p.next()
	f := p.lookup(name.text)
	if f == nil {
		return nil, p.unknownField(name)
	}
	o := p.peek()
	switch o.kind {
	case tokOp:
		p.next()
		v := p.peek()
		if v.kind != tokWord && v.kind != tokString {
			return nil, p.errAt(v, "expected a value after "+o.describe())
		}
		p.next()
		return p.compare(f, o, v)
	case tokAnd, tokOr, tokRParen, tokEOF:
		return &presentNode{f: f}, nil
	}
	return nil, p.errAt(o, `expected "==", "!=", "<", ">", "<=", ">=", "contains" or "matches" after field "`+f.name+`"`)
}

// lookup finds a field by its name or one of its aliases (Wireshark's
// names), in any case.
func (p *parser) lookup(name string) *field {
	for i := range p.fields {
		if strings.EqualFold(p.fields[i].name, name) {
			return &p.fields[i]
		}
		for _, a := range p.fields[i].aliases {
			if strings.EqualFold(a, name) {
				return &p.fields[i]
			}
		}
	}
	return nil
}

// unknownField suggests the closest field name, or the comparison meant
// when a packet type stands alone (`PUBLISH` for `type == PUBLISH`).
func (p *parser) unknownField(t token) *SyntaxError {
	msg := "unknown field " + quote(t.text)
	if _, ok := packetType(t.text); ok {
		return p.errAt(t, msg+` (did you mean "type == `+t.text+`"?)`)
	}
	names := make([]string, 0, len(p.fields))
	for _, f := range p.fields {
		names = append(names, f.name)
		names = append(names, f.aliases...)
	}
	if s, ok := closest(t.text, names); ok {
		msg += " (did you mean " + quote(s) + "?)"
	}
	return p.errAt(t, msg)
}
