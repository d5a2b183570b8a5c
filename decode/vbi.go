package decode

import "errors"

// Limits of the variable byte integer (MQTT 5.0 §1.5.5, 3.1.1 §2.2.3).
const (
	maxVBIBytes = 4
	// MaxRemainingLength is the largest value four VBI bytes can hold.
	MaxRemainingLength = 268_435_455
)

var (
	errVBIShort   = errors.New("variable byte integer runs past the data")
	errVBITooLong = errors.New("variable byte integer uses more than 4 bytes")
)

// readVBI decodes a variable byte integer from the start of b. n is the
// number of bytes it used (or examined, on error).
func readVBI(b []byte) (v uint32, n int, err error) {
	var shift uint
	for n < len(b) {
		if n == maxVBIBytes {
			return v, n, errVBITooLong
		}
		c := b[n]
		v |= uint32(c&0x7f) << shift
		n++
		if c&0x80 == 0 {
			return v, n, nil
		}
		shift += 7
	}
	return v, n, errVBIShort
}

// AppendVBI appends v as a variable byte integer (minimal encoding).
func AppendVBI(b []byte, v uint32) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v > 0 {
			c |= 0x80
		}
		b = append(b, c)
		if v == 0 {
			return b
		}
	}
}

// VBILen is the number of bytes the minimal encoding of v takes.
func VBILen(v uint32) int {
	switch {
	case v < 1<<7:
		return 1
	case v < 1<<14:
		return 2
	case v < 1<<21:
		return 3
	}
	return 4
}
