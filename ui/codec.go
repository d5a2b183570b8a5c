package ui

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/onenet"
	"github.com/mqttpcap/mqttpcap/pipeline"
)

// A record's blob in the spill file holds what a view needs to render it
// again and that its raw bytes cannot give back: the capture time, the
// decoder's frame (header length, remaining length, how it was cut), the
// session's part of the packet (version, alias topic, problems) and
// OneNET's reading in compact form. The packet's fields come back from the
// raw bytes, decoded again with the same version (decode.Decoder), and
// OneNET's token and OneJSON message are parsed again from the packet.
//
//	kind 1 (packet): time, rel, conn, from-client, version, packet flags,
//	    header length, remaining length, remaining-length bytes, raw,
//	    alias topic, problems, OneNET
//	kind 2 (event):  time, rel, conn, from-client, type, message, bytes,
//	    protocol
//
// Integers are varints, strings and byte slices are length-prefixed.

const (
	blobPacket = 1
	blobEvent  = 2
)

// Packet flags in a blob.
const (
	pfInferred = 1 << iota
	pfTruncated
	pfBadLength
	pfFirstOfConn // the connection's first packet (read's "assumed" note)
	pfOneByte     // the remaining length was written as one byte over 127
)

// OneNET presence bits.
const (
	onToken = 1 << iota
	onTopic
	onMessage
	onReply
)

var errBlob = errors.New("ui: spill: damaged record")

type enc struct{ b []byte }

func (e *enc) u(v uint64)     { e.b = binary.AppendUvarint(e.b, v) }
func (e *enc) i(v int64)      { e.b = binary.AppendVarint(e.b, v) }
func (e *enc) byte1(v byte)   { e.b = append(e.b, v) }
func (e *enc) bytes(v []byte) { e.u(uint64(len(v))); e.b = append(e.b, v...) }
func (e *enc) str(v string)   { e.u(uint64(len(v))); e.b = append(e.b, v...) }
func (e *enc) bool(v bool)    { e.byte1(b2b(v)) }
func (e *enc) time(t time.Time) {
	if t.IsZero() {
		e.i(0)
		return
	}
	e.i(t.UnixNano())
}

func b2b(v bool) byte {
	if v {
		return 1
	}
	return 0
}

type dec struct {
	b   []byte
	err bool
}

