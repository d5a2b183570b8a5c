package decode

import "bytes"

// publish decodes a PUBLISH (3.1.1 §3.3, 5.0 §3.3).
func (c *cursor) publish() {
	p := c.p
	topicOff := c.off
	topic, ok := c.readString("topic", "topic_length", KindString)
	if !ok {
		return
	}
	p.Topic = topic
	p.Has |= HasTopic
	switch {
	case len(topic) == 0 && p.Version != V5:
		c.problem(topicOff, "topic", "empty_topic", "the topic name is empty, which MQTT "+p.Version.String()+" forbids")
	case bytes.IndexAny(topic, "+#") >= 0:
		c.problem(topicOff, "topic", "wildcard_topic", "topic name "+quote(topic)+" contains a wildcard (+ or #), which is not allowed in a PUBLISH")
	}
	if p.QoS > 0 {
		if !c.packetID(true) {
			return
		}
	}
	if p.Version == V5 && !c.readProperties(&p.Properties, PUBLISH, false) {
		return
	}
	p.PayloadOff = c.off
	p.Payload = c.b[c.off:c.end:c.end]
	p.Has |= HasPayload
	c.field("payload", c.off, c.end-c.off, KindBinary, uint64(c.end-c.off), p.Payload)
	c.off = c.end
}

// packetID reads a packet identifier; required says that 0 is a violation
// (every packet that carries one, 3.1.1 §2.3.1).
func (c *cursor) packetID(required bool) bool {
	p := c.p
	off := c.off
	id, ok := c.readU16("packet_id")
	if !ok {
		return false
	}
	p.PacketID, p.HasPacketID = id, true
	if id == 0 && required {
		what := p.Type.String()
		if p.Type == PUBLISH {
			what = "a QoS " + itoa(int(p.QoS)) + " PUBLISH"
		}
		c.problem(off, "packet_id", "packet_id_zero", "packet identifier 0 is not allowed in "+what+"; it must be 1 to 65535")
	}
	return true
}

// pubAck decodes PUBACK, PUBREC, PUBREL and PUBCOMP (3.1.1 §3.4-3.7,
// 5.0 §3.4-3.7: in 5.0 the reason code and properties may be omitted).
func (c *cursor) pubAck() {
	p := c.p
	if !c.packetID(true) {
		return
	}
	if p.Version != V5 {
		c.trailing("the packet identifier")
		return
	}
	if c.left() == 0 {
		return // reason code 0x00 (Success) implied, 5.0 §3.4.2.1
	}
	off := c.off
	code, _ := c.readU8("reason_code", KindUint)
	p.ReasonCode, p.HasReasonCode = code, true
	c.checkReasonCode(off, "reason_code", code)
	if c.left() == 0 {
		return
	}
	if !c.readProperties(&p.Properties, p.Type, false) {
		return
	}
	c.trailing("the properties")
}

// disconnect decodes a DISCONNECT (3.1.1 §3.14: no body; 5.0 §3.14: an
// optional reason code and properties).
func (c *cursor) disconnect() {
	p := c.p
	if p.Version != V5 {
		c.trailing("DISCONNECT (which has no body in MQTT " + p.Version.String() + ")")
		return
	}
	if c.left() == 0 {
		return // 0x00 Normal disconnection implied
	}
	off := c.off
	code, _ := c.readU8("reason_code", KindUint)
	p.ReasonCode, p.HasReasonCode = code, true
	c.checkReasonCode(off, "reason_code", code)
	if c.left() == 0 {
		return
	}
	if !c.readProperties(&p.Properties, DISCONNECT, false) {
		return
	}
	c.trailing("the properties")
}

// auth decodes an AUTH (5.0 §3.15).
func (c *cursor) auth() {
	p := c.p
	if p.Version != V5 {
		c.unknownBody()
		return
	}
	if c.left() == 0 {
		return // 0x00 Success implied
	}
	off := c.off
	code, _ := c.readU8("reason_code", KindUint)
	p.ReasonCode, p.HasReasonCode = code, true
	c.checkReasonCode(off, "reason_code", code)
	if c.left() == 0 {
		return
	}
	if !c.readProperties(&p.Properties, AUTH, false) {
		return
	}
	c.trailing("the properties")
}
