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
}

// maxInterned bounds the intern table: a capture of unique topics must not
// keep them all.
const maxInterned = 1 << 16

func newRowDecoder() *rowDecoder {
	return &rowDecoder{strs: map[string]*string{}, direct: [2]string{"client_to_server", "server_to_client"}}
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
func (d *rowDecoder) interned() *string {
	b := d.raw()
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

// fresh is the next string, not interned (values that rarely repeat).
func (d *rowDecoder) fresh() string { return string(d.raw()) }

func (d *rowDecoder) time() time.Time {
	n := d.varint()
	if n == math.MinInt64 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func (d *rowDecoder) i32(v int64) *int32 {
	x := int32(v)
	return &x
}

// packet reads a packet row (after its kind byte) into row.
func (d *rowDecoder) packet(row *PacketRow) {
	*row = PacketRow{}
	row.Time = d.time()
	row.File = d.str()
	row.Frame = int64(d.uvarint())
	row.FileFrame = int64(d.uvarint())
	row.Stream = int32(d.varint())
	row.Interface = int32(d.varint())
	row.Src, row.Dst = d.str(), d.str()
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
		row.ClientID, row.Username = d.interned(), d.interned()
	}
	if d.bool() {
		row.Topic = d.interned()
	}
	if d.bool() {
		row.QoS = d.i32(int64(d.byte()))
		retain, dup := d.bool(), d.bool()
		row.Retain, row.Dup = &retain, &dup
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
	row.File, row.FirstFile = d.str(), d.str()
	row.Stream = int32(d.varint())
	row.Interface = int32(d.varint())
	row.Client, row.Server = d.fresh(), d.str()
	row.Start, row.Time = d.time(), d.time()
	row.DurationMS = float64(row.Time.Sub(row.Start)) / float64(time.Millisecond)
	row.FirstFrame, row.LastFrame = int64(d.uvarint()), int64(d.uvarint())
	row.FirstFileFrame, row.LastFileFrame = int64(d.uvarint()), int64(d.uvarint())
	if d.bool() {
		if d.bool() {
			row.Version = d.i32(int64(d.uvarint()))
		}
		row.TLS = d.bool()
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
			refused := d.bool()
			row.LoginRefused = &refused
		}
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
