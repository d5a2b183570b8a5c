package decode

// connect decodes a CONNECT (3.1 §3.1, 3.1.1 §3.1, 5.0 §3.1). Its own
// protocol level decides the layout, whatever the connection's version.
func (c *cursor) connect() {
	p := c.p
	name, ok := c.readString("protocol_name", "protocol_name_length", KindString)
	if !ok {
		return
	}
	p.ProtocolName = name
	nameOff := c.off - len(name) - 2
	level, ok := c.readU8("protocol_level", KindUint)
	if !ok {
		return
	}
	p.ProtocolLevel = level
	p.Has |= HasProtocolLevel
	switch {
	case string(name) == "MQTT" && (level == 4 || level == 5):
		p.Version = Version(level)
	case string(name) == "MQIsdp" && level == 3:
		p.Version = V31
	case string(name) == "MQTT" || string(name) == "MQIsdp":
		c.problem(c.off-1, "protocol_level", "unknown_protocol_level", "protocol level "+itoa(int(level))+
			" is not defined for protocol name "+quote(name)+" (MQIsdp 3, MQTT 4 or 5): decoded as 3.1.1")
		p.Version = V311
	default:
		c.problem(nameOff, "protocol_name", "unknown_protocol_name", "protocol name "+quote(name)+
			" is not MQTT or MQIsdp: decoded as 3.1.1")
		p.Version = V311
	}

	flagsOff := c.off
	flags, ok := c.readU8("connect_flags", KindFlags)
	if !ok {
		return
	}
	p.ConnectFlags = flags
	p.Has |= HasConnectFlags
	p.UsernameFlag, p.PasswordFlag = flags&0x80 != 0, flags&0x40 != 0
	p.WillRetain, p.WillQoS, p.WillFlag = flags&0x20 != 0, flags>>3&0x03, flags&0x04 != 0
	p.CleanSession = flags&0x02 != 0
	c.connectFlagFields(flagsOff, flags)
	c.checkConnectFlags(flagsOff)

	if p.KeepAlive, ok = c.readU16("keep_alive"); !ok {
		return
	}
	p.Has |= HasKeepAlive
	if p.Version == V5 && !c.readProperties(&p.Properties, CONNECT, false) {
		return
	}

	// Payload (3.1.1 §3.1.3): client id, will, username, password, in order.
	p.PayloadOff = c.off
	if p.ClientID, ok = c.readString("client_id", "client_id_length", KindString); !ok {
		return
	}
	p.Has |= HasClientID
	c.checkClientID(c.off - len(p.ClientID) - 2)
	if p.WillFlag {
		if p.Version == V5 && !c.readProperties(&p.WillProperties, CONNECT, true) {
			return
		}
		if p.WillTopic, ok = c.readString("will_topic", "will_topic_length", KindString); !ok {
			return
		}
		p.Has |= HasWillTopic
		if p.WillPayload, ok = c.readString("will_payload", "will_payload_length", KindBinary); !ok {
			return
		}
		p.Has |= HasWillPayload
	}
	if p.UsernameFlag {
		if p.Username, ok = c.readString("username", "username_length", KindString); !ok {
			return
		}
		p.Has |= HasUsername
	}
	if p.PasswordFlag {
		if p.Password, ok = c.readString("password", "password_length", KindBinary); !ok {
			return
		}
		p.Has |= HasPassword
	}
	c.trailing("the last field of the CONNECT")
}

func (c *cursor) connectFlagFields(off int, flags uint8) {
	c.depth++
	clean := "clean_session"
	if c.p.Version == V5 {
		clean = "clean_start"
	}
	c.field("username_flag", off, 1, KindBool, uint64(flags>>7&1), nil)
	c.field("password_flag", off, 1, KindBool, uint64(flags>>6&1), nil)
	c.field("will_retain", off, 1, KindBool, uint64(flags>>5&1), nil)
	c.field("will_qos", off, 1, KindUint, uint64(flags>>3&3), nil)
	c.field("will_flag", off, 1, KindBool, uint64(flags>>2&1), nil)
	c.field(clean, off, 1, KindBool, uint64(flags>>1&1), nil)
	c.field("reserved", off, 1, KindBool, uint64(flags&1), nil)
	c.depth--
}

