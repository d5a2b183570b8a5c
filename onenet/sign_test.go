package onenet

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSignVectors(t *testing.T) {
	for _, v := range tokenVectors() {
		got, err := Sign(v.key, v.et, v.method, v.res, v.version)
		if err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		if got != v.sign {
			t.Errorf("%s: Sign = %q, want %q", v.name, got, v.sign)
		}
	}
}

func TestGenerateVectors(t *testing.T) {
	for _, v := range tokenVectors() {
		pid, dev, _ := strings.Cut(strings.TrimPrefix(v.res, "products/"), "/devices/")
		got, err := Generate(GenerateOptions{
			ProductID: pid, DeviceName: dev, KeyBase64: v.key,
			Method: v.method, Version: v.version, ExpiresAt: time.Unix(v.et, 0),
		})
		if err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		if got != v.token {
			t.Errorf("%s: Generate =\n%s\nwant\n%s", v.name, got, v.token)
		}
	}
}

func TestVerifyVectors(t *testing.T) {
	vs := tokenVectors()
	for i, v := range vs {
		tok, err := ParseToken(v.token)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := tok.Verify(v.key); !ok || err != nil {
			t.Errorf("%s: Verify(own key) = %v, %v", v.name, ok, err)
		}
		// Another vector's key, the next one with a different key.
		for j := 1; j < len(vs); j++ {
			other := vs[(i+j)%len(vs)]
			if other.key == v.key {
				continue
			}
			if ok, err := tok.Verify(other.key); ok || err != nil {
				t.Errorf("%s: Verify(key of %s) = %v, %v; want false, nil", v.name, other.name, ok, err)
			}
			break
		}
	}
}

// TestGenerateDefaults: vector A is sha1, version 2018-10-31, device
// level, so the defaults alone must reproduce it.
func TestGenerateDefaults(t *testing.T) {
	a := tokenVectors()[0]
	got, err := Generate(GenerateOptions{ProductID: "238322", DeviceName: "mqtts-test-device", KeyBase64: a.key, ExpiresAt: time.Unix(a.et, 0)})
	if err != nil || got != a.token {
		t.Errorf("Generate(defaults) = %q, %v; want vector A", got, err)
	}
	// Res overrides product id and device name; sub-second time truncates.
	got, err = Generate(GenerateOptions{Res: a.res, ProductID: "ignored", KeyBase64: a.key, ExpiresAt: time.Unix(a.et, 999_000_000)})
	if err != nil || got != a.token {
		t.Errorf("Generate(Res) = %q, %v; want vector A", got, err)
	}
	// Product level: res products/{pid}.
	got, err = Generate(GenerateOptions{ProductID: "238322", KeyBase64: a.key, ExpiresAt: time.Unix(a.et, 0)})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := ParseToken(got)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Res != "products/238322" || tok.ResKind != ResProduct || tok.Method != DefaultMethod || tok.Version != DeviceTokenVersion {
		t.Errorf("product-level token = %q", got)
	}
	if ok, err := tok.Verify(a.key); !ok || err != nil {
		t.Errorf("Verify(product-level) = %v, %v", ok, err)
	}
}

