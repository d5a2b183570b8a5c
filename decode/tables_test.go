package decode

import (
	"testing"
)

// The reason-code tables are complete (MQTT 5.0 §2.4 and the per-packet
// tables; Wireshark lacks CONNACK 0x99 and UNSUBACK 0x80, anchors.md §3.5).
func TestReasonCodeTables(t *testing.T) {
	counts := map[Type]int{CONNACK: 22, PUBACK: 9, PUBREC: 9, PUBREL: 2, PUBCOMP: 2, SUBACK: 12, UNSUBACK: 7, DISCONNECT: 30, AUTH: 3}
	for typ, want := range counts {
		if got := len(ReasonCodesFor(typ, V5)); got != want {
			t.Errorf("%v: %d reason codes, want %d: %x", typ, got, want, ReasonCodesFor(typ, V5))
		}
	}
	names := []struct {
		t    Type
		v    Version
		code uint8
		want string
	}{
		{CONNACK, V5, 0x99, "Payload format invalid"},
		{UNSUBACK, V5, 0x80, "Unspecified error"},
		{CONNACK, V5, 0x86, "Bad User Name or Password"},
		{CONNACK, V5, 0x87, "Not authorized"},
		{CONNACK, V311, 4, "Connection Refused: bad user name or password"},
		{CONNACK, V311, 5, "Connection Refused: not authorized"},
		{CONNACK, V31, 2, "Connection Refused: identifier rejected"},
		{DISCONNECT, V5, 0x00, "Normal disconnection"},
		{DISCONNECT, V5, 0x04, "Disconnect with Will Message"},
		{DISCONNECT, V5, 0x8D, "Keep Alive timeout"},
		{SUBACK, V5, 0x01, "Granted QoS 1"},
		{SUBACK, V311, 0x80, "Failure"},
		{SUBACK, V31, 0x80, ""},
		{PUBACK, V5, 0x10, "No matching subscribers"},
		{PUBREL, V5, 0x92, "Packet Identifier not found"},
		{AUTH, V5, 0x18, "Continue authentication"},
		{PUBACK, V5, 0x92, ""},
		{CONNACK, V311, 6, ""},
	}
	for _, n := range names {
		if got := ReasonName(n.t, n.v, n.code); got != n.want {
			t.Errorf("ReasonName(%v, %v, 0x%02x) = %q, want %q", n.t, n.v, n.code, got, n.want)
		}
	}
	if !IsFailure(CONNACK, V311, 4) || IsFailure(CONNACK, V311, 0) || !IsFailure(CONNACK, V5, 0x86) || IsFailure(PUBACK, V5, 0x10) {
		t.Error("IsFailure")
	}
}

// Every one of the 27 MQTT 5.0 properties decodes with its type, in a packet
// that allows it, and binary ones keep their bytes.
func TestAllProperties(t *testing.T) {
	ids := PropertyIDs()
	if len(ids) != 27 {
		t.Fatalf("%d property ids, want 27", len(ids))
	}
	value := map[PropertyType][]byte{
		PropByte:     raw(1),
		PropTwoByte:  u16(300),
		PropFourByte: u32(70000),
		PropVarInt:   raw(0x80, 0x01),
		PropUTF8:     str("text"),
		PropBinary:   str("\xde\xad\xbe\xef"),
		PropUTF8Pair: cat(str("k"), str("v")),
	}
	// A packet type that allows each property (will properties go in a will).
	for _, id := range ids {
		info, _ := lookupProperty(id)
		prop := cat(raw(byte(id)), value[info.typ])
		var packet []byte
		switch {
		case info.allowed&(1<<PUBLISH) != 0:
			packet = pkt(0x30, str("a"), props(prop), []byte("x"))
		case info.allowed&(1<<CONNECT) != 0:
			packet = pkt(0x10, str("MQTT"), raw(5, 2), u16(60), props(prop), str("d"))
		case info.allowed&(1<<CONNACK) != 0:
			packet = pkt(0x20, raw(0, 0), props(prop))
		case info.allowed&(1<<DISCONNECT) != 0:
			packet = pkt(0xe0, raw(0), props(prop))
		case info.allowed&(1<<willProps) != 0:
			packet = pkt(0x10, str("MQTT"), raw(5, 0x06), u16(60), props(), str("d"), props(prop), str("w"), str("x"))
		default:
			t.Fatalf("no packet for %s", info.name)
		}
		var d Decoder
		p := d.Decode(packet, V5)
		checkRanges(t, p)
		if len(p.Problems) != 0 {
			t.Errorf("%s: problems %v", info.name, p.Problems)
			continue
		}
		ps := p.Properties
		if len(ps.List) == 0 {
			ps = p.WillProperties
		}
		if len(ps.List) != 1 || ps.List[0].ID != id {
			t.Errorf("%s: decoded %+v", info.name, ps.List)
			continue
		}
		pr := ps.List[0]
		switch info.typ {
		case PropByte:
			if pr.Uint != 1 {
				t.Errorf("%s = %d", info.name, pr.Uint)
			}
		case PropTwoByte:
			if pr.Uint != 300 {
				t.Errorf("%s = %d", info.name, pr.Uint)
			}
		case PropFourByte:
			if pr.Uint != 70000 {
				t.Errorf("%s = %d", info.name, pr.Uint)
			}
		case PropVarInt:
			if pr.Uint != 128 {
				t.Errorf("%s = %d", info.name, pr.Uint)
			}
		case PropUTF8:
			if string(pr.Data) != "text" {
				t.Errorf("%s = %q", info.name, pr.Data)
			}
		case PropBinary:
			if string(pr.Data) != "\xde\xad\xbe\xef" {
				t.Errorf("%s = %x", info.name, pr.Data)
			}
			if f, ok := p.Field(info.name); !ok || f.Kind != KindBinary {
				t.Errorf("%s field kind %v, want binary", info.name, f.Kind)
			}
		case PropUTF8Pair:
			if string(pr.Data) != "k" || string(pr.Data2) != "v" {
				t.Errorf("%s = %q=%q", info.name, pr.Data, pr.Data2)
			}
		}
		if pr.Span.Off+pr.Span.Len > len(p.Raw) || p.Raw[pr.Span.Off] != byte(id) {
			t.Errorf("%s span %+v", info.name, pr.Span)
		}
	}
}

