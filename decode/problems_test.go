package decode

import (
	"slices"
	"strings"
	"testing"
)

// One row per protocol violation: the packet, the version it is decoded as,
// the problem codes expected (in order), the offset and a fragment of the
// message of the first one.
func TestProblems(t *testing.T) {
	connect311 := func(flags byte, payload ...[]byte) []byte {
		return pkt(0x10, str("MQTT"), raw(4, flags), u16(60), cat(payload...))
	}
	tests := []struct {
		name    string
		packet  []byte
		version Version
		want    []string
		off     int
		msg     string
	}{
		{"clean CONNECT", connect311(0x02, str("dev")), V311, nil, 0, ""},
		{"packet type 0", raw(0x00, 0x00), V311, []string{"reserved_type"}, 0, "packet type 0 is reserved"},
		{"AUTH in 3.1.1", raw(0xf0, 0x00), V311, []string{"reserved_type"}, 0, "exists only in MQTT 5.0"},
		{"SUBSCRIBE flags 0000", pkt(0x80, u16(1), str("a"), raw(0)), V311, []string{"reserved_flags"}, 0,
			"fixed-header flags of SUBSCRIBE must be 0010, got 0000 (first byte 0x80, expected 0x82)"},
		{"PUBREL flags 0000", pkt(0x60, u16(1)), V311, []string{"reserved_flags"}, 0, "must be 0010"},
		{"CONNACK flags set", pkt(0x21, raw(0, 0)), V311, []string{"reserved_flags"}, 0, "must be 0000"},
		{"PUBLISH QoS 3", pkt(0x36, str("a"), u16(1), []byte("x")), V311, []string{"qos3"}, 0, "QoS 3 is invalid"},
		{"DUP on QoS 0", pkt(0x38, str("a"), []byte("x")), V311, []string{"dup_qos0"}, 0, "DUP is set on a QoS 0 PUBLISH"},
		{"remaining length over 4 bytes", raw(0x30, 0xff, 0xff, 0xff, 0xff, 0x01), V311, []string{"vbi_too_long"}, 0, "more than 4 bytes"},
		{"remaining length not minimal", raw(0xc0, 0x80, 0x00), V311, []string{"vbi_not_minimal"}, 1,
			"remaining length 0 is not minimally encoded: 2 bytes where 1 suffice (00)"},
		{"PINGREQ with a body", raw(0xc0, 0x01, 0x00), V311, []string{"trailing_bytes"}, 2, "1 unexpected byte(s)"},
		{"DISCONNECT with a body in 3.1.1", raw(0xe0, 0x01, 0x00), V311, []string{"trailing_bytes"}, 2, "unexpected"},
		{"remaining length too large", cat(raw(0x10, 0x10), connect311(0x02, str("dev"))[2:], raw(0xc0)),
			V311, []string{"trailing_bytes"}, 17, "remaining length 16 is 1 more than the fields need (15)"},
		{"field runs past the packet", pkt(0x10, str("MQTT"), raw(4, 0x02), u16(60), raw(0, 9), []byte("dev")), V311,
			[]string{"short_packet"}, 12, "client_id length 9 at offset 12 runs past the end of the packet: only 3 bytes follow"},
		{"packet id 0 with QoS 1", pkt(0x32, str("a"), u16(0), []byte("x")), V311, []string{"packet_id_zero"}, 5, "packet identifier 0"},
		{"SUBSCRIBE packet id 0", pkt(0x82, u16(0), str("a"), raw(0)), V311, []string{"packet_id_zero"}, 2, "SUBSCRIBE"},
		{"invalid UTF-8 topic", pkt(0x30, str("a\xffb"), []byte("x")), V311, []string{"invalid_utf8"}, 5, "not valid UTF-8 (byte 0xff at offset 5)"},
		{"U+0000 in topic", pkt(0x30, str("a\x00b"), []byte("x")), V311, []string{"utf8_null"}, 5, "U+0000"},
		{"wildcard in PUBLISH topic", pkt(0x30, str("a/+"), []byte("x")), V311, []string{"wildcard_topic"}, 2, "wildcard"},
		{"empty topic in 3.1.1", pkt(0x30, str(""), []byte("x")), V311, []string{"empty_topic"}, 2, "empty"},
		{"CONNECT reserved flag", connect311(0x03, str("dev")), V311, []string{"reserved_flags"}, 9, "reserved bit 0"},
		{"will QoS without will", connect311(0x0a, str("dev")), V311, []string{"will_flags"}, 9, "will QoS and will retain must be 0"},
		{"will QoS 3", connect311(0x1e, str("dev"), str("w"), str("x")), V311, []string{"qos3"}, 9, "will QoS 3"},
		{"password without username", connect311(0x42, str("dev"), str("pw")), V311, []string{"password_without_username"}, 9, "forbids"},
		{"empty client id without clean session", connect311(0x00, str("")), V311, []string{"empty_client_id"}, 12, "clean session"},
		{"unknown protocol name", pkt(0x10, str("MQTs"), raw(4, 2), u16(60), str("d")), V311, []string{"unknown_protocol_name"}, 2, `"MQTs"`},
		{"unknown protocol level", pkt(0x10, str("MQTT"), raw(6, 2), u16(60), str("d")), V311, []string{"unknown_protocol_level"}, 8, "level 6"},
		{"3.1 client id too long", pkt(0x10, str("MQIsdp"), raw(3, 2), u16(60), str(strings.Repeat("x", 24))), V31, []string{"client_id_length"}, 14, "1 to 23"},
		{"CONNACK reserved ack flags", pkt(0x20, raw(0x02, 0)), V311, []string{"reserved_flags"}, 2, "acknowledge flags"},
		{"CONNACK session present on refusal", pkt(0x20, raw(0x01, 5)), V311, []string{"session_present"}, 2, "session present must be 0"},
		{"CONNACK return code 6", pkt(0x20, raw(0, 6)), V311, []string{"unknown_reason_code"}, 3, "return_code 0x06 (6) is not defined for CONNACK in MQTT 3.1.1"},
		{"SUBSCRIBE without filters", pkt(0x82, u16(1)), V311, []string{"no_topic_filters"}, 4, "at least one topic filter"},
		{"SUBSCRIBE bad wildcard", pkt(0x82, u16(1), str("a/#/b"), raw(0)), V311, []string{"bad_wildcard"}, 4, "'#'"},
		{"SUBSCRIBE + inside a level", pkt(0x82, u16(1), str("a+/b"), raw(0)), V311, []string{"bad_wildcard"}, 4, "'+'"},
		{"SUBSCRIBE reserved option bits", pkt(0x82, u16(1), str("a"), raw(0x04)), V311, []string{"reserved_flags"}, 7, "subscription options"},
		{"SUBSCRIBE QoS 3", pkt(0x82, u16(1), str("a"), raw(0x03)), V311, []string{"qos3"}, 7, "requested QoS 3"},
		{"SUBACK return code 3", pkt(0x90, u16(1), raw(0x03)), V311, []string{"unknown_reason_code"}, 4, "0x03"},
		{"SUBACK without codes", pkt(0x90, u16(1)), V311, []string{"no_reason_codes"}, 4, "at least one"},
		{"UNSUBACK 3.1.1 with codes", pkt(0xb0, u16(1), raw(0)), V311, []string{"trailing_bytes"}, 4, "unexpected"},
		// MQTT 5.0.
		{"v5 property not allowed (topic alias in CONNECT)", pkt(0x10, str("MQTT"), raw(5, 2), u16(60), props(raw(0x23), u16(1)), str("d")), V5,
			[]string{"property_not_allowed"}, 13, "topic_alias (0x23) is not allowed in CONNECT"},
		{"v5 duplicate property", pkt(0x30, str("a"), props(raw(0x03), str("t"), raw(0x03), str("u")), []byte("x")), V5,
			[]string{"duplicate_property"}, 10, "content_type appears more than once"},
		{"v5 duplicate user property is fine", pkt(0x30, str("a"), props(raw(0x26), str("k"), str("v"), raw(0x26), str("k"), str("w")), []byte("x")), V5, nil, 0, ""},
		{"v5 unknown property", pkt(0x30, str("a"), props(raw(0x7f, 0)), []byte("x")), V5, []string{"unknown_property"}, 6, "0x7f"},
		{"v5 property identifier in two bytes", pkt(0x30, str("a"), props(raw(0x83, 0x00, 0x00), str("t")), []byte("x")), V5,
			[]string{"property_id_not_minimal"}, 6, "property identifier 0x03 written in 2 bytes (83 00)"},
		{"v5 property length too long", pkt(0x30, str("a"), raw(0x10, 0x03), str("t")), V5, []string{"property_length_overrun"}, 5, "runs past"},
		{"v5 payload format 2", pkt(0x30, str("a"), props(raw(0x01, 2))), V5, []string{"property_value"}, 6, "expected 0 or 1"},
		{"v5 receive maximum 0", pkt(0x10, str("MQTT"), raw(5, 2), u16(60), props(raw(0x21), u16(0)), str("d")), V5, []string{"property_value"}, 13, "at least 1"},
		{"v5 will property in CONNECT properties", pkt(0x10, str("MQTT"), raw(5, 2), u16(60), props(raw(0x18), u32(5)), str("d")), V5,
			[]string{"property_not_allowed"}, 13, "will_delay_interval"},
		{"v5 session expiry in will properties", pkt(0x10, str("MQTT"), raw(5, 0x06), u16(60), props(), str("d"), props(raw(0x11), u32(5)), str("w"), str("x")), V5,
			[]string{"property_not_allowed"}, 17, "not allowed in will properties"},
		{"v5 subscription identifier twice in SUBSCRIBE", pkt(0x82, u16(1), props(raw(0x0b, 1, 0x0b, 2)), str("a"), raw(0)), V5, []string{"duplicate_property"}, 7, "more than once"},
		{"v5 subscription identifier 0", pkt(0x82, u16(1), props(raw(0x0b, 0)), str("a"), raw(0)), V5, []string{"property_value"}, 5, "must be 1 to"},
		{"v5 retain handling 3", pkt(0x82, u16(1), props(), str("a"), raw(0x30)), V5, []string{"retain_handling"}, 8, "retain handling 3"},
		{"v5 no local on a shared subscription", pkt(0x82, u16(1), props(), str("$share/g/a"), raw(0x04)), V5, []string{"no_local_shared"}, 17, "shared"},
		{"v5 CONNACK without properties", pkt(0x20, raw(0, 0)), V5, []string{"missing_properties"}, 4, "property length"},
		{"v5 CONNACK reason not for CONNACK", pkt(0x20, raw(0, 0x10), props()), V5, []string{"unknown_reason_code"}, 3, "0x10"},
		{"v5 PUBACK reason for PUBREL", pkt(0x40, u16(1), raw(0x92)), V5, []string{"unknown_reason_code"}, 4, "PUBACK"},
		{"v5 property runs past its block", pkt(0x30, str("a"), props(raw(0x02, 0, 0)), []byte("x")), V5, []string{"short_property"}, 6, "runs past the end of the property block"},
		{"v5 invalid UTF-8 in user property", pkt(0x30, str("a"), props(raw(0x26), str("k\xc3"), str("v")), []byte("x")), V5, []string{"invalid_utf8"}, 10, "user_property key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Decoder
			p := d.Decode(tt.packet, tt.version)
			checkRanges(t, p)
			if got := codes(p); !slices.Equal(got, tt.want) {
				for _, pr := range p.Problems {
					t.Logf("problem at %d: %s", pr.Off, pr.Message)
				}
				t.Fatalf("problems %v, want %v", got, tt.want)
			}
			if len(tt.want) == 0 {
				return
			}
			pr := p.Problems[0]
			if pr.Off != tt.off {
				t.Errorf("offset %d, want %d (%s)", pr.Off, tt.off, pr.Message)
			}
			if !strings.Contains(pr.Message, tt.msg) {
				t.Errorf("message %q does not contain %q", pr.Message, tt.msg)
			}
		})
	}
}
