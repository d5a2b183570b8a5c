// Package ws decodes MQTT over WebSocket (RFC 6455; MQTT 3.1.1 §6, MQTT 5.0
// §6): the HTTP upgrade of a connection, then the frames of each direction.
//
// It takes each direction's bytes in stream order (Conn implements
// transport.Layer) and gives the payload of the data frames, unmasked, as
// one byte stream per direction: MQTT over WebSocket is a byte stream, so
// frames and MQTT packets need not line up (several packets in one frame,
// one packet over several frames or fragmented messages). Every payload
// byte keeps the frame that carried it. The upgrade (path, host,
// subprotocol, status), control frames (ping, pong, close with its code and
// reason) and protocol problems (an unmasked client frame, a reserved
// opcode or RSV bit, a non-minimal length, ...) are events; problems carry
// a stable code (problems.go) and the rule they break.
//
// A Conn is not safe for concurrent use and starts no goroutines.
package ws

import (
	"encoding/binary"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mqttpcap/mqttpcap/stream"
	"github.com/mqttpcap/mqttpcap/transport"
)

// Opcodes (RFC 6455 §5.2).
const (
	OpContinuation = 0x0
	OpText         = 0x1
	OpBinary       = 0x2
	OpClose        = 0x8
	OpPing         = 0x9
	OpPong         = 0xA
)

// maxLoseFill bounds the zeros a lost range inside a frame's payload is
// carried through with; a larger loss ends the direction's decoding.
const maxLoseFill = 16 << 20

type phase uint8

const (
	phaseHTTP phase = iota
	phaseFrames
	phaseDead
)

// Conn decodes the WebSocket layer of one connection.
type Conn struct {
	dirs [2]dirState
	req  request
	resp response
	// reqFrame and reqTime are those of the frame that completed the
	// request (for the upgrade event when no response comes).
	reqFrame   uint64
	reqTime    time.Time
	reqSeen    bool
	respSeen   bool
	compressed bool // permessage-deflate was negotiated
	// out is the output of the call in progress (events are placed
	// after what it holds).
	out *[2]transport.Bytes
}

// dirState follows the frames of one direction.
type dirState struct {
	d     transport.Dir
	phase phase
	pos   int64 // stream offset of the next byte
	http  []byte

	hdr  [14]byte
	hdrN int
	// The frame in progress, once its header is complete.
	inFrame   bool
	start     int64
	fin       bool
	rsv       uint8
	opcode    uint8
	masked    bool
	mask      [4]byte
	maskOff   uint64
	remaining uint64
	length    uint64
	pass      bool   // the payload is MQTT bytes, handed on
	control   []byte // a control frame's payload
	// The message in progress (fragmented data frames).
	msgOpen bool
	closed  bool
	// reported counts problems per code, so a misbehaving peer cannot
	// flood the output: the first few of each are reported.
	reported map[string]int
	// lastFrame and lastTime are those of the last byte fed.
	lastFrame uint64
	lastTime  time.Time
}

// New returns the WebSocket layer of a connection whose client stream
// starts with the upgrade request.
func New() *Conn {
	c := &Conn{}
	c.dirs[0].d, c.dirs[1].d = transport.ClientToServer, transport.ServerToClient
	return c
}

// Subprotocol is the subprotocol the server chose ("" until known).
func (c *Conn) Subprotocol() string { return c.resp.subprotocol }

// Request says whether the upgrade request was read, and whether it offers
// an MQTT subprotocol: without one, the payload may well not be MQTT.
func (c *Conn) Request() (seen, mqtt bool) {
	for _, p := range c.req.offered {
		mqtt = mqtt || mqttSubprotocol(p)
	}
	return c.reqSeen, mqtt
}

// Upgrade says whether the request asks for WebSocket (Upgrade: websocket).
func (c *Conn) Upgrade() bool { return hasToken(c.req.upgrade, "websocket") }

