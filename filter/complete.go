package filter

import (
	"strings"

	"github.com/mqttpcap/mqttpcap/decode"
)

// Complete lists completions of a partly typed expression for shell
// completion (-Y <TAB>): the expression with its last word completed —
// a field name (or Wireshark alias) where a field goes, a value the field
// takes after == or != (packet types, kinds, directions, event types...).
// Each candidate is the whole expression, as shells replace the word.
func Complete(partial string) []string {
	cut := strings.LastIndexAny(partial, " \t()!&|") + 1
	head, word := partial[:cut], partial[cut:]
	var names []string
	if field, ok := fieldBefore(head); ok {
		names = valuesOf(field)
	} else {
		for _, f := range fieldTable() {
			names = append(names, f.name)
			names = append(names, f.aliases...)
		}
	}
	var out []string
	for _, n := range names {
		if strings.HasPrefix(strings.ToLower(n), strings.ToLower(word)) {
			out = append(out, head+n)
		}
	}
	return out
}

// fieldBefore finds "field == " or "field != " at the end of head: the
// word to complete is then a value of field.
func fieldBefore(head string) (*field, bool) {
	f := strings.Fields(head)
	if len(f) < 2 || (f[len(f)-1] != "==" && f[len(f)-1] != "!=") {
		return nil, false
	}
	name := strings.TrimLeft(f[len(f)-2], "(!")
	p := parser{fields: fieldTable()}
	fl := p.lookup(name)
	return fl, fl != nil
}

// valuesOf lists the names a field's values take, when they are names.
func valuesOf(f *field) []string {
	switch {
	case f.enum != nil:
		return f.enum
	case f.name == "type":
		var names []string
		for t := decode.Type(1); t <= 15; t++ {
			names = append(names, t.String())
		}
		return names
	case f.name == "event.type":
		return eventTypes
	case f.name == "version":
		return []string{"3.1", "3.1.1", "5.0"}
	case f.typ == typeBool:
		return []string{"true", "false"}
	}
	return nil
}
