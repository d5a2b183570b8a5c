package onenet

import (
	"fmt"
	"net/url"
	"strings"
)

// tokenEscapes is the whole encoding table of onenet.md §2.3: OneNET
// percent-encodes exactly these eight characters in token values and leaves
// every other byte as it is (the official C SDK does the same with a switch).
func tokenEscapes() []string {
	return []string{
		"+", "%2B",
		" ", "%20",
		"/", "%2F",
		"?", "%3F",
		"%", "%25",
		"#", "%23",
		"&", "%26",
		"=", "%3D",
	}
}

// needsEscape reports whether c is one of the eight characters of
// onenet.md §2.3.
func needsEscape(c byte) bool {
	switch c {
	case '+', ' ', '/', '?', '%', '#', '&', '=':
		return true
	}
	return false
}

// Encode percent-encodes s with OneNET's eight-entry table (onenet.md §2.3).
// It is not url.QueryEscape: that turns a space into "+" and encodes many
// more characters, so it would not reproduce the official tokens.
func Encode(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r < 0x80 && needsEscape(byte(r)) }) < 0 {
		return s // the common case (et, method, version) allocates nothing
	}
	return strings.NewReplacer(tokenEscapes()...).Replace(s)
}

// Decode undoes percent-encoding with url.PathUnescape semantics: a "+"
// stays a "+". url.QueryUnescape would turn it into a space and corrupt a
// base64 sign that was written without encoding (onenet.md §2.3, "Go
// specifics").
func Decode(s string) (string, error) {
	v, err := url.PathUnescape(s)
	if err != nil {
		return "", fmt.Errorf("onenet: percent-decode: %w", err)
	}
	return v, nil
}

// badEscape returns the index of the first '%' in s that is not followed by
// two hex digits, or -1.
func badEscape(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return i
		}
		i += 2
	}
	return -1
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// rawIndex maps a byte index in the decoded form of raw to the index in raw
// where that byte's encoding starts, so that findings about a decoded value
// (the product id inside res) can point into the captured bytes.
func rawIndex(raw string, decoded int) int {
	i := 0
	for d := 0; d < decoded && i < len(raw); d++ {
		if raw[i] == '%' && i+2 < len(raw) && isHex(raw[i+1]) && isHex(raw[i+2]) {
			i += 3
		} else {
			i++
		}
	}
	return i
}
