// Package pipeline runs the stages of mqttpcap: a capture source, TCP
// reassembly (stream), MQTT framing and decoding (decode), and hands each
// decoded packet and each event to a Sink, in the order the packets
// completed.
package pipeline

import (
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/onenet"
	"github.com/mqttpcap/mqttpcap/stream"
	"github.com/mqttpcap/mqttpcap/transport"
)

// Kind says what a Record holds.
type Kind uint8

// Record kinds.
const (
	KindPacket Kind = iota + 1
	KindEvent
	// KindConnDone closes a connection: Conn and its final State are set,
	// for summaries. It is not an event users need to see in a list.
	KindConnDone
)

// Record is one MQTT packet or one event. Records and what they point to are
// valid only during the Sink call; copy (Packet.Clone) what must outlive it.
type Record struct {
	Kind  Kind
	Frame uint64 // the frame that completed the packet (or the event's frame)
	// Seq is the record's place in the output order (it grows with every
	// packet, event and connection end the stream side hands on): sinks
	// split across workers (Sharder) use it to merge what must keep that
	// order, such as the connections of a summary in the order they ended.
	Seq uint64
	// Extent is how much of the capture had been read when the record was
	// made. It only grows in record order, whatever worker handles the
	// record: outputs size what depends on the records before with it (the
	// packet list's column widths).
	Extent Extent
	Time   time.Time
	// Rel is Time relative to the first frame of the capture (Wireshark's
	// default time column).
	Rel time.Duration
	// Conn is the connection (nil for capture-level events). Only its
	// identity may be read (Stream, Interface, Client, Server, Roles,
	// FirstFrame, FirstTime, StartSeen): in parallel mode the stream side
	// keeps updating the rest. KindConnDone records carry Final, a copy
	// with the final counts.
	Conn  *stream.Conn
	Final *stream.Conn
	// FromClient says the packet went client→server.
	FromClient bool
	Packet     *decode.Packet
	Event      Event
	// Info is the pipeline's view of the connection (version, TLS, counts).
	Info *ConnInfo
	// OneNET is what OneNET makes of the packet (nil when nothing).
	OneNET *onenet.PacketInfo
	// Verdict explains a OneNET connection (KindConnDone; empty Status
	// when the connection is not to OneNET).
	Verdict onenet.Verdict
	// File is the capture file the record's frame came from when the run
	// reads one of several inputs (Options.File) or several files as one
	// (Options.Origins); "" otherwise. FileFrame is the frame's number in
	// that file: Frame itself for one input, while Frame counts the frames
	// of all the files merged. For a connection's end they are its last
	// frame's, and FirstFile and FirstFileFrame its first frame's.
	File           string
	FileFrame      uint64
	FirstFile      string
	FirstFileFrame uint64
}

// Origins says where the frames of a source that reads several files as
// one (capture.Merged) came from: the file and the frame's number there
// ("" for a frame it does not know). It is called by the decoding
// goroutines while the source is read.
type Origins interface {
	Origin(frame uint64) (file string, fileFrame uint64)
}

// Extent is how much of a capture has been read.
type Extent struct {
	Frames  uint64        // frames read
	Streams int           // TCP streams numbered (the highest is Streams-1)
	Rel     time.Duration // the latest time read so far, since the first frame's
}

// Event is something that is not an MQTT packet: a gap, a TLS stream, bytes
// that are not MQTT, a capture cut short.
type Event struct {
	// Type is a stable identifier: "gap", "tls", "protocol", "not_mqtt",
	// "incomplete", "cap", "fin", "rst", "snaplen", "link_type",
	// "no_mqtt", "cut_short", "damaged", and the transports' "ws_upgrade",
	// "ws_ping", "ws_pong", "ws_close", "ws_problem", "tls_alert",
	// "tls_key_update", "tls_problem".
	Type    string
	Message string
	// Bytes is the number of bytes the event is about, when it has one.
	Bytes int64
	// Protocol is what a "protocol" event found (detect.Protocol's
	// identifier: "http", "websocket", "ssh", "text", "binary").
	Protocol string
	// Code names a protocol problem of a transport ("ws_problem" and
	// "tls_problem" events), like a packet problem's code.
	Code string
	// WebSocket and TLS say more about the events of those transports
	// (the upgrade, a close frame; the version, cipher suite and keys).
	WebSocket *transport.WebSocketInfo
	TLS       *transport.TLSInfo
}

// ConnInfo is what the pipeline knows of a connection.
type ConnInfo struct {
	Version         decode.Version
	VersionInferred bool
	TLS             bool
	// Protocol is what a direction of the connection sends instead of
	// MQTT (a "protocol" event: "http", ...); "" when nothing else was seen.
	Protocol string
	// Transport is what carries the connection's MQTT when it is not
	// plain TCP: "tls", "websocket", or "wss" (WebSocket over TLS); "" for
	// TCP, and for TLS that was not decrypted.
	Transport string
	// Packets counts decoded MQTT packets per direction (0 client→server).
	Packets [2]int
	// Why says how the connection ended: "closed", "rst", "idle",
	// "capture end", "port reused".
	Why string
	// ClientID and Username are the CONNECT's, once seen.
	ClientID, Username string
	HasConnect         bool
	KeepAlive          uint16
	// ServerName is the server as an input without TCP names it (RunDirect:
	// the host:port of an AT+CIPSTART); "" for captures.
	ServerName string
	// ConnackCode is the CONNACK's return or reason code, once seen.
	ConnackCode uint8
	HasConnack  bool
	// MaxQuiet is the longest time the client sent no MQTT packet (a broker
	// closes the connection after 1.5 × keep alive); lastClient is when it
	// last sent one.
	MaxQuiet   time.Duration
	lastClient time.Time
}

// Sink receives records. An error stops the pipeline.
type Sink interface {
	Record(r *Record) error
}

// SinkFunc adapts a function to a Sink.
type SinkFunc func(r *Record) error

// Record implements Sink.
func (f SinkFunc) Record(r *Record) error { return f(r) }

// Addrs are a connection's client and server as outputs show them:
// "ip:port" from a capture; for an input without TCP (hex, a serial log)
// the server as the input names it (AT+CIPSTART's host:port), and "" where
// the input says nothing.
func Addrs(c *stream.Conn, info *ConnInfo) (client, server string) {
	if c.Client.IsValid() {
		client = c.Client.String()
	}
	switch {
	case c.Server.IsValid():
		server = c.Server.String()
	case info != nil:
		server = info.ServerName
	}
	return client, server
}
