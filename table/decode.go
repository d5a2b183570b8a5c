package table

import (
	"encoding/binary"
	"errors"
	"math"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
)

// errMessage is a message that does not decode: a bug (encode and decode
// disagree), never the traffic's doing.
var errMessage = errors.New("table: internal error: a row message does not decode")

// rowDecoder reads the messages rowEncoder writes into rows. Strings that
// repeat from row to row (the file, addresses, client ids, topics, names)
// are interned: one string, and one pointer to it, serves every row that
// has it; rows only read them.
type rowDecoder struct {
	b      []byte
	bad    bool
	strs   map[string]*string
	direct [2]string
	// conns holds the strings of each connection's last row (by stream and
	// interface): a connection's rows repeat them, and comparing bytes
	// costs less than looking them up. file is the last row's file.
	conns map[uint64]*connStrings
	file  *string
}

// connStrings are the strings a connection's rows repeat: its two
// addresses (in the order first seen), client id and username.
type connStrings struct {
	addr               [2]*string
	clientID, username *string
	topics             [4]*string // the last topics, newest at next-1
	next               int
}

// topic is the next topic of a connection's row: one of its last ones
// (a device posts and is answered on a few), else interned.
func (d *rowDecoder) topic(c *connStrings) *string {
	v := d.raw()
	for _, t := range c.topics {
		if t != nil && string(v) == *t {
			return t
		}
	}
	t := d.intern(v)
	c.topics[c.next] = t
	c.next = (c.next + 1) % len(c.topics)
	return t
}

// maxInterned bounds the intern table: a capture of unique topics must not
// keep them all.
const maxInterned = 1 << 16

func newRowDecoder() *rowDecoder {
	return &rowDecoder{strs: map[string]*string{}, direct: [2]string{"client_to_server", "server_to_client"},
		conns: map[uint64]*connStrings{}}
}

