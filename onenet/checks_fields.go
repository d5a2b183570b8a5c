package onenet

import (
	"strings"
	"time"
)

// otherVersions are the OneNET token versions that are not device tokens
// (onenet.md §2.1): a device login with them is refused, since only
// "2018-10-31" is supported for devices.
func otherVersions(v string) (service string, ok bool) {
	switch v {
	case "2020-05-29":
		return "the Studio application API (res userid/… or projectid/…)", true
	case "2022-05-01":
		return "the iot-api.heclouds.com application API (res userid/…)", true
	case "v1":
		return "the voice service (res onenet_voice/…)", true
	}
	return "", false
}

// version: onenet.md §2.8 item 2.
func (c *checker) version() {
	f := c.t.field(FieldVersion)
	if f == nil || f.Value == DeviceTokenVersion {
		return
	}
	if svc, ok := otherVersions(f.Value); ok {
		c.add(Error, CodeNotDeviceVersion, FieldVersion, f.valueAt(),
			"version %q is the token version of %s, not of device tokens; a device login uses %q",
			f.Value, svc, DeviceTokenVersion)
		return
	}
	c.add(Error, CodeUnknownVersion, FieldVersion, f.valueAt(),
		"version %q is not a OneNET token version; a device token uses %q", f.Value, DeviceTokenVersion)
}

// res: the forms of onenet.md §2.6.
func (c *checker) res() {
	f := c.t.field(FieldRes)
	if f == nil {
		return
	}
	switch c.t.ResKind {
	case ResProduct:
		// A warning, not an error: [MQTTS] wants the device key and res for
		// a device connection, [Studio], the SDK and LuatOS allow a product
		// key (onenet.md §2.6, §8).
		c.add(Warning, CodeProductLevelRes, FieldRes, f.valueAt(),
			"res %q is a product-level token where a device login normally uses a device-level one (products/%s/devices/{device name}); sources disagree whether the broker accepts it (onenet.md §2.6)",
			c.t.Res, c.t.ProductID)
	case ResOther:
		c.add(Error, CodeResNotDevice, FieldRes, f.valueAt(),
			"res %q is not products/{product id}/devices/{device name}, the resource a device login signs (onenet.md §2.6)",
			c.t.Res)
	}
}

// identity compares res with the CONNECT: product id == username, device
// name == client id (onenet.md §2.6, §2.8 item 3).
func (c *checker) identity() {
	t := c.t
	f := t.field(FieldRes)
	if f == nil || t.ResKind == ResOther {
		return
	}
	// Point at the product id (after "products/") and the device name
	// inside the captured res text.
	pidOff := valueIndex(f, len("products/"))
	if c.ctx.Username != "" && c.ctx.Username != t.ProductID {
		c.add(Error, CodeUsernameMismatch, "username", pidOff,
			"username %q is not the product id %q in res", c.ctx.Username, t.ProductID)
	}
	if t.ResKind != ResDevice || c.ctx.ClientID == "" || c.ctx.ClientID == t.DeviceName {
		return
	}
	devOff := valueIndex(f, len(t.Res)-len(t.DeviceName))
	msg := "client id %q is not the device name %q in res"
	if strings.Contains(c.ctx.ClientID, "&") {
		msg += `; the client id is the device name alone, not "product id&device name" (a common mistake, emqx/MQTTX#2048)`
	}
	c.add(Error, CodeClientIDMismatch, "client_id", devOff, msg, c.ctx.ClientID, t.DeviceName)
}

// et: seconds, not milliseconds, and not before the capture time
// (onenet.md §2.5, §2.8 item 4).
func (c *checker) et() {
	t := c.t
	f := t.field(FieldET)
	if f == nil {
		return
	}
	if !t.ETValid {
		c.add(Error, CodeETNotInteger, FieldET, f.valueAt(),
			"et %q is not a whole number of Unix seconds", f.Value)
		return
	}
	if len(f.Value) == 13 {
		c.add(Error, CodeETMilliseconds, FieldET, f.valueAt(),
			"et %s has 13 digits and looks like milliseconds (as ms: %s); OneNET wants Unix seconds, e.g. %d",
			f.Value, formatTime(time.UnixMilli(t.ET)), t.ET/1000)
		return
	}
	if c.ctx.At.IsZero() {
		return
	}
	if expired, by := t.Expired(c.ctx.At); expired {
		c.add(Error, CodeExpired, FieldET, f.valueAt(),
			"token expired %s, %s before "+c.atName()+"; the platform refuses it — generate one with a later et",
			formatTime(t.ExpiresAt()), formatAge(by))
	}
}

// method: onenet.md §2.8 item 5.
func (c *checker) method() {
	f := c.t.field(FieldMethod)
	if f == nil {
		return
	}
	if _, _, ok := methodHash(f.Value); !ok {
		c.add(Error, CodeUnknownMethod, FieldMethod, f.valueAt(),
			"method %q is not md5, sha1 or sha256", f.Value)
		return
	}
	if lower := strings.ToLower(f.Value); lower != f.Value {
		// LuatOS writes "MD5"; broker acceptance is unverified (§8), and it
		// is signed as written, so it signs differently (vector B4).
		c.add(Warning, CodeMethodUpperCase, FieldMethod, f.valueAt(),
			"method %q is not lower case like %q; whether the broker accepts it is unverified, and it signs differently (onenet.md §2.1, vector B4)",
			f.Value, lower)
	}
}

// sign: base64 whose decoded length matches the method (onenet.md §2.4,
// §2.8 item 6).
func (c *checker) sign() {
	t := c.t
	f := t.field(FieldSign)
	if f == nil {
		return
	}
	if t.SignBytes == nil && f.Value != "" {
		hint := ""
		if len(f.Value)%4 != 0 && !strings.HasSuffix(f.Value, "=") {
			hint = `; it may have lost its "=" padding`
		} else if strings.ContainsAny(f.Value, "-_") {
			hint = `; "-" and "_" are URL-safe base64, OneNET uses the standard alphabet`
		}
		c.add(Error, CodeSignNotBase64, FieldSign, f.valueAt(),
			"sign %q is not valid standard base64%s", f.Value, hint)
		return
	}
	_, size, ok := methodHash(t.Method)
	if !ok || len(t.SignBytes) == size {
		return
	}
	c.add(Error, CodeSignLength, FieldSign, f.valueAt(),
		"sign decodes to %d bytes; method %s gives %d bytes (%d base64 characters)",
		len(t.SignBytes), t.Method, size, (size+2)/3*4)
}

// valueIndex maps an index in f.Value to an offset in Token.Raw.
func valueIndex(f *TokenField, i int) int {
	if badEscape(f.RawValue) >= 0 {
		return f.ValueOff + min(i, f.ValueLen) // Value is RawValue itself
	}
	return f.ValueOff + rawIndex(f.RawValue, i)
}

func (c *checker) atName() string {
	if c.ctx.AtName != "" {
		return c.ctx.AtName
	}
	return "this packet"
}
