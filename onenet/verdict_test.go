package onenet

import (
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
)

// Each verdict of the issue, built from real packets (the seed session's
// and small hand-written ones) fed to Conn in order.

const (
	seedConnectHex = "10980100044d51545404c2003c00056d795f7476000a5652716844484632774c007976657273696f6e3d323031382d31302d3331267265733d70726f64756374732532465652716844484632774c253246646576696365732532466d795f74762665743d31363631323435303331266d6574686f643d6d6435267369676e3d7934694450753659703834464f377378706364635351253344253344"
	seedPublishHex = "306f0029247379732f5652716844484632774c2f6d795f74762f7468696e672f70726f70657274792f706f73747b226964223a2022313233222c2276657273696f6e22203a2022312e30222c22706172616d73223a207b2277656e6475223a207b2276616c7565223a2032312e317d7d7d"
	keyB1          = "KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw="
)

type step struct {
	fromClient bool
	packet     []byte // nil: a close
	close      string
	after      time.Duration
}

func mqtt(first byte, body ...[]byte) []byte {
	var b []byte
	for _, p := range body {
		b = append(b, p...)
	}
	return append(append([]byte{first}, decode.AppendVBI(nil, uint32(len(b)))...), b...)
}

func mstr(s string) []byte { return append([]byte{byte(len(s) >> 8), byte(len(s))}, s...) }

