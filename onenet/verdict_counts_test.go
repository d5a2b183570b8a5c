package onenet

import (
	"strings"
	"testing"
	"time"
)

// validToken is a token that verifies with keyB1 and expires in 2099.
func validToken(t *testing.T) string {
	t.Helper()
	tok, err := Generate(GenerateOptions{ProductID: "VRqhDHF2wL", DeviceName: "my_tv", KeyBase64: keyB1, Method: "md5",
		ExpiresAt: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

const postTopic = "$sys/VRqhDHF2wL/my_tv/thing/property/post"

// login is a device that logs in and subscribes to its reply topic.
func login(t *testing.T) []step {
	return []step{
		{fromClient: true, packet: connectWith("my_tv", "VRqhDHF2wL", validToken(t), 0xC2, 60)},
		{packet: hexb("20020000")},
		{fromClient: true, packet: mqtt(0x82, []byte{0, 1}, mstr(postTopic+"/reply"), []byte{0})},
		{packet: hexb("9003000100")},
	}
}

// TestReplyWindow: a request waits ReplyWindow of capture time for its
// reply; after that it counts as unanswered and a late reply pairs with
// nothing.
func TestReplyWindow(t *testing.T) {
	tests := []struct {
		name   string
		window time.Duration
		after  time.Duration
		paired bool
		reason string
	}{
		{"default window, reply in 3 s", 0, 3 * time.Second, true, ""},
		{"default window, reply in 6 s", 0, 6 * time.Second, false, `frame 5: property report id "1" got no reply within 5s`},
		{"10 s window, reply in 6 s", 10 * time.Second, 6 * time.Second, true, ""},
		{"no window, reply in an hour", -1, time.Hour, true, ""},
		{"1 s window, reply in 1 s exactly", time.Second, time.Second - 2*time.Millisecond, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps := append(login(t),
				step{fromClient: true, packet: publishOn(postTopic, `{"id":"1","params":{"wendu":{"value":1}}}`)},
				step{packet: publishOn(postTopic+"/reply", `{"id":"1","code":200,"msg":"success"}`), after: tt.after},
			)
			c, infos := runConn(t, &Conn{ReplyWindow: tt.window}, capture2026, steps)
			if got := infos[5].ReplyTo != nil; got != tt.paired {
				t.Errorf("paired = %v, want %v", got, tt.paired)
			}
			v := c.Verdict()
			if tt.reason == "" {
				if v.Status != "ok" || !strings.Contains(v.Summary, "1 request(s) answered") {
					t.Errorf("verdict %+v", v)
				}
				return
			}
			if v.Status != "unanswered" || len(v.Reasons) != 1 || v.Reasons[0] != tt.reason {
				t.Errorf("verdict %+v, want reason %q", v, tt.reason)
			}
			if len(v.Counts) != 1 || v.Counts[0] != (Count{Code: "unanswered", Name: "property report", N: 1, Of: 1, Expired: 1,
				First: Occurrence{5, "1"}, Last: Occurrence{5, "1"}, HasIDs: true}) {
				t.Errorf("counts %+v", v.Counts)
			}
		})
	}
}

// TestRepeatedFindingsOneLine: a finding that repeats is one line with its
// count and its first and last frame, in Reasons and in Counts.
func TestRepeatedFindingsOneLine(t *testing.T) {
	steps := login(t)
	for _, id := range []string{"1", "2", "3"} {
		steps = append(steps,
			step{fromClient: true, packet: publishOn(postTopic, `{"id":"`+id+`","params":{"wendu":21.1}}`)},
			step{packet: publishOn(postTopic+"/reply", `{"id":"`+id+`","code":2402,"msg":"request format error"}`)})
	}
	for _, id := range []string{"4", "5"} { // answered by nothing
		steps = append(steps, step{fromClient: true, packet: publishOn(postTopic, `{"id":"`+id+`","params":{"wendu":{"value":1}}}`)})
	}
	steps = append(steps, step{packet: hexb("9003000280")}, step{packet: hexb("9003000380")})
	c, _ := run(t, nil, capture2026, steps)
	v := c.Verdict()
	want := []string{
		"2 refused subscriptions (SUBACK 0x80); first frame 13, last frame 14: the platform refused the topic filter (a foreign or unknown topic, a wildcard above the fourth level, or more than 10 subscriptions)",
		`3 property report replies had code 2402 request format error (observed in practice, not documented); first frame 6 id "1", last frame 10 id "3"`,
		`2 of 5 property reports got no reply in the capture; first frame 11 id "4", last frame 12 id "5"`,
		`3 times (first frame 5, last frame 9): params.wendu is a bare value; a property report needs {"value": …} (e.g. {"wendu":{"value":21.1}}): the platform answers code 2402 request format error`,
	}
	if strings.Join(v.Reasons, "\n") != strings.Join(want, "\n") {
		t.Errorf("reasons:\n%s\nwant:\n%s", strings.Join(v.Reasons, "\n"), strings.Join(want, "\n"))
	}
	wantCounts := []Count{
		{Code: "subscription_refused", N: 2, First: Occurrence{Frame: 13}, Last: Occurrence{Frame: 14}},
		{Code: "error_reply", Name: "property report reply", N: 3, ReplyCode: 2402, First: Occurrence{6, "1"}, Last: Occurrence{10, "3"}, HasIDs: true},
		{Code: "unanswered", Name: "property report", N: 2, Of: 5, First: Occurrence{11, "4"}, Last: Occurrence{12, "5"}, HasIDs: true},
		{Code: "flat_params", N: 3, First: Occurrence{Frame: 5}, Last: Occurrence{Frame: 9}},
	}
	if len(v.Counts) != len(wantCounts) {
		t.Fatalf("counts %+v", v.Counts)
	}
	for i := range wantCounts {
		if v.Counts[i] != wantCounts[i] {
			t.Errorf("counts[%d] = %+v, want %+v", i, v.Counts[i], wantCounts[i])
		}
	}
}

// TestSameIDTwice: devices that always send the same id (the seed session
// sends "123") get each reply paired with a request still waiting, newest
// first, and none is left over.
func TestSameIDTwice(t *testing.T) {
	post := `{"id":"123","params":{"wendu":{"value":1}}}`
	reply := `{"id":"123","code":200,"msg":"success"}`
	steps := append(login(t),
		step{fromClient: true, packet: publishOn(postTopic, post)},
		step{fromClient: true, packet: publishOn(postTopic, post)},
		step{packet: publishOn(postTopic+"/reply", reply)},
		step{packet: publishOn(postTopic+"/reply", reply)},
		step{packet: publishOn(postTopic+"/reply", reply)},
	)
	c, infos := run(t, nil, capture2026, steps)
	if infos[6].ReplyTo == nil || infos[6].ReplyTo.Frame != 6 || infos[7].ReplyTo == nil || infos[7].ReplyTo.Frame != 5 || infos[8].ReplyTo != nil {
		t.Errorf("pairs %+v %+v %+v", infos[6].ReplyTo, infos[7].ReplyTo, infos[8].ReplyTo)
	}
	if v := c.Verdict(); v.Status != "ok" || !strings.Contains(v.Summary, "2 request(s) answered") {
		t.Errorf("verdict %+v", v)
	}
}

// TestTooManyWaiting: past maxPending requests waiting at once, the oldest
// is given up (counted, and the verdict says why).
func TestTooManyWaiting(t *testing.T) {
	steps := login(t)
	for range maxPending + 3 {
		steps = append(steps, step{fromClient: true, packet: publishOn(postTopic, `{"id":"9","params":{"a":{"value":1}}}`)})
	}
	c, _ := run(t, nil, capture2026, steps)
	if len(c.pending) != maxPending || c.counted().gaveUp != 3 {
		t.Fatalf("%d pending, %d given up", len(c.pending), c.counted().gaveUp)
	}
	v := c.Verdict()
	if len(v.Counts) != 1 || v.Counts[0].N != maxPending+3 || v.Counts[0].Expired != 3 {
		t.Fatalf("counts %+v", v.Counts)
	}
	if want := "67 of 67 property reports got no reply (3 within 5s, 64 before the connection ended)"; !strings.HasPrefix(v.Reasons[0], want) ||
		!strings.Contains(v.Reasons[0], "more than 64 requests were waiting at once") {
		t.Errorf("reason %q", v.Reasons[0])
	}
}

func TestThousandsAndPlural(t *testing.T) {
	for n, want := range map[uint64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 997120: "997,120", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
	for name, want := range map[string]string{"property report": "property reports", "property get": "property get requests",
		"property report reply": "property report replies", "service invoke": "service invoke requests", "property set": "property sets"} {
		if got := plural(name); got != want {
			t.Errorf("plural(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestLongIDs: ids longer than fit inline still pair exactly.
func TestLongIDs(t *testing.T) {
	long := strings.Repeat("7", 40)
	steps := append(login(t),
		step{fromClient: true, packet: publishOn(postTopic, `{"id":"`+long+`","params":{"a":{"value":1}}}`)},
		step{fromClient: true, packet: publishOn(postTopic, `{"id":"`+long+`8","params":{"a":{"value":1}}}`)},
		step{packet: publishOn(postTopic+"/reply", `{"id":"`+long+`","code":200}`)},
	)
	c, infos := run(t, nil, capture2026, steps)
	if infos[6].ReplyTo == nil || infos[6].ReplyTo.Frame != 5 {
		t.Fatalf("pair %+v", infos[6].ReplyTo)
	}
	if v := c.Verdict(); len(v.Counts) != 1 || v.Counts[0].First != (Occurrence{6, "7777777…"}) {
		t.Errorf("counts %+v", v.Counts)
	}
}
