package export

import "strconv"

// Cut says whether the capture holds only part of a packet's bytes: the
// snap length cut its frame, or the capture or the stream ended inside
// it. captured is how many bytes it holds, total how many the packet has
// (0 when its length was cut off too). Such bytes are not a packet: sent,
// a broker takes the next packet's bytes for their rest, and decoding an
// export that has no place to mark them reads them so too.
func Cut(p Packet) (captured, total int, ok bool) {
	d := p.Packet
	if d == nil || !d.Truncated {
		return 0, 0, false
	}
	captured = len(d.Raw)
	if t := d.HeaderLen + int(d.RemainingLength); t > captured {
		total = t
	}
	return captured, total, true
}

// CutText describes a cut packet in a few words: "frame 4 CONNECT: 30 of
// 155 bytes captured" ("a.pcap frame 4 CONNECT" with several files).
func CutText(p Packet) string {
	captured, total, _ := Cut(p)
	s := p.Packet.Type.String()
	switch {
	case p.File != "":
		s = p.File + " frame " + strconv.FormatUint(p.FileFrame, 10) + " " + s
	case p.Frame != 0:
		s = "frame " + strconv.FormatUint(p.Frame, 10) + " " + s
	}
	if total == 0 {
		return s + ": " + strconv.Itoa(captured) + " bytes captured, its length cut off"
	}
	return s + ": " + strconv.Itoa(captured) + " of " + strconv.Itoa(total) + " bytes captured"
}

// Marks says whether a format writes a comment beside each packet, where
// a cut packet is marked as such (at: "# ! malformed, sent as captured",
// c: "/* ! malformed, as captured */"). The others (at-plain, hex,
// hex-spaced, bin, fixture, go) would pass its bytes on as a packet.
func Marks(format string) bool { return format == "at" || format == "c" }

// WithoutCut splits packets into the whole ones and the cut ones (Cut),
// each in their order.
func WithoutCut(pkts []Packet) (whole, cut []Packet) {
	for _, p := range pkts {
		if _, _, ok := Cut(p); ok {
			cut = append(cut, p)
		} else {
			whole = append(whole, p)
		}
	}
	return whole, cut
}
