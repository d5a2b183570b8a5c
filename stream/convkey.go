package stream

import "encoding/binary"

// The conversation table is looked up for every packet. Keyed by the
// 36-byte tupleKey, each lookup hashed and compared it byte by byte (a
// tenth of the stream side's map time went to comparing keys); a
// conversation between two IPv4 endpoints, the common case, is kept under
// a 16-byte key instead, which the runtime hashes and compares as two
// words.

// v4Key is the key of a conversation between IPv4 endpoints: both
// addresses in the first word, both ports in the second.
type v4Key [2]uint64

// v4InV6 is the prefix of an IPv4 address in its IPv6-mapped form.
var v4InV6 = [12]byte{10: 0xff, 11: 0xff}

// asV4 returns the compact key of k, when both its endpoints are IPv4.
func (k *tupleKey) asV4() (v4Key, bool) {
	if [12]byte(k.a[:12]) != v4InV6 || [12]byte(k.b[:12]) != v4InV6 {
		return v4Key{}, false
	}
	return v4Key{uint64(binary.BigEndian.Uint32(k.a[12:]))<<32 | uint64(binary.BigEndian.Uint32(k.b[12:])),
		uint64(k.aPort)<<16 | uint64(k.bPort)}, true
}

// tuple is the tupleKey a v4Key was made from.
func (k v4Key) tuple() tupleKey {
	t := tupleKey{aPort: uint16(k[1] >> 16), bPort: uint16(k[1])}
	copy(t.a[:], v4InV6[:])
	copy(t.b[:], v4InV6[:])
	binary.BigEndian.PutUint32(t.a[12:], uint32(k[0]>>32))
	binary.BigEndian.PutUint32(t.b[12:], uint32(k[0]))
	return t
}

// get returns the conversation of k, nil when there is none.
func (n *convTable) get(k tupleKey) *conv {
	if k4, ok := k.asV4(); ok {
		return n.v4[k4]
	}
	return n.v6[k]
}

// put makes cv the conversation of k.
func (n *convTable) put(k tupleKey, cv *conv) {
	if k4, ok := k.asV4(); ok {
		n.v4[k4] = cv
		return
	}
	n.v6[k] = cv
}

// remove forgets the conversation of k.
func (n *convTable) remove(k tupleKey) {
	if k4, ok := k.asV4(); ok {
		delete(n.v4, k4)
		return
	}
	delete(n.v6, k)
}

// size is the number of conversations held.
func (n *convTable) size() int { return len(n.v4) + len(n.v6) }
