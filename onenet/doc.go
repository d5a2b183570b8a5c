// Package onenet decodes, checks, signs and generates the access tokens that
// devices send as the MQTT CONNECT password to China Mobile's OneNET
// platform (OneNET Studio and the MQTT IoT suite; reference:
// /work/shared/reference/onenet.md §2).
//
// # What it takes and gives
//
// [ParseToken] takes the password text of one CONNECT and gives a [Token]:
// every key=value part with its byte range inside the text (so the report
// can point into the hexdump), and the decoded version, res, et, method and
// sign. Parsing fails only when the text is not a token at all; everything
// that is wrong with a real token is a [Finding] from [Token.Check], which
// also compares the token with the CONNECT's username and client id and
// with the capture time of the packet (never with the wall clock,
// onenet.md §2.5).
//
// With the access key, [Token.Verify] recomputes the signature and [Sign]
// and [Generate] build signatures and whole tokens byte-for-byte as the
// official SDK does (onenet.md §2.2, §2.3). [Encode] and [Decode] are
// OneNET's percent-encoding, which is neither url.QueryEscape nor
// url.QueryUnescape.
//
// # Keys
//
// Access keys are secrets. No error or finding of this package contains
// the key or any part of it; callers should keep it that way.
//
// # Traffic
//
// A [Conn] follows one MQTT connection: feed it every decoded packet in
// order ([Conn.Packet]) and it says what OneNET makes of each (a
// [PacketInfo]: token, topic, OneJSON [Message], the request a reply
// answers, findings), and at the end a [Verdict]. OneJSON payloads are
// read by a scanner over the bytes (no reflection) that gives the same
// fields, findings and errors as encoding/json; a PacketInfo and its
// Message alias the packet and the Conn's buffers and are valid until the
// next Packet call (Clone to keep). A property report and its reply
// allocate nothing once the connection is warm.
//
// A Conn's state is bounded: a request waits [Conn.ReplyWindow] (capture
// time, [DefaultReplyWindow]) for its reply, at most 64 wait at once,
// and what went wrong is kept as counts with a first and a last example
// ([Count]), never as lists that grow with the traffic.
//
// # Invariants
//
// The package has no global state and prints nothing; every function is
// safe for concurrent use, and a Conn or a MessageParser is a value one
// goroutine owns (it starts no goroutine and takes no lock). A Token's string fields are substrings of the
// text given to ParseToken (or decoded copies of them).
package onenet