func TestGenerateEncodesRes(t *testing.T) {
	key := tokenVectors()[0].key
	got, err := Generate(GenerateOptions{ProductID: "p", DeviceName: "a b+c", KeyBase64: key, ExpiresAt: time.Unix(1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got, "version=2018-10-31&res=products%2Fp%2Fdevices%2Fa%20b%2Bc&et=1&method=sha1&sign=") {
		t.Errorf("Generate = %q", got)
	}
	tok, _ := ParseToken(got)
	if ok, err := tok.Verify(key); !ok || err != nil {
		t.Errorf("Verify = %v, %v", ok, err)
	}
}

func TestGenerateErrors(t *testing.T) {
	const secret = "c2VjcmV0LWtleS10aGF0LW11c3Qtbm90LWxlYWs=" // a valid key
	good := GenerateOptions{ProductID: "p", DeviceName: "d", KeyBase64: secret, ExpiresAt: time.Unix(1e9, 0)}
	tests := []struct {
		name   string
		modify func(*GenerateOptions)
		is     error
		text   string
	}{
		{"no product", func(o *GenerateOptions) { o.ProductID = "" }, nil, "product id is empty"},
		{"no expiry", func(o *GenerateOptions) { o.ExpiresAt = time.Time{} }, nil, "expiry time is not set"},
		{"before 1970", func(o *GenerateOptions) { o.ExpiresAt = time.Unix(-5, 0) }, nil, "before 1970"},
		{"bad method", func(o *GenerateOptions) { o.Method = "sha512" }, ErrUnknownMethod, `"sha512"`},
		{"empty key", func(o *GenerateOptions) { o.KeyBase64 = "" }, ErrBadKey, "empty"},
		{"bad key", func(o *GenerateOptions) { o.KeyBase64 = "sec!ret-key-that-must-not-leak" }, ErrBadKey, "input byte 3"},
		{"version needs encoding", func(o *GenerateOptions) { o.Version = "1&x=2" }, nil, "percent-encode"},
	}
	for _, tt := range tests {
		o := good
		tt.modify(&o)
		_, err := Generate(o)
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		if tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("%s: %v is not %v", tt.name, err, tt.is)
		}
		if !strings.Contains(err.Error(), tt.text) {
			t.Errorf("%s: %q does not contain %q", tt.name, err, tt.text)
		}
		assertNoKey(t, err.Error(), o.KeyBase64)
	}
}

func TestVerifyErrors(t *testing.T) {
	const secret = "sec!ret/key+that=must-not-leak"
	b1 := tokenVectors()[1]
	tests := []struct {
		name, token, key string
		is               error
	}{
		{"bad key", b1.token, secret, ErrBadKey},
		{"unknown method", strings.Replace(b1.token, "method=md5", "method=sha384", 1), b1.key, ErrUnknownMethod},
		{"missing et", strings.Replace(b1.token, "&et=32472115200", "", 1), b1.key, ErrMissingField},
		{"missing sign", b1.token[:strings.Index(b1.token, "&sign=")], b1.key, ErrMissingField},
	}
	for _, tt := range tests {
		tok, err := ParseToken(tt.token)
		if err != nil {
			t.Fatal(err)
		}
		ok, err := tok.Verify(tt.key)
		if ok || !errors.Is(err, tt.is) {
			t.Errorf("%s: Verify = %v, %v; want %v", tt.name, ok, err, tt.is)
		}
		if err != nil {
			assertNoKey(t, err.Error(), tt.key)
		}
	}
	// A sign that is not base64 does not verify, without an error.
	tok, _ := ParseToken(strings.Replace(b1.token, "htDD26UhXtXayMFAWRmNiA%3D%3D", "not*base64", 1))
	if ok, err := tok.Verify(b1.key); ok || err != nil {
		t.Errorf("Verify(bad sign) = %v, %v", ok, err)
	}
}

// assertNoKey fails if text contains the key or a long piece of it.
func assertNoKey(t *testing.T, text, key string) {
	t.Helper()
	for i := 0; i+8 <= len(key); i++ {
		if strings.Contains(text, key[i:i+8]) {
			t.Errorf("%q contains part of the key", text)
			return
		}
	}
}

// TestNegativeVectorA: onenet.md §2.2/§2.7 — a reordered string for
// signature and the key's base64 text used as the raw HMAC key must not
// reproduce vector A, while the documented construction does.
func TestNegativeVectorA(t *testing.T) {
	a := tokenVectors()[0]
	key, err := decodeKey(a.key)
	if err != nil {
		t.Fatal(err)
	}
	et := strconv.FormatInt(a.et, 10)
	hmacSHA1 := func(k []byte, s string) string {
		m := hmac.New(sha1.New, k)
		m.Write([]byte(s))
		return base64.StdEncoding.EncodeToString(m.Sum(nil))
	}
	if got := hmacSHA1(key, stringForSignature(et, a.method, a.res, a.version)); got != a.sign {
		t.Fatalf("documented construction = %q, want %q", got, a.sign)
	}
	wrong := map[string]string{
		"token order version,res,et,method": hmacSHA1(key, a.version+"\n"+a.res+"\n"+et+"\n"+a.method),
		"reverse order":                     hmacSHA1(key, a.version+"\n"+a.res+"\n"+a.method+"\n"+et),
		"literal /n separator":              hmacSHA1(key, et+"/n"+a.method+"/n"+a.res+"/n"+a.version),
		"percent-encoded res":               hmacSHA1(key, stringForSignature(et, a.method, Encode(a.res), a.version)),
		"raw-text key":                      hmacSHA1([]byte(a.key), stringForSignature(et, a.method, a.res, a.version)),
	}
	for name, got := range wrong {
		if got == a.sign {
			t.Errorf("%s reproduces vector A's sign", name)
		}
	}
}

// TestStrictKeyRejectsLuatOS documents why decodeKey is lenient
// (onenet.md §2.3): Strict() rejects the B5/B6 key.
func TestStrictKeyRejectsLuatOS(t *testing.T) {
	if _, err := base64.StdEncoding.Strict().DecodeString("adfasdfadsfadsf="); err == nil {
		t.Error("Strict accepted adfasdfadsfadsf=")
	}
	if k, err := decodeKey("adfasdfadsfadsf="); err != nil || len(k) != 11 {
		t.Errorf("decodeKey = %d bytes, %v; want 11", len(k), err)
	}
}
