package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/onenet"
	"github.com/mqttpcap/mqttpcap/pipeline"
)

// testKey is the public test-vector access key of onenet.md §2.7 B1: it
// signs the tokens of onenet-post-reply.pcap and the other captures of the
// onenetbroker, so with it their signatures are checked (and must not be
// shown either).
const testKey = "KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw="

// genAuthCapture writes a capture with every kind of secret the recorded
// ones lack: an MQTT 5.0 enhanced authentication (authentication data in
// the CONNECT, two AUTH packets and the CONNACK) with a password; a OneNET
// token whose sign is not base64 and that has a stray part, so that
// OneNET's findings (and the refused login's verdict) quote them; and a
// CONNECT cut off by the end of the capture inside its password.
func genAuthCapture(t testing.TB) string {
	g := newCapGen(t, "secrets.pcap", time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))
	v5 := &genConn{client: [4]byte{192, 168, 4, 2}, server: [4]byte{10, 0, 0, 1}, cport: 50000, sport: 1883, cseq: 1000, sseq: 5000}
	g.open(v5)
	g.send(v5, true, genConnect(decode.V5, "scram-client", "alice", "hunter2-PASSWORD-v5",
		authMethod("SCRAM-SHA-1"), authData("\x00\x01kQ7vX2mP-SECRETAUTH1")))
	g.send(v5, false, genAuth(0x18, authMethod("SCRAM-SHA-1"), authData("Zr8wN4tB-SECRETAUTH2\xff")))
	g.send(v5, true, genAuth(0x18, authMethod("SCRAM-SHA-1"), authData("Hy3jL6dF-SECRETAUTH3")))
	g.send(v5, false, genConnack(decode.V5, 0, authMethod("SCRAM-SHA-1"), authData("Wc5sG1eK-SECRETAUTH4")))
	g.send(v5, true, genPublish(decode.V5, "sensors/1", "21.5", 1, 1))
	// A client that sends its password again in a payload.
	g.send(v5, true, genPublish(decode.V5, "debug/login", "my password is hunter2-PASSWORD-v5", 0, 0))
	g.send(v5, false, genAck(decode.V5, decode.PUBACK, 1))
	g.send(v5, true, genDisconnect(decode.V5))
	g.shut(v5)

	on := &genConn{client: [4]byte{192, 168, 4, 3}, server: [4]byte{183, 230, 40, 39}, cport: 50001, sport: 1883, cseq: 2000, sseq: 6000}
	g.open(on)
	g.send(on, true, genConnect(decode.V311, "dev1", "PRODUCT01",
		"version=2018-10-31&res=products%2FPRODUCT01%2Fdevices%2Fdev1&et=4070908800&method=md5&sign=n0t*base64!SECRETSIGN&strayS3CRETpart"))
	g.send(on, false, genConnack(decode.V311, 4))
	g.shut(on)

	cut := &genConn{client: [4]byte{192, 168, 4, 4}, server: [4]byte{10, 0, 0, 1}, cport: 50002, sport: 1883, cseq: 3000, sseq: 7000}
	g.open(cut)
	raw, err := decode.Encode(genConnect(decode.V311, "cut", "bob", "correct-horse-BATTERY-staple"))
	if err != nil {
		t.Fatal(err)
	}
	g.seg(cut, true, tcpPSH|tcpACK, raw[:len(raw)-10]) // the capture ends here
	return g.close()
}

// secret is a byte string no redacted output may show, in any form.
type secret struct {
	name string
	b    []byte
	// parts: no piece of it may show either (a row of a hexdump holds
	// 16 bytes of a long secret); false for a token password, whose
	// public parts (product id, device) are shown elsewhere on purpose.
	parts bool
}

