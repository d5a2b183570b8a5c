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
// # Invariants
//
// The package has no global state and prints nothing; every function is
// safe for concurrent use. A Token's string fields are substrings of the
// text given to ParseToken (or decoded copies of them).
package onenet