// checkConnectFlags applies 3.1.1 §3.1.2.3-9 and 5.0 §3.1.2.3-9.
func (c *cursor) checkConnectFlags(off int) {
	p := c.p
	if p.ConnectFlags&0x01 != 0 {
		c.problem(off, "connect_flags", "reserved_flags", "the reserved bit 0 of the connect flags (0x"+hex2(p.ConnectFlags)+") must be 0")
	}
	if p.WillQoS == 3 {
		c.problem(off, "will_qos", "qos3", "will QoS 3 is invalid")
	}
	if !p.WillFlag && (p.WillQoS != 0 || p.WillRetain) {
		c.problem(off, "connect_flags", "will_flags", "will QoS and will retain must be 0 when the will flag is 0 (connect flags 0x"+hex2(p.ConnectFlags)+")")
	}
	if p.Version != V5 && p.PasswordFlag && !p.UsernameFlag {
		c.problem(off, "connect_flags", "password_without_username", "the password flag is set without the username flag, which MQTT "+p.Version.String()+" forbids")
	}
}

// checkClientID applies the client identifier rules of 3.1 §3.1 (1 to 23
// characters) and 3.1.1 §3.1.3.1 (empty only with clean session).
func (c *cursor) checkClientID(off int) {
	p := c.p
	switch {
	case p.Version == V31 && (len(p.ClientID) == 0 || len(p.ClientID) > 23):
		c.problem(off, "client_id", "client_id_length", "MQTT 3.1 requires a client id of 1 to 23 characters, got "+itoa(len(p.ClientID)))
	case p.Version == V311 && len(p.ClientID) == 0 && !p.CleanSession:
		c.problem(off, "client_id", "empty_client_id", "an empty client id needs clean session = 1; the server must refuse this CONNECT (return code 2)")
	}
}

// connack decodes a CONNACK (3.1.1 §3.2, 5.0 §3.2).
func (c *cursor) connack() {
	p := c.p
	off := c.off
	flags, ok := c.readU8("acknowledge_flags", KindFlags)
	if !ok {
		return
	}
	p.AckFlags = flags
	p.Has |= HasAckFlags
	if p.Version != V31 {
		p.SessionPresent = flags&0x01 != 0
		c.depth++
		c.field("session_present", off, 1, KindBool, uint64(flags&1), nil)
		c.depth--
		if flags&0xfe != 0 {
			c.problem(off, "acknowledge_flags", "reserved_flags", "bits 7-1 of the acknowledge flags (0x"+hex2(flags)+") are reserved and must be 0")
		}
	}
	name := "return_code"
	if p.Version == V5 {
		name = "reason_code"
	}
	code, ok := c.readU8(name, KindUint)
	if !ok {
		return
	}
	p.ReasonCode, p.HasReasonCode = code, true
	c.checkReasonCode(off+1, name, code)
	if p.Version == V311 && code != 0 && p.SessionPresent {
		c.problem(off, "session_present", "session_present", "session present must be 0 when the return code is not 0")
	}
	if p.Version == V5 {
		if c.left() == 0 {
			c.problem(c.off, "property_length", "missing_properties", "an MQTT 5.0 CONNACK must carry a property length")
			return
		}
		if !c.readProperties(&p.Properties, CONNACK, false) {
			return
		}
	}
	c.trailing("the last field of the CONNACK")
}

// checkReasonCode reports a reason or return code that is not defined for
// the packet type and version.
func (c *cursor) checkReasonCode(off int, field string, code uint8) {
	p := c.p
	if ReasonName(p.Type, p.Version, code) != "" || p.Version == VersionUnknown {
		return
	}
	c.problem(off, field, "unknown_reason_code", field+" 0x"+hex2(code)+" ("+itoa(int(code))+") is not defined for "+
		p.Type.String()+" in MQTT "+p.Version.String())
}
