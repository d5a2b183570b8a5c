package decode

import "strconv"

// Small formatting helpers for problem messages: the decoder avoids fmt so
// that the per-packet path stays cheap (messages are only built on the rare
// problem path).

func itoa(i int) string     { return strconv.Itoa(i) }
func utoa(u uint64) string  { return strconv.FormatUint(u, 10) }
func hex2(b uint8) string   { return string([]byte{hexDigits[b>>4], hexDigits[b&0x0f]}) }
func bin4(b uint8) string   { return string([]byte{'0' + b>>3&1, '0' + b>>2&1, '0' + b>>1&1, '0' + b&1}) }
func quote(b []byte) string { return strconv.Quote(string(b)) }

const hexDigits = "0123456789abcdef"