func (d *dec) u() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err, d.b = true, nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) i() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err, d.b = true, nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) byte1() byte {
	if len(d.b) == 0 {
		d.err = true
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *dec) bytes() []byte {
	n := d.u()
	if n > uint64(len(d.b)) {
		d.err, d.b = true, nil
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

func (d *dec) str() string { return string(d.bytes()) }
func (d *dec) bool() bool  { return d.byte1() != 0 }
func (d *dec) time() time.Time {
	ns := d.i()
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

// encodeRecord appends the blob of a packet or event record; conn is the
// index's number of its connection (0: none).
func encodeRecord(b []byte, r *pipeline.Record, conn uint32) []byte {
	e := enc{b: b}
	kind := byte(blobEvent)
	if r.Kind == pipeline.KindPacket {
		kind = blobPacket
	}
	e.byte1(kind)
	e.time(r.Time)
	e.i(int64(r.Rel))
	e.u(uint64(conn))
	e.bool(r.FromClient)
	if kind == blobEvent {
		ev := r.Event
		e.str(ev.Type)
		e.str(ev.Message)
		e.i(ev.Bytes)
		e.str(ev.Protocol)
		return e.b
	}
	p := r.Packet
	e.byte1(byte(p.Version))
	var fl byte
	if p.VersionInferred {
		fl |= pfInferred
	}
	if p.Truncated {
		fl |= pfTruncated
	}
	for _, pr := range p.Problems {
		switch {
		case pr.Code == "vbi_too_long" && pr.Off == 1:
			fl |= pfBadLength
		case pr.Code == "one_byte_length":
			fl |= pfOneByte
		}
	}
	if r.Info != nil && r.Info.Packets[0]+r.Info.Packets[1] == 1 {
		fl |= pfFirstOfConn
	}
	e.byte1(fl)
	e.u(uint64(p.HeaderLen))
	e.u(uint64(p.RemainingLength))
	e.u(uint64(p.RemainingLengthBytes))
	e.bytes(p.Raw)
	e.bytes(p.AliasTopic)
	e.u(uint64(len(p.Problems)))
	for _, pr := range p.Problems {
		e.i(int64(pr.Off))
		e.str(pr.Field)
		e.str(pr.Code)
		e.str(pr.Message)
	}
	encodeOneNET(&e, r.OneNET)
	return e.b
}

func encodeFindings(e *enc, fs []onenet.Finding) {
	e.u(uint64(len(fs)))
	for _, f := range fs {
		e.str(f.Code)
		e.str(f.Field)
		e.i(int64(f.Off))
		e.str(f.Message)
		e.byte1(byte(f.Severity))
	}
}

func decodeFindings(d *dec) []onenet.Finding {
	n := d.u()
	if n > uint64(len(d.b)) {
		d.err = true
		return nil
	}
	var fs []onenet.Finding
	for ; n > 0 && !d.err; n-- {
		fs = append(fs, onenet.Finding{Code: d.str(), Field: d.str(), Off: int(d.i()), Message: d.str(), Severity: onenet.Severity(d.byte1())})
	}
	return fs
}

// encodeOneNET keeps what OneNET said of a packet: the token and message
// are parsed again from the packet, so only what depended on the rest of
// the connection is kept (the checks' findings, the signature, the
// pairing of a reply, the topic's classification).
func encodeOneNET(e *enc, on *onenet.PacketInfo) {
	if on == nil {
		e.byte1(0)
		return
	}
	var has byte
	if on.Token != nil {
		has |= onToken
	}
	if on.Topic != nil {
		has |= onTopic
	}
	if on.Message != nil {
		has |= onMessage
	}
	if on.ReplyTo != nil {
		has |= onReply
	}
	e.byte1(has | 0x80) // 0x80: there is a PacketInfo
	if ti := on.Token; ti != nil {
		encodeFindings(e, ti.Findings)
		e.str(ti.Signature)
		e.bool(ti.Expired)
		e.i(int64(ti.ExpiredBy))
	}
	if t := on.Topic; t != nil {
		e.str(string(t.Platform))
		e.str(t.ProductID)
		e.str(t.DeviceName)
		e.str(t.Function)
		e.str(t.Name)
		e.byte1(byte(t.Direction))
		e.bool(t.Reply)
		e.str(t.Request)
		e.str(t.ReplyFunction)
		e.str(t.Identifier)
	}
	if m := on.Message; m != nil {
		encodeFindings(e, m.Findings)
	}
	if r := on.ReplyTo; r != nil {
		e.u(r.Frame)
		e.i(int64(r.Latency))
	}
	encodeFindings(e, on.Findings)
}

// blob is a decoded record blob: a record as the views see it, its packet
// decoded again from its raw bytes.
type blob struct {
	kind       byte
	time       time.Time
	rel        time.Duration
	conn       uint32
	fromClient bool
	first      bool // the connection's first packet
	event      pipeline.Event
	packet     *decode.Packet
	onenet     *onenet.PacketInfo
}

// decodeBlob decodes a record blob with dc (its packet is valid until dc's
// next call). skipFields leaves the field list out (filtering needs only
// the typed members); noOneNET leaves OneNET's reading out.
func decodeBlob(b []byte, dc *decode.Decoder, skipFields bool) (blob, error) {
	d := dec{b: b}
	var bl blob
	bl.kind = d.byte1()
	bl.time = d.time()
	bl.rel = time.Duration(d.i())
	bl.conn = uint32(d.u())
	bl.fromClient = d.bool()
	if bl.kind == blobEvent {
		bl.event = pipeline.Event{Type: d.str(), Message: d.str(), Bytes: d.i(), Protocol: d.str()}
		if d.err {
			return bl, errBlob
		}
		return bl, nil
	}
	if bl.kind != blobPacket {
		return bl, errBlob
	}
	version := decode.Version(d.byte1())
	fl := d.byte1()
	headerLen := int(d.u())
	rl := uint32(d.u())
	rlBytes := int(d.u())
	raw := d.bytes()
	alias := d.bytes()
	if d.err {
		return bl, errBlob
	}
	dc.SkipFields = skipFields
	var p *decode.Packet
	if headerLen == 0 || headerLen > len(raw) {
		p = dc.Decode(raw, version)
	} else {
		f := decode.Frame{Raw: raw, HeaderLen: headerLen, RemainingLength: rl, Truncated: fl&pfTruncated != 0, BadLength: fl&pfBadLength != 0,
			OneByteLength: fl&pfOneByte != 0}
		if f.Truncated {
			f.Missing = headerLen + int(rl) - len(raw)
		}
		p = dc.DecodeFrame(f, version)
	}
	p.Version = version
	p.VersionInferred = fl&pfInferred != 0
	p.Truncated = fl&pfTruncated != 0
	p.RemainingLengthBytes = rlBytes
	if len(alias) > 0 {
		p.AliasTopic = alias
	}
	bl.first = fl&pfFirstOfConn != 0
	n := d.u()
	p.Problems = p.Problems[:0]
	for ; n > 0 && !d.err; n-- {
		p.Problems = append(p.Problems, decode.Problem{Off: int(d.i()), Field: d.str(), Code: d.str(), Message: d.str()})
	}
	bl.packet = p
	bl.onenet = decodeOneNET(&d, p)
	if d.err {
		return bl, errBlob
	}
	return bl, nil
}

func decodeOneNET(d *dec, p *decode.Packet) *onenet.PacketInfo {
	has := d.byte1()
	if has == 0 {
		return nil
	}
	info := &onenet.PacketInfo{}
	if has&onToken != 0 {
		ti := &onenet.TokenInfo{Findings: decodeFindings(d), Signature: d.str(), Expired: d.bool(), ExpiredBy: time.Duration(d.i())}
		if tok, err := onenet.ParseToken(string(p.Password)); err == nil {
			ti.Token = tok
			info.Token = ti
		}
	}
	if has&onTopic != 0 {
		info.Topic = &onenet.Topic{Platform: onenet.Platform(d.str()), ProductID: d.str(), DeviceName: d.str(), Function: d.str(),
			Name: d.str(), Direction: onenet.Direction(d.byte1()), Reply: d.bool(), Request: d.str(), ReplyFunction: d.str(), Identifier: d.str()}
	}
	if has&onMessage != 0 {
		fs := decodeFindings(d)
		if info.Topic != nil {
			if m, ok := onenet.ParseMessage(*info.Topic, p.Payload); ok {
				m.Findings = fs
				info.Message = m
			}
		}
	}
	if has&onReply != 0 {
		info.ReplyTo = &onenet.Reply{Frame: d.u(), Latency: time.Duration(d.i())}
	}
	info.Findings = decodeFindings(d)
	return info
}
