// Package tls decrypts TLS 1.2 and 1.3 connections with the secrets of a
// key log (the NSS SSLKEYLOGFILE format, or a pcapng Decryption Secrets
// Block), so that the MQTT (or MQTT over WebSocket) inside can be decoded.
//
// It takes each direction's bytes in stream order (Conn implements
// transport.Layer) and gives each direction's plaintext: the record layer
// (RFC 5246 §6, RFC 8446 §5) and the key schedules (the TLS 1.2 PRF, TLS 1.3
// HKDF-Expand-Label, key update) are written here; the ciphers are the
// standard library's (AES-GCM, AES-CBC with HMAC-SHA1/SHA256/SHA384) and
// golang.org/x/crypto's ChaCha20-Poly1305. Every plaintext byte keeps the
// frame that completed its record.
//
// A connection is reported once, with an event "tls" that names the
// version, the cipher suite, the SNI and the client random (the key log's
// key for the session), and whether the keys were found. A key that does
// not decrypt is reported as wrong and nothing of that direction is handed
// on: no garbage is ever decoded as MQTT.
//
// A Conn is not safe for concurrent use and starts no goroutines.
package tls

import (
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/mqttpcap/mqttpcap/stream"
	"github.com/mqttpcap/mqttpcap/transport"
)

// Record content types.
const (
	recordCCS       = 20
	recordAlert     = 21
	recordHandshake = 22
	recordAppData   = 23
	recordHeartbeat = 24
)

// maxRecord is the largest record body: 2^14 plus the expansion TLS 1.2
// allows (RFC 5246 §6.2.3); TLS 1.3 allows less.
const maxRecord = 1<<14 + 2048

// maxPending bounds the records a direction holds while it waits for keys
// (a live key log that has not been written yet) or for the ServerHello.
const maxPending = 1 << 20

// keyState is what became of the connection's keys.
type keyState uint8

const (
	keysUndecided keyState = iota
	keysFound
	keysMissing
	keysWrong
	keysNone        // no key log at all
	keysUnsupported // a version or cipher suite mqttpcap does not decrypt
	keysNoHello     // the ClientHello was not captured
)

func (k keyState) String() string {
	return [...]string{"", "found", "missing", "wrong", "none", "unsupported", "no_hello"}[k]
}

// Conn decrypts the TLS layer of one connection.
type Conn struct {
	keys Keys
	dirs [2]dirState

	hello    clientHello
	haveCH   bool
	server   serverHello
	haveSH   bool
	state    keyState
	reported bool
	// decidedAt is the record whose keys were looked up, for the event.
	decidedDir   transport.Dir
	decidedFrame uint64
	decidedTime  time.Time
	looked       bool // decide was called
	// helloFrame and helloTime are those of the last hello read, for the
	// event of a connection without a protected record.
	helloFrame uint64
	helloTime  time.Time
	plain      []byte // scratch: one record's plaintext
	// out is the output of the call in progress (events are placed
	// after what it holds).
	out *[2]transport.Bytes
}

type dirState struct {
	d   transport.Dir
	pos int64  // stream offset of the next input byte
	rec []byte // a record that spans feeds, header first
	// recOff is the stream offset of rec's first byte.
	recOff int64
	bad    bool // bytes of rec were not captured
	dead   bool
	// encrypted says this direction's records are protected from now on:
	// after its ChangeCipherSpec (TLS 1.2), after the ServerHello (1.3).
	encrypted bool
	prot      *protector
	// next is TLS 1.3's application keys while prot is the handshake
	// keys: the Finished message switches to them; a record that fails
	// with prot is tried with next too.
	next    *protector
	msgs    messages
	pending []pendingRecord
	pendLen int
	early   int // TLS 1.3 0-RTT bytes skipped
	failed  bool
}

// pendingRecord is a record that waits for keys or for the ServerHello.
type pendingRecord struct {
	hdr   [5]byte
	body  []byte
	frame uint64
	t     time.Time
	off   int64
}

// New returns the TLS layer of a connection; keys is nil when no key log
// was given.
func New(keys Keys) *Conn {
	c := &Conn{keys: keys}
	c.dirs[0].d, c.dirs[1].d = transport.ClientToServer, transport.ServerToClient
	return c
}

