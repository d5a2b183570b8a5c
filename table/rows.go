// Package table turns the pipeline's records into rows of two analysis
// tables — one row per MQTT packet, one per connection — and writes them
// as CSV or Parquet for DuckDB, Spark or pandas. It is a sink beside
// report's JSON lines, fed the same records (style.md §3).
//
// The schema is a public interface, documented in docs/tables.md; its
// version (SchemaVersion) is in every Parquet file's key-value metadata
// and, for CSV, which has no metadata, in a .schema.json file written
// beside each CSV file.
package table

import (
	"encoding/hex"
	"strconv"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/onenet"
	"github.com/mqttpcap/mqttpcap/pipeline"
)

// SchemaVersion is the version of the packet and connection schemas. It
// changes when a column changes meaning or type or goes away; added
// columns do not change it.
const SchemaVersion = "1"

// PacketRow is one MQTT packet. Pointer members are null when the packet
// has no such field (a PINGREQ has no topic); times are UTC.
type PacketRow struct {
	Time      time.Time `parquet:"time,timestamp(microsecond)"`
	File      string    `parquet:"file,dict"`
	Frame     int64     `parquet:"frame"`
	Stream    int32     `parquet:"stream"`
	Interface int32     `parquet:"interface"`
	Src       string    `parquet:"src,dict"`
	Dst       string    `parquet:"dst,dict"`
	// Direction is "client_to_server" or "server_to_client".
	Direction string `parquet:"direction,dict"`
	// Version is the protocol level: 3 (3.1), 4 (3.1.1), 5 (5.0).
	Version         *int32 `parquet:"version,optional"`
	VersionInferred bool   `parquet:"version_inferred"`
	Type            string `parquet:"type,dict"`
	Flags           int32  `parquet:"flags"`
	Length          int32  `parquet:"length"`
	Truncated       bool   `parquet:"truncated"`
	// ClientID and Username are the connection's, from its CONNECT.
	ClientID      *string `parquet:"client_id,optional,dict"`
	Username      *string `parquet:"username,optional,dict"`
	Topic         *string `parquet:"topic,optional,dict"`
	QoS           *int32  `parquet:"qos,optional"`
	Retain        *bool   `parquet:"retain,optional"`
	Dup           *bool   `parquet:"dup,optional"`
	PacketID      *int32  `parquet:"packet_id,optional"`
	PayloadLength *int32  `parquet:"payload_length,optional"`
	Payload       []byte  `parquet:"payload,optional"`
	// ReasonCode is a CONNACK's return code or an MQTT 5 reason code (the
	// first one of a SUBACK or UNSUBACK: ReasonCodes has them all).
	ReasonCode  *int32  `parquet:"reason_code,optional"`
	ReasonName  *string `parquet:"reason_name,optional,dict"`
	ReasonCodes []int32 `parquet:"reason_codes,list"`
	// Properties are the MQTT 5 properties by name (binary ones as hex),
	// user properties apart, in order.
	Properties     map[string]string `parquet:"properties,optional"`
	UserProperties []KeyValue        `parquet:"user_properties,list"`
	// Problems are the codes of the protocol problems found in the packet.
	Problems []string `parquet:"problems,list"`
	// OneNET: the topic's function ("thing/property/post"), the OneJSON id
	// and code, and for a reply the time since its request.
	OneNETFunction  *string  `parquet:"onenet_function,optional,dict"`
	OneNETID        *string  `parquet:"onenet_id,optional"`
	OneNETCode      *int32   `parquet:"onenet_code,optional"`
	OneNETLatencyMS *float64 `parquet:"onenet_latency_ms,optional"`
}

// KeyValue is one MQTT 5 user property.
type KeyValue struct {
	Key   string `parquet:"key" json:"key"`
	Value string `parquet:"value" json:"value"`
}

