package decode

// checkFrame reports how a Frame breaks the contract DecodeFrame relies on
// (a Framer never builds such a frame; a caller assembling frames by hand
// might), or "" when it keeps it. DecodeFrame then names the broken rule as
// a problem instead of reading out of range.
func checkFrame(f Frame) string {
	n := len(f.Raw)
	switch {
	case n == 0:
		return "it holds no bytes (header length " + itoa(f.HeaderLen) + ")"
	case f.HeaderLen < 1 || f.HeaderLen > 1+maxVBIBytes:
		return "its header length " + itoa(f.HeaderLen) + " is not 1 to " + itoa(1+maxVBIBytes)
	case f.HeaderLen > n:
		return "its header length " + itoa(f.HeaderLen) + " is longer than its " + itoa(n) + " bytes"
	case f.OneByteLength:
		if f.HeaderLen != 2 || uint32(f.Raw[1]) != f.RemainingLength {
			return "it is marked as a one-byte remaining length but its header does not hold " + utoa(uint64(f.RemainingLength)) + " in one byte"
		}
	case f.BadLength:
		return ""
	case f.Truncated && f.Missing < 0:
		// The stream ended inside the fixed header: there is no length.
		return ""
	default:
		rl, used, err := readVBI(f.Raw[1:f.HeaderLen])
		if err != nil || used != f.HeaderLen-1 || rl != f.RemainingLength {
			return "its fixed header does not encode its remaining length " + utoa(uint64(f.RemainingLength))
		}
	}
	total := f.HeaderLen + int(f.RemainingLength)
	switch {
	case n > total:
		return "it holds " + itoa(n) + " bytes, more than the " + itoa(total) + " its remaining length gives"
	case n < total && !f.Truncated:
		return "it holds " + itoa(n) + " of its " + itoa(total) + " bytes but is not marked truncated"
	}
	return ""
}
