package report

import (
	"strconv"
	"strings"
	"time"

	"github.com/mqttpcap/mqttpcap/onenet"
	"github.com/mqttpcap/mqttpcap/pipeline"
)

// onenetFacts appends the OneNET reading of a packet to its line.
func onenetFacts(b []byte, info *onenet.PacketInfo, preview int) []byte {
	if info == nil {
		return b
	}
	b = append(b, "  · OneNET "...)
	switch {
	case info.Token != nil:
		b = append(b, tokenSummary(info.Token)...)
	case info.Topic != nil:
		t := info.Topic
		b = append(b, t.Name...)
		if t.Identifier != "" {
			b = append(b, ' ')
			b = strconv.AppendQuote(b, t.Identifier)
		}
		b = append(b, " ("...)
		b = append(b, t.Direction.String()...)
		b = append(b, ')')
		if m := info.Message; m != nil {
			if m.HasID {
				b = append(b, " id="...)
				b = append(b, m.ID...)
			}
			if m.HasCode {
				b = append(b, " code "...)
				b = strconv.AppendInt(b, int64(m.Code), 10)
				if meaning := onenet.CodeMeaning(m.Code); meaning != "" {
					b = append(b, ' ')
					b = append(b, meaning...)
				} else if len(m.Msg) > 0 {
					b = append(b, ' ')
					b = strconv.AppendQuote(b, string(m.Msg))
				}
			}
			for i, p := range m.Params {
				if i == 0 {
					b = append(b, ' ')
				} else {
					b = append(b, ", "...)
				}
				b = append(b, p.Identifier...)
				b = append(b, '=')
				b = appendPreview(b, p.Value, preview/2)
			}
		}
		if r := info.ReplyTo; r != nil {
			b = append(b, ", reply to frame "...)
			b = strconv.AppendUint(b, r.Frame, 10)
			b = append(b, " after "...)
			b = appendLatency(b, r.Latency)
		}
	}
	return b
}

func latency(d time.Duration) string { return string(appendLatency(nil, d)) }

func appendLatency(b []byte, d time.Duration) []byte {
	if d < time.Millisecond {
		return append(strconv.AppendInt(b, d.Microseconds(), 10), " µs"...)
	}
	return append(strconv.AppendInt(b, d.Milliseconds(), 10), " ms"...)
}

// tokenSummary says what a CONNECT's token is in one phrase.
func tokenSummary(ti *onenet.TokenInfo) string {
	tok := ti.Token
	var s strings.Builder
	s.WriteString("token: ")
	switch {
	case tok.DeviceName != "":
		s.WriteString("device " + strconv.Quote(tok.DeviceName) + " of product " + strconv.Quote(tok.ProductID))
	case tok.ProductID != "":
		s.WriteString("product " + strconv.Quote(tok.ProductID) + " (product-level)")
	default:
		s.WriteString("res " + strconv.Quote(tok.Res))
	}
	if tok.Method != "" {
		s.WriteString(", " + tok.Method)
	}
	if tok.ETValid {
		exp := tok.ExpiresAt()
		if ti.Expired {
			s.WriteString(", expired " + exp.UTC().Format(time.DateTime) + " UTC")
		} else {
			s.WriteString(", valid until " + exp.UTC().Format(time.DateOnly))
		}
	}
	switch ti.Signature {
	case "valid":
		s.WriteString(", signature valid")
	case "invalid":
		s.WriteString(", signature INVALID")
	}
	return s.String()
}

// onenetFindings lists what is wrong for OneNET, one line each.
func (t *Text) onenetFindings(info *onenet.PacketInfo, indent string) {
	if info == nil {
		return
	}
	var fs []onenet.Finding
	if info.Token != nil {
		fs = append(fs, info.Token.Findings...)
	}
	fs = append(fs, info.Findings...)
	if info.Message != nil {
		fs = append(fs, info.Message.Findings...)
	}
	for _, f := range fs {
		if f.Severity == onenet.Info {
			continue
		}
		style := t.st.warn
		mark := "~ "
		if f.Severity == onenet.Error {
			style, mark = t.st.problem, "⚑ "
		}
		t.b = append(t.b, indent...)
		t.putWrapped(style, mark+"OneNET "+f.Field+": "+f.Message, len(indent), len(indent)+2)
		t.b = append(t.b, '\n')
	}
}

// verdictBlock writes the OneNET verdict of a connection that ended.
func (t *Text) verdictBlock(r *pipeline.Record) {
	v := r.Verdict
	if v.Status == "" {
		return
	}
	style := t.st.problem
	if v.OK() {
		style = t.st.ok
	}
	head := "  ══ stream " + strconv.Itoa(r.Conn.Stream) + " OneNET verdict: "
	t.put(t.st.dim, head)
	t.putWrapped(style, v.Summary, textWidth(head), 7)
	t.b = append(t.b, '\n')
	for _, reason := range v.Reasons {
		t.b = append(t.b, "       · "...)
		t.putWrapped(t.st.plain, reason, 9, 9)
		t.b = append(t.b, '\n')
	}
}