func (d *rowDecoder) byte() byte {
	if len(d.b) == 0 {
		d.bad = true
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *rowDecoder) bool() bool { return d.byte() == 1 }

func (d *rowDecoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *rowDecoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *rowDecoder) float() float64 {
	if len(d.b) < 8 {
		d.bad = true
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return v
}

// raw is the next length-prefixed bytes, aliasing the message.
func (d *rowDecoder) raw() []byte {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.bad = true
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

// interned is the next string, shared with the rows that have it.
func (d *rowDecoder) interned() *string { return d.intern(d.raw()) }

// intern is b as a string shared with the rows that have it.
func (d *rowDecoder) intern(b []byte) *string {
	if p, ok := d.strs[string(b)]; ok {
		return p
	}
	if len(d.strs) >= maxInterned {
		clear(d.strs)
	}
	s := string(b)
	d.strs[s] = &s
	return &s
}

func (d *rowDecoder) str() string { return *d.interned() }

// same is the next string: last when it is the same, else interned.
func (d *rowDecoder) same(last *string) *string {
	v := d.raw()
	if last != nil && string(v) == *last {
		return last
	}
	return d.intern(v)
}

// addr is the next address of a connection's row: one of the two its rows
// have (the sender's and the receiver's).
func (d *rowDecoder) addr(c *connStrings) string {
	v := d.raw()
	for i, a := range c.addr {
		switch {
		case a == nil:
			c.addr[i] = d.intern(v)
			return *c.addr[i]
		case string(v) == *a:
			return *a
		}
	}
	return *d.intern(v)
}

// conn is the strings of a connection's rows.
func (d *rowDecoder) conn(stream, iface int32) *connStrings {
	key := uint64(uint32(stream))<<32 | uint64(uint32(iface))
	c := d.conns[key]
	if c == nil {
		if len(d.conns) >= maxInterned {
			clear(d.conns) // connections whose end was not written (-Y)
		}
		c = &connStrings{}
		d.conns[key] = c
	}
	return c
}

// fresh is the next string, not interned (values that rarely repeat).
func (d *rowDecoder) fresh() string { return string(d.raw()) }

func (d *rowDecoder) time() time.Time {
	n := d.varint()
	if n == math.MinInt64 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// i32 points at v: small values (versions, QoS, reason codes) at a
// shared one, so that most rows allocate none; rows only read them.
func (d *rowDecoder) i32(v int64) *int32 {
	if v >= 0 && v < int64(len(smallInt32s)) {
		return &smallInt32s[v]
	}
	x := int32(v)
	return &x
}

// boolp points at a shared true or false.
func boolp(v bool) *bool {
	if v {
		return &bools[1]
	}
	return &bools[0]
}

// smallInt32s and bools are what i32 and boolp point at: never written.
var (
	smallInt32s = func() (a [256]int32) {
		for i := range a {
			a[i] = int32(i)
		}
		return a
	}()
	bools = [2]bool{false, true}
)

// packet reads a packet row (after its kind byte) into row.
func (d *rowDecoder) packet(row *PacketRow) {
	*row = PacketRow{}
	row.Time = d.time()
	d.file = d.same(d.file)
	row.File = *d.file
	row.Frame = int64(d.uvarint())
	row.FileFrame = int64(d.uvarint())
	row.Stream = int32(d.varint())
	row.Interface = int32(d.varint())
	c := d.conn(row.Stream, row.Interface)
	row.Src, row.Dst = d.addr(c), d.addr(c)
	if d.bool() {
		row.Direction = d.direct[0]
	} else {
		row.Direction = d.direct[1]
	}
	if d.bool() {
		row.Version = d.i32(int64(d.uvarint()))
	}
	row.VersionInferred = d.bool()
	row.Type = decode.Type(d.byte()).String()
	row.Flags = int32(d.byte())
	row.Length = int32(d.uvarint())
	row.Truncated = d.bool()
	if d.bool() {
		c.clientID, c.username = d.same(c.clientID), d.same(c.username)
		row.ClientID, row.Username = c.clientID, c.username
	}
	if d.bool() {
		row.Topic = d.topic(c)
	}
	if d.bool() {
		row.QoS = d.i32(int64(d.byte()))
		row.Retain, row.Dup = boolp(d.bool()), boolp(d.bool())
	}
	if d.bool() {
		row.PacketID = d.i32(int64(d.uvarint()))
	}
	if d.bool() {
		payload := d.raw()
		row.PayloadLength = d.i32(int64(len(payload)))
		row.Payload = append([]byte{}, payload...)
	}
	if d.bool() {
		row.ReasonCode = d.i32(int64(d.byte()))
		row.ReasonName = d.interned()
	}
	if codes := d.raw(); len(codes) > 0 {
		row.ReasonCodes = make([]int32, len(codes))
		for i, c := range codes {
			row.ReasonCodes[i] = int32(c)
		}
	}
	if d.bool() {
		n := d.uvarint()
		row.Properties = make(map[string]string, min(n, 64))
		for i := uint64(0); i < n && !d.bad; i++ {
			k := d.str()
			row.Properties[k] = d.fresh()
		}
		if n := d.uvarint(); n > 0 {
			row.UserProperties = make([]KeyValue, 0, min(n, 64))
			for i := uint64(0); i < n && !d.bad; i++ {
				k := d.fresh()
				row.UserProperties = append(row.UserProperties, KeyValue{Key: k, Value: d.fresh()})
			}
		}
	}
	if n := d.uvarint(); n > 0 {
		row.Problems = make([]string, 0, min(n, 64))
		for i := uint64(0); i < n && !d.bad; i++ {
			row.Problems = append(row.Problems, d.str())
		}
	}
	if d.bool() {
		if d.bool() {
			row.OneNETFunction = d.interned()
		}
		if d.bool() {
			id := d.fresh()
			row.OneNETID = &id
		}
		if d.bool() {
			row.OneNETCode = d.i32(d.varint())
		}
		if d.bool() {
			ms := d.float()
			row.OneNETLatencyMS = &ms
		}
	}
}

// connection reads a connection row (after its kind byte) into row.
func (d *rowDecoder) connection(row *ConnectionRow) {
	*row = ConnectionRow{}
	row.Start = d.time()
	row.File, row.FirstFile = d.str(), d.str()
	row.Stream = int32(d.varint())
	row.Interface = int32(d.varint())
	delete(d.conns, uint64(uint32(row.Stream))<<32|uint64(uint32(row.Interface)))
	row.Client, row.Server = d.fresh(), d.str()
	row.Time = d.time()
	row.DurationMS = float64(row.Time.Sub(row.Start)) / float64(time.Millisecond)
	row.FirstFrame, row.LastFrame = int64(d.uvarint()), int64(d.uvarint())
	row.FirstFileFrame, row.LastFileFrame = int64(d.uvarint()), int64(d.uvarint())
	if d.bool() {
		if d.bool() {
			row.Version = d.i32(int64(d.uvarint()))
		}
		row.TLS = d.bool()
		row.Transport = d.str()
		row.EndReason = d.str()
		row.PacketsC2S, row.PacketsS2C = int64(d.uvarint()), int64(d.uvarint())
		if d.bool() {
			row.ClientID, row.Username = d.interned(), d.interned()
			row.KeepAlive = d.i32(int64(d.uvarint()))
			ms := float64(d.varint()) / float64(time.Millisecond)
			row.MaxSilenceMS = &ms
		}
		if d.bool() {
			row.ConnackCode = d.i32(int64(d.byte()))
			row.LoginRefused = boolp(d.bool())
		}
	}
	if row.Transport == "" {
		row.Transport = "tcp"
	}
	row.BytesC2S, row.BytesS2C = d.varint(), d.varint()
	row.ClosedByClient, row.ClosedByServer = d.str(), d.str()
	if d.bool() {
		row.Verdict = d.interned()
		n := d.uvarint()
		for i := uint64(0); i < n && !d.bad; i++ {
			row.VerdictReasons = append(row.VerdictReasons, d.fresh())
		}
	}
}

// peekTime is the time a message starts with (after its kind byte), which
// chooses its partition, without reading it.
func (d *rowDecoder) peekTime() time.Time {
	b := d.b
	t := d.time()
	d.b = b
	return t
}
