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

import "time"

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
	// FileFrame is the frame's number in File: Frame itself, unless the
	// capture was merged from several files (Frame counts them all).
	FileFrame int64 `parquet:"file_frame"`
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
	// File is the file of the connection's last frame; FirstFile that of
	// its first (they differ when a connection goes on across merged
	// files), and the frames' numbers there.
	FirstFile      string `parquet:"first_file,dict"`
	FirstFileFrame int64  `parquet:"first_file_frame"`
	LastFileFrame  int64  `parquet:"last_file_frame"`
	// Transport is what carried the MQTT: "tcp", "tls" (decrypted with a
	// key log), "websocket" or "wss"; TLS without keys is "tcp" with TLS
	// true (its MQTT is not decoded).
	Transport string `parquet:"transport,dict"`
}