// Decrypting reports whether the connection's keys were found: its
// plaintext comes out.
func (c *Conn) Decrypting() bool { return c.state == keysFound }

// Feed implements transport.Layer.
func (c *Conn) Feed(d transport.Dir, in transport.Input, out *[2]transport.Bytes, ev *[]transport.Event) {
	c.out = out
	s := &c.dirs[d]
	data := in.Data
	i := 0
	for i < len(data) {
		if s.dead {
			break
		}
		if len(s.rec) == 0 && len(data)-i >= 5 {
			// The common case: a whole record in this feed.
			n := recordLen(data[i:])
			if n > 0 && len(data)-i >= n && missingIn(in.Missing, i, i+n) == nil {
				var hdr [5]byte
				copy(hdr[:], data[i:])
				if !c.checkHeader(s, hdr, in, i, ev) {
					break
				}
				frame, t := in.Origins.Origin(i + n - 1)
				c.record(s, hdr, data[i+5:i+n], false, frame, t, s.pos+int64(i), out, ev)
				i += n
				continue
			}
		}
		// Collect the record piece by piece: its header first.
		start := i
		if len(s.rec) == 0 {
			s.recOff = s.pos + int64(i)
		}
		if len(s.rec) < 5 {
			k := min(5-len(s.rec), len(data)-i)
			if missingIn(in.Missing, i, i+k) != nil {
				frame, t := in.Origins.Origin(i)
				c.problem(s, CodeLostSync, "bytes of a record header were not captured: the records after them cannot be found", s.pos+int64(i), frame, t, ev)
				s.dead = true
				break
			}
			s.rec = append(s.rec, data[i:i+k]...)
			i += k
			if len(s.rec) < 5 {
				break
			}
			var hdr [5]byte
			copy(hdr[:], s.rec)
			if !c.checkHeader(s, hdr, in, start, ev) {
				break
			}
		}
		need := recordLen(s.rec)
		k := min(need-len(s.rec), len(data)-i)
		if missingIn(in.Missing, i, i+k) != nil {
			s.bad = true
		}
		s.rec = append(s.rec, data[i:i+k]...)
		i += k
		if len(s.rec) == need {
			var hdr [5]byte
			copy(hdr[:], s.rec)
			frame, t := in.Origins.Origin(i - 1)
			c.record(s, hdr, s.rec[5:], s.bad, frame, t, s.recOff, out, ev)
			s.rec, s.bad = s.rec[:0], false
		}
	}
	s.pos += int64(len(data))
	c.retry(out, ev)
}

// recordLen is the length of the record whose header starts b.
func recordLen(b []byte) int {
	return 5 + int(binary.BigEndian.Uint16(b[3:5]))
}

// missingIn returns the first range of ms that overlaps [from, to).
func missingIn(ms []stream.Missing, from, to int) *stream.Missing {
	for i := range ms {
		if ms[i].Off < to && ms[i].Off+ms[i].Len > from {
			return &ms[i]
		}
	}
	return nil
}

// checkHeader reports a record header that cannot be TLS: the direction
// is lost from there.
func (c *Conn) checkHeader(s *dirState, hdr [5]byte, in transport.Input, at int, ev *[]transport.Event) bool {
	n := int(binary.BigEndian.Uint16(hdr[3:]))
	var why string
	switch {
	case hdr[0] < recordCCS || hdr[0] > recordHeartbeat:
		why = "content type " + strconv.Itoa(int(hdr[0])) + " is not a TLS record's"
	case hdr[1] != 3:
		why = "version " + strconv.Itoa(int(hdr[1])) + "." + strconv.Itoa(int(hdr[2])) + " is not a TLS record's"
	case n > maxRecord:
		why = "a record of " + strconv.Itoa(n) + " bytes is longer than TLS allows (2^14 + 2048)"
	}
	if why == "" {
		return true
	}
	frame, t := in.Origins.Origin(at)
	c.problem(s, CodeBadRecord, why+": the rest of the "+s.d.Arrow()+" stream is not read", s.pos+int64(at), frame, t, ev)
	s.dead = true
	return false
}

