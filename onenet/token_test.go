package onenet

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mqttpcap/mqttpcap/internal/testutil"
)

func TestParseTokenVectors(t *testing.T) {
	for _, v := range tokenVectors() {
		t.Run(v.name, func(t *testing.T) {
			if len(v.token) != v.length {
				t.Fatalf("len(token) = %d, onenet.md §2.7 says %d", len(v.token), v.length)
			}
			tok, err := ParseToken(v.token)
			if err != nil {
				t.Fatal(err)
			}
			pid, dev, _ := strings.Cut(strings.TrimPrefix(v.res, "products/"), "/devices/")
			got := []struct{ name, got, want string }{
				{"Raw", tok.Raw, v.token},
				{"Version", tok.Version, v.version},
				{"Res", tok.Res, v.res},
				{"ResKind", tok.ResKind.String(), "device"},
				{"ProductID", tok.ProductID, pid},
				{"DeviceName", tok.DeviceName, dev},
				{"Method", tok.Method, v.method},
				{"Sign", tok.Sign, v.sign},
				{"ExpiresAt", tok.ExpiresAt().Format(time.DateTime), v.etUTC},
			}
			for _, g := range got {
				if g.got != g.want {
					t.Errorf("%s = %q, want %q", g.name, g.got, g.want)
				}
			}
			if !tok.ETValid || tok.ET != v.et {
				t.Errorf("ET = %d (valid %v), want %d", tok.ET, tok.ETValid, v.et)
			}
			if _, size, _ := methodHash(v.method); len(tok.SignBytes) != size {
				t.Errorf("len(SignBytes) = %d, want %d", len(tok.SignBytes), size)
			}
			var keys []string
			for _, f := range tok.Fields {
				keys = append(keys, f.Key)
			}
			if k := strings.Join(keys, ","); k != "version,res,et,method,sign" {
				t.Errorf("field keys = %s", k)
			}
			if !LooksLikeToken([]byte(v.token)) {
				t.Error("LooksLikeToken = false")
			}
		})
	}
}

// TestSeedTokenOffsets checks the field table of onenet.md §6.2: token
// offset = packet offset − 34.
func TestSeedTokenOffsets(t *testing.T) {
	tok, err := ParseToken(seedToken)
	if err != nil {
		t.Fatal(err)
	}
	if len(tok.Raw) != 121 {
		t.Fatalf("len = %d, want 121", len(tok.Raw))
	}
	tests := []struct {
		key                  string
		valuePacketOff, vLen int // from the §6.2 table
		partPacketOff, pLen  int
		value                string
	}{
		{"version", 42, 10, 34, 18, "2018-10-31"},
		{"res", 57, 39, 53, 43, "products/VRqhDHF2wL/devices/my_tv"},
		{"et", 100, 10, 97, 13, "1661245031"},
		{"method", 118, 3, 111, 10, "md5"},
		{"sign", 127, 28, 122, 33, "y4iDPu6Yp84FO7sxpcdcSQ=="},
	}
	if len(tok.Fields) != len(tests) {
		t.Fatalf("%d fields, want %d", len(tok.Fields), len(tests))
	}
	for i, tt := range tests {
		f := tok.Fields[i]
		if f.Key != tt.key || f.Value != tt.value {
			t.Errorf("field %d = %s=%q, want %s=%q", i, f.Key, f.Value, tt.key, tt.value)
		}
		if f.ValueOff != tt.valuePacketOff-seedPacketOff || f.ValueLen != tt.vLen {
			t.Errorf("%s value at %d+%d, want %d+%d", tt.key, f.ValueOff, f.ValueLen, tt.valuePacketOff-seedPacketOff, tt.vLen)
		}
		if f.Off != tt.partPacketOff-seedPacketOff || f.Len != tt.pLen {
			t.Errorf("%s part at %d+%d, want %d+%d", tt.key, f.Off, f.Len, tt.partPacketOff-seedPacketOff, tt.pLen)
		}
	}
	if got := tok.ExpiresAt().Format(time.DateTime); got != "2022-08-23 08:57:11" {
		t.Errorf("ExpiresAt = %s", got)
	}
	if got := BeijingTime(tok.ExpiresAt()).Format(time.TimeOnly); got != "16:57:11" {
		t.Errorf("Beijing = %s", got)
	}
}

func TestParseTokenNotAToken(t *testing.T) {
	for _, s := range []string{
		"",
		"&&&",
		"hello",
		"a=b&c=d",
		"version",            // no '='
		"Version=2018-10-31", // keys are case-sensitive
		"0123456789abcdef",   // a legacy auth_info
	} {
		if tok, err := ParseToken(s); !errors.Is(err, ErrNotToken) {
			t.Errorf("ParseToken(%q) = %v, %v; want ErrNotToken", s, tok, err)
		}
	}
}