// ConnectionRow is one TCP connection that carried MQTT, as it ended.
type ConnectionRow struct {
	File      string `parquet:"file,dict"`
	Stream    int32  `parquet:"stream"`
	Interface int32  `parquet:"interface"`
	Client    string `parquet:"client"`
	Server    string `parquet:"server,dict"`
	// Start is the connection's first frame's time, Time its last's (the
	// names of the JSON connection record).
	Start time.Time `parquet:"start,timestamp(microsecond)"`
	Time  time.Time `parquet:"time,timestamp(microsecond)"`
	// DurationMS is Time − Start in milliseconds.
	DurationMS float64 `parquet:"duration_ms"`
	FirstFrame int64   `parquet:"first_frame"`
	LastFrame  int64   `parquet:"last_frame"`
	Version    *int32  `parquet:"version,optional"`
	TLS        bool    `parquet:"tls"`
	ClientID   *string `parquet:"client_id,optional,dict"`
	Username   *string `parquet:"username,optional,dict"`
	KeepAlive  *int32  `parquet:"keep_alive,optional"`
	// MaxSilenceMS is the longest time the client sent no MQTT packet.
	MaxSilenceMS *float64 `parquet:"max_client_silence_ms,optional"`
	// ConnackCode is the login result (CONNACK return or reason code).
	ConnackCode  *int32 `parquet:"connack_code,optional"`
	LoginRefused *bool  `parquet:"login_refused,optional"`
	PacketsC2S   int64  `parquet:"packets_client_to_server"`
	PacketsS2C   int64  `parquet:"packets_server_to_client"`
	BytesC2S     int64  `parquet:"bytes_client_to_server"`
	BytesS2C     int64  `parquet:"bytes_server_to_client"`
	// EndReason is how it ended: "closed", "rst", "idle", "capture end",
	// "port reused"; ClosedByClient/Server how each side closed ("fin",
	// "rst" or empty).
	EndReason      string `parquet:"end,dict"`
	ClosedByClient string `parquet:"closed_client,dict"`
	ClosedByServer string `parquet:"closed_server,dict"`
	// Verdict is the OneNET verdict ("ok", "login_refused", ...; null when
	// the connection is not to OneNET), with its reasons.
	Verdict        *string  `parquet:"onenet_verdict,optional,dict"`
	VerdictReasons []string `parquet:"onenet_reasons,list"`
}

// packetRow fills row from a packet record. Strings, bytes and lists are
// new: records are valid only during the sink's call, and rows are kept in
// a batch until written.
func packetRow(row *PacketRow, file string, r *pipeline.Record) {
	p := r.Packet
	*row = PacketRow{File: file, Frame: int64(r.Frame), Time: r.Time.UTC(), Type: p.Type.String(), Flags: int32(p.Flags),
		Length: int32(len(p.Raw)), Truncated: p.Truncated, VersionInferred: p.VersionInferred}
	if r.Conn != nil {
		row.Stream, row.Interface = int32(r.Conn.Stream), int32(r.Conn.Interface)
		row.Src, row.Dst = pipeline.Addrs(r.Conn, r.Info)
		row.Direction = "client_to_server"
		if !r.FromClient {
			row.Src, row.Dst, row.Direction = row.Dst, row.Src, "server_to_client"
		}
	}
	if p.Version != decode.VersionUnknown {
		row.Version = i32(int(p.Version))
	}
	if r.Info != nil && r.Info.HasConnect {
		row.ClientID, row.Username = str(r.Info.ClientID), str(r.Info.Username)
	}
	switch p.Type {
	case decode.PUBLISH:
		row.QoS, row.Retain, row.Dup = i32(int(p.QoS)), boolp(p.Retain), boolp(p.DUP)
		// The topic the message is for: an MQTT 5 alias resolved.
		switch {
		case len(p.Topic) == 0 && p.AliasTopic != nil:
			row.Topic = str(string(p.AliasTopic))
		case p.Has&decode.HasTopic != 0:
			row.Topic = str(string(p.Topic))
		}
		if p.Has&decode.HasPayload != 0 {
			row.PayloadLength = i32(len(p.Payload))
			row.Payload = append([]byte{}, p.Payload...)
		}
	case decode.SUBSCRIBE:
		if len(p.Subscriptions) > 0 {
			row.Topic = str(string(p.Subscriptions[0].Topic))
		}
	case decode.UNSUBSCRIBE:
		if len(p.TopicFilters) > 0 {
			row.Topic = str(string(p.TopicFilters[0]))
		}
	}
	if p.HasPacketID {
		row.PacketID = i32(int(p.PacketID))
	}
	if p.HasReasonCode {
		row.ReasonCode, row.ReasonName = i32(int(p.ReasonCode)), str(p.ReasonName())
	}
	for _, c := range p.ReasonCodes {
		row.ReasonCodes = append(row.ReasonCodes, int32(c))
	}
	if len(p.ReasonCodes) > 0 && !p.HasReasonCode {
		row.ReasonCode = i32(int(p.ReasonCodes[0]))
		row.ReasonName = str(decode.ReasonName(p.Type, p.Version, p.ReasonCodes[0]))
	}
	properties(row, &p.Properties)
	for _, pr := range p.Problems {
		row.Problems = append(row.Problems, pr.Code)
	}
	onenetColumns(row, r.OneNET)
}

