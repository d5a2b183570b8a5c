package onenet

import (
	"strings"
	"testing"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
)

// The access key given to verify signatures (--key) never appears in
// anything the OneNET view says: token findings, the signature verdict,
// topic findings, the connection's verdict. Each vector's token is logged
// in with its right key and with a wrong one, through Conn (the path
// --key takes), and every text is searched for any 8 characters of either
// key. (It replaces a test that never gave the key to anything.)
func TestKeyNeverInOutput(t *testing.T) {
	const wrongKey = "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktISE="
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, v := range tokenVectors() {
		for _, key := range []string{v.key, wrongKey} {
			tok, err := ParseToken(v.token)
			if err != nil {
				t.Fatal(err)
			}
			product, device := tok.ProductID, tok.DeviceName
			c := Conn{Key: func(string, string) (string, bool) { return key, true }}
			connect := &decode.Packet{Type: decode.CONNECT, Version: decode.V311, ClientID: []byte(device),
				Username: []byte(product), UsernameFlag: true, Password: []byte(v.token), PasswordFlag: true}
			var texts []string
			info := c.Packet(connect, true, 1, at)
			if info == nil || info.Token == nil {
				t.Fatalf("%s: the token was not read", v.name)
			}
			texts = append(texts, info.Token.Signature)
			for _, f := range append(info.Token.Findings, info.Findings...) {
				texts = append(texts, f.Message)
			}
			ack := &decode.Packet{Type: decode.CONNACK, Version: decode.V311, HasReasonCode: true, ReasonCode: 5}
			c.Packet(ack, false, 2, at.Add(time.Millisecond))
			c.Closed(false, "fin", 3, at.Add(2*time.Millisecond))
			verdict := c.Verdict()
			texts = append(texts, verdict.Status, verdict.Summary)
			texts = append(texts, verdict.Reasons...)
			if key == v.key && info.Token.Signature != "valid" && tok.DeviceName != "" {
				t.Errorf("%s: signature %q with the right key", v.name, info.Token.Signature)
			}
			for _, text := range texts {
				for _, k := range []string{v.key, wrongKey} {
					for i := 0; i+8 <= len(k); i++ {
						if strings.Contains(text, k[i:i+8]) {
							t.Fatalf("%s: %q holds part of a key", v.name, text)
						}
					}
				}
			}
		}
	}
}
