// Package filter is mqttpcap's display-filter language, in the spirit of
// Wireshark's: `mqttpcap read -Y EXPR` shows the packets EXPR matches, and
// the export commands select packets with it.
//
// It takes an expression, compiles it once (Parse) and gives a Filter whose
// Match tells whether a pipeline.Record satisfies it. Parse reports every
// mistake as a *SyntaxError with the 1-based column (in runes) it is about
// and a message saying what was expected there, so the CLI can print
//
//	mqttpcap: -Y: column 9: expected a value after "==" in 'type == && qos > 0'
//
// # Grammar
//
//	or         := and { ("||" | "or") and }
//	and        := not { ("&&" | "and") not }
//	not        := ("!" | "not") not | primary
//	primary    := "(" or ")" | comparison | field
//	comparison := field op value
//	op         := "==" | "!=" | "<" | "<=" | ">" | ">=" | "contains" | "matches"
//	value      := string | integer | "true" | "false" | word
//
// Strings are double-quoted; \" and \\ are their escapes, and a backslash
// before any other character is kept as it is, so a regular expression such
// as "\d+" needs no doubling ("\$" and "\\$" both give the regexp \$, a
// literal dollar). Integers are decimal or 0x hexadecimal, with an optional
// minus sign. A word is any run of characters other than blanks, quotes and
// ()!=<>&|, so `type == CONNECT`, `from == client` and
// `topic == $sys/pid/dev/thing/property/post` need no quotes; a word on the
// right of an operator is always a literal, even when it is also a field
// name. Keywords (and, or, not, contains, matches, true, false) and field
// names are case-insensitive. Parentheses and negations nest at most 256
// deep.
//
// A bare field is true when the record has the field and its value is not
// zero, false or empty: `retain`, `problems`, `onenet.expired`.
//
// Values are checked against the field at Parse time: `qos == "high"`,
// `topic < 3`, `retain == yes`, `type == PUBLSH` and `from == clinet` are
// syntax errors, not filters that silently match nothing. A string
// comparing with a number field must hold a number ("1" is fine); `type`
// takes a packet type name or number, `version` a protocol level (3, 4, 5)
// or version ("3.1.1", "5.0").
//
// # Semantics
//
// A comparison on a field the record does not have is false, and `!` of it
// is true, as in Wireshark: `!retain` matches every packet that is not a
// retained PUBLISH, CONNECTs included. `!=` on a missing field is false too,
// so `qos != 0` means "has a QoS and it is not 0", and differs from
// `!(qos == 0)`, which also matches the packets that have no QoS. (Whether
// "all values not equal" holds for a field with no values is a question
// Wireshark users trip over; here no operator is ever satisfied by a field
// the record lacks, and `!` is the way to select the packets without it.)
//
// Some fields have several values: the QoS and topic filters of a SUBSCRIBE,
// the reason codes of a SUBACK or UNSUBACK, the problems of a packet, the
// OneNET findings. A comparison matches when any value satisfies it; `!=`
// matches when the field has values and none of them is equal.
//
// `==` and `!=` compare strings exactly, except for the fields whose values
// are names — type, from, kind, onenet.direction, onenet.status — which
// compare case-insensitively. `contains` is a case-sensitive substring test;
// `matches` is a search with a Go regular expression (regexp/syntax),
// compiled at Parse time: anchor it with ^ and $ to match the whole value.
// `<`, `<=`, `>` and `>=` apply to number fields, and to onenet.id, whose
// value is a number written as text.
//
// # Records
//
// Every pipeline record has a kind, named as in the JSON output: "mqtt" (a
// packet), "event" (a gap, a TLS stream, a FIN...) or "connection" (the end
// of a connection, with its counts and OneNET verdict; "conn" is accepted
// too). One rule holds for all of them: a comparison on a field the record
// does not have is false. So `type == PUBLISH` keeps PUBLISH packets only,
// `stream == 3` keeps the packets, events and end of stream 3, `frame >
// 100` keeps every record from frame 101 on (an event's frame is its own, a
// connection's end is at its last frame), and `!retain` keeps every record
// that is not a retained PUBLISH, events and connection ends included:
//
//	kind == "event" && event.type == "gap"   the gaps
//	event.type == "tls"                      the TLS streams
//	kind == mqtt || kind == event            packets and events
//	kind == connection && onenet.status != ok  the OneNET connections that failed
//
// client_id, username and keep_alive are the connection's on every record of
// it (the CONNECT's own on a CONNECT); client, server, addr and port are the
// connection's ends.
//
// time is what the packet list shows: seconds since the first frame, with up
// to 6 decimals (`time > 1.5`); time.epoch is the capture time, as Unix
// seconds or a UTC time in quotes (`time.epoch >= "2026-11-26 10:47:15"`).
//
// # Wireshark's names
//
// Where Wireshark has a display-filter field for the same thing, its name is
// an alias: frame.number, frame.time_relative, frame.time_epoch, tcp.stream,
// tcp.port, tcp.srcport, tcp.dstport, ip.src, ip.dst, ip.addr (and ipv6.*),
// mqtt.msgtype, mqtt.topic, mqtt.qos, mqtt.sub.qos, mqtt.msgid,
// mqtt.clientid, mqtt.username, mqtt.retain, mqtt.dupflag, mqtt.msg,
// mqtt.len, mqtt.ver, mqtt.kalive, mqtt.reason_code and mqtt.conack.val.
// Their values are mqttpcap's: mqtt.msgtype takes 3 or PUBLISH.
//
// Fields lists every field with its type and a one-line description.
//
// # Examples
//
//	type == CONNECT && client_id == "my_tv"
//	topic contains "property" && qos == 0
//	!(type == PINGREQ || type == PINGRESP)
//	topic matches "^\\$sys/[^/]+/my_tv/"
//	reason_code >= 0x80
//	problem == "one_byte_length"
//	onenet.function == "thing/property/post"
//	stream == 0 and from == client
//
// # Allocation and concurrency
//
// Parse compiles the expression into a tree of small nodes; Match walks it
// without allocating for number, bool and string comparisons (only
// `contains` and `matches` on src and dst format an address). A Filter is
// immutable once parsed and safe for concurrent use. Nothing in this
// package prints, exits or keeps mutable global state.
package filter
