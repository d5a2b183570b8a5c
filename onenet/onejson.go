package onenet

import (
	"bytes"
	"strconv"
	"strings"
)

// Message is a decoded OneNET payload: a OneJSON request or reply (Studio,
// onenet.md §3.2) or an MQTT-suite data point report or answer (§3.3).
//
// Its byte slices alias the payload (or the parser's buffer, for strings
// with escapes): a Message is valid until the next Parse on the same
// MessageParser (for a Conn: until its next Packet call). Clone it to
// keep it.
type Message struct {
	// ID is the request id as text; IDString says it was a JSON string
	// (Studio requires a string of digits; the suite's dp id is a number).
	// A null id is a string, empty.
	ID       []byte
	IDString bool
	HasID    bool
	Version  []byte
	// Params are the parameters in payload order (an object's members, or
	// a data point list sorted by name); ParamsRaw is the raw params
	// value.
	Params    []Param
	ParamsRaw []byte
	// Code and Msg are a reply's result ("code"/"msg", or the suite's
	// "err_code"/"err_msg").
	Code    int
	HasCode bool
	Msg     []byte
	// Findings are what is wrong with the payload for its topic.
	Findings []Finding
}

// Param is one identifier → value of a request.
type Param struct {
	Identifier []byte
	Value      []byte // the raw JSON value, unwrapped from {"value": …} when wrapped
	Time       int64  // "time" (ms, Studio) or "t" (s, suite)
	Wrapped    bool   // given as {"value": …, "time": …}
	HasTime    bool
}

// Reply codes with a known meaning (onenet.md §3.2, §3.3). 2402 has only
// been observed by third parties (unverified): say so.
var replyCodes = map[int]string{
	200:  "success",
	100:  "failure (device-defined; the official SDK's failure code)",
	2402: "request format error (observed in practice, not documented)",
	98:   "Illegal Data",
	99:   "maximum payload size exceeded",
	112:  "cmd response timeout",
	113:  "cmd id not found",
	150:  "rate limit",
	160:  "illegal json",
}

// CodeMeaning says what a reply code means, or "" when unknown.
func CodeMeaning(code int) string { return replyCodes[code] }

// Success reports whether a reply reports success (code 200; the suite's
// accepted topics carry no code).
func (m *Message) Success() bool { return !m.HasCode || m.Code == 200 }

