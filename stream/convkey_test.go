package stream

import (
	"fmt"
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

// TestVictimsInStreamOrder checks that conversations last seen at the same
// time are forgotten oldest stream first, the same way on every run (the
// table's maps iterate in a random order).
func TestVictimsInStreamOrder(t *testing.T) {
	n := convTable{v4: map[v4Key]*conv{}, v6: map[tupleKey]*conv{}, max: 32}
	for i := range 40 {
		src := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, byte(i / 200), byte(i%200 + 1)}), 50000)
		if i%5 == 0 {
			src = netip.AddrPortFrom(netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 15: byte(i + 1)}), 50000)
		}
		key, _ := makeKey(src, netip.MustParseAddrPort("183.230.40.96:1883"))
		n.put(key, &conv{stream: i, lastSeen: 1_700_000_000e9})
	}
	var first []int
	for run := range 20 {
		var streams []int
		for _, k := range n.victims() {
			streams = append(streams, n.get(k).stream)
		}
		if run == 0 {
			first = streams
			for i, s := range streams {
				if s != i {
					t.Fatalf("forgotten first: streams %v, want 0 to %d in order", streams, len(streams)-1)
				}
			}
		} else if fmt.Sprint(streams) != fmt.Sprint(first) {
			t.Fatalf("run %d forgets %v, run 0 %v", run, streams, first)
		}
	}
	if len(first) != 40-32*3/4 {
		t.Errorf("%d forgotten, want %d", len(first), 40-32*3/4)
	}
}