// RequestFrame is the frame that completed the request, and its time.
func (c *Conn) RequestFrame() (uint64, time.Time) { return c.reqFrame, c.reqTime }

// Describe names the upgrade in a message: "GET /chat (Host ws.test)".
func (c *Conn) Describe() string {
	s := "GET " + c.req.path
	if c.req.host != "" {
		s += " (Host " + c.req.host + ")"
	}
	return s
}

// Feed implements transport.Layer.
func (c *Conn) Feed(d transport.Dir, in transport.Input, out *[2]transport.Bytes, ev *[]transport.Event) {
	c.out = out
	s := &c.dirs[d]
	if len(in.Data) > 0 {
		s.lastFrame, s.lastTime = in.Origins.Origin(len(in.Data) - 1)
	}
	from := 0
	for _, m := range in.Missing {
		c.segment(s, in, from, m.Off, nil, &out[d], ev)
		c.segment(s, in, m.Off, m.Off+m.Len, &m, &out[d], ev)
		from = m.Off + m.Len
	}
	c.segment(s, in, from, len(in.Data), nil, &out[d], ev)
}

// segment decodes in.Data[from:to]; m is set when those bytes were not
// captured (zeros).
func (c *Conn) segment(s *dirState, in transport.Input, from, to int, m *stream.Missing, out *transport.Bytes, ev *[]transport.Event) {
	for from < to && s.phase != phaseDead {
		var n int
		switch {
		case s.phase == phaseHTTP:
			n = c.http(s, in, from, to, m, out, ev)
		case !s.inFrame:
			n = c.header(s, in, from, to, m, ev)
		default:
			n = c.payload(s, in, from, to, m, out, ev)
		}
		from += n
		s.pos += int64(n)
	}
	if s.phase == phaseDead {
		s.pos += int64(to - from)
	}
}

// http collects an upgrade request or response; it returns how many bytes
// of in.Data[from:to] belong to it.
func (c *Conn) http(s *dirState, in transport.Input, from, to int, m *stream.Missing, out *transport.Bytes, ev *[]transport.Event) int {
	if m != nil {
		frame, t := in.Origins.Origin(from)
		c.problem(s, CodeLostSync, "bytes of the HTTP upgrade "+s.what()+" were not captured; the WebSocket frames after it cannot be found", s.pos, frame, t, ev)
		s.phase = phaseDead
		return to - from
	}
	have := len(s.http)
	s.http = append(s.http, in.Data[from:to]...)
	end := headerEnd(s.http)
	if end < 0 {
		if len(s.http) > maxHeader {
			frame, t := in.Origins.Origin(to - 1)
			c.problem(s, CodeHeaderTooLong, "the HTTP upgrade "+s.what()+" is longer than 16 KB", s.pos-int64(have), frame, t, ev)
			s.phase = phaseDead
			s.http = nil
		}
		return to - from
	}
	used := end - have
	frame, t := in.Origins.Origin(from + used - 1)
	block := s.http[:end]
	if s.d == transport.ClientToServer {
		c.request(block, frame, t, s.pos-int64(have), ev)
	} else {
		c.response(block, frame, t, s.pos-int64(have), ev)
	}
	s.http = nil
	if s.phase == phaseHTTP {
		s.phase = phaseFrames
	}
	return used
}

func (s *dirState) what() string {
	if s.d == transport.ClientToServer {
		return "request"
	}
	return "response"
}

