package stream

import (
	"net/netip"
	"testing"
)

// TestV4KeyRoundTrip checks that a conversation between IPv4 endpoints is
// kept under its compact key and found again, and that other addresses
// keep their full key.
func TestV4KeyRoundTrip(t *testing.T) {
	tests := []struct {
		src, dst string
		v4       bool
	}{
		{"192.168.1.10:50312", "183.230.40.96:1883", true},
		{"183.230.40.96:1883", "192.168.1.10:50312", true},
		{"10.0.0.1:1", "10.0.0.1:65535", true},
		{"255.255.255.255:65535", "0.0.0.0:0", true},
		{"[2001:db8::1]:50312", "[2001:db8::2]:1883", false},
		{"[2001:db8::1]:50312", "10.0.0.2:1883", false},
		{"[::1]:1883", "[::1]:50000", false},
	}
	for _, tt := range tests {
		key, _ := makeKey(netip.MustParseAddrPort(tt.src), netip.MustParseAddrPort(tt.dst))
		k4, ok := key.asV4()
		if ok != tt.v4 {
			t.Errorf("%s %s: asV4 ok = %v, want %v", tt.src, tt.dst, ok, tt.v4)
			continue
		}
		if ok && k4.tuple() != key {
			t.Errorf("%s %s: %v comes back as %v", tt.src, tt.dst, key, k4.tuple())
		}
		n := convTable{v4: map[v4Key]*conv{}, v6: map[tupleKey]*conv{}}
		cv := &conv{stream: 7}
		n.put(key, cv)
		if n.get(key) != cv || n.size() != 1 {
			t.Errorf("%s %s: not found under its key", tt.src, tt.dst)
		}
		if len(n.v4) != map[bool]int{true: 1}[tt.v4] {
			t.Errorf("%s %s: %d compact keys, want the compact key only for IPv4", tt.src, tt.dst, len(n.v4))
		}
		other, _ := makeKey(netip.MustParseAddrPort(tt.src), netip.MustParseAddrPort("10.9.9.9:9"))
		if n.get(other) != nil {
			t.Errorf("%s %s: another conversation finds it", tt.src, tt.dst)
		}
		n.remove(key)
		if n.get(key) != nil || n.size() != 0 {
			t.Errorf("%s %s: still there after remove", tt.src, tt.dst)
		}
	}
}
