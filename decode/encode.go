package decode

import "errors"

// ErrNotEncodable is returned by Encode for a packet whose bytes could not
// all be decoded (a field runs past its end, a length over 4 bytes, bytes
// missing from the capture): its fields do not say what its bytes were.
var ErrNotEncodable = errors.New("the packet was not completely decoded, so its bytes cannot be rebuilt from its fields")

// Encodable reports whether Encode can rebuild p's bytes from its fields.
func (p *Packet) Encodable() bool {
	if p.Truncated {
		return false
	}
	for _, pr := range p.Problems {
		switch pr.Code {
		case "short_packet", "property_length_overrun", "vbi_too_long", "truncated", "snaplen":
			return false
		}
	}
	return true
}

// Encode builds a packet's bytes from its typed fields: the inverse of
// Decode. Encode(Decode(b)) gives b back for every completely decoded
// packet, malformed ones included: the flags, the remaining length's
// encoding (even a non-minimal one, or the one-byte length bug), property
// length encodings, undecodable property bytes and trailing bytes are kept
// in the Packet for that. For a packet built by hand, fields not set take
// their minimal encoding. It is
// what export uses to rewrite a CONNECT's password and recompute lengths.
func Encode(p *Packet) ([]byte, error) {
	return AppendEncode(nil, p)
}

// AppendEncode appends p's bytes to b.
func AppendEncode(b []byte, p *Packet) ([]byte, error) {
	if !p.Encodable() {
		return b, ErrNotEncodable
	}
	body, err := encodeBody(p)
	if err != nil {
		return b, err
	}
	b = append(b, byte(p.Type)<<4|p.Flags&0x0f)
	b = appendLength(b, uint32(len(body)), p.RemainingLengthBytes)
	return append(b, body...), nil
}

// appendLength writes a variable byte integer in n bytes when n is larger
// than its minimal length (a non-minimal encoding, kept for round trips),
// or as the single byte v when n is 1 and v is over 127 (the one-byte
// length bug, onenet.md §6.3).
func appendLength(b []byte, v uint32, n int) []byte {
	min := VBILen(v)
	switch {
	case n == 1 && v > 127 && v <= 255:
		return append(b, byte(v))
	case n <= min || n > maxVBIBytes:
		return AppendVBI(b, v)
	}
	for i := 0; i < n; i++ {
		c := byte(v & 0x7f)
		v >>= 7
		if i < n-1 {
			c |= 0x80
		}
		b = append(b, c)
	}
	return b
}

func appendU16(b []byte, v uint16) []byte { return append(b, byte(v>>8), byte(v)) }

func appendString(b, s []byte) []byte {
	return append(appendU16(b, uint16(len(s))), s...)
}

