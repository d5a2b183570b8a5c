package decode

// Properties is the property block of an MQTT 5.0 packet (or of a will).
type Properties struct {
	Present bool   // the packet carries a property length
	Length  uint32 // the declared property length
	Span    Span   // property length field plus all properties
	List    []Property
	// Rest holds the bytes of the block from a property that could not be
	// decoded (an unknown identifier) to the end of the block, so that
	// Encode gives them back.
	Rest []byte
	// LengthBytes is set only when the property length was not minimally
	// encoded (Encode keeps it).
	LengthBytes int
}

// Property is one MQTT 5.0 property, in wire order. Uint holds numeric
// values; Data holds strings and binary data (and a user property's key),
// Data2 a user property's value.
type Property struct {
	ID    PropertyID
	Span  Span // identifier and value
	Uint  uint32
	Data  []byte
	Data2 []byte
}

// Name is the property's snake_case name, or "unknown_0xNN".
func (pr Property) Name() string {
	if n := pr.ID.Name(); n != "" {
		return n
	}
	return "unknown_0x" + hex2(uint8(pr.ID))
}

// Get returns the first property with the given id.
func (ps *Properties) Get(id PropertyID) (Property, bool) {
	for _, pr := range ps.List {
		if pr.ID == id {
			return pr, true
		}
	}
	return Property{}, false
}

func (ps Properties) clone(rebase func([]byte) []byte) Properties {
	c := ps
	c.Rest = rebase(ps.Rest)
	c.List = append([]Property(nil), ps.List...)
	for i := range c.List {
		c.List[i].Data, c.List[i].Data2 = rebase(c.List[i].Data), rebase(c.List[i].Data2)
	}
	return c
}

// readProperties decodes a property block at the cursor for packet type t
// (or will properties when will is set) into ps, recording fields and
// problems. A bad property ends the block (its length says where the block
// ends, so decoding goes on after it); it returns false only when the block
// runs past the packet, after which nothing more can be located.
func (c *cursor) readProperties(ps *Properties, t Type, will bool) bool {
	if c.short {
		return false
	}
	name, lengthName := "properties", "property_length"
	if will {
		name, lengthName = "will_properties", "will_property_length"
	}
	start := c.off
	length, n, ok := c.readVBIField(lengthName, 0)
	if !ok {
		return false
	}
	ps.Present, ps.Length = true, length
	if n > 1 && c.b[start+n-1] == 0 {
		ps.LengthBytes = n
	}
	overrun := int64(length) > int64(c.end-c.off)
	end := c.end
	if !overrun {
		end = c.off + int(length)
	}
	ps.Span = Span{start, end - start}
	c.group(name, start, end-start, c.depth)
	c.depth++
	c.field(lengthName, start, n, KindUint, uint64(length), nil)
	truncated := overrun && c.incomplete(int(length))
	if overrun && !truncated {
		c.problem(start, lengthName, "property_length_overrun",
			lengthName+" "+utoa(uint64(length))+" runs past the end of the packet: only "+
				itoa(c.end-c.off)+" bytes follow (remaining length "+utoa(uint64(c.p.RemainingLength))+")")
	}
	saved := c.end
	c.end = end
	mask := uint32(1) << t
	if will {
		mask = 1 << willProps
	}
	var seen [len(propertyTable)]bool
	for c.off < c.end {
		at := c.off
		if !c.readProperty(ps, mask, &seen, t, will, truncated) {
			ps.Rest = c.b[at:end:end]
			break
		}
	}
	c.off = end
	c.end = saved
	c.depth--
	if overrun {
		c.short = true
		return false
	}
	return true
}

