package stream

import (
	"bytes"
	"net/netip"
	"sort"
)

// tupleKey identifies a TCP conversation by its addresses and ports, with
// the two endpoints in a canonical order (a < b). It is a flat 36-byte value
// (IPv4 addresses in their IPv6-mapped form): every packet is looked up by
// it, and netip.AddrPort's zone handle would make the key larger and slower
// to hash. It has no capture interface: Wireshark (4.0) numbers the same
// addresses and ports as one tcp.stream on every interface, while
// reassembly keeps interfaces apart (a view per interface, see conv).
type tupleKey struct {
	a, b         [16]byte
	aPort, bPort uint16
}

// makeKey returns the key of a segment from src to dst, and its direction
// within the key: 0 for a→b, 1 for b→a.
func makeKey(src, dst netip.AddrPort) (tupleKey, int) {
	s, d := src.Addr().As16(), dst.Addr().As16()
	c := bytes.Compare(s[:], d[:])
	if c < 0 || (c == 0 && src.Port() <= dst.Port()) {
		return tupleKey{a: s, b: d, aPort: src.Port(), bPort: dst.Port()}, 0
	}
	return tupleKey{a: d, b: s, aPort: dst.Port(), bPort: src.Port()}, 1
}

func sortConns(cs []*Conn) {
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].Stream != cs[j].Stream {
			return cs[i].Stream < cs[j].Stream
		}
		if cs[i].Interface != cs[j].Interface {
			return cs[i].Interface < cs[j].Interface
		}
		return cs[i].FirstFrame < cs[j].FirstFrame
	})
}
