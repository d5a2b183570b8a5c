package onenet

// The OneJSON reader as it was before the scanner (encoding/json), kept as
// the oracle of the differential tests: the scanner must give the same
// fields, the same findings and the same accept/reject on every payload.
// Only its types and names changed (oracle*), so that it can sit beside
// the scanner.

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// Message is a decoded OneNET payload: a OneJSON request or reply (Studio,
// onenet.md §3.2) or an MQTT-suite data point report or answer (§3.3).
type oracleMessage struct {
	// ID is the request id as text; IDString says it was a JSON string
	// (Studio requires a string of digits; the suite's dp id is a number).
	ID       string
	IDString bool
	HasID    bool
	Version  string
	// Params are the parameters in payload order (an object's members, or
	// a data point list); ParamsRaw is the raw params value.
	Params    []oracleParam
	ParamsRaw json.RawMessage
	// Code and Msg are a reply's result ("code"/"msg", or the suite's
	// "err_code"/"err_msg").
	Code    int
	HasCode bool
	Msg     string
	// Findings are what is wrong with the payload for its topic.
	Findings []Finding
}

// Param is one identifier → value of a request.
type oracleParam struct {
	Identifier string
	Value      json.RawMessage // the value, unwrapped from {"value": …} when wrapped
	Wrapped    bool            // given as {"value": …, "time": …}
	Time       int64           // "time" (ms, Studio) or "t" (s, suite)
	HasTime    bool
}

// Success reports whether a reply reports success (code 200; the suite's
// accepted topics carry no code).
func (m *oracleMessage) Success() bool { return !m.HasCode || m.Code == 200 }

// parseMessageJSON decodes the payload of a PUBLISH on a OneNET topic. It fails
// only when the payload is not JSON; a legacy "$dp" binary payload, command
// payloads and other opaque ones give ok false.
func parseMessageJSON(t Topic, payload []byte) (*oracleMessage, bool) {
	switch {
	case t.Platform == Legacy, strings.HasPrefix(t.Function, "cmd/"), strings.HasPrefix(t.Function, "custome/"):
		return nil, false
	}
	trimmed := bytes.TrimSpace(payload)
	if len(trimmed) == 0 {
		if t.Platform == Suite {
			return nil, false // accepted/empty answers
		}
		return &oracleMessage{Findings: []Finding{{Code: "empty_payload", Field: "payload", Off: -1, Severity: Error,
			Message: "empty payload: a OneJSON " + t.Name + " needs {\"id\":…,…}"}}}, true
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &top); err != nil {
		return &oracleMessage{Findings: []Finding{{Code: "invalid_json", Field: "payload", Off: -1, Severity: Error,
			Message: "the payload is not a JSON object (" + oracleJSONError(err) + "); the platform answers such requests with code 2402 or ignores them"}}}, true
	}
	m := &oracleMessage{}
	if raw, ok := top["id"]; ok {
		m.HasID = true
		var s string
		if json.Unmarshal(raw, &s) == nil {
			m.ID, m.IDString = s, true
		} else {
			m.ID = string(bytes.TrimSpace(raw))
		}
	}
	if raw, ok := top["version"]; ok {
		json.Unmarshal(raw, &m.Version)
	}
	for _, k := range [...][2]string{{"code", "msg"}, {"err_code", "err_msg"}} {
		if raw, ok := top[k[0]]; ok {
			if n, err := strconv.Atoi(string(bytes.TrimSpace(raw))); err == nil {
				m.Code, m.HasCode = n, true
			}
			if raw, ok := top[k[1]]; ok {
				json.Unmarshal(raw, &m.Msg)
			}
		}
	}
	switch {
	case t.Platform == Suite && t.Function == "dp/post/json":
		m.Params = oracleDataPoints(top["dp"])
	case top["params"] != nil:
		m.ParamsRaw = top["params"]
		m.Params = oracleParams(trimmed)
	}
	m.oracleCheck(t)
	return m, true
}

func oracleJSONError(err error) string {
	if se, ok := err.(*json.SyntaxError); ok {
		return "syntax error at byte " + strconv.FormatInt(se.Offset, 10)
	}
	return err.Error()
}

// params reads the members of the payload's "params" object in order
// (encoding/json's maps lose the order the device wrote).
func oracleParams(payload []byte) []oracleParam {
	dec := json.NewDecoder(bytes.NewReader(payload))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil
		}
		if key != "params" {
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return nil
			}
			continue
		}
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			return nil // an array of identifiers (property/get) or another form
		}
		var out []oracleParam
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return out
			}
			var raw json.RawMessage
			if dec.Decode(&raw) != nil {
				return out
			}
			p := oracleParam{Identifier: k.(string), Value: raw}
			var w struct {
				Value json.RawMessage `json:"value"`
				Time  *int64          `json:"time"`
			}
			if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) && json.Unmarshal(raw, &w) == nil && w.Value != nil {
				p.Value, p.Wrapped = w.Value, true
				if w.Time != nil {
					p.Time, p.HasTime = *w.Time, true
				}
			}
			out = append(out, p)
		}
		return out
	}
	return nil
}

// dataPoints reads the suite's {"dp":{"name":[{"v":…,"t":…}]}}.
func oracleDataPoints(raw json.RawMessage) []oracleParam {
	var dp map[string][]struct {
		V json.RawMessage `json:"v"`
		T *int64          `json:"t"`
	}
	if json.Unmarshal(raw, &dp) != nil {
		return nil
	}
	var out []oracleParam
	for name, points := range dp {
		for _, pt := range points {
			p := oracleParam{Identifier: name, Value: pt.V}
			if pt.T != nil {
				p.Time, p.HasTime = *pt.T, true
			}
			out = append(out, p)
		}
	}
	oracleSortParams(out)
	return out
}

func oracleSortParams(ps []oracleParam) {
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && ps[j].Identifier < ps[j-1].Identifier; j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

// check applies the payload rules of onenet.md §3.2 and §7.3.
func (m *oracleMessage) oracleCheck(t Topic) {
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
		add(Warning, "id_not_string", "id", "id "+m.ID+" is a number; OneJSON ids are strings of digits (\""+m.ID+"\")")
	case len(m.ID) > 13 || !allDigits([]byte(m.ID)):
		add(Warning, "id_format", "id", "id \""+m.ID+"\" is not a string of at most 13 digits")
	}
	if t.Function == "thing/property/post" {
		for _, p := range m.Params {
			if !p.Wrapped {
				add(Error, "flat_params", "params", "params."+p.Identifier+" is a bare value; a property report needs {\"value\": …} "+
					"(e.g. {\""+p.Identifier+"\":{\"value\":"+string(p.Value)+"}}): the platform answers code 2402 request format error")
				break
			}
		}
	}
	for _, p := range m.Params {
		if p.HasTime && p.Time > 0 && p.Time < 1e12 {
			add(Warning, "time_seconds", "params", "params."+p.Identifier+".time "+strconv.FormatInt(p.Time, 10)+
				" looks like seconds; OneJSON times are milliseconds")
			break
		}
	}
	if t.Reply && !m.HasCode {
		add(Warning, "missing_code", "code", "a reply without \"code\" (200 means success)")
	}
}
