package decode

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// Encode is Decode's inverse, malformed packets included.
func TestEncodeRoundTrip(t *testing.T) {
	packets := [][]byte{
		hx(t, seedConnect), hx(t, seedSubscribe), hx(t, seedPublish), hx(t, seedDisconnect),
		raw(0xc0, 0x80, 0x00),                    // non-minimal remaining length
		raw(0xc0, 0x01, 0x00),                    // PINGREQ with a trailing byte
		raw(0x00, 0x02, 0xab, 0xcd),              // packet type 0 with a body
		pkt(0x36, str("a"), u16(1), []byte("x")), // QoS 3
		pkt(0x80, u16(1), str("a"), raw(0x04)),   // SUBSCRIBE with reserved flags and options
		pkt(0x10, str("MQTT"), raw(5, 0x06), u16(60), props(raw(0x26), str("a"), str("1"), raw(0x11), u32(30)), str("dev"), props(raw(0x03), str("t")), str("w"), str("x")),
		pkt(0x30, str("a"), props(raw(0x0b, 0x80, 0x00), raw(0x09), str("\xde\xad")), []byte("payload")), // non-minimal VBI property
		pkt(0x30, str("a"), props(raw(0x7f, 1, 2, 3)), []byte("x")),                                      // unknown property: the rest of the block is kept
		pkt(0x40, u16(7), raw(0x10)),                               // v5 PUBACK with a reason, no properties
		pkt(0x40, u16(7), raw(0x10), props(raw(0x1f), str("why"))), // and with properties
		pkt(0x90, u16(1), props(), raw(0, 1, 0x80)),
		pkt(0xb0, u16(1), props(), raw(0, 0x11)),
		pkt(0xe0, raw(0x04)),
		pkt(0xf0, raw(0x18), props(raw(0x15), str("SCRAM"))),
		pkt(0x20, raw(0, 0x86), props(raw(0x12), str("auto-1"))),
		raw(0x20, 0x02, 0x00, 0x05),
	}
	// The one-byte-length bug frame.
	full := hx(t, seedConnect)
	bug := append(append([]byte{}, full[:2]...), full[3:]...)
	var f Framer
	f.Feed(bug, true)
	fr, _ := f.Next()
	var d Decoder
	for _, v := range []Version{V311, V5} {
		for i, b := range packets {
			p := d.Decode(b, v)
			if !p.Encodable() {
				continue
			}
			got, err := Encode(p)
			if err != nil || !bytes.Equal(got, b) {
				t.Errorf("%v packet %d: encode(decode(%x)) = %x, %v", v, i, b, got, err)
			}
		}
	}
	p := d.DecodeFrame(fr, V311)
	if got, err := Encode(p); err != nil || !bytes.Equal(got, fr.Raw) {
		t.Errorf("one-byte-length CONNECT: %x, %v", got, err)
	}
}

// A packet built by hand encodes with minimal lengths, and changing a field
// recomputes the remaining length (how export refreshes a token).
func TestEncodeBuilt(t *testing.T) {
	p := &Packet{Type: CONNECT, ProtocolName: []byte("MQTT"), ProtocolLevel: 4, KeepAlive: 60, ClientID: []byte("my_tv"),
		Username: []byte("VRqhDHF2wL"), UsernameFlag: true, PasswordFlag: true, CleanSession: true,
		Password: []byte("version=2018-10-31&res=products%2FVRqhDHF2wL%2Fdevices%2Fmy_tv&et=1661245031&method=md5&sign=y4iDPu6Yp84FO7sxpcdcSQ%3D%3D")}
	p.SetConnectFlags()
	got, err := Encode(p)
	if err != nil || hex.EncodeToString(got) != seedConnect {
		t.Fatalf("built seed CONNECT: %x, %v", got, err)
	}
	var d Decoder
	q := d.Decode(got, V311).Clone()
	q.Password = []byte("short")
	got, _ = Encode(q)
	if len(got) != 38 || got[1] != 36 {
		t.Errorf("shorter password: %d bytes, remaining length %d", len(got), got[1])
	}
	pub := &Packet{Type: PUBLISH, QoS: 1, PacketID: 5, Topic: []byte("a/b"), Payload: []byte("hi"), Version: V311}
	pub.SetPublishFlags()
	if got, _ := Encode(pub); hex.EncodeToString(got) != "3209000361 2f62 0005 6869"[0:0]+"32090003612f6200056869" {
		t.Errorf("built PUBLISH %x", got)
	}
}

func TestEncodeRefusesIncomplete(t *testing.T) {
	var d Decoder
	p := d.Decode(pkt(0x10, str("MQTT"), raw(4, 0x02), u16(60), raw(0, 9), []byte("dev")), V311)
	if _, err := Encode(p); err != ErrNotEncodable {
		t.Errorf("short CONNECT: %v", err)
	}
}

// FuzzRoundTrip: every packet that decodes completely encodes back to its
// bytes, in both versions.
func FuzzRoundTrip(f *testing.F) {
	for _, p := range testStream(f) {
		if len(p) < 2000 {
			f.Add(p)
		}
	}
	f.Add(pkt(0x30, str("a"), props(raw(0x0b, 0x80, 0x00)), []byte("x")))
	f.Add(pkt(0x10, str("MQTT"), raw(5, 0x06), u16(60), props(raw(0x26), str("a"), str("1")), str("dev"), props(raw(0x03), str("t")), str("w"), str("x")))
	f.Fuzz(func(t *testing.T, data []byte) {
		var d Decoder
		for _, v := range []Version{V31, V311, V5} {
			p := d.Decode(data, v)
			if !p.Encodable() {
				continue
			}
			got, err := Encode(p)
			if err != nil {
				t.Fatalf("%v: %v", v, err)
			}
			if !bytes.Equal(got, p.Raw) {
				t.Fatalf("%v: encode(decode(%x)) = %x", v, p.Raw, got)
			}
		}
	})
}