func hexb(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// connectWith builds a 3.1.1 CONNECT with flags 0xC2 and a token.
func connectWith(clientID, username, token string, flags byte, keepAlive uint16) []byte {
	return mqtt(0x10, mstr("MQTT"), []byte{4, flags, byte(keepAlive >> 8), byte(keepAlive)}, mstr(clientID), mstr(username), mstr(token))
}

func publishOn(topic, payload string) []byte { return mqtt(0x30, mstr(topic), []byte(payload)) }

func run(t *testing.T, key KeyFunc, start time.Time, steps []step) (*Conn, []*PacketInfo) {
	t.Helper()
	return runConn(t, &Conn{Key: key}, start, steps)
}

func runConn(t *testing.T, c *Conn, start time.Time, steps []step) (*Conn, []*PacketInfo) {
	t.Helper()
	var d decode.Decoder
	at := start
	var infos []*PacketInfo
	for i, s := range steps {
		at = at.Add(s.after + time.Millisecond)
		frame := uint64(i + 1)
		if s.packet == nil {
			c.Closed(s.fromClient, s.close, frame, at)
			continue
		}
		p := d.Decode(s.packet, decode.V311)
		infos = append(infos, c.Packet(p, s.fromClient, frame, at).Clone()) // valid until the next call
	}
	return c, infos
}

var capture2026 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func TestVerdictLoginRefusedExpired(t *testing.T) {
	c, infos := run(t, nil, capture2026, []step{
		{fromClient: true, packet: hexb(seedConnectHex)},
		{packet: hexb("20020005")},
		{close: "fin"},
	})
	ti := infos[0].Token
	if ti == nil || !ti.Expired || ti.Signature != "unchecked" || ti.Token.DeviceName != "my_tv" {
		t.Fatalf("token info %+v", ti)
	}
	v := c.Verdict()
	if v.Status != "login_refused" || !strings.Contains(v.Summary, "CONNACK 5") {
		t.Fatalf("verdict %+v", v)
	}
	if len(v.Reasons) == 0 || !strings.Contains(v.Reasons[0], "token expired 2022-08-23 08:57:11 UTC") {
		t.Errorf("reasons %v", v.Reasons)
	}
}

func TestVerdictLoginRefusedSignature(t *testing.T) {
	tok, err := Generate(GenerateOptions{ProductID: "VRqhDHF2wL", DeviceName: "my_tv", KeyBase64: keyB1, Method: "md5",
		ExpiresAt: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	otherKey := func(string, string) (string, bool) { return "EnW4T71eIE55xOIQMN6pFMKuqel5T5HTzsGJRPiDhlM=", true }
	c, infos := run(t, otherKey, capture2026, []step{
		{fromClient: true, packet: connectWith("my_tv", "VRqhDHF2wL", tok, 0xC2, 60)},
		{packet: hexb("20020004")},
	})
	if infos[0].Token.Signature != "invalid" {
		t.Fatalf("signature %q", infos[0].Token.Signature)
	}
	v := c.Verdict()
	if v.Status != "login_refused" || !strings.Contains(strings.Join(v.Reasons, "\n"), "does not verify") {
		t.Errorf("verdict %+v", v)
	}
	// With the right key it verifies and the verdict says so.
	rightKey := func(string, string) (string, bool) { return keyB1, true }
	c, infos = run(t, rightKey, capture2026, []step{
		{fromClient: true, packet: connectWith("my_tv", "VRqhDHF2wL", tok, 0xC2, 60)},
		{packet: hexb("20020005")},
	})
	if infos[0].Token.Signature != "valid" || !strings.Contains(c.Verdict().Reasons[0], "signature verifies") {
		t.Errorf("right key: %q %v", infos[0].Token.Signature, c.Verdict().Reasons)
	}
}

func TestVerdictNoConnack(t *testing.T) {
	tok, _ := Generate(GenerateOptions{ProductID: "VRqhDHF2wL", DeviceName: "my_tv", KeyBase64: keyB1, Method: "md5",
		ExpiresAt: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)})
	c, _ := run(t, nil, capture2026, []step{
		{fromClient: true, packet: connectWith("my_tv", "VRqhDHF2wL", tok, 0xC0, 5)}, // clean session 0, keep alive 5
		{close: "rst", after: 10 * time.Millisecond},
	})
	v := c.Verdict()
	if v.Status != "no_connack" || !strings.Contains(v.Summary, "RST") {
		t.Fatalf("verdict %+v", v)
	}
	all := strings.Join(v.Reasons, "\n")
	for _, want := range []string{"connect flags 0xc0 are not 0xc2: clean session is 0", "keep alive 5 s is outside 10..1800"} {
		if !strings.Contains(all, want) {
			t.Errorf("reasons lack %q:\n%s", want, all)
		}
	}
}

func TestVerdictClosedAfterPublish(t *testing.T) {
	tok, _ := Generate(GenerateOptions{ProductID: "VRqhDHF2wL", DeviceName: "my_tv", KeyBase64: keyB1, Method: "md5",
		ExpiresAt: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)})
	c, infos := run(t, nil, capture2026, []step{
		{fromClient: true, packet: connectWith("my_tv", "VRqhDHF2wL", tok, 0xC2, 60)},
		{packet: hexb("20020000")},
		{fromClient: true, packet: publishOn("$sys/VRqhDHF2wL/my_tv/thing/property/set", `{"id":"1","params":{}}`)},
		{close: "fin", after: 30 * time.Millisecond},
	})
	if f := infos[2].Findings; len(f) == 0 || f[0].Code != "wrong_direction" {
		t.Fatalf("findings %+v", infos[2].Findings)
	}
	v := c.Verdict()
	if v.Status != "closed_after_publish" || !strings.Contains(v.Summary, "31 ms after the PUBLISH of frame 3") {
		t.Fatalf("verdict %+v", v)
	}
	if !strings.Contains(v.Reasons[0], "illegal topic") {
		t.Errorf("reasons %v", v.Reasons)
	}
}

func TestVerdictRepliesAndSubscriptions(t *testing.T) {
	tok, _ := Generate(GenerateOptions{ProductID: "VRqhDHF2wL", DeviceName: "my_tv", KeyBase64: keyB1, Method: "md5",
		ExpiresAt: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)})
	base := "$sys/VRqhDHF2wL/my_tv/thing/property/post"
	c, infos := run(t, nil, capture2026, []step{
		{fromClient: true, packet: connectWith("my_tv", "VRqhDHF2wL", tok, 0xC2, 60)},
		{packet: hexb("20020000")},
		{fromClient: true, packet: mqtt(0x82, []byte{0, 1}, mstr(base+"/reply"), []byte{0})},
		{packet: hexb("9003000100")},
		{fromClient: true, packet: publishOn(base, `{"id":"123","version":"1.0","params":{"wendu":{"value":21.1}}}`)},
		{packet: publishOn(base+"/reply", `{"id":"123","code":200,"msg":"success"}`), after: 35 * time.Millisecond},
	})
	if r := infos[5].ReplyTo; r == nil || r.Frame != 5 || r.Latency != 36*time.Millisecond {
		t.Fatalf("reply pairing %+v", infos[5].ReplyTo)
	}
	if v := c.Verdict(); v.Status != "ok" || !strings.Contains(v.Summary, "1 request(s) answered") {
		t.Errorf("verdict %+v", v)
	}

	c, _ = run(t, nil, capture2026, []step{
		{fromClient: true, packet: connectWith("my_tv", "VRqhDHF2wL", tok, 0xC2, 60)},
		{packet: hexb("20020000")},
		{fromClient: true, packet: mqtt(0x82, []byte{0, 1}, mstr("$sys/Other/dev/thing/#"), []byte{0})},
		{packet: hexb("9003000180")},
		{fromClient: true, packet: publishOn(base, `{"id":"124","version":"1.0","params":{"wendu":21.1}}`)},
		{packet: publishOn(base+"/reply", `{"id":"124","code":2402,"msg":"request format error"}`)},
		{fromClient: true, packet: publishOn(base, `{"id":"125","params":{"wendu":{"value":1}}}`)},
	})
	v := c.Verdict()
	all := v.Summary + "\n" + strings.Join(v.Reasons, "\n")
	for _, want := range []string{"subscription(s) refused", "code 2402 request format error", `id "125" got no reply`, "product id \"Other\""} {
		if !strings.Contains(all, want) {
			t.Errorf("verdict lacks %q:\n%s", want, all)
		}
	}
}

func TestNotOneNET(t *testing.T) {
	c, infos := run(t, nil, capture2026, []step{
		{fromClient: true, packet: connectWith("sensor1", "user", "plain password", 0xC2, 60)},
		{packet: hexb("20020000")},
		{fromClient: true, packet: publishOn("home/temp", "21.5")},
	})
	for i, info := range infos {
		if info != nil {
			t.Errorf("packet %d: %+v", i, info)
		}
	}
	if c.IsOneNET() || c.Verdict().Status != "" {
		t.Errorf("a plain MQTT connection got a OneNET verdict: %+v", c.Verdict())
	}
}
