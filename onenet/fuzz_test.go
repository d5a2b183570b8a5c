package onenet

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
)

// FuzzParseToken: ParseToken and Check never panic; every field range lies
// inside Raw and matches the text; every finding points inside Raw; values
// survive Encode then Decode.
func FuzzParseToken(f *testing.F) {
	for _, v := range tokenVectors() {
		f.Add(v.token)
	}
	f.Add(seedToken)
	f.Add(seedToken + "&")
	f.Add("version=2018-10-31&res=products/p/devices/d&et=1661245031000&method=MD5&sign=" + placeholderSign)
	f.Add("&&version=1&version=2&junk&sign=%zz&res=a%2")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := ParseToken(s)
		if err != nil {
			if LooksLikeToken([]byte(s)) {
				t.Fatalf("LooksLikeToken but ParseToken failed: %v", err)
			}
			return
		}
		if tok.Raw != s {
			t.Fatal("Raw is not the input")
		}
		for _, fl := range tok.Fields {
			if fl.Off < 0 || fl.Len <= 0 || fl.Off+fl.Len > len(s) {
				t.Fatalf("field %+v outside Raw (%d bytes)", fl, len(s))
			}
			if fl.ValueOff < fl.Off || fl.ValueLen < 0 || fl.ValueOff+fl.ValueLen > fl.Off+fl.Len {
				t.Fatalf("value range of %+v outside its part", fl)
			}
			if s[fl.ValueOff:fl.ValueOff+fl.ValueLen] != fl.RawValue {
				t.Fatalf("RawValue %q is not Raw[%d:+%d]", fl.RawValue, fl.ValueOff, fl.ValueLen)
			}
			part := fl.Key
			if fl.HasEquals() {
				part += "=" + fl.RawValue
			}
			if s[fl.Off:fl.Off+fl.Len] != part || strings.Contains(part, "&") {
				t.Fatalf("part %q is not Raw[%d:+%d]", part, fl.Off, fl.Len)
			}
			if back, err := Decode(Encode(fl.Value)); err != nil || back != fl.Value {
				t.Fatalf("Decode(Encode(%q)) = %q, %v", fl.Value, back, err)
			}
		}
		ctx := CheckContext{Username: "VRqhDHF2wL", ClientID: "my_tv", At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		for _, fd := range tok.Check(ctx) {
			if fd.Off < -1 || fd.Off >= len(s) || fd.Code == "" || fd.Message == "" || strings.Contains(fd.Message, "\n") {
				t.Fatalf("bad finding %+v for %d bytes", fd, len(s))
			}
		}
		tok.ExpiresAt()
		tok.Expired(ctx.At)
		if _, err := tok.Verify("KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw="); err != nil && tok.field(FieldSign) != nil &&
			tok.field(FieldET) != nil && tok.field(FieldRes) != nil && tok.field(FieldVersion) != nil {
			if _, _, ok := methodHash(tok.Method); ok {
				t.Fatalf("Verify error on a complete token: %v", err)
			}
		}
	})
}