func (c *cursor) readProperty(ps *Properties, mask uint32, seen *[len(propertyTable)]bool, t Type, will, truncated bool) bool {
	start := c.off
	c.truncatedBlock = truncated
	idv, idLen, ok := c.peekVBI()
	if !ok {
		if truncated {
			c.off = c.end
			return false
		}
		c.problem(start, "property_identifier", "short_property", "property identifier runs past the end of the property block")
		c.off = c.end
		return false
	}
	id := PropertyID(idv)
	info, known := lookupProperty(id)
	if idLen > 1 && idv <= 0x7f {
		// The identifier is a variable byte integer (5.0 §2.2.2.2) that must
		// be minimal: a1 00 is 0x21 written in two bytes. Keep the bytes as
		// they are rather than decode what a broker would reject.
		c.problem(start, "property_identifier", "property_id_not_minimal",
			"property identifier 0x"+hex2(uint8(idv))+" written in "+itoa(idLen)+" bytes ("+vbiBytes(c.b[start:start+idLen])+
				"): identifiers are one byte (0x"+hex2(uint8(idv))+"); the rest of the property block cannot be decoded")
		c.off = c.end
		return false
	}
	if idv > 0x7f || !known {
		c.problem(start, "property_identifier", "unknown_property",
			"unknown property identifier 0x"+hex2(uint8(idv))+": the rest of the property block cannot be decoded")
		c.off = c.end
		return false
	}
	c.off += idLen
	pr := Property{ID: id}
	switch info.typ {
	case PropByte:
		v, ok := c.take(1)
		if !ok {
			return c.shortProperty(start, info.name)
		}
		pr.Uint = uint32(v[0])
	case PropTwoByte:
		v, ok := c.take(2)
		if !ok {
			return c.shortProperty(start, info.name)
		}
		pr.Uint = uint32(v[0])<<8 | uint32(v[1])
	case PropFourByte:
		v, ok := c.take(4)
		if !ok {
			return c.shortProperty(start, info.name)
		}
		pr.Uint = uint32(v[0])<<24 | uint32(v[1])<<16 | uint32(v[2])<<8 | uint32(v[3])
	case PropVarInt:
		v, n, ok := c.peekVBI()
		if !ok {
			return c.shortProperty(start, info.name)
		}
		if n > 1 && c.b[c.off+n-1] == 0 {
			c.problem(c.off, info.name, "vbi_not_minimal", info.name+" is not minimally encoded ("+itoa(n)+" bytes for "+utoa(uint64(v))+")")
		}
		c.off += n
		pr.Uint = v
	case PropUTF8, PropBinary:
		v, ok := c.takeLenPrefixed()
		if !ok {
			return c.shortProperty(start, info.name)
		}
		pr.Data = v
		if info.typ == PropUTF8 {
			c.checkUTF8(start+idLen+2, info.name, v)
		}
	case PropUTF8Pair:
		k, ok := c.takeLenPrefixed()
		if !ok {
			return c.shortProperty(start, info.name)
		}
		val, ok := c.takeLenPrefixed()
		if !ok {
			return c.shortProperty(start, info.name)
		}
		pr.Data, pr.Data2 = k, val
		c.checkUTF8(start+idLen+2, "user_property key", k)
		c.checkUTF8(start+idLen+2+2+len(k), "user_property value", val)
	}
	pr.Span = Span{start, c.off - start}
	ps.List = append(ps.List, pr)
	c.propertyField(pr, info)

	where := t.String()
	if will {
		where = "will properties"
	}
	if info.allowed&mask == 0 {
		c.problem(start, info.name, "property_not_allowed", info.name+" (0x"+hex2(uint8(id))+") is not allowed in "+where)
	}
	if seen[id] && (!info.multi || (id == PropSubscriptionIdentifier && t == SUBSCRIBE)) {
		c.problem(start, info.name, "duplicate_property", info.name+" appears more than once in "+where+" (a protocol error)")
	}
	seen[id] = true
	c.checkPropertyValue(start, pr, info, t)
	return true
}

func (c *cursor) shortProperty(start int, name string) bool {
	if !c.truncatedBlock {
		c.problem(start, name, "short_property", name+" runs past the end of the property block")
	}
	c.off = c.end
	return false
}

func (c *cursor) propertyField(pr Property, info propertyInfo) {
	switch info.typ {
	case PropUTF8:
		c.field(info.name, pr.Span.Off, pr.Span.Len, KindString, 0, pr.Data)
	case PropBinary:
		c.field(info.name, pr.Span.Off, pr.Span.Len, KindBinary, 0, pr.Data)
	case PropUTF8Pair:
		c.field(info.name, pr.Span.Off, pr.Span.Len, KindPair, 0, pr.Data)
		if !c.noFields {
			c.fields[len(c.fields)-1].Data2 = pr.Data2
		}
	default:
		c.field(info.name, pr.Span.Off, pr.Span.Len, KindUint, uint64(pr.Uint), nil)
	}
}

// checkPropertyValue applies the value rules of MQTT 5.0 §3.x for the
// properties whose range is restricted.
func (c *cursor) checkPropertyValue(off int, pr Property, info propertyInfo, t Type) {
	switch pr.ID {
	case PropPayloadFormatIndicator, PropRequestProblemInformation, PropRequestResponseInformation,
		PropMaximumQoS, PropRetainAvailable, PropWildcardSubAvailable, PropSubIDAvailable, PropSharedSubAvailable:
		if pr.Uint > 1 {
			c.problem(off, info.name, "property_value", info.name+" is "+utoa(uint64(pr.Uint))+"; expected 0 or 1")
		}
	case PropReceiveMaximum, PropMaximumPacketSize, PropTopicAlias:
		if pr.Uint == 0 {
			c.problem(off, info.name, "property_value", info.name+" is 0; it must be at least 1")
		}
	case PropSubscriptionIdentifier:
		if pr.Uint == 0 {
			c.problem(off, info.name, "property_value", "subscription_identifier is 0; it must be 1 to 268,435,455")
		}
	}
}
