package filter

import "github.com/mqttpcap/mqttpcap/pipeline"

// Filter is a compiled filter expression. It is immutable and safe for
// concurrent use.
type Filter struct {
	expr string
	root node
	// kinds are the record kinds the filter looks at: packets only, unless
	// it uses kind, an event.* field or onenet.status.
	kinds kindSet
}

// Parse compiles a filter expression. Its errors are *SyntaxError.
func Parse(expr string) (*Filter, error) {
	toks, err := lex(expr)
	if err != nil {
		return nil, err
	}
	p := &parser{expr: expr, toks: toks, fields: fieldTable(), kinds: kindsPacket}
	root, err := p.parse()
	if err != nil {
		return nil, err
	}
	return &Filter{expr: expr, root: root, kinds: p.kinds}, nil
}

// Match reports whether the record satisfies the filter. Records of a kind
// the filter does not look at (events, for a filter that mentions neither
// kind nor an event field) never match.
func (f *Filter) Match(r *pipeline.Record) bool {
	if r == nil || f.kinds&kindOf(r.Kind) == 0 {
		return false
	}
	return f.root.match(r)
}

// String returns the expression as given to Parse.
func (f *Filter) String() string { return f.expr }
