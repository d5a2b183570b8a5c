package capture

import (
	"encoding/binary"
	"time"
)

// BSD /dev/bpf read buffers hold records: a struct bpf_hdr, the packet,
// padding to BPF_ALIGNMENT. On darwin (amd64 and arm64 alike, both
// little-endian) struct bpf_hdr is
//
//	struct timeval32 bh_tstamp;  // 0: seconds, 4: microseconds (int32 each)
//	uint32_t         bh_caplen;  // 8
//	uint32_t         bh_datalen; // 12
//	u_short          bh_hdrlen;  // 16: offset of the packet in the record
//
// padded to 20 bytes; BPF_ALIGNMENT is 4 (sizeof(int32_t)). The parser is
// here, not in live_darwin.go, so that its tests run on every system.
const (
	bpfHdrMin    = 18
	bpfAlignment = 4
)

// nextBPFRecord returns the first record of buf and what follows it; ok is
// false when buf holds no complete record (the rest of a read is dropped).
func nextBPFRecord(buf []byte) (data []byte, ci CaptureInfo, rest []byte, ok bool) {
	if len(buf) < bpfHdrMin {
		return nil, ci, nil, false
	}
	sec := int32(binary.LittleEndian.Uint32(buf[0:]))
	usec := int32(binary.LittleEndian.Uint32(buf[4:]))
	caplen := int(binary.LittleEndian.Uint32(buf[8:]))
	datalen := int(binary.LittleEndian.Uint32(buf[12:]))
	hdrlen := int(binary.LittleEndian.Uint16(buf[16:]))
	end := hdrlen + caplen
	if hdrlen < bpfHdrMin || caplen < 0 || end > len(buf) || end < hdrlen {
		return nil, ci, nil, false
	}
	ci = CaptureInfo{Timestamp: time.Unix(int64(sec), int64(usec)*1000), CaptureLength: caplen, Length: max(datalen, caplen)}
	next := (end + bpfAlignment - 1) &^ (bpfAlignment - 1)
	if next < len(buf) {
		rest = buf[next:]
	}
	return buf[hdrlen:end], ci, rest, true
}
