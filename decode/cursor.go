package decode

import "unicode/utf8"

// cursor walks the bytes of one packet, recording each field with its range
// and each problem with its offset. Offsets are from the first byte of the
// packet. Every read checks the bytes left first, so a length field can
// never make it slice or allocate past the packet.
type cursor struct {
	p   *Packet
	b   []byte
	off int
	end int // end of the bytes there are (of the packet, or of a property block)
	// declEnd is where the packet ends by its remaining length; it is past
	// end when the frame is truncated (bytes missing from the capture).
	declEnd int
	depth   int
	// short is set once a field ran past the end of the packet: the rest of
	// the packet cannot be located, so decoding stops there.
	short bool
	// fields aliases p.Fields while decoding.
	fields []Field
	// truncatedBlock says the property block being read lacks its end in
	// the capture.
	truncatedBlock bool
	// noFields skips recording Fields (the typed members are still set).
	noFields bool
}

func (c *cursor) left() int { return c.end - c.off }

func (c *cursor) take(n int) ([]byte, bool) {
	if n < 0 || n > c.end-c.off {
		return nil, false
	}
	v := c.b[c.off : c.off+n : c.off+n]
	c.off += n
	return v, true
}

// takeLenPrefixed reads a two-byte length and that many bytes (MQTT's UTF-8
// string and binary data encodings).
func (c *cursor) takeLenPrefixed() ([]byte, bool) {
	if c.end-c.off < 2 {
		return nil, false
	}
	n := int(c.b[c.off])<<8 | int(c.b[c.off+1])
	if n > c.end-c.off-2 {
		return nil, false
	}
	v := c.b[c.off+2 : c.off+2+n : c.off+2+n]
	c.off += 2 + n
	return v, true
}

// peekVBI reads a variable byte integer at the cursor without moving it.
func (c *cursor) peekVBI() (v uint32, n int, ok bool) {
	v, n, err := readVBI(c.b[c.off:c.end])
	return v, n, err == nil
}

func (c *cursor) field(name string, off, n int, kind Kind, u uint64, data []byte) {
	if c.noFields {
		return
	}
	c.fields = append(c.fields, Field{Name: name, Span: Span{off, n}, Depth: c.depth, Kind: kind, Uint: u, Data: data})
}

func (c *cursor) group(name string, off, n, depth int) {
	if c.noFields {
		return
	}
	c.fields = append(c.fields, Field{Name: name, Span: Span{off, n}, Depth: depth, Kind: KindGroup})
}

// setLastLen sets the length of the group recorded at index i.
func (c *cursor) setLen(i, n int) {
	if i >= 0 && i < len(c.fields) {
		c.fields[i].Span.Len = n
	}
}

func (c *cursor) problem(off int, field, code, msg string) {
	c.p.Problems = append(c.p.Problems, Problem{Off: off, Field: field, Code: code, Message: msg})
}

// incomplete reports whether a field needing n bytes at the cursor would
// fit in the packet's declared length but runs past the bytes captured: not
// a problem of the packet, the capture just lacks its end.
func (c *cursor) incomplete(n int) bool {
	return c.end < c.declEnd && c.off+n <= c.declEnd
}

// shortField records that a field does not fit in the packet and stops
// decoding: the classic symptom of a remaining length written wrong.
func (c *cursor) shortField(name string, need int) {
	c.short = true
	if c.incomplete(need) {
		return
	}
	msg := name + " needs " + itoa(need) + " bytes at offset " + itoa(c.off) + " but only " +
		itoa(c.end-c.off) + " are left in the packet (remaining length " + utoa(uint64(c.p.RemainingLength)) + ")"
	c.problem(c.off, name, "short_packet", msg)
}

func (c *cursor) readU8(name string, kind Kind) (uint8, bool) {
	if c.short {
		return 0, false
	}
	if c.end-c.off < 1 {
		c.shortField(name, 1)
		return 0, false
	}
	v := c.b[c.off]
	c.field(name, c.off, 1, kind, uint64(v), nil)
	c.off++
	return v, true
}

