package tls

import "encoding/binary"

// Handshake message types (RFC 8446 §4, RFC 5246 §7.4).
const (
	hsClientHello        = 1
	hsServerHello        = 2
	hsNewSessionTicket   = 4
	hsEndOfEarlyData     = 5
	hsEncryptedExtension = 8
	hsFinished           = 20
	hsKeyUpdate          = 24
)

// Extensions read from the hellos.
const (
	extServerName        = 0
	extALPN              = 16
	extEncryptThenMAC    = 22
	extEarlyData         = 42
	extSupportedVersions = 43
)

// helloRetryRandom is the ServerHello random that makes it a
// HelloRetryRequest (RFC 8446 §4.1.3): SHA-256("HelloRetryRequest").
var helloRetryRandom = [32]byte{
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
}

// reader reads the vectors of a handshake message; a read past the end
// sets bad and returns zeros, so parsing code checks once at the end.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) bytes(n int) []byte {
	if n < 0 || n > len(r.b) {
		r.bad = true
		r.b = nil
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) u8() int {
	b := r.bytes(1)
	if b == nil {
		return 0
	}
	return int(b[0])
}

func (r *reader) u16() int {
	b := r.bytes(2)
	if b == nil {
		return 0
	}
	return int(binary.BigEndian.Uint16(b))
}

func (r *reader) vec8() []byte  { return r.bytes(r.u8()) }
func (r *reader) vec16() []byte { return r.bytes(r.u16()) }

// clientHello is what mqttpcap reads of a ClientHello.
type clientHello struct {
	random [32]byte
	sni    string
	alpn   []string
	early  bool // offers 0-RTT data
	tls13  bool // lists TLS 1.3 in supported_versions
}

func parseClientHello(body []byte) (clientHello, bool) {
	var h clientHello
	r := reader{b: body}
	r.bytes(2) // legacy_version
	copy(h.random[:], r.bytes(32))
	r.vec8()  // legacy_session_id
	r.vec16() // cipher_suites
	r.vec8()  // legacy_compression_methods
	if r.bad {
		return h, false
	}
	if len(r.b) == 0 {
		return h, true // no extensions
	}
	exts := reader{b: r.vec16()}
	for len(exts.b) > 0 && !exts.bad {
		typ := exts.u16()
		data := reader{b: exts.vec16()}
		switch typ {
		case extServerName:
			list := reader{b: data.vec16()}
			for len(list.b) > 0 && !list.bad {
				kind := list.u8()
				name := list.vec16()
				if kind == 0 && h.sni == "" {
					h.sni = string(name)
				}
			}
		case extALPN:
			list := reader{b: data.vec16()}
			for len(list.b) > 0 && !list.bad {
				h.alpn = append(h.alpn, string(list.vec8()))
			}
		case extEarlyData:
			h.early = true
		case extSupportedVersions:
			vs := data.vec8()
			for i := 0; i+1 < len(vs); i += 2 {
				h.tls13 = h.tls13 || binary.BigEndian.Uint16(vs[i:]) == versionTLS13
			}
		}
	}
	return h, !exts.bad
}

// serverHello is what mqttpcap reads of a ServerHello.
type serverHello struct {
	random  [32]byte
	version uint16 // the negotiated version (supported_versions when present)
	suite   uint16
	alpn    string
	etm     bool
	retry   bool // a HelloRetryRequest
}

func parseServerHello(body []byte) (serverHello, bool) {
	var h serverHello
	r := reader{b: body}
	h.version = uint16(r.u16())
	copy(h.random[:], r.bytes(32))
	r.vec8() // legacy_session_id_echo
	h.suite = uint16(r.u16())
	r.u8() // compression
	if r.bad {
		return h, false
	}
	h.retry = h.random == helloRetryRandom
	if len(r.b) == 0 {
		return h, true
	}
	exts := reader{b: r.vec16()}
	for len(exts.b) > 0 && !exts.bad {
		typ := exts.u16()
		data := reader{b: exts.vec16()}
		switch typ {
		case extSupportedVersions:
			if v := data.u16(); !data.bad {
				h.version = uint16(v)
			}
		case extALPN:
			list := reader{b: data.vec16()}
			h.alpn = string(list.vec8())
		case extEncryptThenMAC:
			h.etm = true
		}
	}
	return h, !exts.bad
}

// encryptedExtensionsALPN reads the ALPN protocol a TLS 1.3 server chose.
func encryptedExtensionsALPN(body []byte) string {
	r := reader{b: body}
	exts := reader{b: r.vec16()}
	for len(exts.b) > 0 && !exts.bad {
		typ := exts.u16()
		data := reader{b: exts.vec16()}
		if typ == extALPN {
			list := reader{b: data.vec16()}
			return string(list.vec8())
		}
	}
	return ""
}

// maxHandshake bounds a handshake message mqttpcap reassembles (certificate
// chains are the largest; they are skipped, not kept, past this).
const maxHandshake = 256 << 10

// messages splits handshake records into messages. Messages may span
// records; what is left of an incomplete one waits in buf.
type messages struct {
	buf  []byte
	skip int // bytes of an oversized message still to skip
}

// add appends a record's handshake bytes and calls f for every complete
// message (its type and body, valid during the call).
func (m *messages) add(b []byte, f func(typ uint8, body []byte)) {
	if m.skip > 0 {
		n := min(m.skip, len(b))
		m.skip -= n
		b = b[n:]
	}
	data := b
	if len(m.buf) > 0 {
		m.buf = append(m.buf, b...)
		data = m.buf
	}
	for len(data) >= 4 {
		n := int(data[1])<<16 | int(data[2])<<8 | int(data[3])
		if n > maxHandshake {
			m.skip = max(4+n-len(data), 0)
			data = data[min(4+n, len(data)):]
			continue
		}
		if len(data) < 4+n {
			break
		}
		f(data[0], data[4:4+n])
		data = data[4+n:]
	}
	// Keep the incomplete rest (append copies with memmove: data may be
	// the end of buf itself).
	m.buf = append(m.buf[:0], data...)
}
