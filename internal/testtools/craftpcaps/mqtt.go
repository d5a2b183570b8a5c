package main

// MQTT 3.1.1 packets, written by hand (the captures must not depend on the
// encoder under test).

func vbi(n int) []byte {
	var b []byte
	for {
		c := byte(n % 128)
		n /= 128
		if n > 0 {
			c |= 0x80
		}
		b = append(b, c)
		if n == 0 {
			return b
		}
	}
}

func packet(first byte, body ...[]byte) []byte {
	var all []byte
	for _, b := range body {
		all = append(all, b...)
	}
	return append(append([]byte{first}, vbi(len(all))...), all...)
}

func str(s string) []byte { return append([]byte{byte(len(s) >> 8), byte(len(s))}, s...) }

func u16(n int) []byte { return []byte{byte(n >> 8), byte(n)} }

// connect is a clean-session CONNECT with keep alive 60.
func connect(clientID string) []byte {
	return packet(0x10, str("MQTT"), []byte{4, 0x02, 0, 60}, str(clientID))
}

func connack() []byte { return []byte{0x20, 0x02, 0x00, 0x00} }

func publish(topic, payload string, qos, id int) []byte {
	first := byte(0x30 | qos<<1)
	if qos == 0 {
		return packet(first, str(topic), []byte(payload))
	}
	return packet(first, str(topic), u16(id), []byte(payload))
}

func puback(id int) []byte { return packet(0x40, u16(id)) }

func subscribe(id int, filter string, qos int) []byte {
	return packet(0x82, u16(id), str(filter), []byte{byte(qos)})
}

func suback(id, code int) []byte { return packet(0x90, u16(id), []byte{byte(code)}) }

func disconnect() []byte { return []byte{0xe0, 0x00} }

// wsFrame is a WebSocket binary frame (masked when from the client, as
// RFC 6455 requires).
func wsFrame(payload []byte, masked bool) []byte {
	b := []byte{0x82}
	n := len(payload)
	switch {
	case n < 126:
		b = append(b, byte(n))
	default:
		b = append(b, 126, byte(n>>8), byte(n))
	}
	if !masked {
		return append(b, payload...)
	}
	b[1] |= 0x80
	key := []byte{0x37, 0xfa, 0x21, 0x3d}
	b = append(b, key...)
	for i, c := range payload {
		b = append(b, c^key[i%4])
	}
	return b
}
