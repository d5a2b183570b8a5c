package onenet

import (
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// Token field names, in the order every official generator writes them
// (onenet.md §2.1).
const (
	FieldVersion = "version"
	FieldRes     = "res"
	FieldET      = "et"
	FieldMethod  = "method"
	FieldSign    = "sign"
)

// canonicalOrder returns the field names in the order of onenet.md §2.1.
func canonicalOrder() []string {
	return []string{FieldVersion, FieldRes, FieldET, FieldMethod, FieldSign}
}

func isTokenField(key string) bool {
	switch key {
	case FieldVersion, FieldRes, FieldET, FieldMethod, FieldSign:
		return true
	}
	return false
}

// Token is a decoded OneNET access token (onenet.md §2.1). The fields other
// than Raw and Fields come from the first occurrence of each key; Check
// reports duplicates.
type Token struct {
	Raw    string       // the password text as captured
	Fields []TokenField // every non-empty "&"-separated part, in the order they appear

	Version    string
	Res        string  // percent-decoded, e.g. "products/VRqhDHF2wL/devices/my_tv"
	ResKind    ResKind // the res form of onenet.md §2.6
	ProductID  string  // from res when it is device- or product-level
	DeviceName string  // from res when it is device-level
	ET         int64   // as written (seconds normally)
	ETValid    bool    // et is a whole number that fits in 64 bits
	Method     string  // as written (md5, sha1, sha256; upper case kept as is)
	Sign       string  // percent-decoded base64 text
	SignBytes  []byte  // base64-decoded sign; nil when not valid base64 or empty
}

// TokenField is one "key=value" part of a token. Offsets are byte offsets
// in Token.Raw; add the password's offset in the packet to point into the
// CONNECT.
type TokenField struct {
	Key      string // text before the first '=' (the whole part if there is none)
	RawValue string // text after the first '=', as captured
	Value    string // RawValue percent-decoded; RawValue itself when it has a bad escape
	Off      int    // byte range of the whole part within Raw
	Len      int
	ValueOff int // byte range of RawValue within Raw
	ValueLen int
}

// HasEquals reports whether the part had a '=' at all.
func (f TokenField) HasEquals() bool { return f.Len > len(f.Key) }

// ResKind is the level of a token's res (onenet.md §2.6).
type ResKind int

const (
	ResOther   ResKind = iota // anything else: mqs/…, userid/…, onenet_voice/…, empty
	ResDevice                 // products/{pid}/devices/{device name}
	ResProduct                // products/{pid}
)

func (k ResKind) String() string {
	switch k {
	case ResDevice:
		return "device"
	case ResProduct:
		return "product"
	}
	return "other"
}

// MarshalText makes a ResKind read as its name in JSON output.
func (k ResKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// LooksLikeToken reports whether a CONNECT password is meant to be a OneNET
// token: it has a version= part and a res= or sign= part, separated by '&'.
// Legacy multi-protocol passwords (auth_info, APIKey; onenet.md §1) do not.
// It does not allocate.
func LooksLikeToken(password []byte) bool {
	var version, resOrSign bool
	for len(password) > 0 {
		part := password
		if i := indexByte(password, '&'); i >= 0 {
			part, password = password[:i], password[i+1:]
		} else {
			password = nil
		}
		switch {
		case hasPrefix(part, "version="):
			version = true
		case hasPrefix(part, "res="), hasPrefix(part, "sign="):
			resOrSign = true
		}
	}
	return version && resOrSign
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

func hasPrefix(b []byte, p string) bool {
	return len(b) >= len(p) && string(b[:len(p)]) == p
}

// ParseToken decodes a token: it splits on '&', then each part on its first
// '=' (onenet.md §2.1). It accepts fields in any order, raw and
// percent-encoded values, duplicates and unknown keys; Check reports them.
// It fails only when no part is one of the five token fields.
func ParseToken(s string) (*Token, error) {
	t := &Token{Raw: s}
	known := false
	for off := 0; off <= len(s); {
		end := strings.IndexByte(s[off:], '&')
		if end < 0 {
			end = len(s)
		} else {
			end += off
		}
		if end > off {
			f := parseField(s, off, end)
			t.Fields = append(t.Fields, f)
			known = known || (f.HasEquals() && isTokenField(f.Key))
		}
		off = end + 1
	}
	if !known {
		return nil, fmt.Errorf("onenet: parse token: %w", ErrNotToken)
	}
	t.fill()
	return t, nil
}

func parseField(s string, off, end int) TokenField {
	part := s[off:end]
	f := TokenField{Key: part, Off: off, Len: end - off, ValueOff: end}
	if eq := strings.IndexByte(part, '='); eq >= 0 {
		f.Key = part[:eq]
		f.RawValue = part[eq+1:]
		f.ValueOff = off + eq + 1
		f.ValueLen = len(f.RawValue)
	}
	f.Value = f.RawValue
	if v, err := Decode(f.RawValue); err == nil {
		f.Value = v
	}
	return f
}

// field returns the first part with key and a '=', or nil.
func (t *Token) field(key string) *TokenField {
	for i := range t.Fields {
		if t.Fields[i].Key == key && t.Fields[i].HasEquals() {
			return &t.Fields[i]
		}
	}
	return nil
}

// fill sets the decoded fields from the first occurrence of each key.
func (t *Token) fill() {
	if f := t.field(FieldVersion); f != nil {
		t.Version = f.Value
	}
	if f := t.field(FieldRes); f != nil {
		t.Res = f.Value
		t.ResKind, t.ProductID, t.DeviceName = parseRes(f.Value)
	}
	if f := t.field(FieldET); f != nil {
		t.ET, t.ETValid = parseET(f.Value)
	}
	if f := t.field(FieldMethod); f != nil {
		t.Method = f.Value
	}
	if f := t.field(FieldSign); f != nil {
		t.Sign = f.Value
		// StdEncoding, not Strict: OneNET's own tools accept non-zero
		// padding bits (onenet.md §2.3, "Go specifics").
		if b, err := base64.StdEncoding.DecodeString(f.Value); err == nil && len(b) > 0 {
			t.SignBytes = b
		}
	}
}

// parseRes recognises the res forms of onenet.md §2.6.
func parseRes(res string) (kind ResKind, productID, deviceName string) {
	p := strings.Split(res, "/")
	switch {
	case len(p) == 4 && p[0] == "products" && p[1] != "" && p[2] == "devices" && p[3] != "":
		return ResDevice, p[1], p[3]
	case len(p) == 2 && p[0] == "products" && p[1] != "":
		return ResProduct, p[1], ""
	}
	return ResOther, "", ""
}

// parseET accepts decimal digits only: et is "unix时间" in seconds
// (onenet.md §2.1); a sign or a space is not something the platform wrote.
// int64 because real tokens carry values above 2^32 (onenet.md §2.5).
func parseET(s string) (int64, bool) {
	if s == "" || len(s) > 19 {
		return 0, false
	}
	var v int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int64(c - '0')
		if v > (1<<63-1-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}

// ExpiresAt returns et as a time in UTC, reading et as seconds even when it
// has 13 digits (Check reports that case). It is the zero time when et is
// not a valid number.
func (t *Token) ExpiresAt() time.Time {
	if !t.ETValid {
		return time.Time{}
	}
	return time.Unix(t.ET, 0).UTC()
}

// Expired reports whether the platform would consider the token expired at
// time at — "当 et 小于当前时间时…拒绝" (refused once et is before the current
// time, onenet.md §2.5) — and at minus the expiry time: how long before at
// the token expired, or, negative, how long it still had. Pass the capture
// time of the CONNECT, never the wall clock. An invalid et gives (false, 0).
func (t *Token) Expired(at time.Time) (bool, time.Duration) {
	if !t.ETValid {
		return false, 0
	}
	exp := t.ExpiresAt()
	return at.After(exp), at.Sub(exp)
}