func TestParseTokenLenient(t *testing.T) {
	tests := []struct {
		name, in string
		check    func(*Token) string
	}{
		{"raw slashes and padding", "version=2018-10-31&res=products/p1/devices/d1&et=1&method=md5&sign=htDD26UhXtXayMFAWRmNiA==",
			func(k *Token) string {
				if k.Res != "products/p1/devices/d1" || k.ProductID != "p1" || k.DeviceName != "d1" || len(k.SignBytes) != 16 {
					return "res or sign not decoded"
				}
				return ""
			}},
		{"raw plus stays plus", "sign=a+b/&version=x",
			func(k *Token) string {
				if k.Sign != "a+b/" {
					return "Sign = " + k.Sign
				}
				return ""
			}},
		{"first duplicate wins", "version=1&version=2&res=products%2Fp",
			func(k *Token) string {
				if k.Version != "1" || k.ResKind != ResProduct || k.ProductID != "p" || k.DeviceName != "" {
					return "got version " + k.Version + " res kind " + k.ResKind.String()
				}
				return ""
			}},
		{"bad escape kept raw", "version=1&res=a%zz",
			func(k *Token) string {
				if k.Res != "a%zz" || k.ResKind != ResOther {
					return "Res = " + k.Res
				}
				return ""
			}},
		{"et not a number", "version=1&et=12a&res=x",
			func(k *Token) string {
				if k.ETValid || !k.ExpiresAt().IsZero() {
					return "ETValid"
				}
				if exp, d := k.Expired(time.Now()); exp || d != 0 {
					return "Expired"
				}
				return ""
			}},
		{"et overflow", "version=1&et=99999999999999999999&res=x",
			func(k *Token) string {
				if k.ETValid {
					return "ETValid"
				}
				return ""
			}},
		{"et max int64", "version=1&et=9223372036854775807&res=x",
			func(k *Token) string {
				if !k.ETValid || k.ET != 1<<63-1 {
					return "not max int64"
				}
				return ""
			}},
		{"not base64 sign", "version=1&sign=abc",
			func(k *Token) string {
				if k.SignBytes != nil {
					return "SignBytes not nil"
				}
				return ""
			}},
		{"part without equals", "version=1&junk&res=r",
			func(k *Token) string {
				f := k.Fields[1]
				if f.Key != "junk" || f.HasEquals() || f.ValueOff != f.Off+f.Len || f.ValueLen != 0 {
					return "bad junk field"
				}
				return ""
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := ParseToken(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if msg := tt.check(tok); msg != "" {
				t.Error(msg)
			}
		})
	}
}

func TestLooksLikeToken(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{seedToken, true},
		{"version=2018-10-31&res=x", true},
		{"sign=x&version=y", true},
		{"version=2018-10-31&et=1", false},
		{"res=x&sign=y", false},
		{"xversion=1&res=2", false},
		{"", false},
		{"auth_info_12345", false},
		{"\x00\xffversion=&res=", false},
		{"\x00&version=&res=", true},
	}
	for _, tt := range tests {
		if got := LooksLikeToken([]byte(tt.in)); got != tt.want {
			t.Errorf("LooksLikeToken(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if n := testutil.AllocsPerRun(100, func() { LooksLikeToken([]byte(seedToken)) }); n > 0 {
		t.Errorf("LooksLikeToken allocates %v times", n)
	}
}

func TestExpired(t *testing.T) {
	tok, err := ParseToken(seedToken)
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Date(2022, 8, 23, 8, 57, 11, 0, time.UTC)
	tests := []struct {
		at      time.Time
		expired bool
		by      time.Duration
	}{
		{exp.Add(-time.Hour), false, -time.Hour},
		{exp, false, 0}, // "et 小于当前时间": equal is not yet expired
		{exp.Add(time.Second), true, time.Second},
		{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), true, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Sub(exp)},
	}
	for _, tt := range tests {
		expired, by := tok.Expired(tt.at)
		if expired != tt.expired || by != tt.by {
			t.Errorf("Expired(%v) = %v, %v; want %v, %v", tt.at, expired, by, tt.expired, tt.by)
		}
	}
}

func TestBeijingTime(t *testing.T) {
	b := BeijingTime(time.Unix(32472115200, 0))
	if got := b.Format("2006-01-02 15:04:05 MST"); got != "2999-01-01 00:00:00 CST" {
		t.Errorf("BeijingTime = %s", got)
	}
	if _, off := b.Zone(); off != 8*3600 {
		t.Errorf("offset = %d", off)
	}
}

func TestFormatHelpers(t *testing.T) {
	if got := formatTime(time.Unix(1661245031, 0)); got != "2022-08-23 08:57:11 UTC (16:57:11 Beijing)" {
		t.Errorf("formatTime = %q", got)
	}
	if got := formatTime(time.Unix(32472115200, 0)); got != "2998-12-31 16:00:00 UTC (2999-01-01 00:00:00 Beijing)" {
		t.Errorf("formatTime = %q", got)
	}
	for d, want := range map[time.Duration]string{
		90 * time.Second:                "1m30s",
		25 * time.Hour:                  "1 day 1h0m0s",
		1226*24*time.Hour + 5*time.Hour: "1226 days",
	} {
		if got := formatAge(d); got != want {
			t.Errorf("formatAge(%v) = %q, want %q", d, got, want)
		}
	}
}