// record handles one complete record. bad says bytes of it were not
// captured (zeros): it is skipped, with its sequence number.
func (c *Conn) record(s *dirState, hdr [5]byte, body []byte, bad bool, frame uint64, t time.Time, off int64, out *[2]transport.Bytes, ev *[]transport.Event) {
	typ := hdr[0]
	if typ == recordCCS {
		// TLS 1.2: the sender protects its records from the next one on.
		// TLS 1.3 sends it only for middlebox compatibility.
		if !c.haveSH || c.server.version != versionTLS13 {
			s.encrypted = true
		}
		return
	}
	if !s.encrypted {
		if bad {
			return
		}
		switch typ {
		case recordHandshake:
			s.msgs.add(body, func(mt uint8, mb []byte) { c.handshake(s, mt, mb, frame, t, ev) })
		case recordAlert:
			c.alert(s, body, frame, t, off, ev)
		case recordAppData:
			// Application data before this direction is known to be
			// protected: the client's records before the ServerHello was
			// read. With 0-RTT offered they are early data; else the
			// directions were delivered out of order, and they wait for
			// the ServerHello to be decrypted as usual.
			if !c.haveSH && !c.hello.early && s.d == transport.ClientToServer {
				s.encrypted = true
			}
			c.queue(s, hdr, body, frame, t, off, ev)
		}
		return
	}
	if c.state == keysUndecided {
		if c.haveCH && !c.haveSH {
			// The ServerHello is still to be read (the directions were
			// delivered out of order): the record waits for it.
			c.queue(s, hdr, body, frame, t, off, ev)
			return
		}
		c.decide(s.d, frame, t, ev)
	}
	switch c.state {
	case keysUndecided:
		c.queue(s, hdr, body, frame, t, off, ev)
		return
	case keysFound:
	default:
		return
	}
	if len(s.pending) > 0 {
		// Keep the order: this record waits behind those queued.
		c.queue(s, hdr, body, frame, t, off, ev)
		return
	}
	c.decrypt(s, hdr, body, bad, frame, t, off, out, ev)
}

// queue holds a record until the keys or the ServerHello are known.
func (c *Conn) queue(s *dirState, hdr [5]byte, body []byte, frame uint64, t time.Time, off int64, ev *[]transport.Event) {
	if s.pendLen+len(body) > maxPending {
		if c.state == keysUndecided {
			// Waited long enough for a key log line, or a ServerHello,
			// that does not come.
			if c.haveSH {
				c.state = keysMissing
				c.report(ev)
			} else {
				c.decide(s.d, frame, t, ev)
			}
		}
		s.pending, s.pendLen = nil, 0
		return
	}
	s.pending = append(s.pending, pendingRecord{hdr: hdr, body: append([]byte(nil), body...), frame: frame, t: t, off: off})
	s.pendLen += len(body)
}

// retry hands queued records on once what they waited for is there.
func (c *Conn) retry(out *[2]transport.Bytes, ev *[]transport.Event) {
	for i := range c.dirs {
		s := &c.dirs[i]
		if len(s.pending) == 0 || !c.haveSH {
			continue
		}
		if !s.encrypted {
			// Application data that came before the ServerHello: 0-RTT
			// data sent with the ClientHello, or nothing TLS 1.2 allows.
			for _, r := range s.pending {
				s.early += len(r.body)
			}
			p := s.pending[0]
			c.problem(s, CodeEarlyData, strconv.Itoa(s.early)+" bytes of application data before the handshake (0-RTT early data) are not decrypted", p.off, p.frame, p.t, ev)
			s.pending, s.pendLen = nil, 0
			continue
		}
		if c.state == keysUndecided {
			p := s.pending[0]
			c.decide(s.d, p.frame, p.t, ev)
		}
		if c.state == keysUndecided {
			continue
		}
		pend := s.pending
		s.pending, s.pendLen = nil, 0
		if c.state != keysFound {
			continue
		}
		for _, p := range pend {
			c.decrypt(s, p.hdr, p.body, false, p.frame, p.t, p.off, out, ev)
		}
	}
}

