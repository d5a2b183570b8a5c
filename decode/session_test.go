package decode

import (
	"slices"
	"testing"
)

func frameOfT(t *testing.T, b []byte) Frame {
	t.Helper()
	f, err := frameOf(b)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The version comes from the CONNECT and applies to both directions.
func TestSessionVersionFromConnect(t *testing.T) {
	var s Session
	s.StartSeen = true
	p := s.Decode(frameOfT(t, pkt(0x10, str("MQTT"), raw(5, 2), u16(60), props(), str("d"))), true)
	if p.Version != V5 || len(p.Problems) != 0 {
		t.Fatalf("CONNECT: %v %v", p.Version, p.Problems)
	}
	p = s.Decode(frameOfT(t, pkt(0x20, raw(0, 0), props(raw(0x22), u16(2)))), false)
	if p.Version != V5 || p.VersionInferred || len(p.Problems) != 0 {
		t.Fatalf("CONNACK: %v inferred=%v %v", p.Version, p.VersionInferred, p.Problems)
	}
	p = s.Decode(frameOfT(t, pkt(0x30, str("a"), props(raw(0x03), str("text/plain")), []byte("x"))), true)
	if len(p.Properties.List) != 1 || string(p.Payload) != "x" {
		t.Fatalf("PUBLISH decoded as %v: %+v payload %q", p.Version, p.Properties.List, p.Payload)
	}
}

func TestSessionMissingAndDoubleConnect(t *testing.T) {
	var s Session
	s.StartSeen = true
	p := s.Decode(frameOfT(t, pkt(0x30, str("a"), []byte("x"))), true)
	if !slices.Equal(codes(p), []string{"missing_connect"}) {
		t.Fatalf("first packet PUBLISH: %v", codes(p))
	}

	s = Session{StartSeen: true}
	connect := pkt(0x10, str("MQTT"), raw(4, 2), u16(60), str("d"))
	if p := s.Decode(frameOfT(t, connect), true); len(p.Problems) != 0 {
		t.Fatalf("CONNECT: %v", codes(p))
	}
	if p := s.Decode(frameOfT(t, connect), true); !slices.Equal(codes(p), []string{"double_connect"}) {
		t.Fatalf("second CONNECT: %v", codes(p))
	}

	// Without the start of the stream, a first PUBLISH is not a violation.
	s = Session{}
	if p := s.Decode(frameOfT(t, pkt(0x30, str("a"), []byte("x"))), true); len(p.Problems) != 0 {
		t.Fatalf("mid-stream PUBLISH: %v", codes(p))
	}
}

func TestSessionWrongDirection(t *testing.T) {
	var s Session
	if p := s.Decode(frameOfT(t, pkt(0x20, raw(0, 0))), true); !slices.Equal(codes(p), []string{"wrong_direction"}) {
		t.Errorf("CONNACK from the client: %v", codes(p))
	}
	if p := s.Decode(frameOfT(t, raw(0xc0, 0)), false); !slices.Equal(codes(p), []string{"wrong_direction"}) {
		t.Errorf("PINGREQ from the server: %v", codes(p))
	}
}

// anchors.md §3.4, probe s14: the server defines alias 1 = srv/a, the
// client alias 1 = cli/b; the server's next PUBLISH with alias 1 is srv/a
// (Wireshark shows cli/b).
func TestSessionTopicAliasesPerDirection(t *testing.T) {
	var s Session
	s.StartSeen = true
	s.Decode(frameOfT(t, pkt(0x10, str("MQTT"), raw(5, 2), u16(60), props(raw(0x22), u16(5)), str("d"))), true)
	s.Decode(frameOfT(t, pkt(0x20, raw(0, 0), props(raw(0x22), u16(2)))), false)
	alias := func(n uint16) []byte { return props(raw(0x23), u16(n)) }
	p := s.Decode(frameOfT(t, pkt(0x30, str("srv/a"), alias(1), []byte("1"))), false)
	if len(p.Problems) != 0 {
		t.Fatal(codes(p))
	}
	s.Decode(frameOfT(t, pkt(0x30, str("cli/b"), alias(1), []byte("2"))), true)
	p = s.Decode(frameOfT(t, pkt(0x30, str(""), alias(1), []byte("3"))), false)
	if string(p.AliasTopic) != "srv/a" || string(p.TopicName()) != "srv/a" || len(p.Problems) != 0 {
		t.Fatalf("server alias 1 resolved to %q (%v), want srv/a", p.AliasTopic, codes(p))
	}
	p = s.Decode(frameOfT(t, pkt(0x30, str(""), alias(1), []byte("4"))), true)
	if string(p.AliasTopic) != "cli/b" {
		t.Fatalf("client alias 1 resolved to %q, want cli/b", p.AliasTopic)
	}
	// The server allowed the client 2 aliases.
	p = s.Decode(frameOfT(t, pkt(0x30, str("x"), alias(3), []byte("5"))), true)
	if !slices.Equal(codes(p), []string{"topic_alias_maximum"}) {
		t.Errorf("alias above the maximum: %v", codes(p))
	}
	p = s.Decode(frameOfT(t, pkt(0x30, str(""), alias(2), []byte("6"))), true)
	if !slices.Equal(codes(p), []string{"unknown_topic_alias"}) {
		t.Errorf("undefined alias: %v", codes(p))
	}
	p = s.Decode(frameOfT(t, pkt(0x30, str(""), props(), []byte("7"))), true)
	if !slices.Equal(codes(p), []string{"empty_topic"}) {
		t.Errorf("empty topic without alias: %v", codes(p))
	}
}

// A capture that starts mid-connection: the version is inferred from the
// first packet that only one version decodes cleanly (anchors.md §3.9).
func TestSessionInference(t *testing.T) {
	tests := []struct {
		name       string
		packet     []byte
		fromClient bool
		want       Version // after the packet
	}{
		{"v5 CONNACK", pkt(0x20, raw(0, 0), props(raw(0x22), u16(10))), false, V5},
		{"v3 CONNACK", pkt(0x20, raw(0, 0)), false, V311},
		{"v5 PUBACK with a reason", pkt(0x40, u16(1), raw(0x10)), false, V5},
		{"v3 PUBACK (either)", pkt(0x40, u16(1)), false, VersionUnknown},
		{"v5 PUBLISH with properties", pkt(0x30, str("a"), props(raw(0x03), str("text/plain")), []byte("hi")), true, V5},
		{"PUBLISH with text payload (either)", pkt(0x30, str("a"), []byte("hello")), true, VersionUnknown},
		{"v5 SUBSCRIBE", pkt(0x82, u16(1), props(), str("a/b"), raw(1)), true, V5},
		{"v3 SUBSCRIBE", pkt(0x82, u16(1), str("a/b"), raw(1)), true, V311},
		{"v5 DISCONNECT with reason", raw(0xe0, 1, 0x04), true, V5},
		{"AUTH", raw(0xf0, 0), true, V5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Session
			p := s.Decode(frameOfT(t, tt.packet), tt.fromClient)
			v, inferred := s.Version()
			if v != tt.want {
				t.Fatalf("version %v, want %v", v, tt.want)
			}
			if tt.want != VersionUnknown && (!inferred || !p.VersionInferred) {
				t.Errorf("not marked inferred")
			}
			if tt.want != VersionUnknown && len(p.Problems) != 0 {
				t.Errorf("problems %v", codes(p))
			}
		})
	}
	// --mqtt-version overrides inference.
	s := Session{Assume: V5}
	p := s.Decode(frameOfT(t, pkt(0x30, str("a"), raw(0), []byte("x"))), true)
	if p.Version != V5 || !p.VersionInferred || string(p.Payload) != "x" {
		t.Errorf("assumed v5: %v %q", p.Version, p.Payload)
	}
}
