package table

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"path/filepath"
	"strconv"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/onenet"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/stream"
)

// A row travels as bytes from where it is built to where it is written:
// the pipeline's workers build the rows of their connections (shards,
// pipeline.Sharder) and the writer decodes them in record order and
// writes them (Writer.Output). Building a row from a record allocates
// nothing; decoding it shares the strings that repeat (addresses, client
// ids, topics) through an intern table. Without workers the same two
// steps run one after the other.
//
// A message is a kind byte (msgPacket or msgConnection), then the time
// that chooses the row's partition (the packet's, the connection's
// start), then the row's values in the order of the row's columns:
// numbers as varints, strings and bytes with their length before them,
// optional values behind a presence byte.

const (
	msgPacket     = 'p'
	msgConnection = 'c'
)

// rowEncoder builds the messages of one worker's records.
type rowEncoder struct {
	b      []byte
	file   string // the file column when records carry none
	filter func(*pipeline.Record) bool
	// addrs caches each open connection's client and server as text.
	addrs map[*stream.Conn][2]string
	props map[string]string // scratch: one packet's properties
}

func newRowEncoder(file string, filter func(*pipeline.Record) bool) *rowEncoder {
	return &rowEncoder{file: file, filter: filter, addrs: map[*stream.Conn][2]string{}, props: map[string]string{}}
}

func (e *rowEncoder) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *rowEncoder) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *rowEncoder) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}
func (e *rowEncoder) str(s string) {
	e.uvarint(uint64(len(s)))
	e.b = append(e.b, s...)
}
func (e *rowEncoder) bytes(s []byte) {
	e.uvarint(uint64(len(s)))
	e.b = append(e.b, s...)
}

// present writes whether an optional value follows.
func (e *rowEncoder) present(ok bool) bool {
	e.bool(ok)
	return ok
}

func (e *rowEncoder) float(v float64) {
	e.b = binary.LittleEndian.AppendUint64(e.b, math.Float64bits(v))
}

func (e *rowEncoder) time(t time.Time) {
	if t.IsZero() {
		e.varint(math.MinInt64)
		return
	}
	e.varint(t.UnixNano())
}

// addrs are a connection's client and server, cached while it is open.
func (e *rowEncoder) connAddrs(c *stream.Conn, info *pipeline.ConnInfo) (client, server string) {
	a, ok := e.addrs[c]
	if !ok || a[1] == "" && info != nil && info.ServerName != "" {
		a[0], a[1] = pipeline.Addrs(c, info)
		e.addrs[c] = a
	}
	return a[0], a[1]
}

// record appends the message of a record that makes a row: a packet, or
// the end of a connection, that the filter keeps. It returns false for the
// others.
func (e *rowEncoder) record(r *pipeline.Record) bool {
	if r.Kind == pipeline.KindConnDone {
		delete(e.addrs, r.Conn)
	}
	if r.Kind == pipeline.KindConnDone && r.Final == nil || e.filter != nil && !e.filter(r) {
		return false
	}
	switch r.Kind {
	case pipeline.KindPacket:
		e.packet(r)
		return true
	case pipeline.KindConnDone:
		e.connection(r)
		return true
	}
	return false
}

// fileOf is the file column: the file a record names, without its
// directory, else the writer's.
func (e *rowEncoder) fileOf(name string) string {
	if name == "" {
		return e.file
	}
	return filepath.Base(name)
}

// frameIn is a frame's number in its file: the record's, else the frame.
func frameIn(file string, fileFrame, frame uint64) uint64 {
	if file == "" {
		return frame
	}
	return fileFrame
}

// packet appends the row of one MQTT packet: PacketRow's columns in order.
func (e *rowEncoder) packet(r *pipeline.Record) {
	p := r.Packet
	e.b = append(e.b, msgPacket)
	e.time(r.Time) // first: it chooses the row's partition
	e.str(e.fileOf(r.File))
	e.uvarint(r.Frame)
	e.uvarint(frameIn(r.File, r.FileFrame, r.Frame))
	var src, dst string
	if r.Conn != nil {
		e.varint(int64(r.Conn.Stream))
		e.varint(int64(r.Conn.Interface))
		src, dst = e.connAddrs(r.Conn, r.Info)
		if !r.FromClient {
			src, dst = dst, src
		}
	} else {
		e.varint(0)
		e.varint(0)
	}
	e.str(src)
	e.str(dst)
	e.bool(r.FromClient)
	if e.present(p.Version != decode.VersionUnknown) {
		e.uvarint(uint64(p.Version))
	}
	e.bool(p.VersionInferred)
	e.b = append(e.b, byte(p.Type), p.Flags)
	e.uvarint(uint64(len(p.Raw)))
	e.bool(p.Truncated)
	info := r.Info
	if e.present(info != nil && info.HasConnect) {
		e.str(info.ClientID)
		e.str(info.Username)
	}
	// The topic: a PUBLISH's (an MQTT 5 alias resolved), the first filter
	// of a SUBSCRIBE or UNSUBSCRIBE.
	var topic []byte
	hasTopic := false
	switch p.Type {
	case decode.PUBLISH:
		switch {
		case len(p.Topic) == 0 && p.AliasTopic != nil:
			topic, hasTopic = p.AliasTopic, true
		case p.Has&decode.HasTopic != 0:
			topic, hasTopic = p.Topic, true
		}
	case decode.SUBSCRIBE:
		if len(p.Subscriptions) > 0 {
			topic, hasTopic = p.Subscriptions[0].Topic, true
		}
	case decode.UNSUBSCRIBE:
		if len(p.TopicFilters) > 0 {
			topic, hasTopic = p.TopicFilters[0], true
		}
	}
	if e.present(hasTopic) {
		e.bytes(topic)
	}
	if e.present(p.Type == decode.PUBLISH) {
		e.b = append(e.b, p.QoS)
		e.bool(p.Retain)
		e.bool(p.DUP)
	}
	if e.present(p.HasPacketID) {
		e.uvarint(uint64(p.PacketID))
	}
	if e.present(p.Type == decode.PUBLISH && p.Has&decode.HasPayload != 0) {
		e.bytes(p.Payload)
	}
	// The reason code: a CONNACK's return code or an MQTT 5 reason code,
	// else the first of a SUBACK's or UNSUBACK's.
	switch {
	case p.HasReasonCode:
		e.present(true)
		e.b = append(e.b, p.ReasonCode)
		e.str(p.ReasonName())
	case len(p.ReasonCodes) > 0:
		e.present(true)
		e.b = append(e.b, p.ReasonCodes[0])
		e.str(decode.ReasonName(p.Type, p.Version, p.ReasonCodes[0]))
	default:
		e.present(false)
	}
	e.bytes(p.ReasonCodes)
	e.properties(&p.Properties)
	e.uvarint(uint64(len(p.Problems)))
	for _, pr := range p.Problems {
		e.str(pr.Code)
	}
	e.onenet(r.OneNET)
}