// decide looks the connection's keys up when its first protected record
// needs them, and derives the record keys.
func (c *Conn) decide(d transport.Dir, frame uint64, t time.Time, ev *[]transport.Event) {
	// The event is the first protected record's, however long its keys
	// take to come (a followed key log).
	if !c.looked {
		c.looked = true
		c.decidedDir, c.decidedFrame, c.decidedTime = d, frame, t
	}
	switch {
	case !c.haveCH:
		c.state = keysNoHello
	case !c.haveSH || suiteByID(c.server.suite) == nil || (c.server.version != versionTLS12 && c.server.version != versionTLS13) ||
		suiteByID(c.server.suite).tls13 != (c.server.version == versionTLS13):
		c.state = keysUnsupported
	case c.keys == nil:
		c.state = keysNone
	}
	if c.state != keysUndecided {
		c.report(ev)
		return
	}
	sec, ok := c.keys.Secrets(c.hello.random)
	if ok && c.server.version == versionTLS12 && sec.Master == nil {
		ok = false
	}
	if ok && c.server.version == versionTLS13 && sec.ClientTraffic == nil && sec.ServerTraffic == nil {
		ok = false
	}
	if !ok {
		if !c.keys.Waiting() {
			c.state = keysMissing
			c.report(ev)
		}
		return
	}
	s := suiteByID(c.server.suite)
	cl, sv := &c.dirs[0], &c.dirs[1]
	var err error
	if c.server.version == versionTLS12 {
		cl.prot, sv.prot, err = keys12(s, sec.Master, c.hello.random[:], c.server.random[:], c.server.etm)
	} else {
		for _, k := range []struct {
			d           *dirState
			hs, traffic []byte
		}{{cl, sec.ClientHandshake, sec.ClientTraffic}, {sv, sec.ServerHandshake, sec.ServerTraffic}} {
			if err == nil && len(k.hs) == s.prf.Size() {
				k.d.prot, err = keys13(s, k.hs)
			}
			if err == nil && len(k.traffic) == s.prf.Size() {
				k.d.next, err = keys13(s, k.traffic)
			}
		}
	}
	if err != nil {
		c.state = keysWrong
		c.report(ev)
		return
	}
	c.state = keysFound
	// The event waits for the first record: it says whether the keys
	// decrypt.
}

// decrypt removes a record's protection and hands its content on.
func (c *Conn) decrypt(s *dirState, hdr [5]byte, body []byte, bad bool, frame uint64, t time.Time, off int64, out *[2]transport.Bytes, ev *[]transport.Event) {
	if s.failed {
		return
	}
	if bad {
		// Bytes of the record were not captured: it cannot be opened, but
		// the next one can (its sequence number is the next).
		if p := s.current(); p != nil {
			p.seq++
			if n := len(body) - p.overhead(); n > 0 {
				out[s.d].Lose(n, frame, t)
			}
		}
		return
	}
	var plain []byte
	var typ uint8
	ok := false
	if p := s.prot; p != nil {
		plain, typ, ok = p.open(c.plain[:0], hdr, body)
	}
	if !ok && s.next != nil {
		// TLS 1.3: the handshake is over (its Finished was not read), or
		// the key log has no handshake secrets: try the application keys.
		seq := s.next.seq
		if plain, typ, ok = s.next.open(c.plain[:0], hdr, body); ok {
			s.prot, s.next = s.next, nil
		} else {
			s.next.seq = seq
			if s.prot == nil {
				// Without handshake keys the handshake's records are
				// skipped until the application keys open one.
				return
			}
		}
	}
	if !ok {
		c.plain = plain[:0]
		c.undecryptable(s, frame, t, off, ev)
		return
	}
	c.plain = plain[:0]
	s.current().used = true
	if !c.reported {
		c.report(ev)
	}
	switch typ {
	case recordAppData:
		if len(plain) > 0 {
			o := &out[s.d]
			o.Data = append(o.Data, plain...)
			o.Mark(len(plain), frame, t)
		}
	case recordHandshake:
		s.msgs.add(plain, func(mt uint8, mb []byte) { c.handshake(s, mt, mb, frame, t, ev) })
	case recordAlert:
		c.alert(s, plain, frame, t, off, ev)
	}
}

func (s *dirState) current() *protector {
	if s.prot != nil {
		return s.prot
	}
	return s.next
}

// failed reports a record the keys do not open: the keys are wrong or
// damaged (or the capture is), and nothing more of the direction is read.
func (c *Conn) undecryptable(s *dirState, frame uint64, t time.Time, off int64, ev *[]transport.Event) {
	s.failed = true
	first := !c.reported
	if first {
		c.state = keysWrong
		c.report(ev)
		return
	}
	c.problem(s, CodeDecrypt, "a "+s.d.Arrow()+" record does not decrypt with the key log's keys for client random "+
		hex.EncodeToString(c.hello.random[:])+" (a wrong or damaged key): nothing more of this direction is decoded", off, frame, t, ev)
}

