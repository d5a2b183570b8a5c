package onenet

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"time"
)

// DeviceTokenVersion is the only version OneNET supports for device tokens:
// "目前仅支持 "2018-10-31"" (onenet.md §2.1).
const DeviceTokenVersion = "2018-10-31"

// DefaultMethod is the method Generate uses when none is given. The official
// C SDK signs its logins with SIG_METHOD_SHA1 (tm_login in onenet/tm/tm_api.c,
// and its MQTTS-suite and file-service logins; cm-heclouds/OneNET_AIO_c
// b12489b0), and the official doc example, vector A of onenet.md §2.7, is
// sha1 too. md5 appears only in third-party code and LuatOS tests.
const DefaultMethod = "sha1"

// methodHash returns the HMAC hash for a method and its digest size. The
// lookup ignores case so that LuatOS's "MD5" tokens (vector B4) can be
// verified; the method text still enters the signed string as written.
func methodHash(method string) (func() hash.Hash, int, bool) {
	switch strings.ToLower(method) {
	case "md5":
		return md5.New, md5.Size, true
	case "sha1":
		return sha1.New, sha1.Size, true
	case "sha256":
		return sha256.New, sha256.Size, true
	}
	return nil, 0, false
}

// stringForSignature is the string OneNET signs (onenet.md §2.2): the values
// only, in the order et, method, res, version, joined by '\n' (the doc's
// "/n" is a typo), with res not percent-encoded.
func stringForSignature(et, method, res, version string) string {
	return et + "\n" + method + "\n" + res + "\n" + version
}

// decodeKey turns the access key as the OneNET console shows it into the
// HMAC key. StdEncoding, not Strict(): Strict rejects the LuatOS key of
// vectors B5/B6 (onenet.md §2.3). The error never contains the key.
func decodeKey(keyBase64 string) ([]byte, error) {
	if keyBase64 == "" {
		return nil, fmt.Errorf("%w: empty", ErrBadKey)
	}
	key, err := base64.StdEncoding.DecodeString(keyBase64)
	if err != nil {
		// CorruptInputError names a byte position, never the input.
		return nil, fmt.Errorf("%w: not standard base64 (%v); use the key exactly as the OneNET console shows it", ErrBadKey, err)
	}
	if len(key) == 0 {
		return nil, fmt.Errorf("%w: decodes to nothing", ErrBadKey)
	}
	return key, nil
}

// digest is HMAC-<method>(key, UTF-8(sfs)) (onenet.md §2.2).
func digest(key []byte, method, sfs string) ([]byte, error) {
	h, _, ok := methodHash(method)
	if !ok {
		return nil, fmt.Errorf("%w %q (want md5, sha1 or sha256)", ErrUnknownMethod, method)
	}
	m := hmac.New(h, key)
	m.Write([]byte(sfs))
	return m.Sum(nil), nil
}

// Sign returns the base64 signature (standard alphabet, padded, not yet
// percent-encoded) of a token with these values (onenet.md §2.2). keyBase64
// is the access key as OneNET shows it; method is signed as written, so
// "MD5" and "md5" give different signs.
func Sign(keyBase64 string, et int64, method, res, version string) (string, error) {
	sign, err := signValues(keyBase64, strconv.FormatInt(et, 10), method, res, version)
	if err != nil {
		return "", fmt.Errorf("onenet: sign: %w", err)
	}
	return sign, nil
}

// signValues is Sign with et as text and errors without context.
func signValues(keyBase64, et, method, res, version string) (string, error) {
	key, err := decodeKey(keyBase64)
	if err != nil {
		return "", err
	}
	d, err := digest(key, method, stringForSignature(et, method, res, version))
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(d), nil
}

// Verify recomputes the signature of a parsed token with the access key and
// compares it with the token's sign in constant time (hmac.Equal on the
// decoded bytes, onenet.md §2.3). It signs the field values as written —
// et as text, method in its case — because that is what the device signed.
// A sign that is not base64 simply does not verify. Errors: a bad key, an
// unknown method, a missing field.
func (t *Token) Verify(keyBase64 string) (bool, error) {
	var vals [4]string
	for i, k := range []string{FieldET, FieldMethod, FieldRes, FieldVersion} {
		f := t.field(k)
		if f == nil {
			return false, fmt.Errorf("onenet: verify: %w: no %s", ErrMissingField, k)
		}
		vals[i] = f.Value
	}
	if t.field(FieldSign) == nil {
		return false, fmt.Errorf("onenet: verify: %w: no %s", ErrMissingField, FieldSign)
	}
	key, err := decodeKey(keyBase64)
	if err != nil {
		return false, fmt.Errorf("onenet: verify: %w", err)
	}
	want, err := digest(key, vals[1], stringForSignature(vals[0], vals[1], vals[2], vals[3]))
	if err != nil {
		return false, fmt.Errorf("onenet: verify: %w", err)
	}
	return t.SignBytes != nil && hmac.Equal(want, t.SignBytes), nil
}

// GenerateOptions are the inputs of Generate. Only KeyBase64, ExpiresAt and
// either ProductID or Res are required.
type GenerateOptions struct {
	ProductID  string
	DeviceName string // empty: a product-level token, res products/{pid}
	KeyBase64  string // the device or product access key as OneNET shows it
	Method     string // default DefaultMethod ("sha1"); written and signed as given
	Version    string // default DeviceTokenVersion ("2018-10-31")
	Res        string // overrides the res built from ProductID and DeviceName
	ExpiresAt  time.Time
}

// Generate builds a whole token as the official generators do (onenet.md
// §2.2): fields in the order version, res, et, method, sign; res and sign
// percent-encoded with the table of §2.3 (Encode), version, et and method
// not encoded. et is ExpiresAt in whole Unix seconds; the caller computes it
// (for example capture time or now plus a TTL) — Generate never reads the
// clock.
func Generate(o GenerateOptions) (string, error) {
	method := o.Method
	if method == "" {
		method = DefaultMethod
	}
	version := o.Version
	if version == "" {
		version = DeviceTokenVersion
	}
	if version != Encode(version) {
		return "", fmt.Errorf("onenet: generate: version %q contains a character OneNET would have to percent-encode", version)
	}
	res := o.Res
	switch {
	case res != "":
	case o.ProductID == "":
		return "", errors.New("onenet: generate: product id is empty (or give res)")
	case o.DeviceName == "":
		res = "products/" + o.ProductID
	default:
		res = "products/" + o.ProductID + "/devices/" + o.DeviceName
	}
	if o.ExpiresAt.IsZero() {
		return "", errors.New("onenet: generate: expiry time is not set")
	}
	et := o.ExpiresAt.Unix()
	if et < 0 {
		return "", fmt.Errorf("onenet: generate: expiry time %s is before 1970", o.ExpiresAt.UTC().Format(time.RFC3339))
	}
	sign, err := signValues(o.KeyBase64, strconv.FormatInt(et, 10), method, res, version)
	if err != nil {
		return "", fmt.Errorf("onenet: generate: %w", err)
	}
	return "version=" + version +
		"&res=" + Encode(res) +
		"&et=" + strconv.FormatInt(et, 10) +
		"&method=" + method +
		"&sign=" + Encode(sign), nil
}
