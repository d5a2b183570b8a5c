package decode

// Frame is one control packet's bytes as cut from a stream by a Framer.
type Frame struct {
	Raw             []byte // the packet (shorter than HeaderLen+RemainingLength when Truncated)
	HeaderLen       int
	RemainingLength uint32
	// Start is the stream offset of the packet's first byte.
	Start int64
	// OneByteLength is set when the remaining length was written as one
	// byte with bit 7 set, the classic embedded-encoder bug (onenet.md §6.3):
	// the framer found that reading it that way gives a clean packet.
	OneByteLength bool
	// Truncated is set when the stream ended (or was cut) before the
	// packet's last byte; Raw holds what there was.
	Truncated bool
	// Missing is how many bytes of the packet were never seen (-1: unknown,
	// the fixed header itself is incomplete).
	Missing int
	// BadLength is set when the remaining length has more than 4 bytes: the
	// packet's end is unknown and Raw holds only its fixed header.
	BadLength bool
	// SnaplenFrame, when not 0, is the frame whose bytes the capture's snap
	// length cut: Raw ends where that cut starts.
	SnaplenFrame uint64
	// Capped is set when the packet was larger than the framer's buffer cap:
	// its first bytes were kept, the rest counted and dropped.
	Capped bool
}

// Decoder decodes control packets, reusing one Packet. The zero value is
// ready to use.
type Decoder struct {
	// SkipFields leaves Packet.Fields empty: the typed members and Has are
	// still set. It makes decoding cheaper for callers that do not show the
	// field tree.
	SkipFields bool
	pkt        Packet
}

// Decode decodes one complete packet held in raw, as version v (for types
// whose layout depends on it; CONNECT carries its own). Bytes after the
// packet's remaining length are reported as a problem, and a raw shorter
// than its remaining length decodes as truncated. The result is valid until
// the next call.
func (d *Decoder) Decode(raw []byte, v Version) *Packet {
	f, err := frameOf(raw)
	if err != nil {
		p := &d.pkt
		p.reset()
		p.Raw = raw
		p.Version = v
		if len(raw) > 0 {
			p.Type, p.Flags = Type(raw[0]>>4), raw[0]&0x0f
		}
		msg := "the fixed header is incomplete"
		code := "short_packet"
		if err == errVBITooLong {
			msg, code = "remaining length uses more than 4 bytes", "vbi_too_long"
		}
		p.Problems = append(p.Problems, Problem{Off: 0, Field: "remaining_length", Code: code, Message: msg})
		p.Truncated = err != errVBITooLong
		return p
	}
	p := d.DecodeFrame(f, v)
	if extra := len(raw) - f.HeaderLen - int(f.RemainingLength); extra > 0 {
		p.Problems = append(p.Problems, Problem{Off: len(f.Raw), Field: "remaining_length", Code: "trailing_bytes",
			Message: itoa(extra) + " byte(s) after the end of the packet given by its remaining length " + utoa(uint64(f.RemainingLength))})
	}
	return p
}

// frameOf reads the fixed header of raw and returns the frame it declares,
// cut to what raw holds.
func frameOf(raw []byte) (Frame, error) {
	if len(raw) < 2 {
		return Frame{}, errVBIShort
	}
	rl, n, err := readVBI(raw[1:])
	if err != nil {
		return Frame{}, err
	}
	total := 1 + n + int(rl)
	f := Frame{Raw: raw, HeaderLen: 1 + n, RemainingLength: rl}
	if total <= len(raw) {
		f.Raw = raw[:total]
	} else {
		f.Truncated, f.Missing = true, total-len(raw)
	}
	return f, nil
}

// DecodeFrame decodes a frame cut by a Framer as version v. CONNECT packets
// are decoded by their own protocol level. The result is valid until the
// next call.
func (d *Decoder) DecodeFrame(f Frame, v Version) *Packet {
	p := &d.pkt
	p.reset()
	p.Raw = f.Raw
	p.Version = v
	p.HeaderLen = f.HeaderLen
	p.RemainingLength = f.RemainingLength
	p.Truncated = f.Truncated
	if why := checkFrame(f); why != "" {
		if len(f.Raw) > 0 {
			p.Type, p.Flags = Type(f.Raw[0]>>4), f.Raw[0]&0x0f
		}
		p.Problems = append(p.Problems, Problem{Off: 0, Field: "frame", Code: "bad_frame",
			Message: "not decoded: the frame handed to the decoder is inconsistent: " + why})
		return p
	}
	c := cursor{p: p, b: f.Raw, fields: p.Fields[:0], noFields: d.SkipFields}
	c.fixedHeader(f)
	c.off = f.HeaderLen
	c.declEnd = f.HeaderLen + int(f.RemainingLength)
	c.end = min(c.declEnd, len(f.Raw))
	if f.BadLength || c.off > c.end {
		p.Fields = c.fields
		return p
	}
	switch p.Type {
	case CONNECT:
		c.connect()
	case CONNACK:
		c.connack()
	case PUBLISH:
		c.publish()
	case PUBACK, PUBREC, PUBREL, PUBCOMP:
		c.pubAck()
	case SUBSCRIBE:
		c.subscribe()
	case SUBACK:
		c.suback()
	case UNSUBSCRIBE:
		c.unsubscribe()
	case UNSUBACK:
		c.unsuback()
	case PINGREQ, PINGRESP:
		c.trailing(p.Type.String() + " (which has no body)")
	case DISCONNECT:
		c.disconnect()
	case AUTH:
		c.auth()
	default:
		c.unknownBody()
	}
	if f.Truncated {
		c.truncated(f)
	}
	p.Fields = c.fields
	return p
}

// truncated adds the problem that says a frame's end was never seen: the
// bytes are missing from the capture, the packet is not malformed (fields
// that run into the missing part are not reported as problems).
func (c *cursor) truncated(f Frame) {
	kept := c.p.Problems
	total := f.HeaderLen + int(f.RemainingLength)
	msg := "packet incomplete: " + itoa(len(f.Raw)) + " of " + itoa(total) + " bytes seen; fields after offset " +
		itoa(len(f.Raw)) + " are not shown"
	switch {
	case f.Missing < 0:
		msg = "packet incomplete: the stream ends inside its fixed header"
	case f.SnaplenFrame != 0:
		msg = "the snap length cut this packet: " + itoa(len(f.Raw)) + " of " + itoa(total) + " bytes were captured (frame " +
			utoa(f.SnaplenFrame) + " is cut short); fields after offset " + itoa(len(f.Raw)) + " are unknown"
	case f.Capped:
		msg = "packet of " + itoa(total) + " bytes is larger than the buffer cap: the first " + itoa(len(f.Raw)) +
			" bytes were kept, " + itoa(f.Missing) + " dropped"
	}
	code := "truncated"
	if f.SnaplenFrame != 0 {
		code = "snaplen"
	}
	c.p.Problems = append(kept, Problem{Off: len(f.Raw), Code: code, Message: msg})
}

func (c *cursor) unknownBody() {
	if c.left() > 0 {
		c.p.Has |= HasBody
		c.field("body", c.off, c.left(), KindBinary, 0, c.b[c.off:c.end])
		c.off = c.end
	}
}
