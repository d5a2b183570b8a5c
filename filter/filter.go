package filter

import "github.com/mqttpcap/mqttpcap/pipeline"

// Filter is a compiled filter expression. It is immutable and safe for
// concurrent use.
type Filter struct {
	expr string
	root node
}

// Parse compiles a filter expression. Its errors are *SyntaxError.
func Parse(expr string) (*Filter, error) {
	toks, err := lex(expr)
	if err != nil {
		return nil, err
	}
	p := &parser{expr: expr, toks: toks, fields: fieldTable()}
	root, err := p.parse()
	if err != nil {
		return nil, err
	}
	return &Filter{expr: expr, root: root}, nil
}

// Match reports whether the record satisfies the filter. Every kind of
// record is matched by the same rule (packets, events and connection ends
// alike): a comparison on a field the record does not have is false.
func (f *Filter) Match(r *pipeline.Record) bool {
	if r == nil {
		return false
	}
	return f.root.match(r)
}

// String returns the expression as given to Parse.
func (f *Filter) String() string { return f.expr }
