package decode

import "bytes"

// subscribe decodes a SUBSCRIBE (3.1.1 §3.8, 5.0 §3.8).
func (c *cursor) subscribe() {
	p := c.p
	if !c.packetID(true) {
		return
	}
	if p.Version == V5 && !c.readProperties(&p.Properties, SUBSCRIBE, false) {
		return
	}
	p.PayloadOff = c.off
	if c.left() == 0 {
		c.problem(c.off, "subscriptions", "no_topic_filters", "a SUBSCRIBE must contain at least one topic filter")
		return
	}
	for c.left() > 0 && !c.short {
		start := c.off
		gi := len(c.fields)
		c.group("subscription", start, 0, c.depth)
		c.depth++
		topic, ok := c.readString("topic_filter", "topic_filter_length", KindString)
		if ok {
			c.checkTopicFilter(start, topic)
		}
		optOff := c.off
		opts, ok2 := c.readU8("subscription_options", KindFlags)
		if ok && ok2 {
			s := Subscription{Topic: topic, Options: opts, QoS: opts & 3}
			c.depth++
			c.field("qos", optOff, 1, KindUint, uint64(opts&3), nil)
			if p.Version == V5 {
				s.NoLocal, s.RetainAsPub, s.RetainHandling = opts&0x04 != 0, opts&0x08 != 0, opts>>4&3
				c.field("no_local", optOff, 1, KindBool, uint64(opts>>2&1), nil)
				c.field("retain_as_published", optOff, 1, KindBool, uint64(opts>>3&1), nil)
				c.field("retain_handling", optOff, 1, KindUint, uint64(opts>>4&3), nil)
			}
			c.depth--
			c.checkSubscriptionOptions(optOff, s)
			p.Subscriptions = append(p.Subscriptions, s)
		}
		c.depth--
		c.setLen(gi, c.off-start)
	}
}

func (c *cursor) checkSubscriptionOptions(off int, s Subscription) {
	p := c.p
	reserved := uint8(0xfc)
	if p.Version == V5 {
		reserved = 0xc0
	}
	if s.QoS == 3 {
		c.problem(off, "qos", "qos3", "requested QoS 3 is invalid")
	}
	if s.Options&reserved != 0 {
		c.problem(off, "subscription_options", "reserved_flags", "reserved bits of the subscription options (0x"+hex2(s.Options)+") must be 0")
	}
	if p.Version == V5 && s.RetainHandling == 3 {
		c.problem(off, "retain_handling", "retain_handling", "retain handling 3 is invalid (0, 1 or 2)")
	}
	if p.Version == V5 && s.NoLocal && bytes.HasPrefix(s.Topic, []byte("$share/")) {
		c.problem(off, "no_local", "no_local_shared", "no local must not be set on a shared subscription")
	}
}

// checkTopicFilter applies the wildcard rules of 3.1.1 §4.7.1: '#' only as
// the whole last level, '+' only as a whole level.
func (c *cursor) checkTopicFilter(off int, f []byte) {
	if len(f) == 0 {
		c.problem(off, "topic_filter", "empty_topic", "a topic filter must be at least one character long")
		return
	}
	level := 0
	for i, b := range f {
		switch b {
		case '/':
			level = i + 1
		case '#':
			if i != len(f)-1 || i != level {
				c.problem(off, "topic_filter", "bad_wildcard", "topic filter "+quote(f)+": '#' must be a whole level and the last one")
				return
			}
		case '+':
			if i != level || (i+1 < len(f) && f[i+1] != '/') {
				c.problem(off, "topic_filter", "bad_wildcard", "topic filter "+quote(f)+": '+' must occupy a whole level")
				return
			}
		}
	}
}

// suback decodes a SUBACK (3.1.1 §3.9, 5.0 §3.9).
func (c *cursor) suback() {
	p := c.p
	if !c.packetID(true) {
		return
	}
	if p.Version == V5 && !c.readProperties(&p.Properties, SUBACK, false) {
		return
	}
	c.reasonCodeList("return_code", "a SUBACK")
}

// unsubscribe decodes an UNSUBSCRIBE (3.1.1 §3.10, 5.0 §3.10).
func (c *cursor) unsubscribe() {
	p := c.p
	if !c.packetID(true) {
		return
	}
	if p.Version == V5 && !c.readProperties(&p.Properties, UNSUBSCRIBE, false) {
		return
	}
	p.PayloadOff = c.off
	if c.left() == 0 {
		c.problem(c.off, "topic_filters", "no_topic_filters", "an UNSUBSCRIBE must contain at least one topic filter")
		return
	}
	for c.left() > 0 && !c.short {
		off := c.off
		f, ok := c.readString("topic_filter", "topic_filter_length", KindString)
		if !ok {
			return
		}
		c.checkTopicFilter(off, f)
		p.TopicFilters = append(p.TopicFilters, f)
	}
}

// unsuback decodes an UNSUBACK (3.1.1 §3.11: packet id only; 5.0 §3.11:
// properties and a reason code per topic filter).
func (c *cursor) unsuback() {
	p := c.p
	if !c.packetID(true) {
		return
	}
	if p.Version != V5 {
		c.trailing("the packet identifier")
		return
	}
	if !c.readProperties(&p.Properties, UNSUBACK, false) {
		return
	}
	c.reasonCodeList("reason_code", "an UNSUBACK")
}

// reasonCodeList reads one code per byte to the end of the packet.
func (c *cursor) reasonCodeList(name, what string) {
	p := c.p
	p.PayloadOff = c.off
	if p.Version == V5 {
		name = "reason_code"
	}
	if c.left() == 0 {
		c.problem(c.off, name+"s", "no_reason_codes", what+" must carry at least one "+name)
		return
	}
	for c.left() > 0 {
		off := c.off
		code, _ := c.readU8(name, KindUint)
		p.ReasonCodes = append(p.ReasonCodes, code)
		c.checkReasonCode(off, name, code)
	}
}
