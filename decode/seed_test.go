package decode

import (
	"testing"
)

// The seed session of onenet.md §6, decoded byte by byte: every offset in
// the reference tables is checked.

func TestSeedConnect(t *testing.T) {
	var d Decoder
	p := d.Decode(hx(t, seedConnect), V311)
	checkRanges(t, p)
	if len(p.Problems) != 0 {
		t.Fatalf("problems: %+v", p.Problems)
	}
	if p.Type != CONNECT || p.Len() != 155 || p.RemainingLength != 152 || p.HeaderLen != 3 {
		t.Fatalf("got %v len %d rl %d header %d", p.Type, p.Len(), p.RemainingLength, p.HeaderLen)
	}
	want := []struct {
		name     string
		off, len int
		value    any
	}{
		{"packet_type", 0, 1, uint64(1)},
		{"remaining_length", 1, 2, uint64(152)},
		{"protocol_name_length", 3, 2, uint64(4)},
		{"protocol_name", 5, 4, "MQTT"},
		{"protocol_level", 9, 1, uint64(4)},
		{"connect_flags", 10, 1, uint64(0xc2)},
		{"keep_alive", 11, 2, uint64(60)},
		{"client_id_length", 13, 2, uint64(5)},
		{"client_id", 15, 5, "my_tv"},
		{"username_length", 20, 2, uint64(10)},
		{"username", 22, 10, "VRqhDHF2wL"},
		{"password_length", 32, 2, uint64(121)},
		{"password", 34, 121, "version=2018-10-31&res=products%2FVRqhDHF2wL%2Fdevices%2Fmy_tv&et=1661245031&method=md5&sign=y4iDPu6Yp84FO7sxpcdcSQ%3D%3D"},
	}
	for _, w := range want {
		f, ok := p.Field(w.name)
		if !ok {
			t.Errorf("no field %s", w.name)
			continue
		}
		if f.Span.Off != w.off || f.Span.Len != w.len {
			t.Errorf("%s at %d+%d, want %d+%d", w.name, f.Span.Off, f.Span.Len, w.off, w.len)
		}
		switch v := w.value.(type) {
		case uint64:
			if f.Uint != v {
				t.Errorf("%s = %d, want %d", w.name, f.Uint, v)
			}
		case string:
			if string(f.Data) != v {
				t.Errorf("%s = %q, want %q", w.name, f.Data, v)
			}
		}
	}
	if !p.UsernameFlag || !p.PasswordFlag || !p.CleanSession || p.WillFlag || p.KeepAlive != 60 || p.Version != V311 {
		t.Errorf("typed fields: %+v", p)
	}
}

func TestSeedSubscribePublishDisconnect(t *testing.T) {
	var d Decoder
	sub := d.Decode(hx(t, seedSubscribe), V311)
	checkRanges(t, sub)
	if len(sub.Problems) != 0 || sub.Len() != 47 || sub.PacketID != 1 || len(sub.Subscriptions) != 1 {
		t.Fatalf("SUBSCRIBE: %+v", sub)
	}
	if s := sub.Subscriptions[0]; string(s.Topic) != "$sys/VRqhDHF2wL/my_tv/thing/property/set" || s.QoS != 0 {
		t.Errorf("subscription %+v", s)
	}
	if f, _ := sub.Field("topic_filter"); f.Span != (Span{6, 40}) {
		t.Errorf("topic filter at %+v, want 6+40", f.Span)
	}
	if f, _ := sub.Field("subscription_options"); f.Span != (Span{46, 1}) {
		t.Errorf("options at %+v, want 46+1", f.Span)
	}

	pub := d.Decode(hx(t, seedPublish), V311)
	checkRanges(t, pub)
	if len(pub.Problems) != 0 || pub.Len() != 113 || pub.HasPacketID || pub.QoS != 0 {
		t.Fatalf("PUBLISH: %+v", pub)
	}
	if string(pub.Topic) != "$sys/VRqhDHF2wL/my_tv/thing/property/post" || len(pub.Payload) != 68 {
		t.Errorf("topic %q payload %d", pub.Topic, len(pub.Payload))
	}
	if f, _ := pub.Field("payload"); f.Span != (Span{45, 68}) {
		t.Errorf("payload at %+v, want 45+68", f.Span)
	}
	if string(pub.Payload) != `{"id": "123","version" : "1.0","params": {"wendu": {"value": 21.1}}}` {
		t.Errorf("payload %q", pub.Payload)
	}

	disc := d.Decode(hx(t, seedDisconnect), V311)
	if len(disc.Problems) != 0 || disc.Type != DISCONNECT || disc.RemainingLength != 0 {
		t.Fatalf("DISCONNECT: %+v", disc)
	}
}

// The classic one-byte remaining length (onenet.md §6.3): the framer finds
// the packet the device meant and the problem says what went wrong.
func TestSeedConnectOneByteLength(t *testing.T) {
	full := hx(t, seedConnect)
	bug := append(append([]byte{}, full[:2]...), full[3:]...) // drop the 0x01
	var f Framer
	f.Feed(append(bug, hx(t, seedSubscribe)...), true)
	fr, ok := f.Next()
	if !ok || !fr.OneByteLength || len(fr.Raw) != 154 {
		t.Fatalf("frame %+v ok %v", fr, ok)
	}
	var d Decoder
	p := d.DecodeFrame(fr, V311)
	checkRanges(t, p)
	if got := codes(p); len(got) != 1 || got[0] != "one_byte_length" {
		t.Fatalf("problems %v, want [one_byte_length]", got)
	}
	if p.Problems[0].Off != 1 {
		t.Errorf("problem at offset %d, want 1", p.Problems[0].Off)
	}
	want := "remaining length 152 written as one byte (0x98): a CONNECT over 127 bytes needs 2 bytes (98 01)"
	if msg := p.Problems[0].Message; len(msg) < len(want) || msg[:len(want)] != want {
		t.Errorf("message %q", msg)
	}
	if string(p.ClientID) != "my_tv" || len(p.Password) != 121 {
		t.Errorf("client id %q password %d", p.ClientID, len(p.Password))
	}
	// And the stream continues in sync: the SUBSCRIBE follows.
	fr, ok = f.Next()
	if !ok || fr.Raw[0] != 0x82 || len(fr.Raw) != 47 {
		t.Fatalf("next frame %x ok %v", fr.Raw, ok)
	}
}
