package filter

import (
	"net/netip"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/pipeline"
)

// FieldDoc describes one filter field for --help.
type FieldDoc struct {
	Name string
	Type string // "number", "string", "bool", "address", or what the values are ("packet type")
	Help string
	// Aliases are other names of the field: Wireshark's, for users who
	// know its display filters (frame.number, tcp.stream, mqtt.topic).
	Aliases []string
}

// Fields lists the filter fields with a one-line description each, in the
// order --help shows them: record, packet, OneNET.
func Fields() []FieldDoc {
	table := fieldTable()
	out := make([]FieldDoc, len(table))
	for i, f := range table {
		typ := f.docType
		if typ == "" {
			typ = f.typ.String()
		}
		out[i] = FieldDoc{Name: f.name, Type: typ, Help: f.help, Aliases: f.aliases}
	}
	return out
}

// valueType is what a field's values are.
type valueType uint8

const (
	typeNumber valueType = iota + 1
	typeString
	typeBool
	typeAddr
)

func (t valueType) String() string {
	switch t {
	case typeNumber:
		return "number"
	case typeString:
		return "string"
	case typeBool:
		return "bool"
	}
	return "address"
}

// is describes the type in a message: `"qos" is a number`.
func (t valueType) is() string {
	switch t {
	case typeNumber:
		return "is a number"
	case typeString:
		return "is a string"
	case typeBool:
		return "is true or false"
	}
	return "is an address"
}

// field is one filter field: its type, how values are checked at Parse
// time, and how a record's values are read. Accessors take the index of
// the value wanted (0, 1, ...) and report false past the last one, so that
// multi-valued fields (SUBSCRIBE topics, SUBACK codes) are walked without
// building a slice.
type field struct {
	name, help string
	aliases    []string // other names: Wireshark's
	typ        valueType
	docType    string // FieldDoc.Type when "number" or "string" says too little

	// fold makes == and != case-insensitive: the values are names.
	fold bool
	// enum lists the values == and != may use; checked at Parse time, so
	// that a typo is an error rather than a filter that matches nothing.
	enum []string
	// numText marks a string holding a number (onenet.id): <, >, <= and
	// >= compare it as a number.
	numText bool
	// alias reads a name standing for a number ("PUBLISH" → 3, "3.1.1" →
	// 4); want says what a value must be, for messages.
	alias func(string) (int64, bool)
	want  string
	// parse reads every value of a field whose numbers are not plain
	// integers (time: decimal seconds, held as microseconds).
	parse func(string) (int64, bool)

	num  func(r *pipeline.Record, i int) (int64, bool)
	str  func(r *pipeline.Record, i int) (text, bool)
	addr func(r *pipeline.Record, i int) (netip.AddrPort, bool)
}