// Clone returns a copy of m that owns its bytes.
func (m *Message) Clone() *Message {
	if m == nil {
		return nil
	}
	c := *m
	c.ID, c.Version, c.ParamsRaw, c.Msg = clone(m.ID), clone(m.Version), clone(m.ParamsRaw), clone(m.Msg)
	c.Params = nil
	for _, p := range m.Params {
		p.Identifier, p.Value = clone(p.Identifier), clone(p.Value)
		c.Params = append(c.Params, p)
	}
	c.Findings = append([]Finding(nil), m.Findings...)
	return &c
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

// MessageParser reads OneNET payloads without allocating once warm: the
// Message it gives aliases the payload, and it reuses its own buffers on
// the next call. The zero value is ready to use; it is not safe for
// concurrent use.
type MessageParser struct {
	m       Message
	scratch []byte // unquoted strings with escapes
	top     []span // the members of the payload's object
}

// maxTop is the most member spans a parser keeps between calls.
const maxTop = 256

// maxScratch is the most unquoting buffer a parser keeps between calls.
const maxScratch = 4 << 10

// ParseMessage decodes the payload of a PUBLISH on a OneNET topic with a
// parser of its own (see MessageParser.Parse).
func ParseMessage(t Topic, payload []byte) (*Message, bool) {
	var p MessageParser
	return p.Parse(&t, payload)
}

// Parse decodes the payload of a PUBLISH on a OneNET topic. It fails only
// when the payload is not JSON; a legacy "$dp" binary payload, command
// payloads and other opaque ones give ok false. The Message is valid until
// the next call.
func (p *MessageParser) Parse(t *Topic, payload []byte) (*Message, bool) {
	switch {
	case t.Platform == Legacy, strings.HasPrefix(t.Function, "cmd/"), strings.HasPrefix(t.Function, "custome/"):
		return nil, false
	}
	if cap(p.scratch) > maxScratch {
		p.scratch = nil
	}
	p.scratch = p.scratch[:0]
	if cap(p.top) > maxTop {
		p.top = nil
	}
	p.top = p.top[:0]
	p.m = Message{Params: p.m.Params[:0], Findings: p.m.Findings[:0]}
	m := &p.m
	trimmed := bytes.TrimSpace(payload)
	if len(trimmed) == 0 {
		if t.Platform == Suite {
			return nil, false // accepted/empty answers
		}
		m.Findings = append(m.Findings, Finding{Code: "empty_payload", Field: "payload", Off: -1, Severity: Error,
			Message: "empty payload: a OneJSON " + t.Name + " needs {\"id\":…,…}"})
		return m, true
	}
	s := jscan{b: trimmed, top: &p.top}
	start, ok := s.document()
	if !ok {
		m.Findings = append(m.Findings, Finding{Code: "invalid_json", Field: "payload", Off: -1, Severity: Error,
			Message: "the payload is not a JSON object (syntax error at byte " + strconv.Itoa(s.errOff) + ": " + s.reason() +
				"); the platform answers such requests with code 2402 or ignores them"})
		return m, true
	}
	switch trimmed[start] {
	case '{':
		p.fields(t, trimmed)
	case 'n': // null decodes as an empty object
	default:
		m.Findings = append(m.Findings, Finding{Code: "invalid_json", Field: "payload", Off: -1, Severity: Error,
			Message: "the payload is not a JSON object (it is " + kindOf(trimmed[start]) +
				"); the platform answers such requests with code 2402 or ignores them"})
		return m, true
	}
	m.check(t)
	return m, true
}

func kindOf(c byte) string {
	switch c {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	}
	return "a number"
}

// fields reads the top-level members of a checked object (p.top) as
// encoding/json's map[string]json.RawMessage would see them: the last
// member of a name wins (except for the params list, see below).
func (p *MessageParser) fields(t *Topic, b []byte) {
	m := &p.m
	var id, version, code, msg, errCode, errMsg, dp, params, firstParams []byte
	var hasDP bool
	var buf [16]byte
	for _, sp := range p.top { // the members the check collected
		k, v := b[sp.k0:sp.k1], b[sp.v0:sp.v1]
		name, ok := keyText(k, &buf)
		if !ok {
			continue
		}
		switch string(name) {
		case "id":
			id = v
		case "version":
			version = v
		case "code":
			code = v
		case "msg":
			msg = v
		case "err_code":
			errCode = v
		case "err_msg":
			errMsg = v
		case "dp":
			dp, hasDP = v, true
		case "params":
			if firstParams == nil {
				firstParams = v
			}
			params = v
		}
	}
	if id != nil {
		m.HasID = true
		switch id[0] {
		case '"':
			m.ID, m.IDString = p.str(id), true
		case 'n':
			m.ID, m.IDString = id[:0], true // json.Unmarshal(null, &s) leaves s ""
		default:
			m.ID = id
		}
	}
	if version != nil && version[0] == '"' {
		m.Version = p.str(version)
	}
	for _, r := range [...][2][]byte{{code, msg}, {errCode, errMsg}} {
		if r[0] == nil {
			continue
		}
		if n, ok := parseInt64(r[0]); ok && r[0][0] != '"' && int64(int(n)) == n {
			m.Code, m.HasCode = int(n), true
		}
		if r[1] != nil && r[1][0] == '"' {
			m.Msg = p.str(r[1])
		}
	}
	switch {
	case t.Platform == Suite && t.Function == "dp/post/json":
		if hasDP {
			p.dataPoints(dp)
		}
	case params != nil:
		m.ParamsRaw = params
		if firstParams[0] == '{' {
			p.readParams(firstParams)
		}
	}
}

// str is the text of a checked string: the payload's bytes, or unquoted
// into the parser's buffer when it has escapes or invalid UTF-8.
func (p *MessageParser) str(q []byte) []byte {
	if plainString(q) {
		return q[1 : len(q)-1]
	}
	start := len(p.scratch)
	p.scratch = appendUnquoted(p.scratch, q)
	return p.scratch[start:len(p.scratch):len(p.scratch)]
}

// check applies the payload rules of onenet.md §3.2 and §7.3.
func (m *Message) check(t *Topic) {
	add := func(sev Severity, code, field, msg string) {
		m.Findings = append(m.Findings, Finding{Code: code, Field: field, Off: -1, Severity: sev, Message: oneLine(msg)})
	}
	if t.Platform != Studio {
		return
	}
	switch {
	case !m.HasID:
		add(Error, "missing_id", "id", "no \"id\": OneJSON messages carry an id (a string of at most 13 digits) to pair requests and replies")
	case !m.IDString:
		add(Warning, "id_not_string", "id", "id "+string(m.ID)+" is a number; OneJSON ids are strings of digits (\""+string(m.ID)+"\")")
	case len(m.ID) > 13 || !allDigits(m.ID):
		add(Warning, "id_format", "id", "id \""+string(m.ID)+"\" is not a string of at most 13 digits")
	}
	if t.Function == "thing/property/post" {
		for _, p := range m.Params {
			if !p.Wrapped {
				add(Error, "flat_params", "params", "params."+string(p.Identifier)+" is a bare value; a property report needs {\"value\": …} "+
					"(e.g. {\""+string(p.Identifier)+"\":{\"value\":"+string(p.Value)+"}}): the platform answers code 2402 request format error")
				break
			}
		}
	}
	for _, p := range m.Params {
		if p.HasTime && p.Time > 0 && p.Time < 1e12 {
			add(Warning, "time_seconds", "params", "params."+string(p.Identifier)+".time "+strconv.FormatInt(p.Time, 10)+
				" looks like seconds; OneJSON times are milliseconds")
			break
		}
	}
	if t.Reply && !m.HasCode {
		add(Warning, "missing_code", "code", "a reply without \"code\" (200 means success)")
	}
}

func allDigits(s []byte) bool {
	if len(s) == 0 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