// properties appends the property columns: each property by its name
// (the JSON's), its value as text (numbers in decimal, binary data as
// hex), the first one when a property is duplicated (a protocol error),
// subscription identifiers comma-separated, user properties apart, in
// order. A CONNECT's will properties are not in the table (the JSON has
// them).
func (e *rowEncoder) properties(ps *decode.Properties) {
	if !e.present(ps.Present) {
		return
	}
	props := e.props
	clear(props)
	users := 0
	for _, pr := range ps.List {
		switch {
		case pr.ID == decode.PropUserProperty:
			users++
			continue
		case pr.ID == decode.PropSubscriptionIdentifier:
			// Several are allowed: one key, as in the JSON.
			const key = "subscription_identifiers"
			v := strconv.FormatUint(uint64(pr.Uint), 10)
			if old, ok := props[key]; ok {
				v = old + "," + v
			}
			props[key] = v
			continue
		}
		name := pr.Name()
		if _, dup := props[name]; dup {
			continue
		}
		switch pr.ID.Type() {
		case decode.PropUTF8:
			props[name] = string(pr.Data)
		case decode.PropBinary:
			props[name] = hex.EncodeToString(pr.Data)
		default:
			props[name] = strconv.FormatUint(uint64(pr.Uint), 10)
		}
	}
	e.uvarint(uint64(len(props)))
	for k, v := range props {
		e.str(k)
		e.str(v)
	}
	e.uvarint(uint64(users))
	for _, pr := range ps.List {
		if pr.ID == decode.PropUserProperty {
			e.bytes(pr.Data)
			e.bytes(pr.Data2)
		}
	}
}

func (e *rowEncoder) onenet(on *onenet.PacketInfo) {
	if !e.present(on != nil) {
		return
	}
	if e.present(on.Topic != nil) {
		e.str(on.Topic.Function)
	}
	m := on.Message
	if e.present(m != nil && m.HasID) {
		e.bytes(m.ID)
	}
	if e.present(m != nil && m.HasCode) {
		e.varint(int64(m.Code))
	}
	if e.present(on.ReplyTo != nil) {
		e.float(float64(on.ReplyTo.Latency) / float64(time.Millisecond))
	}
}

// connection appends the row of a connection that ended: ConnectionRow's
// columns in order.
func (e *rowEncoder) connection(r *pipeline.Record) {
	c := r.Final
	e.b = append(e.b, msgConnection)
	e.time(c.FirstTime) // first: it chooses the row's partition
	e.str(e.fileOf(r.File))
	e.str(e.fileOf(r.FirstFile))
	e.varint(int64(c.Stream))
	e.varint(int64(c.Interface))
	client, server := pipeline.Addrs(c, r.Info)
	e.str(client)
	e.str(server)
	e.time(c.LastTime)
	e.uvarint(c.FirstFrame)
	e.uvarint(c.LastFrame)
	e.uvarint(frameIn(r.FirstFile, r.FirstFileFrame, c.FirstFrame))
	e.uvarint(frameIn(r.File, r.FileFrame, c.LastFrame))
	info := r.Info
	if e.present(info != nil) {
		if e.present(info.Version != decode.VersionUnknown) {
			e.uvarint(uint64(info.Version))
		}
		e.bool(info.TLS)
		e.str(info.Transport)
		e.str(info.Why)
		e.uvarint(uint64(info.Packets[0]))
		e.uvarint(uint64(info.Packets[1]))
		if e.present(info.HasConnect) {
			e.str(info.ClientID)
			e.str(info.Username)
			e.uvarint(uint64(info.KeepAlive))
			e.varint(int64(info.MaxQuiet))
		}
		if e.present(info.HasConnack) {
			e.b = append(e.b, info.ConnackCode)
			e.bool(decode.IsFailure(decode.CONNACK, info.Version, info.ConnackCode))
		}
	}
	e.varint(c.Bytes[0])
	e.varint(c.Bytes[1])
	e.str(c.End[0])
	e.str(c.End[1])
	v := r.Verdict
	if e.present(v.Status != "") {
		e.str(v.Status)
		e.uvarint(uint64(len(v.Reasons)))
		for _, reason := range v.Reasons {
			e.str(reason)
		}
	}
}
