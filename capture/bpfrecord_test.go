package capture

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"
)

// bpfRecord encodes a darwin struct bpf_hdr (20 bytes with its padding)
// and the packet, padded to BPF_ALIGNMENT.
func bpfRecord(sec, usec int32, data []byte, wire int) []byte {
	b := make([]byte, 20)
	binary.LittleEndian.PutUint32(b[0:], uint32(sec))
	binary.LittleEndian.PutUint32(b[4:], uint32(usec))
	binary.LittleEndian.PutUint32(b[8:], uint32(len(data)))
	binary.LittleEndian.PutUint32(b[12:], uint32(wire))
	binary.LittleEndian.PutUint16(b[16:], 18) // bh_hdrlen as darwin sets it: SIZEOF_BPF_HDR
	b = append(b[:18], data...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// The records of one /dev/bpf read come out one by one, with their
// timestamps and lengths; a record cut short ends the buffer.
func TestNextBPFRecord(t *testing.T) {
	p1 := []byte{2, 0, 0, 0, 0x45, 1, 2}    // 7 bytes: padded by 3
	p2 := []byte{2, 0, 0, 0, 0x45, 3, 4, 5} // 8 bytes: not padded
	buf := append(bpfRecord(1700000000, 123456, p1, 7), bpfRecord(1700000001, 5, p2, 1500)...)
	buf = append(buf, bpfRecord(1, 1, []byte{9, 9, 9, 9}, 4)[:20]...) // cut short

	data, ci, rest, ok := nextBPFRecord(buf)
	if !ok || !bytes.Equal(data, p1) || !ci.Timestamp.Equal(time.Unix(1700000000, 123456000)) || ci.CaptureLength != 7 || ci.Length != 7 {
		t.Fatalf("first: %v %x %+v", ok, data, ci)
	}
	data, ci, rest, ok = nextBPFRecord(rest)
	if !ok || !bytes.Equal(data, p2) || ci.CaptureLength != 8 || ci.Length != 1500 || ci.Timestamp.Unix() != 1700000001 {
		t.Fatalf("second: %v %x %+v", ok, data, ci)
	}
	if _, _, _, ok = nextBPFRecord(rest); ok {
		t.Error("a record cut short was returned")
	}
	if _, _, rest, ok := nextBPFRecord(bpfRecord(1, 1, p2, 8)); !ok || rest != nil {
		t.Errorf("last record: %v, rest %x", ok, rest)
	}
	if _, _, _, ok := nextBPFRecord(nil); ok {
		t.Error("empty buffer")
	}
}