// secretsOf decodes a capture and lists its secrets: every password, token
// signature (as written and percent-decoded) and authentication data.
func secretsOf(t *testing.T, path string) []secret {
	t.Helper()
	src, err := capture.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var out []secret
	sink := pipeline.SinkFunc(func(r *pipeline.Record) error {
		if r.Kind != pipeline.KindPacket {
			return nil
		}
		p := r.Packet
		if len(p.Password) > 0 {
			isToken := onenet.LooksLikeToken(p.Password)
			out = append(out, secret{"password of frame " + itoa(r.Frame), bytes.Clone(p.Password), !isToken})
		}
		if r.OneNET != nil && r.OneNET.Token != nil && r.OneNET.Token.Token != nil {
			tok := r.OneNET.Token.Token
			for _, f := range tok.Fields {
				if f.Key == onenet.FieldSign {
					out = append(out, secret{"sign as written", []byte(f.RawValue), true}, secret{"sign", []byte(f.Value), true})
				}
			}
		}
		for _, pr := range p.Properties.List {
			if pr.ID == decode.PropAuthenticationData {
				out = append(out, secret{"authentication data of frame " + itoa(r.Frame), bytes.Clone(pr.Data), true})
			}
		}
		return nil
	})
	opts := pipeline.DefaultOptions()
	if err := pipeline.New(opts, sink).Run(context.Background(), src); err != nil && !strings.Contains(err.Error(), "cut short") {
		t.Logf("%s: %v", path, err)
	}
	return out
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

// leaks lists the forms of s that out shows: the bytes as text (when long
// enough to mean something; a short one only as a value: "pass" or
// ..pass in a hexdump's text column), as hex in lower or upper case, plain
// (JSON "hex", exports) or spaced (hexdumps), and, for a secret whose
// parts are secret too, any 8 characters or 4 bytes of it.
func leaks(out string, s secret) []string {
	var forms []string
	text := string(s.b)
	if len(s.b) >= 6 {
		forms = append(forms, text)
	} else {
		forms = append(forms, `"`+text+`"`, ".."+text, "="+text+" ")
	}
	h := hex.EncodeToString(s.b)
	spaced := func(h string) string {
		var b strings.Builder
		for i := 0; i < len(h); i += 2 {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(h[i : i+2])
		}
		return b.String()
	}
	if len(s.b) >= 3 {
		forms = append(forms, h, strings.ToUpper(h), spaced(h), spaced(strings.ToUpper(h)))
	}
	if s.parts {
		for i := 0; i+8 <= len(text); i++ {
			forms = append(forms, text[i:i+8])
		}
		for i := 0; i+4 <= len(s.b); i++ {
			w := hex.EncodeToString(s.b[i : i+4])
			forms = append(forms, spaced(w), spaced(strings.ToUpper(w)), w)
		}
	}
	var found []string
	for _, f := range forms {
		if strings.Contains(out, f) {
			found = append(found, f)
		}
	}
	return found
}

// The redaction property (issue 11): for every test capture and every way
// mqttpcap can show it, with --redact no output holds a password, a token
// signature, authentication data or the access key given, raw or
// hex-encoded, in part or whole — stdout and stderr alike.
func TestRedactLeaksNothing(t *testing.T) {
	captures, err := filepath.Glob("../../testdata/pcaps/*.pcap*")
	if err != nil || len(captures) == 0 {
		t.Fatalf("no captures: %v", err)
	}
	generated := genAuthCapture(t)
	captures = append(captures, generated)
	key := secret{"the --key", []byte(testKey), true}
	// The CONNECT cut off in its password has no password field: its
	// captured part is known from genAuthCapture.
	cut := secret{"the password cut short", []byte("correct-horse-BATT"), true}
	modes := [][]string{
		{"read", "--redact"},
		{"read", "--redact", "--full"},
		{"read", "--redact", "--width", "80"},
		{"read", "--redact", "-V"},
		{"read", "--redact", "-V", "--full"},
		{"read", "--redact", "-V", "--width", "80"},
		{"read", "--redact", "--hex"},
		{"read", "--redact", "--hex", "--width", "80"},
		{"read", "--redact", "--json"},
		{"read", "--redact", "--json", "-Y", "kind == connection"},
		{"read", "--redact", "--no-summary", "-Y", "onenet.finding || problems"},
		{"read", "--redact", "--export-hex"},
		{"read", "--redact", "--export-hex", "fixture"},
		{"stats"},
		{"stats", "--json"},
	}
	checked := 0
	for _, path := range captures {
		name := filepath.Base(path)
		secrets := append(secretsOf(t, path), key)
		if path == generated {
			secrets = append(secrets, cut)
		}
		check := func(mode, out string) {
			t.Helper()
			out = ansi.Strip(out)
			for _, s := range secrets {
				if found := leaks(out, s); len(found) > 0 {
					t.Errorf("%s %s shows %s as %q:\n%s", name, mode, s.name, found[0], out)
				}
			}
			checked++
		}
		for _, mode := range modes {
			args := append(append([]string{}, mode...), "--key", testKey, path)
			out, errOut, _ := runCLI(t, false, nil, args...)
			check(strings.Join(mode, " "), out+errOut)
		}
		// A terminal: styled, laid out for 80 columns.
		for _, mode := range [][]string{{"read", "--redact"}, {"read", "--redact", "-V"}, {"read", "--redact", "--hex"}, {"stats"}} {
			args := append(append([]string{}, mode...), path)
			out, errOut, _ := runCLI(t, true, []string{"TERM=xterm-256color", "COLUMNS=80", keyEnv + "=" + testKey}, args...)
			check("terminal "+strings.Join(mode, " "), out+errOut)
		}
		// live, fed the capture.
		for _, mode := range [][]string{{"--redact"}, {"--redact", "--json"}, {"--redact", "-V"}} {
			out, errOut, _ := liveFake(t, openFake(t, path, false), append([]string{"-i", "fake0", "--key", testKey}, mode...)...)
			check("live "+strings.Join(mode, " "), out+errOut)
		}
	}
	if checked == 0 {
		t.Fatal("nothing checked")
	}
}

// The capture of the property test holds what it is meant to: without
// --redact each of its secrets shows, so the property above means
// something; and OneNET's findings quote the bad sign and the stray part.
func TestRedactCaptureHasSecrets(t *testing.T) {
	path := genAuthCapture(t)
	secrets := secretsOf(t, path)
	if len(secrets) < 8 {
		t.Errorf("%d secrets: %+v", len(secrets), secrets)
	}
	out, _, _ := runCLI(t, false, nil, "read", "-V", "--full", path)
	for _, s := range append(secrets, secret{"the password cut short", []byte("correct-horse-BATT"), true}) {
		if len(leaks(out, s)) == 0 {
			t.Errorf("read -V does not show %s %q:\n%s", s.name, s.b, out)
		}
	}
	out, _, _ = runCLI(t, false, nil, "read", path)
	for _, s := range []string{"n0t*base64!SECRETSIGN", "strayS3CRETpart"} {
		if !strings.Contains(out, s) {
			t.Errorf("no OneNET finding quotes %q:\n%s", s, out)
		}
	}
}

// replay prints the server's answers: authentication data in them is not
// printed (replay shows each answer's facts, which carry none).
func TestReplayShowsNoSecret(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skip("no loopback:", err)
	}
	defer ln.Close()
	connack, err := decode.Encode(genConnack(decode.V5, 0, authMethod("SCRAM-SHA-1"), authData("Wc5sG1eK-SECRETAUTH4")))
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 4096)
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := c.Read(buf); err == nil {
			c.Write(connack)
		}
		// Stay until the client is done: a server that closes first fails
		// the replay (exit 5).
		io.Copy(io.Discard, c)
	}()
	path := genAuthCapture(t)
	out, errOut, code := runCLI(t, false, nil, "replay", "--to", ln.Addr().String(), "--read-timeout", "300ms", path)
	if code != exitOK {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	for _, s := range append(secretsOf(t, path), secret{"the server's authentication data", []byte("Wc5sG1eK-SECRETAUTH4"), true}) {
		if found := leaks(out+errOut, s); len(found) > 0 {
			t.Errorf("replay shows %s as %q:\n%s", s.name, found[0], out)
		}
	}
}
