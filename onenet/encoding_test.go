package onenet

import (
	"net/url"
	"testing"
)

func TestEncode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"2018-10-31", "2018-10-31"},
		{"products/238322/devices/mqtts-test-device", "products%2F238322%2Fdevices%2Fmqtts-test-device"},
		{"Rs0u/KnyoK5/MuKo5xKa0tW+WqY=", "Rs0u%2FKnyoK5%2FMuKo5xKa0tW%2BWqY%3D"},
		{"+ /?%#&=", "%2B%20%2F%3F%25%23%26%3D"}, // the whole table of §2.3
		{"a b", "a%20b"},                         // url.QueryEscape would give "a+b"
		{"设备_1-é~!*'()", "设备_1-é~!*'()"},         // nothing outside the table is encoded
	}
	for _, tt := range tests {
		if got := Encode(tt.in); got != tt.want {
			t.Errorf("Encode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if url.QueryEscape("a b") == Encode("a b") {
		t.Error("Encode matches url.QueryEscape for a space; §2.3 says it must not")
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		in, want string
		err      bool
	}{
		{"products%2F238322", "products/238322", false},
		{"a+b", "a+b", false}, // PathUnescape keeps '+' (QueryUnescape would give "a b")
		{"%2b%2B", "++", false},
		{"%20", " ", false},
		{"%zz", "", true},
		{"abc%", "", true},
		{"%2", "", true},
	}
	for _, tt := range tests {
		got, err := Decode(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("Decode(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestRawIndex(t *testing.T) {
	raw := "products%2FVRqhDHF2wL%2Fdevices%2Fmy_tv"
	tests := []struct{ decoded, want int }{
		{0, 0}, {8, 8}, {9, 11}, {19, 21}, {20, 24}, {28, 34}, {33, 39}, {100, 39},
	}
	for _, tt := range tests {
		if got := rawIndex(raw, tt.decoded); got != tt.want {
			t.Errorf("rawIndex(%d) = %d, want %d", tt.decoded, got, tt.want)
		}
	}
}

func TestBadEscape(t *testing.T) {
	for in, want := range map[string]int{"": -1, "%2F%3d": -1, "a%": 1, "%2": 0, "ab%g1": 2, "%25%": 3} {
		if got := badEscape(in); got != want {
			t.Errorf("badEscape(%q) = %d, want %d", in, got, want)
		}
	}
}