// handshake reads the handshake messages mqttpcap needs.
func (c *Conn) handshake(s *dirState, typ uint8, body []byte, frame uint64, t time.Time, ev *[]transport.Event) {
	switch {
	case typ == hsClientHello && s.d == transport.ClientToServer:
		if h, ok := parseClientHello(body); ok {
			if c.haveCH && h.random != c.hello.random {
				return // a renegotiation's hello: the session's keys stay
			}
			c.hello, c.haveCH = h, true
			c.helloFrame, c.helloTime = frame, t
		}
	case typ == hsServerHello && s.d == transport.ServerToClient:
		h, ok := parseServerHello(body)
		if !ok || h.retry || c.haveSH {
			return
		}
		c.server, c.haveSH = h, true
		c.helloFrame, c.helloTime = frame, t
		if h.version == versionTLS13 {
			// Everything after the ServerHello is protected, both ways.
			c.dirs[0].encrypted, c.dirs[1].encrypted = true, true
		}
	case typ == hsEncryptedExtension && s.d == transport.ServerToClient:
		if a := encryptedExtensionsALPN(body); a != "" {
			c.server.alpn = a
		}
	case typ == hsFinished && c.server.version == versionTLS13:
		// The sender's application keys protect its next record.
		if s.next != nil {
			s.prot, s.next = s.next, nil
		}
	case typ == hsKeyUpdate && c.server.version == versionTLS13:
		if p := s.current(); p != nil && p.secret != nil {
			next, err := keys13(p.s, nextSecret13(p.s, p.secret))
			if err == nil {
				s.prot, s.next = next, nil
				c.emit(ev, transport.Event{Dir: s.d, Type: "tls_key_update", Frame: frame, Time: t, Offset: -1,
					Message: "key update from the " + s.d.Name() + ": its records use new keys from here"})
			}
		}
	}
}

// alert reports a TLS alert (RFC 8446 §6).
func (c *Conn) alert(s *dirState, body []byte, frame uint64, t time.Time, off int64, ev *[]transport.Event) {
	if len(body) < 2 {
		return
	}
	level := "warning"
	if body[0] == 2 {
		level = "fatal"
	}
	name := alertName(body[1])
	c.emit(ev, transport.Event{Dir: s.d, Type: "tls_alert", Frame: frame, Time: t, Offset: off,
		Message: "TLS alert from the " + s.d.Name() + ": " + level + " " + name,
		TLS:     &transport.TLSInfo{Alert: level + " " + name}})
}

// End implements transport.Layer.
func (c *Conn) End(out *[2]transport.Bytes, ev *[]transport.Event) {
	c.out = out
	c.retry(out, ev)
	if c.state == keysUndecided && (len(c.dirs[0].pending) > 0 || len(c.dirs[1].pending) > 0) && c.haveSH {
		c.state = keysMissing
	}
	if !c.reported {
		if c.state == keysUndecided {
			// No protected record came (or none with keys to look for):
			// the event is the last hello's.
			c.decidedDir, c.decidedFrame, c.decidedTime = transport.ClientToServer, c.helloFrame, c.helloTime
			if c.haveSH {
				c.decidedDir = transport.ServerToClient
			}
		}
		c.report(ev)
	}
}

// Gap implements transport.Layer: a gap inside a record's body loses that
// record; a gap anywhere else loses the record boundaries.
func (c *Conn) Gap(d transport.Dir, n int64, frame uint64, t time.Time, out *[2]transport.Bytes, ev *[]transport.Event) {
	c.out = out
	s := &c.dirs[d]
	defer func() { s.pos += n }()
	if s.dead {
		return
	}
	if len(s.rec) >= 5 && int64(recordLen(s.rec)-len(s.rec)) > n {
		s.rec = append(s.rec, make([]byte, n)...)
		s.bad = true
		return
	}
	c.problem(s, CodeLostSync, strconv.FormatInt(n, 10)+" bytes of the "+d.Arrow()+" stream were lost across a record boundary: the records after them cannot be found", s.pos, frame, t, ev)
	s.dead = true
}