// User properties keep their order and pairing, CONNECT properties and
// will properties stay apart (tshark's -T ek merges them, anchors.md §3.6).
func TestPropertyOrderAndWill(t *testing.T) {
	packet := pkt(0x10, str("MQTT"), raw(5, 0x06), u16(60),
		props(raw(0x26), str("a"), str("1"), raw(0x11), u32(30), raw(0x26), str("b"), str("2"), raw(0x26), str("a"), str("3")),
		str("dev"),
		props(raw(0x26), str("w"), str("x"), raw(0x03), str("text/plain")),
		str("will/t"), str("bye"))
	var d Decoder
	p := d.Decode(packet, V5)
	checkRanges(t, p)
	if len(p.Problems) != 0 {
		t.Fatalf("problems %+v", p.Problems)
	}
	var pairs []string
	for _, pr := range p.Properties.List {
		if pr.ID == PropUserProperty {
			pairs = append(pairs, string(pr.Data)+"="+string(pr.Data2))
		}
	}
	if len(pairs) != 3 || pairs[0] != "a=1" || pairs[1] != "b=2" || pairs[2] != "a=3" {
		t.Errorf("user properties %v", pairs)
	}
	if len(p.WillProperties.List) != 2 || p.WillProperties.List[1].ID != PropContentType {
		t.Errorf("will properties %+v", p.WillProperties.List)
	}
	if string(p.WillTopic) != "will/t" || string(p.WillPayload) != "bye" || string(p.ClientID) != "dev" {
		t.Errorf("will %q %q client %q", p.WillTopic, p.WillPayload, p.ClientID)
	}
}

// Clone copies everything and aliases nothing of the input.
func TestClone(t *testing.T) {
	in := hx(t, seedConnect)
	var d Decoder
	c := d.Decode(in, V311).Clone()
	for i := range in {
		in[i] = 0
	}
	if string(c.ClientID) != "my_tv" || len(c.Password) != 121 || c.Raw[0] != 0x10 {
		t.Fatalf("clone aliases its input: %q", c.ClientID)
	}
	if f, _ := c.Field("client_id"); string(f.Data) != "my_tv" {
		t.Fatalf("clone field aliases its input: %q", f.Data)
	}
}

func TestVBI(t *testing.T) {
	for _, v := range []uint32{0, 1, 127, 128, 16383, 16384, 2097151, 2097152, MaxRemainingLength} {
		b := AppendVBI(nil, v)
		if len(b) != VBILen(v) {
			t.Errorf("%d: %d bytes, VBILen %d", v, len(b), VBILen(v))
		}
		got, n, err := readVBI(b)
		if err != nil || got != v || n != len(b) {
			t.Errorf("%d: read %d (%d bytes, %v)", v, got, n, err)
		}
	}
	if _, _, err := readVBI([]byte{0xff, 0xff, 0xff, 0xff, 0x01}); err != errVBITooLong {
		t.Errorf("5-byte VBI: %v", err)
	}
	if _, _, err := readVBI([]byte{0x80}); err != errVBIShort {
		t.Errorf("short VBI: %v", err)
	}
}