func (c *cursor) readU16(name string) (uint16, bool) {
	if c.short {
		return 0, false
	}
	if c.end-c.off < 2 {
		c.shortField(name, 2)
		return 0, false
	}
	v := uint16(c.b[c.off])<<8 | uint16(c.b[c.off+1])
	c.field(name, c.off, 2, KindUint, uint64(v), nil)
	c.off += 2
	return v, true
}

// readString reads a length-prefixed field as two fields, its length
// (lengthName, "<name>_length") and its value (name); kind is KindString for UTF-8 strings (checked) or KindBinary
// for binary data.
func (c *cursor) readString(name, lengthName string, kind Kind) ([]byte, bool) {
	if c.short {
		return nil, false
	}
	start := c.off
	if c.end-c.off < 2 {
		c.shortField(lengthName, 2)
		return nil, false
	}
	n := int(c.b[c.off])<<8 | int(c.b[c.off+1])
	if n > c.end-c.off-2 {
		c.short = true
		c.field(lengthName, start, 2, KindUint, uint64(n), nil)
		if c.incomplete(2 + n) {
			return nil, false
		}
		c.problem(start, name, "short_packet",
			name+" length "+itoa(n)+" at offset "+itoa(start)+" runs past the end of the packet: only "+
				itoa(c.end-c.off-2)+" bytes follow (remaining length "+utoa(uint64(c.p.RemainingLength))+")")
		return nil, false
	}
	v := c.b[start+2 : start+2+n : start+2+n]
	c.off = start + 2 + n
	c.field(lengthName, start, 2, KindUint, uint64(n), nil)
	c.field(name, start+2, n, kind, uint64(n), v)
	if kind == KindString {
		c.checkUTF8(start+2, name, v)
	}
	return v, true
}

// readVBIField reads a variable byte integer field (a property length).
func (c *cursor) readVBIField(name string, _ int) (uint32, int, bool) {
	if c.short {
		return 0, 0, false
	}
	v, n, err := readVBI(c.b[c.off:c.end])
	switch err {
	case nil:
	case errVBITooLong:
		c.short = true
		c.problem(c.off, name, "vbi_too_long", name+" uses more than 4 bytes")
		return 0, 0, false
	default:
		c.shortField(name, n+1)
		return 0, 0, false
	}
	if n > 1 && c.b[c.off+n-1] == 0 {
		c.problem(c.off, name, "vbi_not_minimal", name+" "+utoa(uint64(v))+" is not minimally encoded ("+itoa(n)+" bytes)")
	}
	c.off += n
	return v, n, true
}

// checkUTF8 applies MQTT's UTF-8 string rules (3.1.1 §1.5.3, 5.0 §1.5.4):
// well-formed UTF-8 and no U+0000.
func (c *cursor) checkUTF8(off int, name string, s []byte) {
	for i := 0; i < len(s); {
		if b := s[i]; b != 0 && b < utf8.RuneSelf {
			i++ // ASCII other than NUL: nearly every topic and client id
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			c.problem(off+i, name, "invalid_utf8", name+" is not valid UTF-8 (byte 0x"+hex2(s[i])+" at offset "+itoa(off+i)+")")
			return
		case r == 0:
			c.problem(off+i, name, "utf8_null", name+" contains U+0000 at offset "+itoa(off+i)+", which MQTT forbids")
			return
		}
		i += size
	}
}

// trailing reports bytes left after the last field of a packet whose length
// the fields determine: the remaining length is larger than what was sent.
func (c *cursor) trailing(what string) {
	if c.short || c.off >= c.end {
		return
	}
	n := c.end - c.off
	c.p.Trailing = c.b[c.off:c.end:c.end]
	c.problem(c.off, "remaining_length", "trailing_bytes",
		itoa(n)+" unexpected byte(s) after "+what+" at offset "+itoa(c.off)+
			": remaining length "+utoa(uint64(c.p.RemainingLength))+" is "+itoa(n)+" more than the fields need ("+
			utoa(uint64(c.p.RemainingLength)-uint64(n))+")")
}
