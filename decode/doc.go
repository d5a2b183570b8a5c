// Package decode turns the bytes of one direction of an MQTT connection into
// control packets, field by field.
//
// It takes a byte stream (already reassembled from TCP by the caller) and gives:
//
//   - frames: the byte ranges of the control packets in the stream (Framer),
//     found even when a remaining-length field is split across chunks, and
//     found again after a gap by resynchronising on the next plausible
//     fixed header instead of decoding garbage;
//   - packets: every field of MQTT 3.1, 3.1.1 and 5.0 control packets with
//     its byte range in the packet (Decode), and every protocol violation as
//     a Problem with its offset and what was expected;
//   - connection state (Session): the protocol version taken from CONNECT
//     (or inferred from what parses cleanly when the capture starts
//     mid-connection), topic aliases per direction, missing or double CONNECT.
//
// # Allocation and aliasing
//
// Decoding is designed to allocate nothing per packet in the steady state: a
// Decoder reuses one Packet, and every []byte value in it (topic, payload,
// client id, property values, Raw itself) aliases the input. A decoded
// Packet is valid until the next call on the same Decoder or Session; copy
// what must outlive it.
//
// # Errors and problems
//
// Decoding never fails on a complete frame: protocol violations that still
// let decoding go on are Problems attached to the packet, so callers keep
// everything that could be decoded. The decoder never panics and never
// allocates more than its input holds: every length field is checked against
// the bytes left before it is used.
//
// Nothing in this package prints, exits or keeps global state; it is safe to
// use many Sessions concurrently, but one Session (and its Framers) is not
// safe for concurrent use.
package decode
