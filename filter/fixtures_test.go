package filter

import (
	"encoding/hex"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/onenet"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/stream"
)

// The seed session of onenet.md §6, as in decode/helpers_test.go: device
// my_tv of product VRqhDHF2wL logs in with a token (et 1661245031, so
// expired at the capture time below), subscribes to its property-set topic
// and reports a property, which the platform answers.
const (
	seedConnect    = "10980100044d51545404c2003c00056d795f7476000a5652716844484632774c007976657273696f6e3d323031382d31302d3331267265733d70726f64756374732532465652716844484632774c253246646576696365732532466d795f74762665743d31363631323435303331266d6574686f643d6d6435267369676e3d7934694450753659703834464f377378706364635351253344253344"
	seedSubscribe  = "822d00010028247379732f5652716844484632774c2f6d795f74762f7468696e672f70726f70657274792f73657400"
	seedPublish    = "306f0029247379732f5652716844484632774c2f6d795f74762f7468696e672f70726f70657274792f706f73747b226964223a2022313233222c2276657273696f6e22203a2022312e30222c22706172616d73223a207b2277656e6475223a207b2276616c7565223a2032312e317d7d7d"
	seedDisconnect = "e000"
)

// Other packets, written out field by field.
const (
	connackOK   = "20 02 00 00"     // CONNACK, session present 0, return code 0 (accepted)
	subackOK    = "90 03 0001 00"   // SUBACK id 1, granted QoS 0
	subackMixed = "90 04 0002 0080" // SUBACK id 2: granted QoS 0, then 0x80 failure
	// The platform's reply to the seed PUBLISH: on
	// $sys/VRqhDHF2wL/my_tv/thing/property/post/reply, payload
	// {"id":"123","code":200,"msg":"success"}.
	propertyReply = "30 58 002f 247379732f5652716844484632774c2f6d795f74762f7468696e672f70726f70657274792f706f73742f7265706c79 " +
		"7b226964223a22313233222c22636f6465223a3230302c226d7367223a2273756363657373227d"
	pingreq  = "c0 00"
	pingresp = "d0 00"
	// PUBLISH QoS 1 retain, topic "home/temp", id 10, payload "21.5".
	publishRetained = "33 11 0009 686f6d652f74656d70 000a 32312e35"
	// UNSUBSCRIBE id 3, topic filter "home/temp".
	unsubscribe = "a2 0d 0003 0009 686f6d652f74656d70"
	// MQTT 5.0 PUBLISH "home/alias" defining topic alias 1, payload "x";
	// then a PUBLISH with an empty topic and alias 1, payload "y".
	publishV5Alias   = "30 11 000a 686f6d652f616c696173 03 230001 78"
	publishV5ByAlias = "30 07 0000 03 230001 79"
)