func (c *Conn) request(b []byte, frame uint64, t time.Time, off int64, ev *[]transport.Event) {
	c.req, c.reqSeen, c.reqFrame, c.reqTime = parseRequest(b), true, frame, t
	r := &c.req
	s := &c.dirs[transport.ClientToServer]
	var missing []string
	if r.method != "GET" {
		missing = append(missing, "method GET (it is "+strconv.Quote(r.method)+")")
	}
	if !hasToken(r.connection, "upgrade") {
		missing = append(missing, "Connection: Upgrade")
	}
	if r.key == "" {
		missing = append(missing, "Sec-WebSocket-Key")
	}
	if r.version != "13" {
		missing = append(missing, "Sec-WebSocket-Version: 13")
	}
	if len(missing) > 0 {
		c.problem(s, CodeBadRequest, "the upgrade request lacks "+strings.Join(missing, ", "), off, frame, t, ev)
	}
	offered := false
	for _, p := range r.offered {
		offered = offered || mqttSubprotocol(p)
	}
	if !offered {
		what := "the client offers no subprotocol"
		if len(r.offered) > 0 {
			what = "the client offers the subprotocols " + strings.Join(r.offered, ", ") + ", not mqtt"
		}
		c.problem(s, CodeNotOffered, what, off, frame, t, ev)
	}
	if deflate(r.extensions) {
		// Whether compression is on is the server's answer; remembered
		// in case the answer is not captured.
		c.compressed = true
	}
}

func (c *Conn) response(b []byte, frame uint64, t time.Time, off int64, ev *[]transport.Event) {
	c.resp, c.respSeen = parseResponse(b), true
	r := &c.resp
	s := &c.dirs[transport.ServerToClient]
	c.compressed = deflate(r.extensions)
	c.emit(ev, c.upgradeEvent(frame, t, off))
	if r.status != 101 {
		c.problem(s, CodeRefused, "the server answered the upgrade with "+strconv.Itoa(r.status)+" "+r.statusText+", not 101: the connection did not switch to WebSocket", off, frame, t, ev)
		s.phase = phaseDead
		c.dirs[transport.ClientToServer].phase = phaseDead
		return
	}
	if c.reqSeen && c.req.key != "" && r.accept != acceptFor(c.req.key) {
		c.problem(s, CodeBadAccept, "Sec-WebSocket-Accept is "+strconv.Quote(r.accept)+", the key "+strconv.Quote(c.req.key)+" needs "+strconv.Quote(acceptFor(c.req.key)), off, frame, t, ev)
	}
	if !mqttSubprotocol(r.subprotocol) {
		what := "the server selected no subprotocol"
		if r.subprotocol != "" {
			what = "the server selected the subprotocol " + strconv.Quote(r.subprotocol) + ", not mqtt"
		}
		c.problem(s, CodeNotSelected, what, off, frame, t, ev)
	}
}

// upgradeEvent describes the upgrade (status 0: no response captured).
func (c *Conn) upgradeEvent(frame uint64, t time.Time, off int64) transport.Event {
	info := &transport.WebSocketInfo{Path: c.req.path, Host: c.req.host, Offered: c.req.offered}
	var msg strings.Builder
	msg.WriteString("WebSocket upgrade")
	if c.reqSeen {
		msg.WriteString(": GET " + c.req.path)
		if c.req.host != "" {
			msg.WriteString(" (Host " + c.req.host + ")")
		}
	}
	d := transport.ServerToClient
	if c.respSeen {
		info.Status, info.StatusText, info.Subprotocol = c.resp.status, c.resp.statusText, c.resp.subprotocol
		msg.WriteString(" → " + strconv.Itoa(c.resp.status))
		if c.resp.statusText != "" {
			msg.WriteString(" " + c.resp.statusText)
		}
		if c.resp.subprotocol != "" {
			msg.WriteString(", subprotocol " + c.resp.subprotocol)
		}
	} else {
		d = transport.ClientToServer
		if len(c.req.offered) > 0 {
			msg.WriteString(", offers " + strings.Join(c.req.offered, ", "))
		}
		msg.WriteString(": the server's answer was not captured")
	}
	if c.compressed {
		msg.WriteString(", permessage-deflate")
	}
	return transport.Event{Dir: d, Type: "ws_upgrade", Message: msg.String(), Frame: frame, Time: t, Offset: off, WebSocket: info}
}