func encodeBody(p *Packet) ([]byte, error) {
	var b []byte
	v5 := p.Version == V5
	switch p.Type {
	case CONNECT:
		b = appendString(b, p.ProtocolName)
		b = append(b, p.ProtocolLevel, p.ConnectFlags)
		b = appendU16(b, p.KeepAlive)
		// The layout follows the version the decoder chose from the name
		// and level together: level 5 under another protocol name is
		// decoded as 3.1.1, without properties.
		if v5 {
			b = appendProperties(b, &p.Properties)
		}
		b = appendString(b, p.ClientID)
		if p.ConnectFlags&0x04 != 0 {
			if v5 {
				b = appendProperties(b, &p.WillProperties)
			}
			b = appendString(b, p.WillTopic)
			b = appendString(b, p.WillPayload)
		}
		if p.ConnectFlags&0x80 != 0 {
			b = appendString(b, p.Username)
		}
		if p.ConnectFlags&0x40 != 0 {
			b = appendString(b, p.Password)
		}
	case CONNACK:
		b = append(b, p.AckFlags, p.ReasonCode)
		if v5 && p.Properties.Present {
			b = appendProperties(b, &p.Properties)
		}
	case PUBLISH:
		b = appendString(b, p.Topic)
		if p.Flags>>1&3 != 0 {
			b = appendU16(b, p.PacketID)
		}
		if v5 {
			b = appendProperties(b, &p.Properties)
		}
		b = append(b, p.Payload...)
	case PUBACK, PUBREC, PUBREL, PUBCOMP:
		b = appendU16(b, p.PacketID)
		b = appendReason(b, p)
	case SUBSCRIBE:
		b = appendU16(b, p.PacketID)
		if v5 {
			b = appendProperties(b, &p.Properties)
		}
		for _, s := range p.Subscriptions {
			b = append(appendString(b, s.Topic), s.Options)
		}
	case SUBACK:
		b = appendU16(b, p.PacketID)
		if v5 {
			b = appendProperties(b, &p.Properties)
		}
		b = append(b, p.ReasonCodes...)
	case UNSUBSCRIBE:
		b = appendU16(b, p.PacketID)
		if v5 {
			b = appendProperties(b, &p.Properties)
		}
		for _, f := range p.TopicFilters {
			b = appendString(b, f)
		}
	case UNSUBACK:
		b = appendU16(b, p.PacketID)
		if v5 {
			b = appendProperties(b, &p.Properties)
			b = append(b, p.ReasonCodes...)
		}
	case PINGREQ, PINGRESP:
	case DISCONNECT, AUTH:
		if v5 {
			b = appendReason(b, p)
		} else if p.Type == AUTH && p.Has&HasBody != 0 {
			b = append(b, p.Raw[p.HeaderLen:]...)
		}
	default:
		if p.Has&HasBody != 0 {
			b = append(b, p.Raw[p.HeaderLen:]...)
		}
	}
	return append(b, p.Trailing...), nil
}

// appendReason writes the optional reason code and properties of 5.0 acks,
// DISCONNECT and AUTH (and nothing in 3.x).
func appendReason(b []byte, p *Packet) []byte {
	if p.HasReasonCode {
		b = append(b, p.ReasonCode)
		if p.Properties.Present {
			b = appendProperties(b, &p.Properties)
		}
	}
	return b
}

// appendProperties writes a property block: its length (in as many bytes as
// the decoded one used), each property, and any bytes that could not be
// decoded.
func appendProperties(b []byte, ps *Properties) []byte {
	var body []byte
	for _, pr := range ps.List {
		body = appendProperty(body, pr)
	}
	body = append(body, ps.Rest...)
	b = appendLength(b, uint32(len(body)), ps.LengthBytes)
	return append(b, body...)
}

func appendProperty(b []byte, pr Property) []byte {
	b = append(b, byte(pr.ID))
	switch pr.ID.Type() {
	case PropByte:
		b = append(b, byte(pr.Uint))
	case PropTwoByte:
		b = appendU16(b, uint16(pr.Uint))
	case PropFourByte:
		b = append(b, byte(pr.Uint>>24), byte(pr.Uint>>16), byte(pr.Uint>>8), byte(pr.Uint))
	case PropVarInt:
		n := 0
		if pr.Span.Len > 1 {
			n = pr.Span.Len - 1
		}
		b = appendLength(b, pr.Uint, n)
	case PropUTF8, PropBinary:
		b = appendString(b, pr.Data)
	case PropUTF8Pair:
		b = appendString(appendString(b, pr.Data), pr.Data2)
	}
	return b
}

// SetConnectFlags computes ConnectFlags from the CONNECT's flag fields, for
// packets built by hand.
func (p *Packet) SetConnectFlags() {
	var f uint8
	if p.UsernameFlag {
		f |= 0x80
	}
	if p.PasswordFlag {
		f |= 0x40
	}
	if p.WillRetain {
		f |= 0x20
	}
	f |= (p.WillQoS & 3) << 3
	if p.WillFlag {
		f |= 0x04
	}
	if p.CleanSession {
		f |= 0x02
	}
	p.ConnectFlags = f
}

// SetPublishFlags computes Flags from DUP, QoS and Retain, for packets
// built by hand.
func (p *Packet) SetPublishFlags() {
	var f uint8
	if p.DUP {
		f |= 0x08
	}
	f |= (p.QoS & 3) << 1
	if p.Retain {
		f |= 0x01
	}
	p.Flags = f
}