// properties fills the property columns: each property by its name (the
// JSON's), its value as text (numbers in decimal, binary data as hex), the
// first one when a property is duplicated (a protocol error), subscription
// identifiers comma-separated, user properties in their own column. A
// CONNECT's will properties are not in the table (the JSON has them).
func properties(row *PacketRow, ps *decode.Properties) {
	if !ps.Present {
		return
	}
	row.Properties = map[string]string{}
	for _, pr := range ps.List {
		name := pr.Name()
		switch {
		case pr.ID == decode.PropUserProperty:
			row.UserProperties = append(row.UserProperties, KeyValue{Key: string(pr.Data), Value: string(pr.Data2)})
			continue
		case pr.ID == decode.PropSubscriptionIdentifier:
			// Several are allowed: one key, as in the JSON.
			const key = "subscription_identifiers"
			v := strconv.FormatUint(uint64(pr.Uint), 10)
			if old, ok := row.Properties[key]; ok {
				v = old + "," + v
			}
			row.Properties[key] = v
			continue
		}
		if _, dup := row.Properties[name]; dup {
			continue
		}
		switch pr.ID.Type() {
		case decode.PropUTF8:
			row.Properties[name] = string(pr.Data)
		case decode.PropBinary:
			row.Properties[name] = hex.EncodeToString(pr.Data)
		default:
			row.Properties[name] = strconv.FormatUint(uint64(pr.Uint), 10)
		}
	}
}

func onenetColumns(row *PacketRow, on *onenet.PacketInfo) {
	if on == nil {
		return
	}
	if on.Topic != nil {
		row.OneNETFunction = str(on.Topic.Function)
	}
	if m := on.Message; m != nil {
		if m.HasID {
			row.OneNETID = str(string(m.ID))
		}
		if m.HasCode {
			row.OneNETCode = i32(m.Code)
		}
	}
	if on.ReplyTo != nil {
		ms := float64(on.ReplyTo.Latency) / float64(time.Millisecond)
		row.OneNETLatencyMS = &ms
	}
}

// connectionRow fills row from the record that ends a connection.
func connectionRow(row *ConnectionRow, file string, r *pipeline.Record) {
	c := r.Final
	*row = ConnectionRow{File: file, Stream: int32(c.Stream), Interface: int32(c.Interface), Start: c.FirstTime.UTC(), Time: c.LastTime.UTC(),
		DurationMS: float64(c.LastTime.Sub(c.FirstTime)) / float64(time.Millisecond),
		FirstFrame: int64(c.FirstFrame), LastFrame: int64(c.LastFrame), BytesC2S: c.Bytes[0], BytesS2C: c.Bytes[1],
		ClosedByClient: c.End[0], ClosedByServer: c.End[1]}
	row.Client, row.Server = pipeline.Addrs(c, r.Info)
	if info := r.Info; info != nil {
		if info.Version != decode.VersionUnknown {
			row.Version = i32(int(info.Version))
		}
		row.TLS, row.EndReason = info.TLS, info.Why
		row.PacketsC2S, row.PacketsS2C = int64(info.Packets[0]), int64(info.Packets[1])
		if info.HasConnect {
			row.ClientID, row.Username, row.KeepAlive = str(info.ClientID), str(info.Username), i32(int(info.KeepAlive))
			ms := float64(info.MaxQuiet) / float64(time.Millisecond)
			row.MaxSilenceMS = &ms
		}
		if info.HasConnack {
			row.ConnackCode = i32(int(info.ConnackCode))
			row.LoginRefused = boolp(decode.IsFailure(decode.CONNACK, info.Version, info.ConnackCode))
		}
	}
	if v := r.Verdict; v.Status != "" {
		row.Verdict = str(v.Status)
		for _, reason := range v.Reasons {
			row.VerdictReasons = append(row.VerdictReasons, reason)
		}
	}
}

func i32(v int) *int32 {
	x := int32(v)
	return &x
}

func str(s string) *string { return &s }

func boolp(b bool) *bool { return &b }