// FuzzTopicMessage: ClassifyTopic and ParseMessage never panic on any topic
// and payload; a classified topic names its product and device from the
// topic; findings are one-line messages with a code.
func FuzzTopicMessage(f *testing.F) {
	f.Add("$sys/VRqhDHF2wL/my_tv/thing/property/post", []byte(`{"id":"123","version":"1.0","params":{"wendu":{"value":21.1}}}`))
	f.Add("$sys/VRqhDHF2wL/my_tv/thing/property/set_reply", []byte(`{"id":"7","code":200,"msg":"success"}`))
	f.Add("$sys/p/d/thing/service/reboot/invoke", []byte(`{"id":"1","params":{"delay":1}}`))
	f.Add("$sys/p/d/thing/event/post", []byte(`{"id":"2","params":{"alarm":{"value":{"x":1},"time":1661245031000}}}`))
	f.Add("$sys/p/d/dp/post/json", []byte(`{"id":1,"dp":{"temp":[{"v":30,"t":1552289676}]}}`))
	f.Add("$sys/p/d/cmd/request/abc", []byte{0, 1, 2})
	f.Add("$dp", []byte{0x03, 0x00, 0x02, '{', '}'})
	f.Add("$sys/p/d/thing/property/post", []byte(`{"id":`))
	f.Fuzz(func(t *testing.T, topic string, payload []byte) {
		tp, ok := ClassifyTopic(topic)
		if !ok {
			return
		}
		if tp.ProductID != "" && !strings.Contains(topic, tp.ProductID) || tp.DeviceName != "" && !strings.Contains(topic, tp.DeviceName) {
			t.Fatalf("product %q / device %q not in topic %q", tp.ProductID, tp.DeviceName, topic)
		}
		checkCachedTopic(t, topic)
		m, ok := ParseMessage(tp, payload)
		if !ok || m == nil {
			return
		}
		for _, fd := range m.Findings {
			if fd.Code == "" || fd.Message == "" || strings.Contains(fd.Message, "\n") {
				t.Fatalf("bad finding %+v", fd)
			}
		}
		m.Success()
	})
}

// FuzzConn: any sequence of PUBLISHes (topic, payload, direction, time
// step) through a logged-in Conn never panics, keeps its state within its
// bounds, and gives a verdict of one-line reasons whose counts add up.
func FuzzConn(f *testing.F) {
	f.Add([]byte("0\x00$sys/VRqhDHF2wL/my_tv/thing/property/post\x00{\"id\":\"1\",\"params\":{\"a\":1}}\x00"+
		"1\x05$sys/VRqhDHF2wL/my_tv/thing/property/post/reply\x00{\"id\":\"1\",\"code\":2402}\x00"), int64(3))
	f.Add([]byte("1\x00$sys/p/d/thing/service/x/invoke\x00{\"id\":\"2\"}\x000\xff$sys/p/d/thing/service/x/invoke_reply\x00{\"id\":\"2\",\"code\":200}\x00"), int64(-1))
	f.Add([]byte("0\x00$sys/238322/dev1/dp/post/json\x00{\"id\":5,\"dp\":{}}\x001\x01$sys/238322/dev1/dp/post/json/rejected\x00{\"id\":5,\"err_code\":98}\x00"), int64(0))
	f.Fuzz(func(t *testing.T, script []byte, window int64) {
		c := &Conn{ReplyWindow: time.Duration(window) * time.Second}
		var d decode.Decoder
		at := capture2026
		frame := uint64(1)
		c.Packet(d.Decode(connectWith("my_tv", "VRqhDHF2wL", seedToken, 0xC2, 60), decode.V311), true, frame, at)
		// Each step: direction byte, time step byte, topic NUL payload NUL.
		for len(script) >= 2 {
			fromClient, step := script[0]&1 == 0, script[1]
			rest := script[2:]
			topic, rest, _ := bytes.Cut(rest, []byte{0})
			payload, rest, _ := bytes.Cut(rest, []byte{0})
			script = rest
			frame++
			at = at.Add(time.Duration(step) * 100 * time.Millisecond)
			p := d.Decode(publishOn(string(topic), string(payload)), decode.V311)
			c.Packet(p, fromClient, frame, at)
			if len(c.pending) > maxPending || len(c.counted().problems) > maxProblems || len(c.counted().badReplies) > maxBadReplies || len(c.filters) > maxFilters {
				t.Fatalf("state out of bounds: %d pending, %d problems, %d bad replies", len(c.pending), len(c.counted().problems), len(c.counted().badReplies))
			}
		}
		v := c.Verdict()
		for _, r := range v.Reasons {
			if r == "" || strings.Contains(r, "\n") {
				t.Fatalf("reason %q", r)
			}
		}
		for _, n := range v.Counts {
			if n.N <= 0 || n.Of != 0 && n.N > n.Of || n.Expired > n.N || n.First.Frame > n.Last.Frame {
				t.Fatalf("count %+v", n)
			}
		}
	})
}
