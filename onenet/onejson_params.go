package onenet

import "bytes"

// readParams reads the members of a params object in order, unwrapping
// {"value": …, "time": …} as encoding/json would unmarshal it into
// struct{Value json.RawMessage `json:"value"`; Time *int64 `json:"time"`}:
// keys matched case-insensitively, the last one winning, and a "time"
// that is not an integer spoiling the whole wrapper.
func (p *MessageParser) readParams(obj []byte) {
	m := &p.m
	it := members{b: obj}
	for {
		k, v, ok := it.next()
		if !ok {
			return
		}
		pr := Param{Identifier: p.str(k), Value: v}
		if v[0] == '{' {
			var val []byte
			var tm int64
			var hasTime, bad bool
			w := members{b: v}
			for {
				wk, wv, ok := w.next()
				if !ok {
					break
				}
				switch {
				case foldKeyIs(wk, "VALUE"):
					val = wv
				case foldKeyIs(wk, "TIME"):
					tm, hasTime, bad = intField(wv, tm, hasTime, bad)
				}
			}
			if !bad && val != nil {
				pr.Value, pr.Wrapped, pr.Time, pr.HasTime = val, true, tm, hasTime
			}
		}
		m.Params = append(m.Params, pr)
	}
}

// intField reads a JSON value into a *int64 as encoding/json does: null
// sets it to nil, an integer in range sets it, anything else is a type
// error (bad).
func intField(v []byte, cur int64, has, bad bool) (int64, bool, bool) {
	switch {
	case v[0] == 'n':
		return 0, false, bad
	case v[0] == '-' || isDigit(v[0]):
		if n, ok := parseInt64(v); ok {
			return n, true, bad
		}
	}
	return cur, has, true
}

// dataPoints reads the suite's {"dp":{"name":[{"v":…,"t":…}]}} as
// encoding/json would unmarshal it into map[string][]struct{V
// json.RawMessage `json:"v"`; T *int64 `json:"t"`}: any type error gives
// no data points; the last member of a name wins; names sorted.
func (p *MessageParser) dataPoints(raw []byte) {
	m := &p.m
	if raw[0] != '{' {
		return
	}
	it := members{b: raw}
	for {
		k, v, ok := it.next()
		if !ok {
			break
		}
		name := p.str(k)
		// A later member of the same name replaces the earlier one.
		kept := m.Params[:0]
		for _, q := range m.Params {
			if !bytes.Equal(q.Identifier, name) {
				kept = append(kept, q)
			}
		}
		m.Params = kept
		switch v[0] {
		case 'n':
			continue
		case '[':
		default:
			m.Params = m.Params[:0]
			return
		}
		el := elements{b: v}
		for {
			e, ok := el.next()
			if !ok {
				break
			}
			pr := Param{Identifier: name}
			switch e[0] {
			case 'n':
			case '{':
				var bad bool
				f := members{b: e}
				for {
					fk, fv, ok := f.next()
					if !ok {
						break
					}
					switch {
					case foldKeyIs(fk, "V"):
						pr.Value = fv
					case foldKeyIs(fk, "T"):
						pr.Time, pr.HasTime, bad = intField(fv, pr.Time, pr.HasTime, bad)
					}
				}
				if bad {
					m.Params = m.Params[:0]
					return
				}
				if !pr.HasTime {
					pr.Time = 0
				}
			default:
				m.Params = m.Params[:0]
				return
			}
			m.Params = append(m.Params, pr)
		}
	}
	sortParams(m.Params)
}

func sortParams(ps []Param) {
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && bytes.Compare(ps[j].Identifier, ps[j-1].Identifier) < 0; j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}
