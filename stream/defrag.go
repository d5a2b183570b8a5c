package stream

import (
	"bytes"
	"net/netip"
	"slices"
	"time"
)

// IP fragments are put back together before TCP sees them, IPv4 and IPv6
// alike, as Wireshark does by default: the datagram is handed on in the
// frame of the fragment that completed it (Wireshark's "Reassembled in"),
// and gets its tcp.stream there. gopacket's ip4defrag and ip6defrag are
// not used: they keep every flow they ever saw behind a mutex, log through
// a package variable, and know nothing of capture interfaces; here the
// state is bounded in datagrams, fragments and bytes, and expires on
// capture time.

// fragment is one IP fragment of a TCP datagram.
type fragment struct {
	v6       bool
	src, dst netip.Addr
	id       uint32
	offset   int  // of the data, in bytes
	more     bool // more fragments follow
	data     []byte
	cut      bool // the snap length cut the fragment
}

// fragKey identifies a datagram being put back together.
type fragKey struct {
	src, dst [16]byte
	id       uint32
	iface    int32
	v6       bool
}

// datagram is a datagram being put back together.
type datagram struct {
	parts []fragPart // in offset order, not overlapping
	size  int        // total length, once the last fragment came (-1 before)
	bytes int
	first int64 // capture time of its first fragment, Unix nanoseconds
}

type fragPart struct {
	off  int
	data []byte
}

// Bounds of IP reassembly.
const (
	maxDatagram      = 65535 // an IP datagram's payload cannot be larger (no jumbograms)
	maxFragsPerDgram = 256
	maxDatagrams     = 1024
	maxFragBytes     = 16 << 20
	fragTimeout      = 30 * time.Second // Linux's ipfrag_time
)

// defragmenter puts IP fragments back together.
type defragmenter struct {
	pending map[fragKey]*datagram
	bytes   int
	buf     []byte // the last datagram put back together (valid until the next)
	// Counts: fragments seen, datagrams put back together, and
	// datagrams given up (cut by the snap length, overlapping
	// differently, too large, expired, or over a bound).
	fragments, reassembled, dropped uint64
}

func newDefragmenter() *defragmenter {
	return &defragmenter{pending: make(map[fragKey]*datagram)}
}

// add takes a fragment captured on iface at capture time ts. When it
// completes its datagram, add returns the datagram's payload (valid until
// the next call).
func (d *defragmenter) add(f fragment, iface int, ts int64) ([]byte, bool) {
	d.fragments++
	key := fragKey{src: f.src.As16(), dst: f.dst.As16(), id: f.id, iface: int32(iface), v6: f.v6}
	dg := d.pending[key]
	if dg == nil {
		if f.cut {
			d.dropped++
			return nil, false
		}
		if len(d.pending) >= maxDatagrams {
			d.expire(ts, true)
		}
		dg = &datagram{size: -1, first: ts}
		d.pending[key] = dg
	}
	end := f.offset + len(f.data)
	switch {
	case f.cut, end > maxDatagram, len(dg.parts) >= maxFragsPerDgram, d.bytes+len(f.data) > maxFragBytes,
		!f.more && dg.size >= 0 && dg.size != end, // two different ends
		!f.more && end < dg.end(),
		dg.size >= 0 && end > dg.size:
		d.drop(key, dg)
		return nil, false
	}
	if !f.more {
		dg.size = end
	}
	if !dg.insert(f.offset, f.data) {
		d.drop(key, dg) // overlapping fragments that disagree: Linux drops the datagram too
		return nil, false
	}
	d.bytes += len(f.data)
	dg.bytes += len(f.data)
	if !dg.complete() {
		return nil, false
	}
	d.buf = d.buf[:0]
	for _, p := range dg.parts {
		d.buf = append(d.buf, p.data...)
	}
	d.bytes -= dg.bytes
	delete(d.pending, key)
	d.reassembled++
	return d.buf, true
}

// end is where the fragments received so far end.
func (dg *datagram) end() int {
	if len(dg.parts) == 0 {
		return 0
	}
	last := dg.parts[len(dg.parts)-1]
	return last.off + len(last.data)
}

// insert adds a fragment's bytes (a copy). A fragment that overlaps others
// must agree with them on the bytes they share (a duplicate is ignored);
// insert reports false when it does not.
func (dg *datagram) insert(off int, data []byte) bool {
	end := off + len(data)
	i, _ := slices.BinarySearchFunc(dg.parts, off, func(p fragPart, off int) int { return p.off - off })
	for j := max(i-1, 0); j < len(dg.parts) && dg.parts[j].off < end; j++ {
		p := dg.parts[j]
		lo, hi := max(off, p.off), min(end, p.off+len(p.data))
		if lo < hi && !bytes.Equal(data[lo-off:hi-off], p.data[lo-p.off:hi-p.off]) {
			return false
		}
		if p.off <= off && end <= p.off+len(p.data) {
			return true // a duplicate
		}
		if lo < hi {
			return false // a partial overlap: keep it simple and strict, as Linux is
		}
	}
	dg.parts = slices.Insert(dg.parts, i, fragPart{off: off, data: bytes.Clone(data)})
	return true
}

// complete says the fragments cover the datagram from 0 to its end.
func (dg *datagram) complete() bool {
	if dg.size < 0 {
		return false
	}
	at := 0
	for _, p := range dg.parts {
		if p.off != at {
			return false
		}
		at += len(p.data)
	}
	return at == dg.size
}

func (d *defragmenter) drop(key fragKey, dg *datagram) {
	d.bytes -= dg.bytes
	delete(d.pending, key)
	d.dropped++
}

// expire gives up datagrams whose first fragment is older than the
// timeout as of capture time now; with full, also the oldest one, to make
// room.
func (d *defragmenter) expire(now int64, full bool) {
	var oldestKey fragKey
	var oldest *datagram
	for k, dg := range d.pending {
		if now-dg.first > int64(fragTimeout) {
			d.drop(k, dg)
			continue
		}
		if oldest == nil || dg.first < oldest.first {
			oldestKey, oldest = k, dg
		}
	}
	if full && oldest != nil && len(d.pending) >= maxDatagrams {
		d.drop(oldestKey, oldest)
	}
}

// close gives up what is still pending at the end of the capture.
func (d *defragmenter) close() {
	for k, dg := range d.pending {
		d.drop(k, dg)
	}
}
