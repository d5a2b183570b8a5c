//go:build !goexperiment.jsonv2

// The oracle is encoding/json v1 (its offsets and its quirks); the v2-backed
// encoding/json of GOEXPERIMENT=jsonv2 reports errors differently.

package onenet

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// diffOracle compares the scanner with the encoding/json reader it replaced
// on one payload: the same accept/reject, the same fields and params, the
// same findings. It returns "" when they agree.
func diffOracle(t Topic, payload []byte) string {
	om, ook := parseMessageJSON(t, payload)
	var p MessageParser
	nm, nok := p.Parse(&t, payload)
	if ook != nok {
		return fmt.Sprintf("ok: oracle %v, scanner %v", ook, nok)
	}
	if !ook {
		return ""
	}
	var d []string
	diff := func(what string, want, got any) {
		if fmt.Sprint(want) != fmt.Sprint(got) {
			d = append(d, fmt.Sprintf("%s: oracle %q, scanner %q", what, fmt.Sprint(want), fmt.Sprint(got)))
		}
	}
	diff("has id", om.HasID, nm.HasID)
	diff("id", om.ID, string(nm.ID))
	diff("id string", om.IDString, nm.IDString)
	diff("version", om.Version, string(nm.Version))
	diff("code", om.Code, nm.Code)
	diff("has code", om.HasCode, nm.HasCode)
	diff("msg", om.Msg, string(nm.Msg))
	diff("params raw", string(om.ParamsRaw), string(nm.ParamsRaw))
	diff("params", len(om.Params), len(nm.Params))
	for i := range min(len(om.Params), len(nm.Params)) {
		o, n := om.Params[i], nm.Params[i]
		diff(fmt.Sprintf("params[%d]", i),
			fmt.Sprintf("%s=%s wrapped %v time %d %v", o.Identifier, o.Value, o.Wrapped, o.Time, o.HasTime),
			fmt.Sprintf("%s=%s wrapped %v time %d %v", n.Identifier, n.Value, n.Wrapped, n.Time, n.HasTime))
	}
	diff("findings", len(om.Findings), len(nm.Findings))
	for i := range min(len(om.Findings), len(nm.Findings)) {
		o, n := om.Findings[i], nm.Findings[i]
		diff(fmt.Sprintf("finding %d", i), o.Code+" "+o.Field+" "+o.Severity.String(), n.Code+" "+n.Field+" "+n.Severity.String())
		if o.Code == "invalid_json" {
			diff("invalid_json", invalidJSONGist(o.Message), invalidJSONGist(n.Message))
		} else {
			diff(fmt.Sprintf("finding %d message", i), o.Message, n.Message)
		}
	}
	return strings.Join(d, "; ")
}

var (
	syntaxAt   = regexp.MustCompile(`syntax error at byte (\d+)`)
	unmarshal  = regexp.MustCompile(`json: cannot unmarshal (\w+) into`)
	itIs       = regexp.MustCompile(`\(it is an? (\w+)\)`)
	jsonKinds  = map[string]string{"array": "array", "string": "string", "bool": "boolean", "number": "number"}
	gistSuffix = "; the platform answers such requests with code 2402 or ignores them"
)

// invalidJSONGist is what an invalid_json message says, whoever wrote it:
// the byte offset of a syntax error, or what the payload is instead of an
// object. The scanner's messages say more (what was expected); the
// offsets must be encoding/json's.
func invalidJSONGist(msg string) string {
	if !strings.HasPrefix(msg, "the payload is not a JSON object (") || !strings.HasSuffix(msg, gistSuffix) {
		return "malformed message: " + msg
	}
	if m := syntaxAt.FindStringSubmatch(msg); m != nil {
		return "syntax error at byte " + m[1]
	}
	if m := unmarshal.FindStringSubmatch(msg); m != nil {
		return "a JSON " + jsonKinds[m[1]]
	}
	if m := itIs.FindStringSubmatch(msg); m != nil {
		return "a JSON " + m[1]
	}
	return "unknown: " + msg
}

// diffTopics are the topics every differential payload is read under: each
// way the reader treats a payload (Studio request and reply with their
// checks, property post's params rule, suite data points, suite answers).
func diffTopics() []Topic {
	var ts []Topic
	for _, name := range []string{
		"$sys/VRqhDHF2wL/my_tv/thing/property/post",
		"$sys/VRqhDHF2wL/my_tv/thing/property/post/reply",
		"$sys/VRqhDHF2wL/my_tv/thing/property/set",
		"$sys/VRqhDHF2wL/my_tv/thing/event/post",
		"$sys/238322/dev1/dp/post/json",
		"$sys/238322/dev1/dp/post/json/rejected",
		"$sys/238322/dev1/image/update",
		"$sys/VRqhDHF2wL/my_tv/unknown/function",
	} {
		t, ok := ClassifyTopic(name)
		if !ok {
			panic(name)
		}
		ts = append(ts, t)
	}
	return ts
}