// report emits the connection's "tls" event (once).
func (c *Conn) report(ev *[]transport.Event) {
	if c.reported {
		return
	}
	c.reported = true
	info := &transport.TLSInfo{Keys: c.state.String(), SNI: c.hello.sni}
	if c.haveCH {
		info.ClientRandom = hex.EncodeToString(c.hello.random[:])
	}
	var what []string
	if c.haveSH {
		info.Version, info.CipherSuite, info.ALPN = VersionName(c.server.version), SuiteName(c.server.suite), c.server.alpn
		what = append(what, info.Version, info.CipherSuite)
	} else {
		what = append(what, "TLS")
	}
	if info.SNI != "" {
		what = append(what, "SNI "+info.SNI)
	}
	if info.ALPN != "" {
		what = append(what, "ALPN "+info.ALPN)
	}
	msg := strings.Join(what, ", ") + ": "
	cr := info.ClientRandom
	switch c.state {
	case keysFound:
		msg += "decrypted with the key log (client random " + cr + ")"
	case keysMissing:
		msg += "not decrypted: the key log has no keys for client random " + cr
	case keysWrong:
		msg += "not decrypted: the key log's keys for client random " + cr + " do not decrypt it (a wrong or damaged key)"
	case keysNone:
		msg += "not decrypted: no key log (--tls-keylog FILE, written by the client with SSLKEYLOGFILE; client random " + cr + ")"
	case keysUnsupported:
		if !c.haveSH {
			msg += "not decrypted: the ServerHello was not captured"
		} else {
			msg += "not decrypted: mqttpcap decrypts TLS 1.2 and 1.3 with AES-GCM, ChaCha20-Poly1305 or AES-CBC"
		}
	case keysNoHello:
		msg += "not decrypted: the ClientHello was not captured, and without its client random the key log's keys cannot be found"
	default:
		if c.haveSH {
			msg += "the capture has no protected record to decrypt (client random " + cr + ")"
		} else {
			msg += "the handshake was not completed in the capture"
		}
	}
	c.emit(ev, transport.Event{Dir: c.decidedDir, Type: "tls", Frame: c.decidedFrame, Time: c.decidedTime, Offset: -1, Message: msg, TLS: info})
}

// problem reports a problem of the TLS layer.
func (c *Conn) problem(s *dirState, code, what string, off int64, frame uint64, t time.Time, ev *[]transport.Event) {
	c.emit(ev, transport.Event{Dir: s.d, Type: "tls_problem", Code: code, Frame: frame, Time: t, Offset: off,
		Message: "offset " + strconv.FormatInt(off, 10) + ": " + what})
}

// Problem codes of the TLS layer.
const (
	CodeBadRecord = "tls_bad_record"
	CodeLostSync  = "tls_lost_sync"
	CodeDecrypt   = "tls_decrypt_failed"
	CodeEarlyData = "tls_early_data"
)

func alertName(d uint8) string {
	switch d {
	case 0:
		return "close_notify"
	case 10:
		return "unexpected_message"
	case 20:
		return "bad_record_mac"
	case 22:
		return "record_overflow"
	case 40:
		return "handshake_failure"
	case 42:
		return "bad_certificate"
	case 43:
		return "unsupported_certificate"
	case 44:
		return "certificate_revoked"
	case 45:
		return "certificate_expired"
	case 46:
		return "certificate_unknown"
	case 47:
		return "illegal_parameter"
	case 48:
		return "unknown_ca"
	case 49:
		return "access_denied"
	case 50:
		return "decode_error"
	case 51:
		return "decrypt_error"
	case 70:
		return "protocol_version"
	case 71:
		return "insufficient_security"
	case 80:
		return "internal_error"
	case 86:
		return "inappropriate_fallback"
	case 90:
		return "user_canceled"
	case 109:
		return "missing_extension"
	case 110:
		return "unsupported_extension"
	case 112:
		return "unrecognized_name"
	case 116:
		return "certificate_required"
	case 120:
		return "no_application_protocol"
	}
	return "alert " + strconv.Itoa(int(d))
}

// emit adds an event, placed after the output its direction has so far.
func (c *Conn) emit(ev *[]transport.Event, e transport.Event) {
	if c.out != nil {
		e.At = c.out[e.Dir].Len()
	}
	*ev = append(*ev, e)
}