// onenetJSON writes a packet's "onenet" object (docs/json.md).
func (o *JSONLines) onenetJSON(info *onenet.PacketInfo) {
	j := &o.j
	j.key("onenet")
	j.open('{')
	if ti := info.Token; ti != nil {
		tok := ti.Token
		j.key("token")
		j.open('{')
		j.strs("version", tok.Version)
		j.strs("res", tok.Res)
		j.strs("res_kind", tok.ResKind.String())
		if tok.ProductID != "" {
			j.strs("product_id", tok.ProductID)
		}
		if tok.DeviceName != "" {
			j.strs("device_name", tok.DeviceName)
		}
		if tok.ETValid {
			j.int("et", tok.ET)
			j.time("expires_at", tok.ExpiresAt())
			j.bool("expired", ti.Expired)
			if ti.Expired {
				j.int("expired_seconds_before", int64(ti.ExpiredBy/time.Second))
			}
		}
		j.strs("method", tok.Method)
		j.strs("sign", o.redact(tok.Sign))
		j.strs("signature", ti.Signature)
		o.findings("problems", ti.Findings)
		j.close('}')
	}
	if t := info.Topic; t != nil {
		j.key("topic")
		j.open('{')
		j.strs("platform", string(t.Platform))
		j.strs("product_id", t.ProductID)
		j.strs("device_name", t.DeviceName)
		j.strs("function", t.Function)
		j.strs("name", t.Name)
		dir, _ := t.Direction.MarshalText()
		j.strs("direction", string(dir))
		j.bool("reply", t.Reply)
		if t.Identifier != "" {
			j.strs("identifier", t.Identifier)
		}
		j.close('}')
	}
	if m := info.Message; m != nil {
		j.key("message")
		j.open('{')
		if m.HasID {
			j.str("id", m.ID)
		}
		if len(m.Version) > 0 {
			j.str("version", m.Version)
		}
		if len(m.Params) > 0 {
			j.key("params")
			j.open('{')
			for _, p := range m.Params {
				// Identifiers come from the payload: escape them.
				j.sep()
				j.b = appendJSONString(j.b, p.Identifier)
				j.b = append(j.b, ':')
				j.b = appendCompactJSON(j.b, p.Value)
			}
			j.close('}')
		}
		if m.HasCode {
			j.int("code", int64(m.Code))
			j.str("msg", m.Msg)
			j.bool("success", m.Success())
			if meaning := onenet.CodeMeaning(m.Code); meaning != "" {
				j.strs("meaning", meaning)
			}
		}
		o.findings("problems", m.Findings)
		j.close('}')
	}
	if r := info.ReplyTo; r != nil {
		j.key("reply_to")
		j.open('{')
		j.uint("frame", r.Frame)
		j.int("latency_ms", r.Latency.Milliseconds())
		j.close('}')
	}
	if len(info.Findings) > 0 {
		o.findings("problems", info.Findings)
	}
	j.close('}')
}

// appendCompactJSON appends a JSON value that onenet checked, without the
// whitespace between its tokens: a pretty-printed payload must not break
// the JSON line.
func appendCompactJSON(b, v []byte) []byte {
	inString := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case inString:
			if c == '\\' && i+1 < len(v) {
				b = append(b, c, v[i+1])
				i++
				continue
			}
			inString = c != '"'
		case c == '"':
			inString = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			continue
		}
		b = append(b, c)
	}
	return b
}

func (o *JSONLines) findings(name string, fs []onenet.Finding) {
	j := &o.j
	j.key(name)
	j.open('[')
	for _, f := range fs {
		j.element()
		j.open('{')
		j.strs("code", f.Code)
		j.strs("field", f.Field)
		if f.Off >= 0 {
			j.int("offset", int64(f.Off))
		}
		j.strs("severity", f.Severity.String())
		j.strs("message", f.Message)
		j.close('}')
	}
	j.close(']')
}

func (o *JSONLines) verdictJSON(v onenet.Verdict) {
	j := &o.j
	j.key("onenet")
	j.open('{')
	j.strs("status", v.Status)
	j.strs("summary", v.Summary)
	j.key("reasons")
	j.open('[')
	for _, r := range v.Reasons {
		j.element()
		j.b = appendJSONString(j.b, r)
	}
	j.close(']')
	if len(v.Counts) > 0 {
		j.key("counts")
		j.open('[')
		for _, c := range v.Counts {
			j.element()
			j.open('{')
			j.strs("code", c.Code)
			if c.Name != "" {
				j.strs("name", c.Name)
			}
			if c.Code == "error_reply" {
				j.int("reply_code", int64(c.ReplyCode))
			}
			j.int("count", int64(c.N))
			if c.Of > 0 {
				j.int("of", int64(c.Of))
			}
			if c.Code == "unanswered" {
				j.int("expired", int64(c.Expired))
			}
			j.uint("first_frame", c.First.Frame)
			if c.HasIDs {
				j.strs("first_id", c.First.ID)
			}
			j.uint("last_frame", c.Last.Frame)
			if c.HasIDs {
				j.strs("last_id", c.Last.ID)
			}
			j.close('}')
		}
		j.close(']')
	}
	j.close('}')
}
