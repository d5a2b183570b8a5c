package onenet

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// The seed CONNECT's identity (onenet.md §6.2).
var seedCtx = CheckContext{Username: "VRqhDHF2wL", ClientID: "my_tv", At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}

func TestCheckSeed(t *testing.T) {
	tok, err := ParseToken(seedToken)
	if err != nil {
		t.Fatal(err)
	}
	got := tok.Check(seedCtx)
	if len(got) != 1 {
		t.Fatalf("findings = %v, want exactly one (expired)", got)
	}
	f := got[0]
	want := Finding{Code: CodeExpired, Field: "et", Off: 100 - seedPacketOff, Severity: Error,
		Message: "token expired 2022-08-23 08:57:11 UTC (16:57:11 Beijing), 1226 days before this packet; the platform refuses it — generate one with a later et"}
	if f != want {
		t.Errorf("finding =\n%+v\nwant\n%+v", f, want)
	}
	// Before expiry, the seed token is clean.
	if got := tok.Check(CheckContext{Username: "VRqhDHF2wL", ClientID: "my_tv", At: time.Date(2022, 8, 23, 8, 0, 0, 0, time.UTC)}); len(got) != 0 {
		t.Errorf("findings before expiry = %v", got)
	}
}

// TestCheckVectors: the §2.7 tokens are well formed; only B4 (upper-case
// method) and B7 (application-API version) have something to say.
func TestCheckVectors(t *testing.T) {
	for _, v := range tokenVectors() {
		tok, err := ParseToken(v.token)
		if err != nil {
			t.Fatal(err)
		}
		pid, dev, _ := strings.Cut(strings.TrimPrefix(v.res, "products/"), "/devices/")
		ctx := CheckContext{Username: pid, ClientID: dev, At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		var codes []string
		for _, f := range tok.Check(ctx) {
			codes = append(codes, f.Code)
		}
		want := map[string]string{"B4": CodeMethodUpperCase, "B7": CodeNotDeviceVersion}[v.name]
		if got := strings.Join(codes, ","); got != want {
			t.Errorf("%s: codes = %q, want %q", v.name, got, want)
		}
	}
}

// A device-level, well-formed base and helpers to break one thing at a time.
const (
	goodRes  = "res=products%2FVRqhDHF2wL%2Fdevices%2Fmy_tv"
	goodSign = "sign=y4iDPu6Yp84FO7sxpcdcSQ%3D%3D"
)

func tokenOf(parts ...string) string { return strings.Join(parts, "&") }

// TestCheckCodes has one row per finding code: the token, the context, and
// the finding that must be among the results (code, field, offset,
// severity, and a piece of the message).
func TestCheckCodes(t *testing.T) {
	ctx := seedCtx
	ctx.At = time.Time{}
	tests := []struct {
		code, token string
		ctx         CheckContext
		field       string
		off         int
		sev         Severity
		msg         string
	}{
		{CodeMissingField, tokenOf("version=2018-10-31", goodRes, "method=md5", goodSign), ctx,
			"et", -1, Error, "no et field"},
		{CodeDuplicateField, tokenOf("version=2018-10-31", goodRes, "et=1661245031", "method=md5", goodSign, "et=1"), ctx,
			"et", 122, Warning, `uses the first one ("1661245031")`},
		{CodeUnknownField, tokenOf("version=2018-10-31", goodRes, "et=1661245031", "method=md5", goodSign, "foo=bar"), ctx,
			"foo", 122, Warning, `unknown field "foo"`},
		{CodeMalformedField, tokenOf("version=2018-10-31", goodRes, "et=1661245031", "junk", "method=md5", goodSign), ctx,
			"junk", 77, Warning, `part "junk" has no "="`},
		{CodeMalformedField, tokenOf("version=2018-10-31", goodRes, "et=1661245031", "", "method=md5", goodSign), ctx,
			"", 77, Warning, "empty part at offset 77"},
		{CodeMalformedField, seedToken + "&", ctx,
			"", 121, Warning, "trailing"},
		{CodeFieldOrder, tokenOf(goodRes, "version=2018-10-31", "et=1661245031", "method=md5", goodSign), ctx,
			"res", 0, Info, "in the order res, version, et, method, sign"},
		{CodeNotPercentEncoded, tokenOf("version=2018-10-31", "res=products/VRqhDHF2wL/devices/my_tv", "et=1661245031", "method=md5", goodSign), ctx,
			"res", 31, Warning, `res has 3 un-encoded "/" (first at offset 31)`},
		{CodeNotPercentEncoded, tokenOf("version=2018-10-31", goodRes, "et=1661245031", "method=md5", "sign=y4iDPu6Yp84FO7sxpcdcSQ=="), ctx,
			"sign", 115, Warning, `"=" as %3D`},
		{CodeNotPercentEncoded, tokenOf("version=2018-10-31", goodRes, "et=1661245031", "method=sha1", "sign=onzQlILHFFNqIY+dOXYM3lthLT8%3D"), ctx,
			"sign", 108, Warning, `"+" as %2B`},
		{CodeBadPercentEscape, tokenOf("version=2018-10-31", goodRes, "et=1661245031", "method=md5", "sign=y4iDPu6Yp84FO7sxpcdcSQ%3D%3"), ctx,
			"sign", 118, Warning, `bad percent escape "%3"`},
		{CodeUnknownVersion, tokenOf("version=2018-1-31", goodRes, "et=1661245031", "method=md5", goodSign), ctx,
			"version", 8, Error, `version "2018-1-31" is not a OneNET token version`},
		{CodeNotDeviceVersion, tokenOf("version=2020-05-29", goodRes, "et=1661245031", "method=md5", goodSign), ctx,
			"version", 8, Error, "Studio application API"},
		{CodeNotDeviceVersion, tokenOf("version=v1", goodRes, "et=1661245031", "method=md5", goodSign), ctx,
			"version", 8, Error, "voice"},
		{CodeProductLevelRes, tokenOf("version=2018-10-31", "res=products%2FVRqhDHF2wL", "et=1661245031", "method=md5", goodSign), ctx,
			"res", 23, Warning, "product-level token where a device login normally uses a device-level one"},
		{CodeResNotDevice, tokenOf("version=2018-10-31", "res=userid%2F112", "et=1661245031", "method=md5", goodSign), ctx,
			"res", 23, Error, `res "userid/112"`},
		{CodeUsernameMismatch, seedToken, CheckContext{Username: "VRqhDHF2wL1", ClientID: "my_tv"},
			"username", 34, Error, `username "VRqhDHF2wL1" is not the product id "VRqhDHF2wL" in res`},
		{CodeUsernameMismatch, tokenOf("version=2018-10-31", "res=products%2FVRqhDHF2wL", "et=1661245031", "method=md5", goodSign), CheckContext{Username: "x"},
			"username", 34, Error, `product id "VRqhDHF2wL"`},
		{CodeClientIDMismatch, seedToken, CheckContext{Username: "VRqhDHF2wL", ClientID: "my_tv2"},
			"client_id", 57, Error, `client id "my_tv2" is not the device name "my_tv" in res`},
		{CodeClientIDMismatch, seedToken, CheckContext{Username: "VRqhDHF2wL", ClientID: "VRqhDHF2wL&my_tv"},
			"client_id", 57, Error, "emqx/MQTTX#2048"},
		{CodeETNotInteger, tokenOf("version=2018-10-31", goodRes, "et=1661245031.5", "method=md5", goodSign), ctx,
			"et", 66, Error, `et "1661245031.5" is not a whole number`},
		{CodeETMilliseconds, tokenOf("version=2018-10-31", goodRes, "et=1661245031000", "method=md5", goodSign), seedCtx,
			"et", 66, Error, "looks like milliseconds (as ms: 2022-08-23 08:57:11 UTC (16:57:11 Beijing)); OneNET wants Unix seconds, e.g. 1661245031"},
		{CodeExpired, seedToken, CheckContext{At: time.Date(2022, 8, 23, 9, 0, 0, 0, time.UTC)},
			"et", 66, Error, "expired 2022-08-23 08:57:11 UTC (16:57:11 Beijing), 2m49s before this packet"},
		{CodeUnknownMethod, tokenOf("version=2018-10-31", goodRes, "et=1661245031", "method=hmacmd5", goodSign), ctx,
			"method", 84, Error, `method "hmacmd5" is not md5, sha1 or sha256`},
		{CodeMethodUpperCase, tokenOf("version=2018-10-31", goodRes, "et=1661245031", "method=Sha256", "sign=6Y4zbk3Sa89tRf9lMxCCE0jG74uEcEuu%2Fnly1pU9ADM%3D"), ctx,
			"method", 84, Warning, `method "Sha256" is not lower case like "sha256"`},
		{CodeSignNotBase64, tokenOf("version=2018-10-31", goodRes, "et=1661245031", "method=md5", "sign=y4iDPu6Yp84FO7sxpcdcSQ"), ctx,
			"sign", 93, Error, `lost its "=" padding`},
		{CodeSignNotBase64, tokenOf("version=2018-10-31", goodRes, "et=1661245031", "method=md5", "sign=y4iDPu6Yp84FO7sxpc_cSQ%3D%3D"), ctx,
			"sign", 93, Error, "URL-safe"},
		{CodeSignLength, tokenOf("version=2018-10-31", goodRes, "et=1661245031", "method=sha256", goodSign), ctx,
			"sign", 96, Error, "sign decodes to 16 bytes; method sha256 gives 32 bytes (44 base64 characters)"},
		// The doc's placeholder sign (onenet.md §2.4) matches no method.
		{CodeSignLength, tokenOf("version=2018-10-31", goodRes, "et=1661245031", "method=md5", "sign="+Encode(placeholderSign)), ctx,
			"sign", 93, Error, "sign decodes to 26 bytes; method md5 gives 16 bytes (24 base64 characters)"},
		{CodeSignLength, tokenOf("version=2018-10-31", goodRes, "et=1661245031", "method=sha1", "sign="+Encode(placeholderSign)), ctx,
			"sign", 94, Error, "sign decodes to 26 bytes; method sha1 gives 20 bytes (28 base64 characters)"},
		{CodeSignLength, tokenOf("version=2018-10-31", goodRes, "et=1661245031", "method=md5", "sign="), ctx,
			"sign", 88, Error, "sign decodes to 0 bytes"},
	}
	seen := map[string]bool{}
	for i, tt := range tests {
		t.Run(fmt.Sprintf("%02d_%s", i, tt.code), func(t *testing.T) {
			seen[tt.code] = true
			tok, err := ParseToken(tt.token)
			if err != nil {
				t.Fatal(err)
			}
			got := tok.Check(tt.ctx)
			for _, f := range got {
				if f.Code != tt.code || f.Field != tt.field {
					continue
				}
				if f.Off != tt.off || f.Severity != tt.sev || !strings.Contains(f.Message, tt.msg) {
					t.Errorf("finding = %+v\nwant off %d, severity %v, message containing %q", f, tt.off, tt.sev, tt.msg)
				}
				return
			}
			t.Errorf("no %s finding on %s; got %+v", tt.code, tt.field, got)
		})
	}
	for _, code := range allCodes() {
		if !seen[code] {
			t.Errorf("no test row for %s", code)
		}
	}
}

func allCodes() []string {
	return []string{
		CodeMissingField, CodeDuplicateField, CodeUnknownField, CodeMalformedField, CodeFieldOrder,
		CodeNotPercentEncoded, CodeBadPercentEscape, CodeUnknownVersion, CodeNotDeviceVersion,
		CodeProductLevelRes, CodeResNotDevice, CodeUsernameMismatch, CodeClientIDMismatch,
		CodeETNotInteger, CodeETMilliseconds, CodeExpired, CodeUnknownMethod, CodeMethodUpperCase,
		CodeSignNotBase64, CodeSignLength,
	}
}

// TestCheckOrderAndSeverity: errors come first; empty context skips the
// identity and expiry checks.
func TestCheckOrderAndSeverity(t *testing.T) {
	tok, err := ParseToken(tokenOf("res=products/p/devices/d", "version=x", "method=MD5", goodSign))
	if err != nil {
		t.Fatal(err)
	}
	got := tok.Check(CheckContext{})
	for i := 1; i < len(got); i++ {
		if got[i].Severity > got[i-1].Severity {
			t.Errorf("finding %d (%v) after a %v", i, got[i].Severity, got[i-1].Severity)
		}
	}
	for _, f := range got {
		switch f.Code {
		case CodeUsernameMismatch, CodeClientIDMismatch, CodeExpired:
			t.Errorf("unexpected %s with an empty context", f.Code)
		}
	}
	if len(got) == 0 || got[0].Severity != Error || got[len(got)-1].Severity != Info {
		t.Errorf("findings = %+v", got)
	}
}

func TestFindingJSON(t *testing.T) {
	b, err := json.Marshal(struct {
		S Severity
		K ResKind
	}{Warning, ResProduct})
	if err != nil || string(b) != `{"S":"warning","K":"product"}` {
		t.Errorf("json = %s, %v", b, err)
	}
}