// fieldTable returns the field table. It is built on each call (by Parse
// and Fields, never by Match) rather than kept in a package variable: each
// Filter's nodes point into their own copy, which nothing else can change.
func fieldTable() []field {
	return []field{
		// The record.
		{name: "kind", typ: typeString, fold: true, enum: []string{"mqtt", "event", "connection"}, str: singleText(recordKind),
			help: `what the record is, as the JSON's "kind": "mqtt" (a packet), "event" (a gap, TLS, FIN...) or "connection" (a connection's end)`},
		{name: "event.type", typ: typeString, str: singleText(eventType),
			help: `the event (the JSON's "type" of an event): gap, tls, not_mqtt, incomplete, cap, fin, rst, snaplen, link_type, cut_short, damaged, ws_upgrade, ws_ping, ws_pong, ws_close, ws_problem, tls_alert, tls_key_update, tls_problem`},
		{name: "event.message", typ: typeString, str: singleText(eventMessage), help: "the event's message"},
		{name: "event.bytes", typ: typeNumber, num: single(eventBytes), help: "the number of bytes an event is about (a gap's size)"},
		{name: "event.code", typ: typeString, str: singleText(eventCode),
			help: "the problem code of a ws_problem or tls_problem event, e.g. ws_unmasked_client_frame, tls_decrypt_failed"},
		{name: "frame", aliases: []string{"frame.number"}, typ: typeNumber, num: single(frame),
			help: "the frame that completed the packet, the event's frame, or a connection's last frame"},
		{name: "time", aliases: []string{"frame.time_relative"}, typ: typeNumber, docType: "seconds", parse: relSeconds, want: "seconds (5, 1.25)",
			num: single(relTime), help: "seconds since the first frame, as the list shows them (decimals allowed: time > 1.5)"},
		{name: "time.epoch", aliases: []string{"frame.time_epoch"}, typ: typeNumber, docType: "time", parse: epochTime,
			want: `Unix seconds (1764154035.5) or a UTC time ("2026-11-26T10:47:15Z")`, num: single(epoch),
			help: `the capture time: Unix seconds, or a time in quotes ("2026-11-26 10:47:15", UTC)`},
		{name: "stream", aliases: []string{"tcp.stream"}, typ: typeNumber, num: single(streamIndex),
			help: "the TCP connection's index from 0 (Wireshark's tcp.stream)"},
		{name: "transport", typ: typeString, fold: true, enum: []string{"tcp", "tls", "websocket", "wss"}, str: transportLayers,
			help: `what carries the MQTT: tcp, tls, websocket or wss (WebSocket over TLS, which matches "websocket" and "tls" too)`},
		{name: "from", typ: typeString, fold: true, enum: []string{"client", "server"}, str: singleText(from),
			help: "who sent the packet (or the event's side): client or server"},
		{name: "src", aliases: []string{"ip.src", "ipv6.src"}, typ: typeAddr, addr: singleAddr(src), str: addrText(src),
			help: `the sender as ip:port; == "192.168.4.2" compares the address only`},
		{name: "dst", aliases: []string{"ip.dst", "ipv6.dst"}, typ: typeAddr, addr: singleAddr(dst), str: addrText(dst),
			help: `the receiver as ip:port; == "183.230.40.39" compares the address only`},
		{name: "addr", aliases: []string{"ip.addr", "ipv6.addr"}, typ: typeAddr, addr: endpoints, str: addrTextN(endpoints),
			help: "either end: the sender or the receiver, or a connection's client or server"},
		{name: "src.port", aliases: []string{"tcp.srcport"}, typ: typeNumber, num: single(port(src)), help: "the sender's TCP port"},
		{name: "dst.port", aliases: []string{"tcp.dstport"}, typ: typeNumber, num: single(port(dst)), help: "the receiver's TCP port"},
		{name: "port", aliases: []string{"tcp.port"}, typ: typeNumber, num: ports, help: "either end's TCP port"},
		{name: "client", typ: typeAddr, addr: singleAddr(client), str: addrText(client),
			help: "the connection's client as ip:port, for every record of the connection"},
		{name: "server", typ: typeAddr, addr: singleAddr(server), str: addrText(server),
			help: "the connection's server as ip:port, for every record of the connection"},

		// The MQTT packet.
		{name: "type", aliases: []string{"mqtt.msgtype"}, typ: typeNumber, docType: "packet type", alias: packetType, want: "a packet type",
			num: single(packetTypeNum), str: singleText(packetTypeName),
			help: "the packet type: CONNECT, PUBLISH, ... or its number (PUBLISH is 3)"},
		{name: "version", aliases: []string{"mqtt.ver"}, typ: typeNumber, alias: protocolVersion, want: `a protocol level (3, 4, 5) or version ("3.1.1", "5.0")`,
			num: single(version), help: `the protocol level: 3 (MQTT 3.1), 4 (3.1.1) or 5 (5.0); "3.1.1" and "5.0" work too`},
		{name: "length", typ: typeNumber, num: single(length), help: "the packet's length in bytes, fixed header included"},
		{name: "remaining_length", aliases: []string{"mqtt.len"}, typ: typeNumber, num: single(remainingLength), help: "the remaining length of the fixed header"},
		{name: "qos", aliases: []string{"mqtt.qos", "mqtt.sub.qos"}, typ: typeNumber, num: qos, help: "the PUBLISH QoS, or every QoS a SUBSCRIBE requests"},
		{name: "retain", aliases: []string{"mqtt.retain"}, typ: typeBool, num: single(retain), help: "the PUBLISH retain flag"},
		{name: "dup", aliases: []string{"mqtt.dupflag"}, typ: typeBool, num: single(dup), help: "the PUBLISH DUP flag"},
		{name: "packet_id", aliases: []string{"mqtt.msgid"}, typ: typeNumber, num: single(packetID), help: "the packet identifier"},
		{name: "topic", aliases: []string{"mqtt.topic"}, typ: typeString, str: topic,
			help: "the PUBLISH topic (the one its topic alias stands for when empty), or every SUBSCRIBE/UNSUBSCRIBE topic filter"},
		{name: "payload", aliases: []string{"mqtt.msg"}, typ: typeString, str: singleText(payload), help: "the PUBLISH payload, as text"},
		{name: "payload_length", typ: typeNumber, num: single(payloadLength), help: "the PUBLISH payload's length in bytes"},
		{name: "client_id", aliases: []string{"mqtt.clientid"}, typ: typeString, str: singleText(clientID),
			help: "the CONNECT's client id; for every other record of the connection, its connection's"},
		{name: "username", aliases: []string{"mqtt.username"}, typ: typeString, str: singleText(username),
			help: "the CONNECT's user name; for every other record of the connection, its connection's"},
		{name: "keep_alive", aliases: []string{"mqtt.kalive"}, typ: typeNumber, num: single(keepAlive),
			help: "the CONNECT's keep alive in seconds; for every other record of the connection, its connection's"},
		{name: "reason_code", aliases: []string{"mqtt.reason_code", "mqtt.conack.val"}, typ: typeNumber, num: reasonCode,
			help: "the reason or return code (0x80 and up are failures), or every code of a SUBACK/UNSUBACK"},
		{name: "reason", typ: typeString, str: reason, help: `the name of the reason code(s), e.g. "Not authorized"`},
		{name: "problems", typ: typeNumber, num: single(problemCount), help: "how many protocol problems the decoder found in the packet"},
		{name: "problem", typ: typeString, str: problem, help: "every problem code of the packet, e.g. one_byte_length, reserved_flags"},

		// The OneNET view of the packet.
		{name: "onenet.platform", typ: typeString, enum: []string{"studio", "suite", "legacy", "unknown"}, str: singleText(onenetPlatform),
			help: "the OneNET product of the topic: studio, suite, legacy or unknown"},
		{name: "onenet.function", typ: typeString, str: singleText(onenetFunction),
			help: `the topic's function after the device name, e.g. "thing/property/post"`},
		{name: "onenet.name", typ: typeString, str: singleText(onenetName), help: `what the topic is for, in words, e.g. "property report"`},
		{name: "onenet.direction", typ: typeString, fold: true, enum: []string{"device_to_cloud", "cloud_to_device"},
			str: singleText(onenetDirection), help: "the topic's direction: device_to_cloud or cloud_to_device"},
		{name: "onenet.product_id", typ: typeString, str: singleText(onenetProductID), help: "the product id, from the topic or the CONNECT's token"},
		{name: "onenet.device_name", typ: typeString, str: singleText(onenetDeviceName), help: "the device name, from the topic or the CONNECT's token"},
		{name: "onenet.id", typ: typeString, numText: true, str: singleText(onenetID),
			help: "the OneJSON request id (a number as text: < and > compare numerically)"},
		{name: "onenet.code", typ: typeNumber, num: single(onenetCode), help: "a reply's code (200 is success)"},
		{name: "onenet.expired", typ: typeBool, num: single(onenetExpired), help: "the CONNECT's token had expired at capture time"},
		{name: "onenet.signature", typ: typeString, enum: []string{"unchecked", "valid", "invalid"}, str: singleText(onenetSignature),
			help: "the CONNECT token's signature: unchecked (no key), valid or invalid"},
		{name: "onenet.finding", typ: typeString, str: onenetFinding,
			help: "every OneNET finding code of the packet, e.g. expired, flat_params, wrong_direction"},
		{name: "onenet.status", typ: typeString, fold: true, str: singleText(onenetStatus),
			help: `a OneNET connection's verdict (ok, login_refused, no_connack, ...), on its "connection" record`},
	}
}

// packetType reads a packet type name ("publish" works too).
func packetType(s string) (int64, bool) {
	t, ok := decode.ParseType(s)
	return int64(t), ok
}

// protocolVersion reads the forms decode.ParseVersion knows ("3.1.1").
func protocolVersion(s string) (int64, bool) {
	v, ok := decode.ParseVersion(s)
	return int64(v), ok
}