func hx(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// decodeHex decodes one packet as MQTT 3.1.1 with a Decoder of its own, so
// that the packet stays valid.
func decodeHex(t testing.TB, s string) *decode.Packet {
	t.Helper()
	var d decode.Decoder
	return d.Decode(hx(t, s), decode.V311)
}

// oneByteLengthConnect is the seed CONNECT with its remaining length
// written as one byte (0x98 without the 0x01), the classic embedded bug
// the framer recovers from with the problem "one_byte_length".
func oneByteLengthConnect(t testing.TB) *decode.Packet {
	t.Helper()
	full := hx(t, seedConnect)
	bug := append(append([]byte{}, full[:2]...), full[3:]...)
	var f decode.Framer
	f.Feed(bug, true)
	fr, ok := f.Next()
	if !ok {
		t.Fatal("no frame for the one-byte-length CONNECT")
	}
	var d decode.Decoder
	return d.DecodeFrame(fr, decode.V311).Clone()
}

// aliasPublish is a 5.0 PUBLISH whose topic comes from its topic alias,
// resolved by a Session as the pipeline does.
func aliasPublish(t testing.TB) *decode.Packet {
	t.Helper()
	s := decode.Session{Assume: decode.V5}
	var p *decode.Packet
	for _, h := range []string{publishV5Alias, publishV5ByAlias} {
		var f decode.Framer
		f.Feed(hx(t, h), true)
		fr, ok := f.Next()
		if !ok {
			t.Fatalf("no frame in %s", h)
		}
		p = s.Decode(fr, true)
	}
	if string(p.AliasTopic) != "home/alias" {
		t.Fatalf("alias topic %q, want home/alias", p.AliasTopic)
	}
	return p.Clone()
}

// fixture is a named record for the match tables.
type fixture struct {
	name string
	rec  *pipeline.Record
}

// at is the capture time of frame n: 2023-11-14, after the seed token's
// expiry in 2022.
func at(n uint64) time.Time { return time.Unix(1700000000+int64(n), 0) }

// rel is frame n's time since the first frame, as the pipeline sets it.
func rel(n uint64) time.Duration { return at(n).Sub(at(1)) }

// fixtures builds the records the match tests run against: the seed
// session on stream 0 (with its OneNET view, a gap and a FIN), a second
// connection on stream 1, a 5.0 connection without CONNECT on stream 3, a
// broken CONNECT on stream 2, a capture-level event and the end of
// stream 0 with its verdict.
func fixtures(t testing.TB) []fixture {
	t.Helper()
	c0 := &stream.Conn{Stream: 0, Client: netip.MustParseAddrPort("192.168.4.2:50000"), Server: netip.MustParseAddrPort("183.230.40.39:1883")}
	c1 := &stream.Conn{Stream: 1, Client: netip.MustParseAddrPort("192.168.4.3:50001"), Server: netip.MustParseAddrPort("10.0.0.5:1883")}
	c2 := &stream.Conn{Stream: 2, Client: netip.MustParseAddrPort("192.168.4.4:50002"), Server: netip.MustParseAddrPort("183.230.40.39:1883")}
	c3 := &stream.Conn{Stream: 3, Client: netip.MustParseAddrPort("[2001:db8::2]:50003"), Server: netip.MustParseAddrPort("[2001:db8::1]:1883")}
	info0 := &pipeline.ConnInfo{Version: decode.V311, ClientID: "my_tv", Username: "VRqhDHF2wL", HasConnect: true, KeepAlive: 60}
	info1 := &pipeline.ConnInfo{Version: decode.V311, ClientID: "sensor-7", HasConnect: true}
	info2 := &pipeline.ConnInfo{Version: decode.V311, ClientID: "my_tv", Username: "VRqhDHF2wL", HasConnect: true}
	info3 := &pipeline.ConnInfo{Version: decode.V5, VersionInferred: true}

	var on onenet.Conn
	var out []fixture
	var frame uint64
	add := func(name string, c *stream.Conn, info *pipeline.ConnInfo, fromClient bool, p *decode.Packet, withOneNET bool) {
		frame++
		r := &pipeline.Record{Kind: pipeline.KindPacket, Frame: frame, Time: at(frame), Rel: rel(frame), Conn: c, FromClient: fromClient, Packet: p, Info: info}
		if withOneNET {
			r.OneNET = on.Packet(p, fromClient, frame, r.Time).Clone() // valid until the next call
		}
		out = append(out, fixture{name, r})
	}
	event := func(name string, c *stream.Conn, info *pipeline.ConnInfo, fromClient bool, e pipeline.Event) {
		frame++
		out = append(out, fixture{name, &pipeline.Record{Kind: pipeline.KindEvent, Frame: frame, Time: at(frame), Rel: rel(frame), Conn: c, FromClient: fromClient, Event: e, Info: info}})
	}

	add("connect", c0, info0, true, decodeHex(t, seedConnect), true)
	add("connack", c0, info0, false, decodeHex(t, connackOK), true)
	add("subscribe", c0, info0, true, decodeHex(t, seedSubscribe), true)
	add("suback", c0, info0, false, decodeHex(t, subackOK), true)
	add("publish", c0, info0, true, decodeHex(t, seedPublish), true)
	add("reply", c0, info0, false, decodeHex(t, propertyReply), true)
	add("pingreq", c0, info0, true, decodeHex(t, pingreq), true)
	add("pingresp", c0, info0, false, decodeHex(t, pingresp), true)
	add("disconnect", c0, info0, true, decodeHex(t, seedDisconnect), true)
	event("gap", c0, info0, true, pipeline.Event{Type: "gap", Message: "1460 bytes not captured", Bytes: 1460})
	event("fin", c0, info0, false, pipeline.Event{Type: "fin", Message: "the server closed the connection"})
	add("retained", c1, info1, false, decodeHex(t, publishRetained), false)
	add("suback2", c1, info1, false, decodeHex(t, subackMixed), false)
	add("unsubscribe", c1, info1, true, decodeHex(t, unsubscribe), false)
	add("alias", c3, info3, true, aliasPublish(t), false)
	add("badconnect", c2, info2, true, oneByteLengthConnect(t), false)
	event("cutshort", nil, nil, false, pipeline.Event{Type: "cut_short", Message: "capture cut short"})
	final := *c0
	final.LastFrame, final.LastTime = frame, at(frame)
	out = append(out, fixture{"conndone", &pipeline.Record{Kind: pipeline.KindConnDone, Conn: c0, Final: &final, Time: at(frame), Rel: rel(frame), Info: info0, Verdict: on.Verdict()}})
	return out
}

// matching lists the fixtures f matches, in order.
func matching(f *Filter, fx []fixture) []string {
	var out []string
	for _, x := range fx {
		if f.Match(x.rec) {
			out = append(out, x.name)
		}
	}
	return out
}

// TestFixtures checks that the fixtures are what the match tables assume.
func TestFixtures(t *testing.T) {
	fx := fixtures(t)
	get := func(name string) *pipeline.Record {
		for _, x := range fx {
			if x.name == name {
				return x.rec
			}
		}
		t.Fatalf("no fixture %q", name)
		return nil
	}
	if p := get("connect").Packet; p.Type != decode.CONNECT || len(p.Problems) != 0 || string(p.ClientID) != "my_tv" {
		t.Errorf("connect: %v problems %v client id %q", p.Type, p.Problems, p.ClientID)
	}
	if on := get("connect").OneNET; on == nil || on.Token == nil || !on.Token.Expired || on.Token.Signature != "unchecked" {
		t.Errorf("connect OneNET %+v", on)
	}
	if on := get("publish").OneNET; on == nil || on.Topic == nil || on.Topic.Function != "thing/property/post" || on.Message == nil || string(on.Message.ID) != "123" {
		t.Errorf("publish OneNET %+v", on)
	}
	if on := get("reply").OneNET; on == nil || on.ReplyTo == nil || on.ReplyTo.Frame != 5 || on.Message == nil || on.Message.Code != 200 {
		t.Errorf("reply OneNET %+v", on)
	}
	for _, name := range []string{"retained", "suback2", "unsubscribe", "connack", "suback", "publish", "reply", "alias"} {
		if p := get(name).Packet; len(p.Problems) != 0 {
			t.Errorf("%s: problems %+v", name, p.Problems)
		}
	}
	if p := get("badconnect").Packet; len(p.Problems) != 1 || p.Problems[0].Code != "one_byte_length" {
		t.Errorf("badconnect problems %+v", p.Problems)
	}
	if v := get("conndone").Verdict; v.Status != "problems" {
		t.Errorf("verdict %+v, want problems (the server accepted the expired token)", v)
	}
}
