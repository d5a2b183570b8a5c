package decode

// fixedHeader records the first byte and the remaining length, and checks
// the type and flag rules of MQTT 3.1.1 §2.2 and 5.0 §2.1.
func (c *cursor) fixedHeader(f Frame) {
	p := c.p
	b0 := f.Raw[0]
	p.Type, p.Flags = Type(b0>>4), b0&0x0f
	c.group("fixed_header", 0, f.HeaderLen, 0)
	c.depth = 1
	c.field("packet_type", 0, 1, KindUint, uint64(p.Type), nil)
	c.field("flags", 0, 1, KindFlags, uint64(p.Flags), nil)

	switch {
	case p.Type == Reserved:
		c.problem(0, "packet_type", "reserved_type", "packet type 0 is reserved and must not be used (first byte 0x"+hex2(b0)+")")
	case p.Type == AUTH && p.Version != V5 && p.Version != VersionUnknown:
		c.problem(0, "packet_type", "reserved_type", "packet type 15 (AUTH) exists only in MQTT 5.0; it is reserved in "+p.Version.String())
	case p.Type == PUBLISH:
		p.DUP, p.QoS, p.Retain = p.Flags&0x08 != 0, p.Flags>>1&0x03, p.Flags&0x01 != 0
		c.depth = 2
		c.field("dup", 0, 1, KindBool, b2u(p.DUP), nil)
		c.field("qos", 0, 1, KindUint, uint64(p.QoS), nil)
		c.field("retain", 0, 1, KindBool, b2u(p.Retain), nil)
		c.depth = 1
		if p.QoS == 3 {
			c.problem(0, "qos", "qos3", "QoS 3 is invalid: bits 2-1 of the first byte (0x"+hex2(b0)+") must not both be set")
		}
		if p.DUP && p.QoS == 0 {
			c.problem(0, "dup", "dup_qos0", "DUP is set on a QoS 0 PUBLISH; it must be 0 for QoS 0")
		}
	default:
		if want := uint8(requiredFlags[p.Type]); p.Flags != want {
			c.problem(0, "flags", "reserved_flags", "fixed-header flags of "+p.Type.String()+" must be "+bin4(want)+
				", got "+bin4(p.Flags)+" (first byte 0x"+hex2(b0)+", expected 0x"+hex2(uint8(p.Type)<<4|want)+")")
		}
	}

	rlLen := f.HeaderLen - 1
	c.field("remaining_length", 1, rlLen, KindUint, uint64(f.RemainingLength), nil)
	c.depth = 0
	switch {
	case f.BadLength:
		c.problem(1, "remaining_length", "vbi_too_long", "remaining length uses more than 4 bytes ("+vbiBytes(f.Raw[1:])+
			"...; at most 4, up to 268,435,455): the end of this packet is unknown, so the stream is scanned for the next fixed header")
	case f.OneByteLength:
		p.RemainingLengthBytes = 1
		c.problem(1, "remaining_length", "one_byte_length",
			"remaining length "+utoa(uint64(f.RemainingLength))+" written as one byte (0x"+hex2(f.Raw[1])+
				"): a "+p.Type.String()+" over 127 bytes needs "+itoa(VBILen(f.RemainingLength))+" bytes ("+
				vbiHex(f.RemainingLength)+"); a decoder reads 0x"+hex2(f.Raw[1])+" as a continuation byte")
	case rlLen > 1 && f.Raw[rlLen] == 0:
		p.RemainingLengthBytes = rlLen
		c.problem(1, "remaining_length", "vbi_not_minimal", "remaining length "+utoa(uint64(f.RemainingLength))+
			" is not minimally encoded: "+itoa(rlLen)+" bytes where "+itoa(VBILen(f.RemainingLength))+" suffice ("+vbiHex(f.RemainingLength)+")")
	}
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// vbiHex is the minimal VBI encoding of v as spaced hex ("98 01").
func vbiHex(v uint32) string {
	var buf [4]byte
	return vbiBytes(AppendVBI(buf[:0], v))
}

// vbiBytes renders bytes as spaced hex ("ff ff ff ff").
func vbiBytes(b []byte) string {
	s := make([]byte, 0, 3*len(b))
	for i, x := range b {
		if i > 0 {
			s = append(s, ' ')
		}
		s = append(s, hexDigits[x>>4], hexDigits[x&0x0f])
	}
	return string(s)
}
