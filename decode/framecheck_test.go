package decode

import (
	"testing"
)

// A frame that breaks DecodeFrame's contract is refused with a bad_frame
// problem, never read out of range. The first case is the frame the
// pipeline built from a snap-length cut that took a whole packet
// (../shared/repro/panic-1.pcap, issue 16).
func TestDecodeFrameRefusesInconsistentFrames(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    Frame
		want string // "" when the frame is valid
	}{
		{"no bytes, header of 2", Frame{HeaderLen: 2, Truncated: true, Missing: 2}, "bad_frame"},
		{"no bytes at all", Frame{}, "bad_frame"},
		{"header longer than the bytes", Frame{Raw: raw(0x30), HeaderLen: 2, Truncated: true, Missing: 1}, "bad_frame"},
		{"header length 0", Frame{Raw: raw(0xc0, 0), HeaderLen: 0}, "bad_frame"},
		{"header length 7", Frame{Raw: raw(0x30, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01), HeaderLen: 7}, "bad_frame"},
		{"length not what the header says", Frame{Raw: raw(0xc0, 0x00), HeaderLen: 2, RemainingLength: 5}, "bad_frame"},
		{"more bytes than declared", Frame{Raw: raw(0xc0, 0x00, 0x00), HeaderLen: 2}, "bad_frame"},
		{"fewer bytes, not truncated", Frame{Raw: raw(0x30, 0x03, 0x00), HeaderLen: 2, RemainingLength: 3}, "bad_frame"},
		{"one-byte length that is not", Frame{Raw: raw(0x10, 0x98, 0x01), HeaderLen: 3, RemainingLength: 152, OneByteLength: true, Truncated: true, Missing: 152}, "bad_frame"},
		{"valid PINGREQ", Frame{Raw: raw(0xc0, 0x00), HeaderLen: 2}, ""},
		{"valid truncated PUBLISH", Frame{Raw: raw(0x30, 0x05, 0x00), HeaderLen: 2, RemainingLength: 5, Truncated: true, Missing: 4}, ""},
		{"stream ended in the header", Frame{Raw: raw(0x30, 0x80), HeaderLen: 2, Truncated: true, Missing: -1}, ""},
		{"bad length", Frame{Raw: raw(0x30, 0xff, 0xff, 0xff, 0xff), HeaderLen: 5, BadLength: true}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d Decoder
			p := d.DecodeFrame(tc.f, V311)
			got := hasCode(p, "bad_frame")
			if got != (tc.want != "") {
				t.Fatalf("bad_frame = %v, want %v (problems %v)", got, tc.want != "", codes(p))
			}
			checkRanges(t, p)
		})
	}
}

// FuzzDecodeFrame: DecodeFrame never panics on any Frame, however its
// members disagree with its bytes, and what it reports lies inside them.
func FuzzDecodeFrame(f *testing.F) {
	for _, p := range testStream(f) {
		if len(p) < 2000 {
			fr, _ := frameOf(p)
			f.Add(p, uint8(fr.HeaderLen), fr.RemainingLength, uint8(0), int16(0), uint8(4))
		}
	}
	f.Add([]byte{}, uint8(2), uint32(0), uint8(1), int16(2), uint8(4))
	f.Add(raw(0x10, 0x98, 0x00), uint8(2), uint32(152), uint8(2), int16(0), uint8(5))
	f.Fuzz(func(t *testing.T, data []byte, headerLen uint8, rl uint32, flags uint8, missing int16, v uint8) {
		fr := Frame{Raw: data, HeaderLen: int(headerLen), RemainingLength: rl, Missing: int(missing),
			Truncated: flags&1 != 0, OneByteLength: flags&2 != 0, BadLength: flags&4 != 0, Capped: flags&8 != 0}
		if flags&16 != 0 {
			fr.SnaplenFrame = 7
		}
		var d Decoder
		p := d.DecodeFrame(fr, Version(3+v%3))
		checkRanges(t, p)
	})
}
