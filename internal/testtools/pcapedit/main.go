// Command pcapedit makes damaged copies of classic pcap files for tests: it
// drops frames, swaps two frames, duplicates a frame and cuts the file short.
// It reads and writes classic pcap only (either byte order, microsecond or
// nanosecond timestamps; the output keeps the input's header), never pcapng.
//
// Usage:
//
//	pcapedit -in IN.pcap -out OUT.pcap [-drop 3,7-9] [-swap 5:7] [-dup 5@9] [-cut N]
//
// Frame numbers are 1-based and always refer to the input file, as tshark
// numbers them.
//
//	-drop LIST  remove these frames (numbers and ranges A-B, comma separated)
//	-swap A:B   exchange the contents of frames A and B; each position keeps
//	            its own timestamp, so time stays monotonic (out-of-order data)
//	-dup N@M    insert a copy of frame N right after frame M (a
//	            retransmission), timestamped halfway between M and the frame
//	            that follows it (or 1 ms after M if M is last)
//	-cut N      keep only the first N bytes of the output file; a negative N
//	            drops the last -N bytes (the file then ends inside a record)
package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
)

type record struct {
	sec, frac uint32 // timestamp: seconds and micro- or nanoseconds
	orig      uint32 // original length
	data      []byte
}

func main() {
	in := flag.String("in", "", "input classic pcap")
	out := flag.String("out", "", "output classic pcap")
	drop := flag.String("drop", "", "frames to drop, e.g. 3,7-9")
	swap := flag.String("swap", "", "swap two frames, A:B")
	dup := flag.String("dup", "", "insert a copy of frame N after frame M, N@M")
	cut := flag.Int("cut", 0, "keep the first N bytes of the output (negative: drop the last -N bytes)")
	flag.Parse()
	if err := run(*in, *out, *drop, *swap, *dup, *cut); err != nil {
		fmt.Fprintf(os.Stderr, "pcapedit: %v\n", err)
		os.Exit(1)
	}
}

func run(in, out, drop, swap, dup string, cut int) error {
	if in == "" || out == "" {
		return errors.New("-in and -out are required")
	}
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	if len(raw) < 24 {
		return errors.New("input too short for a pcap header")
	}
	var bo binary.ByteOrder
	nano := false
	switch binary.LittleEndian.Uint32(raw) {
	case 0xa1b2c3d4:
		bo = binary.LittleEndian
	case 0xa1b23c4d:
		bo, nano = binary.LittleEndian, true
	case 0xd4c3b2a1:
		bo = binary.BigEndian
	case 0x4d3cb2a1:
		bo, nano = binary.BigEndian, true
	default:
		return errors.New("not a classic pcap file (pcapng is not supported)")
	}
	var recs []record
	for off := 24; off < len(raw); {
		if off+16 > len(raw) {
			return fmt.Errorf("truncated record header at offset %d", off)
		}
		h := raw[off : off+16]
		incl := int(bo.Uint32(h[8:]))
		if off+16+incl > len(raw) {
			return fmt.Errorf("truncated record at offset %d", off)
		}
		recs = append(recs, record{bo.Uint32(h), bo.Uint32(h[4:]), bo.Uint32(h[12:]), raw[off+16 : off+16+incl]})
		off += 16 + incl
	}
	n := len(recs)
	check := func(i int) error {
		if i < 1 || i > n {
			return fmt.Errorf("frame %d out of range 1..%d", i, n)
		}
		return nil
	}

	dropped := map[int]bool{}
	for _, part := range strings.Split(drop, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.Atoi(lo)
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if err := errors.Join(err1, err2, check(a), check(b)); err != nil {
			return fmt.Errorf("-drop %q: %v", part, err)
		}
		for i := a; i <= b; i++ {
			dropped[i] = true
		}
	}
	if swap != "" {
		a, b, err := pair(swap, ":")
		if err = errors.Join(err, check(a), check(b)); err != nil {
			return fmt.Errorf("-swap: %v", err)
		}
		ra, rb := recs[a-1], recs[b-1]
		recs[a-1].data, recs[a-1].orig = rb.data, rb.orig
		recs[b-1].data, recs[b-1].orig = ra.data, ra.orig
	}
	dupOf, dupAfter := 0, 0
	if dup != "" {
		var err error
		dupOf, dupAfter, err = pair(dup, "@")
		if err = errors.Join(err, check(dupOf), check(dupAfter)); err != nil {
			return fmt.Errorf("-dup: %v", err)
		}
	}

	res := append([]byte(nil), raw[:24]...)
	put := func(r record) {
		var h [16]byte
		bo.PutUint32(h[0:], r.sec)
		bo.PutUint32(h[4:], r.frac)
		bo.PutUint32(h[8:], uint32(len(r.data)))
		bo.PutUint32(h[12:], r.orig)
		res = append(append(res, h[:]...), r.data...)
	}
	unit := uint64(1_000_000)
	if nano {
		unit = 1_000_000_000
	}
	for i, r := range recs {
		if !dropped[i+1] {
			put(r)
		}
		if i+1 == dupAfter {
			c := recs[dupOf-1]
			t := uint64(r.sec)*unit + uint64(r.frac) + unit/1000
			if i+1 < n {
				next := uint64(recs[i+1].sec)*unit + uint64(recs[i+1].frac)
				t = (uint64(r.sec)*unit + uint64(r.frac) + next) / 2
			}
			c.sec, c.frac = uint32(t/unit), uint32(t%unit)
			put(c)
		}
	}
	if cut < 0 {
		cut += len(res)
	}
	if cut > 0 && cut < len(res) {
		res = res[:cut]
	}
	return os.WriteFile(out, res, 0o644)
}

// pair parses "A<sep>B" into two integers.
func pair(s, sep string) (int, int, error) {
	x, y, ok := strings.Cut(s, sep)
	if !ok {
		return 0, 0, fmt.Errorf("%q: want A%sB", s, sep)
	}
	a, err1 := strconv.Atoi(x)
	b, err2 := strconv.Atoi(y)
	return a, b, errors.Join(err1, err2)
}