// oneJSONCases are payloads chosen for encoding/json's corners.
func oneJSONCases() []string {
	deep := func(n int) string {
		return `{"id":"1","params":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}`
	}
	return []string{
		`{"id": "123","version" : "1.0","params": {"wendu": {"value": 21.1}}}`,
		`{"id":"123","code":200,"msg":"success"}`,
		`{"id":"124","code":2402,"msg":"request format error"}`,
		`{"id":null,"code":2402,"msg":"request format error"}`,
		`{"id":"124","version":"1.0","params":{"wendu":21.1}}`,
		`{"id":125,"params":{"t":{"value":1}}}`,
		`{"id":-1.5e3}`, `{"id":{"a": [1, 2]}}`, `{"id":true}`, `{"id":[]}`,
		`{"id":"1\u0032\u00333"}`, "{\"id\":\"\xff\xfe\"}", `{"id":"\ud83d\ude00"}`, `{"id":"\ud800"}`, `{"id":"\ud800\u0041"}`,
		`{"id":"\udc00\ud800"}`, `{"id":"\ud800\ud800\udc00"}`, `{"id":"a\"b\\c\/d\b\f\n\r\t"}`, `{"id":"12345678901234"}`,
		`{"\u0069d":"7","\u0076ersion":"1.0"}`, `{"id":"1","id":2}`, `{"id":2,"id":"1"}`, `{"ID":"1"}`,
		`{"id":"1","version":1}`, `{"id":"1","version":null}`, `{"id":"1","version":"1.\u0030"}`, `{"id":"1","version":"1","version":2}`,
		`{"id":"1","code":"200","msg":"x"}`, `{"id":"1","code":200.0}`, `{"id":"1","code":2e2}`, `{"id":"1","code":-1,"msg":null}`,
		`{"id":"1","code":99999999999999999999}`, `{"id":"1","code":-9223372036854775808}`, `{"id":"1","code":9223372036854775807}`,
		`{"id":"1","code":null,"msg":"m"}`, `{"id":"1","msg":"no code"}`, `{"id":"1","code":1,"msg":"a","err_code":2,"err_msg":null}`,
		`{"id":-1,"err_code":98,"err_msg":"Illegal Data"}`, `{"id":1,"err_code":"x","code":3,"msg":"c","err_msg":"e"}`,
		`{"id":"1","code":1,"msg":5}`, `{"id":"1","code":-0}`, `{"id":"1","code":0}`,
		`{"id":"1","params":null}`, `{"id":"1","params":["temperature","humidity"]}`, `{"id":"1","params":"x"}`, `{"id":"1","params":{}}`,
		`{"id":"1","params":{"a":1},"params":[1]}`, `{"id":"1","params":[1],"params":{"a":1}}`, `{"id":"1","params":{"a":1},"params":{"b":2}}`,
		`{"id":"1","params":{"a":{"Value":1},"b":{"VALUE":2},"c":{"vAlUe":3},"d":{"\u0076alue":4}}}`,
		`{"id":"1","params":{"a":{"value":1,"tİme":1700000000},"b":{"value":2,"tıme":5},"c":{"value":3,"TIME":1700000000000}}}`,
		`{"id":"1","params":{"a":{"value":1,"time":1.5},"b":{"value":2,"time":"1"},"c":{"value":3,"time":null},"d":{"value":4,"time":99999999999999999999}}}`,
		`{"id":"1","params":{"a":{"value":1,"time":-0},"b":{"value":1,"value":2},"c":{"value":1,"time":1.5,"time":2},"d":{"value":1,"time":2,"time":null}}}`,
		`{"id":"1","params":{"a":{"value":null},"b":{"time":1700000000000},"c":{},"d":{"value":{"x":[1,{"y":2}]},"time":1}}}`,
		`{"id":"1","params":{"a":{"value":1,"time":true},"b":{"value":1,"time":[1]},"c":{"value":1,"time":{}}}}`,
		`{"id":"1","params":{"a":1,"a":2,"\u0061":3,"\ud800":4,"` + "\xff" + `":5}}`,
		`{"id":"1","params":{"wendu": {"value" : 21.1 , "time" : 1700000000 } }}`,
		`{"id":123,"dp":{"temp":[{"v":30,"t":1552289676}],"hum":[{"v":40}]}}`,
		`{"id":1,"dp":null}`, `{"id":1,"dp":[1]}`, `{"id":1,"dp":{"a":null}}`, `{"id":1,"dp":{"a":[null,{"v":1}]}}`, `{"id":1,"dp":{"a":[1]}}`,
		`{"id":1,"dp":{"a":[{"v":1,"t":1.5}]}}`, `{"id":1,"dp":{"a":[{"V":1,"T":2}],"b":[{"v":[1],"t":null}]}}`,
		`{"id":1,"dp":{"b":[{"v":1}],"a":[{"v":2}],"b":[{"v":3},{"v":4}]}}`, `{"id":1,"dp":{"a":[{"v":1}],"\u0061":[{"v":2}]}}`,
		`{"id":1,"dp":{"a":5,"b":[{"v":1}]}}`, `{"id":1,"dp":{"a":[{"v":1}],"a":5}}`, `{"id":1,"dp":{"a":[{"v":1}],"a":null}}`,
		`{"id":1,"dp":{"a":[{"v":1,"t":1},{"t":2}]}}`, `{"id":1,"dp":{"a":[],"b":[{"w":1}]}}`, `{"id":1,"dp":{"x":[{"v":1}]},"dp":{"y":[{"v":2}]}}`,
		`{"id":1,"dp":{"a":[{"v":1,"t":"1"}]}}`, `{"id":1,"dp":{"a":{}}}`, `{"id":1,"dp":{"a":"s"}}`, `{"id":1,"dp":{"ſ":[{"v":1}]}}`,
		``, `   `, "\t\n", `{`, `}`, `{"id":}`, `{"id":"1",}`, `[1,]`, `{"a":01}`, `{"a":-}`, `{"a":-01}`, `{"a":1.}`, `{"a":1.5.3}`,
		`{"a":1e}`, `{"a":1e+}`, `{"a":1E-5}`, `{"a":tru}`, `{"a":trux}`, `{"a":nul`, `{"a":"\x"}`, `{"a":"\u12G4"}`, "{\"a\":\"ctl\x01\"}",
		`{} x`, `{}{}`, `{} `, `"str"`, `123`, `-5`, `true`, `false`, `null`, ` null `, `[]`, `[1,2]`, `{"a" 1}`, `{"a":1 "b":2}`, `{1:2}`,
		`{"a":[1 2]}`, `{"a":{"b":1,}}`, `{"a":[1,2,]}`, `{"a":"unterminated`, `{"a":"x\`, `{"a":"\u12`, `{"a`, `{"a"`, `{"a":`, `{"a":1`,
		`{"a":[`, `{"a":{`, "{\"a\":\xff}", "\xef\xbb\xbf{}", "{}\v", "\v{}", "{\"a\":1}\u00a0", "{\"a\":\t1\r\n}", `{ }`, `[ ]`,
		`{"a":'x'}`, `{'a':1}`, `{"a":NaN}`, `{"a":Infinity}`, `{"a":+1}`, `{"a":.5}`, `{"a":0x10}`, `{"a":[}`, `{"a":]}`, `{"a":{]}`,
		deep(9998), deep(9999), deep(10000), deep(10001), strings.Repeat("[", 20000), strings.Repeat(`{"a":`, 10001) + "1" + strings.Repeat("}", 10001),
	}
}

// TestOneJSONMatchesEncodingJSON: the scanner and the encoding/json reader
// agree on every corner case under every kind of topic.
func TestOneJSONMatchesEncodingJSON(t *testing.T) {
	for _, payload := range oneJSONCases() {
		for _, tp := range diffTopics() {
			if d := diffOracle(tp, []byte(payload)); d != "" {
				t.Errorf("%s %.80q: %s", tp.Function, payload, d)
			}
		}
	}
}

// FuzzOneJSON: on any payload, under any kind of topic, the scanner gives
// the same fields, the same findings and the same accept/reject as
// encoding/json.
func FuzzOneJSON(f *testing.F) {
	for _, p := range oneJSONCases() {
		if len(p) < 1000 {
			f.Add(byte(0), []byte(p))
		}
	}
	topics := diffTopics()
	f.Fuzz(func(t *testing.T, topic byte, payload []byte) {
		tp := topics[int(topic)%len(topics)]
		if d := diffOracle(tp, payload); d != "" {
			t.Errorf("%s %q: %s", tp.Function, payload, d)
		}
	})
}

// DiffOracle is diffOracle for the external tests (captures through the
// pipeline).
var DiffOracle = diffOracle
