package filter

import (
	"strings"
	"unicode"
)

// tokKind is the kind of a token.
type tokKind uint8

const (
	tokEOF    tokKind = iota
	tokWord           // a field name, a bare value, or a number
	tokString         // a double-quoted string; text is unescaped
	tokLParen
	tokRParen
	tokAnd // && and
	tokOr  // || or
	tokNot // ! not
	tokOp  // a comparison operator; op says which
)

// op is a comparison operator.
type op uint8

const (
	opEq op = iota + 1
	opNe
	opLt
	opLe
	opGt
	opGe
	opContains
	opMatches
)

// token is one lexeme. col is the 1-based rune column of its first
// character; src is the text as written, for messages.
type token struct {
	kind tokKind
	op   op
	col  int
	src  string
	text string // the value: src unescaped for strings, src for words
}

// describe names a token in a message: `"=="`, `"foo"`, or "the end".
func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "the end of the filter"
	case tokString:
		return t.src // already quoted as written
	}
	return quote(t.src)
}

// lex splits expr into tokens, ending with a tokEOF whose column is one past
// the last rune. Columns count runes, not bytes, so that they line up with
// what a terminal shows for non-ASCII topics.
func lex(expr string) ([]token, *SyntaxError) {
	rs := []rune(expr)
	var toks []token
	errAt := func(col int, msg string) *SyntaxError { return &SyntaxError{Expr: expr, Col: col, Msg: msg} }
	for i := 0; i < len(rs); {
		c := rs[i]
		col := i + 1
		two := ""
		if i+1 < len(rs) {
			two = string(rs[i : i+2])
		}
		switch {
		case isSpace(c):
			i++
		case c == '(':
			toks = append(toks, token{kind: tokLParen, col: col, src: "("})
			i++
		case c == ')':
			toks = append(toks, token{kind: tokRParen, col: col, src: ")"})
			i++
		case two == "&&":
			toks = append(toks, token{kind: tokAnd, col: col, src: "&&"})
			i += 2
		case two == "||":
			toks = append(toks, token{kind: tokOr, col: col, src: "||"})
			i += 2
		case c == '&' || c == '|':
			return nil, errAt(col, `expected "`+string(c)+string(c)+`" (a single "`+string(c)+`" is not an operator)`)
		case two == "==" || two == "!=" || two == "<=" || two == ">=":
			toks = append(toks, token{kind: tokOp, op: opOf(two), col: col, src: two})
			i += 2
		case c == '=':
			return nil, errAt(col, `expected "==" (a single "=" is not an operator)`)
		case c == '<' || c == '>':
			toks = append(toks, token{kind: tokOp, op: opOf(string(c)), col: col, src: string(c)})
			i++
		case c == '!':
			toks = append(toks, token{kind: tokNot, col: col, src: "!"})
			i++
		case c == '"':
			t, n, ok := lexString(rs[i:])
			if !ok {
				return nil, errAt(col, "unterminated string")
			}
			t.col = col
			toks = append(toks, t)
			i += n
		default:
			j := i
			for j < len(rs) && isWordRune(rs[j]) {
				j++
			}
			toks = append(toks, word(string(rs[i:j]), col))
			i = j
		}
	}
	return append(toks, token{kind: tokEOF, col: len(rs) + 1}), nil
}

// word classifies a bare word: the keywords are case-insensitive.
func word(s string, col int) token {
	t := token{kind: tokWord, col: col, src: s, text: s}
	switch strings.ToLower(s) {
	case "and":
		t.kind = tokAnd
	case "or":
		t.kind = tokOr
	case "not":
		t.kind = tokNot
	case "contains":
		t.kind, t.op = tokOp, opContains
	case "matches":
		t.kind, t.op = tokOp, opMatches
	}
	return t
}

// lexString reads a double-quoted string at the start of rs and returns it
// with the number of runes it took. Only \" and \\ are escapes: any other
// backslash stays, so regular expressions like "\d+" read naturally.
func lexString(rs []rune) (token, int, bool) {
	var b strings.Builder
	for i := 1; i < len(rs); i++ {
		switch c := rs[i]; {
		case c == '"':
			return token{kind: tokString, src: string(rs[:i+1]), text: b.String()}, i + 1, true
		case c == '\\' && i+1 < len(rs) && (rs[i+1] == '"' || rs[i+1] == '\\'):
			b.WriteRune(rs[i+1])
			i++
		default:
			b.WriteRune(c)
		}
	}
	return token{}, 0, false
}

func opOf(s string) op {
	switch s {
	case "==":
		return opEq
	case "!=":
		return opNe
	case "<":
		return opLt
	case "<=":
		return opLe
	case ">":
		return opGt
	case ">=":
		return opGe
	}
	return 0
}

func isSpace(c rune) bool { return unicode.IsSpace(c) }

// isWordRune is true for the runes a bare word may hold: everything but
// blanks, quotes and the operator characters, so that addresses
// (192.168.4.2:50000), topics ($sys/p/d/thing/property/post) and dotted
// field names need no quotes.
func isWordRune(c rune) bool {
	if isSpace(c) {
		return false
	}
	switch c {
	case '(', ')', '!', '=', '<', '>', '&', '|', '"':
		return false
	}
	return true
}

// quote writes s in double quotes for a message, unescaped, so the user
// sees what they typed (strconv.Quote would double a regexp's backslashes).
func quote(s string) string { return `"` + s + `"` }