// header collects and checks a frame header; it returns how many bytes of
// in.Data[from:to] it took.
func (c *Conn) header(s *dirState, in transport.Input, from, to int, m *stream.Missing, ev *[]transport.Event) int {
	if m != nil {
		frame, t := in.Origins.Origin(from)
		c.problem(s, CodeLostSync, strconv.Itoa(to-from)+" bytes at a frame header were not captured; the frames after them cannot be found", s.pos, frame, t, ev)
		s.phase = phaseDead
		return to - from
	}
	took := 0
	if s.hdrN == 0 {
		s.start = s.pos
	}
	for from+took < to {
		need := headerLen(s.hdr[:s.hdrN])
		if s.hdrN >= need {
			break
		}
		k := copy(s.hdr[s.hdrN:need], in.Data[from+took:to])
		s.hdrN += k
		took += k
	}
	if s.hdrN < headerLen(s.hdr[:s.hdrN]) {
		return took
	}
	frame, t := in.Origins.Origin(from + took - 1)
	c.startFrame(s, frame, t, ev)
	if s.remaining == 0 {
		c.endFrame(s, frame, t, ev)
	}
	return took
}

// headerLen is the length of the frame header that starts with h (2 until
// the second byte is known).
func headerLen(h []byte) int {
	if len(h) < 2 {
		return 2
	}
	n := 2
	switch h[1] & 0x7f {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if h[1]&0x80 != 0 {
		n += 4
	}
	return n
}

// startFrame reads a complete header and reports what is wrong with it.
func (c *Conn) startFrame(s *dirState, frame uint64, t time.Time, ev *[]transport.Event) {
	h := s.hdr[:s.hdrN]
	s.hdrN = 0
	s.fin, s.rsv, s.opcode = h[0]&0x80 != 0, (h[0]>>4)&7, h[0]&0x0f
	s.masked = h[1]&0x80 != 0
	l7 := uint64(h[1] & 0x7f)
	off := 2
	switch l7 {
	case 126:
		s.length = uint64(binary.BigEndian.Uint16(h[2:]))
		off += 2
		if s.length < 126 {
			c.problem(s, CodeLengthMinimal, "payload length "+strconv.FormatUint(s.length, 10)+" written in 2 extra bytes; under 126 it fits the first byte", s.start, frame, t, ev)
		}
	case 127:
		s.length = binary.BigEndian.Uint64(h[2:])
		off += 8
		if s.length>>63 != 0 {
			c.problem(s, CodeLengthMSB, "the 64-bit payload length has its most significant bit set", s.start, frame, t, ev)
			s.length &^= 1 << 63
		}
		switch {
		case s.length < 126:
			c.problem(s, CodeLengthMinimal, "payload length "+strconv.FormatUint(s.length, 10)+" written in 8 extra bytes; under 126 it fits the first byte", s.start, frame, t, ev)
		case s.length <= 0xffff:
			c.problem(s, CodeLengthMinimal, "payload length "+strconv.FormatUint(s.length, 10)+" written in 8 extra bytes; under 65536 it fits 2", s.start, frame, t, ev)
		}
	default:
		s.length = l7
	}
	if s.masked {
		copy(s.mask[:], h[off:off+4])
	}
	s.remaining, s.maskOff, s.inFrame, s.pass = s.length, 0, true, false
	s.control = s.control[:0]

	name := opcodeName(s.opcode)
	switch {
	case s.d == transport.ClientToServer && !s.masked:
		c.problem(s, CodeUnmasked, name+" frame from the client is not masked", s.start, frame, t, ev)
	case s.d == transport.ServerToClient && s.masked:
		c.problem(s, CodeMaskedServer, name+" frame from the server is masked", s.start, frame, t, ev)
	}
	if s.closed {
		c.problem(s, CodeAfterClose, name+" frame after the "+s.d.Name()+"'s close frame", s.start, frame, t, ev)
	}
	rsv := s.rsv
	if c.compressed && s.opcode < 8 {
		rsv &^= 4 // RSV1 is permessage-deflate's
	}
	if rsv != 0 {
		c.problem(s, CodeReservedBits, name+" frame with RSV bits "+strconv.FormatUint(uint64(rsv), 2)+" set and no extension negotiated that defines them", s.start, frame, t, ev)
	}
	if s.opcode >= 8 {
		if !s.fin {
			c.problem(s, CodeControlFrag, name+" frame without FIN: control frames cannot be fragmented", s.start, frame, t, ev)
		}
		if s.length > 125 {
			c.problem(s, CodeControlLong, name+" frame with a "+strconv.FormatUint(s.length, 10)+"-byte payload", s.start, frame, t, ev)
		}
		if s.opcode > OpPong {
			c.problem(s, CodeReservedOpcode, "reserved opcode 0x"+strconv.FormatUint(uint64(s.opcode), 16)+": its payload is skipped", s.start, frame, t, ev)
		}
		return
	}
	switch s.opcode {
	case OpContinuation:
		if !s.msgOpen {
			c.problem(s, CodeContinuation, "continuation frame with no fragmented message to continue", s.start, frame, t, ev)
		}
	case OpText, OpBinary:
		if s.msgOpen {
			c.problem(s, CodeInterrupted, name+" frame while a fragmented message is still open (its last frame had no FIN)", s.start, frame, t, ev)
		}
		if s.opcode == OpText {
			c.problem(s, CodeTextFrame, "MQTT bytes in a text frame", s.start, frame, t, ev)
		}
	default:
		c.problem(s, CodeReservedOpcode, "reserved opcode 0x"+strconv.FormatUint(uint64(s.opcode), 16)+": its payload is skipped", s.start, frame, t, ev)
		return
	}
	s.msgOpen = !s.fin
	s.pass = true
	if c.compressed && s.rsv&4 != 0 {
		c.problem(s, CodeCompressed, "a compressed message: mqttpcap does not inflate permessage-deflate, so the MQTT packets of this direction cannot be decoded from here", s.start, frame, t, ev)
		s.phase = phaseDead
	}
}

// payload takes payload bytes of the frame in progress.
func (c *Conn) payload(s *dirState, in transport.Input, from, to int, m *stream.Missing, out *transport.Bytes, ev *[]transport.Event) int {
	n := to - from
	if uint64(n) > s.remaining {
		n = int(s.remaining)
	}
	p := in.Data[from : from+n]
	switch {
	case s.pass:
		base := len(out.Data)
		if m != nil {
			out.Data = append(out.Data, make([]byte, n)...)
			frame, t := in.Origins.Origin(from)
			if m.Lost {
				out.Missing = append(out.Missing, stream.Missing{Off: base, Len: n, Frame: m.Frame, Lost: true})
				out.Mark(n, frame, t)
			} else {
				out.MarkFrom(n, in.Origins, from)
				out.Cut(n, m.Frame)
			}
		} else {
			out.Data = append(out.Data, p...)
			if s.masked {
				unmask(out.Data[base:], s.mask, s.maskOff)
			}
			out.MarkFrom(n, in.Origins, from)
		}
	case s.opcode >= 8:
		k := min(n, 125-len(s.control))
		if k > 0 {
			base := len(s.control)
			s.control = append(s.control, p[:k]...)
			if s.masked {
				unmask(s.control[base:], s.mask, s.maskOff)
			}
		}
	}
	s.remaining -= uint64(n)
	s.maskOff += uint64(n)
	if s.remaining == 0 {
		frame, t := in.Origins.Origin(from + n - 1)
		c.endFrame(s, frame, t, ev)
	}
	return n
}

// unmask XORs b, the payload bytes from offset off of a frame, with its
// masking key (RFC 6455 §5.3).
func unmask(b []byte, key [4]byte, off uint64) {
	// Rotate the key so that key[0] applies to b[0], then go a word at a
	// time.
	var k [4]byte
	for i := range k {
		k[i] = key[(off+uint64(i))&3]
	}
	w := uint64(binary.LittleEndian.Uint32(k[:]))
	w |= w << 32
	i := 0
	for ; i+8 <= len(b); i += 8 {
		binary.LittleEndian.PutUint64(b[i:], binary.LittleEndian.Uint64(b[i:])^w)
	}
	for ; i < len(b); i++ {
		b[i] ^= k[i&3]
	}
}

// endFrame finishes the frame in progress: control frames are reported.
func (c *Conn) endFrame(s *dirState, frame uint64, t time.Time, ev *[]transport.Event) {
	s.inFrame = false
	if s.opcode < 8 || s.opcode > OpPong {
		return
	}
	info := &transport.WebSocketInfo{Opcode: s.opcode, PayloadLen: int(s.length)}
	e := transport.Event{Dir: s.d, Frame: frame, Time: t, Offset: s.start, WebSocket: info}
	switch s.opcode {
	case OpPing, OpPong:
		e.Type = "ws_ping"
		if s.opcode == OpPong {
			e.Type = "ws_pong"
		}
		e.Message = opcodeName(s.opcode) + " from the " + s.d.Name() + " (" + strconv.FormatUint(s.length, 10) + " bytes of payload)"
		c.emit(ev, e)
	case OpClose:
		e.Type = "ws_close"
		p := s.control
		var bad string
		switch {
		case len(p) == 0:
			e.Message = "close frame from the " + s.d.Name() + ", without a status code"
		case len(p) == 1:
			e.Message = "close frame from the " + s.d.Name() + " with a 1-byte payload"
			bad = "a close payload of 1 byte: a status code takes 2"
		default:
			info.CloseCode = binary.BigEndian.Uint16(p)
			info.CloseReason = string(p[2:])
			e.Message = "close frame from the " + s.d.Name() + ": " + strconv.Itoa(int(info.CloseCode)) + " " + CloseCodeName(info.CloseCode)
			if info.CloseReason != "" {
				e.Message += ", reason " + strconv.QuoteToGraphic(info.CloseReason)
			}
			switch {
			case !validCloseCode(info.CloseCode):
				bad = "close code " + strconv.Itoa(int(info.CloseCode)) + " may not be sent"
			case !utf8.Valid(p[2:]):
				bad = "the close reason is not valid UTF-8"
			}
		}
		c.emit(ev, e)
		if bad != "" {
			c.problem(s, CodeClosePayload, bad, s.start, frame, t, ev)
		}
		s.closed = true
	}
}

// Gap implements transport.Layer: bytes lost inside a frame's payload are
// handed on as lost; bytes lost anywhere else end the direction's decoding
// (the next frame header cannot be found).
func (c *Conn) Gap(d transport.Dir, n int64, frame uint64, t time.Time, out *[2]transport.Bytes, ev *[]transport.Event) {
	c.out = out
	s := &c.dirs[d]
	defer func() { s.pos += n }()
	if s.phase == phaseDead {
		return
	}
	if s.phase == phaseFrames && s.inFrame && uint64(n) <= s.remaining && n <= maxLoseFill {
		if s.pass {
			out[d].Lose(int(n), frame, t)
		}
		s.remaining -= uint64(n)
		s.maskOff += uint64(n)
		if s.remaining == 0 {
			c.endFrame(s, frame, t, ev)
		}
		return
	}
	c.problem(s, CodeLostSync, strconv.FormatInt(n, 10)+" bytes of the "+d.Arrow()+" stream were lost across a frame header; the frames after them cannot be found", s.pos, frame, t, ev)
	s.phase = phaseDead
}

// End implements transport.Layer.
func (c *Conn) End(out *[2]transport.Bytes, ev *[]transport.Event) {
	c.out = out
	if c.reqSeen && !c.respSeen {
		e := c.upgradeEvent(c.reqFrame, c.reqTime, 0)
		c.emit(ev, e)
	}
	// A data frame cut off by the end shows as a truncated MQTT packet; a
	// control frame or a header would go unsaid.
	for i := range c.dirs {
		s := &c.dirs[i]
		switch {
		case s.phase != phaseFrames:
		case s.hdrN > 0:
			c.problem(s, CodeIncomplete, "the "+s.d.Arrow()+" stream ends inside a frame header ("+strconv.Itoa(s.hdrN)+" bytes of it)", s.start, s.lastFrame, s.lastTime, ev)
		case s.inFrame && !s.pass && s.remaining > 0:
			c.problem(s, CodeIncomplete, "the "+s.d.Arrow()+" stream ends inside a "+opcodeName(s.opcode)+" frame ("+
				strconv.FormatUint(s.length-s.remaining, 10)+" of its "+strconv.FormatUint(s.length, 10)+" payload bytes)", s.start, s.lastFrame, s.lastTime, ev)
		}
	}
}

// problem reports a protocol problem of direction s (the first 3 of each
// code per direction; the rest are counted only).
func (c *Conn) problem(s *dirState, code, what string, off int64, frame uint64, t time.Time, ev *[]transport.Event) {
	if s.reported == nil {
		s.reported = make(map[string]int)
	}
	s.reported[code]++
	if k := s.reported[code]; k > 3 {
		return
	} else if k == 3 {
		what += " (further " + code + " problems of the " + s.d.Name() + " are not reported)"
	}
	msg := what
	for _, r := range Codes {
		if r.Code == code {
			msg += " — " + r.Rule
			break
		}
	}
	if off >= 0 {
		msg = "offset " + strconv.FormatInt(off, 10) + ": " + msg
	}
	c.emit(ev, transport.Event{Dir: s.d, Type: "ws_problem", Code: code, Message: msg, Frame: frame, Time: t, Offset: off})
}

func opcodeName(op uint8) string {
	switch op {
	case OpContinuation:
		return "continuation"
	case OpText:
		return "text"
	case OpBinary:
		return "binary"
	case OpClose:
		return "close"
	case OpPing:
		return "ping"
	case OpPong:
		return "pong"
	}
	return "opcode 0x" + strconv.FormatUint(uint64(op), 16)
}

// validCloseCode reports whether a close code may be sent (RFC 6455 §7.4:
// 1000-1003, 1007-1014 as registered with IANA, and 3000-4999).
func validCloseCode(code uint16) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014:
		return true
	case code >= 3000 && code <= 4999:
		return true
	}
	return false
}

// CloseCodeName names a close status code (RFC 6455 §7.4.1, IANA registry).
func CloseCodeName(code uint16) string {
	switch code {
	case 1000:
		return "normal closure"
	case 1001:
		return "going away"
	case 1002:
		return "protocol error"
	case 1003:
		return "unsupported data"
	case 1005:
		return "no status received"
	case 1006:
		return "abnormal closure"
	case 1007:
		return "invalid payload data"
	case 1008:
		return "policy violation"
	case 1009:
		return "message too big"
	case 1010:
		return "mandatory extension"
	case 1011:
		return "internal error"
	case 1012:
		return "service restart"
	case 1013:
		return "try again later"
	case 1014:
		return "bad gateway"
	case 1015:
		return "TLS handshake"
	}
	switch {
	case code >= 3000 && code <= 3999:
		return "(registered for libraries and frameworks)"
	case code >= 4000 && code <= 4999:
		return "(private use)"
	}
	return "(reserved)"
}

// emit adds an event, placed after the output its direction has so far.
func (c *Conn) emit(ev *[]transport.Event, e transport.Event) {
	if c.out != nil {
		e.At = c.out[e.Dir].Len()
	}
	*ev = append(*ev, e)
}
