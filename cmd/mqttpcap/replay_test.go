package main

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/mqttpcap/mqttpcap/internal/testutil"
	"github.com/mqttpcap/mqttpcap/onenet"
)

// tokenHook plays a OneNET-like broker: it refuses a login whose password
// is a token with an error at connect time (an expired one).
type tokenHook struct{ mqtt.HookBase }

func (h *tokenHook) ID() string { return "token-check" }

func (h *tokenHook) Provides(b byte) bool {
	return b == mqtt.OnConnectAuthenticate || b == mqtt.OnACLCheck
}

func (h *tokenHook) OnACLCheck(*mqtt.Client, string, bool) bool { return true }

func (h *tokenHook) OnConnectAuthenticate(cl *mqtt.Client, pk packets.Packet) bool {
	tok, err := onenet.ParseToken(string(pk.Connect.Password))
	if err != nil {
		return true
	}
	for _, f := range tok.Check(onenet.CheckContext{At: time.Now()}) {
		if f.Severity == onenet.Error {
			return false
		}
	}
	return true
}

// startBroker runs a real MQTT broker (mochi-mqtt) on loopback.
func startBroker(t *testing.T) string {
	t.Helper()
	srv := mqtt.New(&mqtt.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := srv.AddHook(new(tokenHook), nil); err != nil {
		t.Fatal(err)
	}
	tcp, err := testutil.NewTCPListener("t", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.AddListener(tcp); err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	t.Cleanup(func() { srv.Close() })
	return tcp.Address()
}

const keyB1 = "KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw="

// The seed capture's token expired in 2022: the broker refuses it, replay
// says so and exits 5; with --refresh-token the same packets log in.
func TestReplayAgainstBroker(t *testing.T) {
	addr := startBroker(t)
	seed := "../../testdata/pcaps/onenet-esp8266.pcapng"
	out, errOut, code := runCLI(t, false, nil, "replay", "--to", addr, "--pause", "50ms", "--read-timeout", "300ms", seed)
	if code != exitRefused || !strings.Contains(out, "← CONNACK     0x05 Connection Refused: not authorized") ||
		!strings.Contains(errOut, "the server refused the login: CONNACK 0x05") {
		t.Fatalf("expired token: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = runCLI(t, false, nil, "replay", "--to", addr, "--pause", "50ms", "--read-timeout", "300ms",
		"--refresh-token", "--key", keyB1, seed)
	if code != 0 || !strings.Contains(out, "← CONNACK     0x00 Connection Accepted") || !strings.Contains(out, "← SUBACK      id=1 0x00") ||
		!strings.Contains(out, "token refreshed") {
		t.Fatalf("refreshed token: exit %d\n%s%s", code, out, errOut)
	}

	// The one-byte-length CONNECT: the broker drops it as sent; re-encoded
	// with --fix-length and a fresh token, it logs in.
	bug := "../../testdata/pcaps/onenet-length-bug.pcap"
	out, errOut, code = runCLI(t, false, nil, "replay", "--to", addr, "--pause", "50ms", "--read-timeout", "300ms",
		"--refresh-token", "--key", keyB1, bug)
	if code != exitRefused || !strings.Contains(errOut, "--fix-length re-encodes it") {
		t.Fatalf("length bug as captured: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = runCLI(t, false, nil, "replay", "--to", addr, "--pause", "50ms", "--read-timeout", "300ms",
		"--fix-length", "--refresh-token", "--key", keyB1, bug)
	if code != 0 || !strings.Contains(out, "← CONNACK     0x00 Connection Accepted") ||
		!strings.Contains(errOut, "remaining length 152 re-encoded as 98 01 (the capture had 98); 154 → 155 bytes") {
		t.Fatalf("--fix-length: exit %d\n%s%s", code, out, errOut)
	}

	// -Y chooses the packets of a capture: only the CONNECT and the
	// DISCONNECT, so no SUBACK comes back.
	out, errOut, code = runCLI(t, false, nil, "replay", "--to", addr, "--pause", "50ms", "--read-timeout", "300ms",
		"--refresh-token", "--key", keyB1, "-Y", "type == CONNECT || type == DISCONNECT", seed)
	if code != 0 || strings.Count(out, "\n→ ") != 2 || strings.Contains(out, "SUBACK") {
		t.Fatalf("-Y: exit %d\n%s%s", code, out, errOut)
	}

	// An AT export replays the same way, and so do hex lines on stdin.
	dir := t.TempDir()
	at := filepath.Join(dir, "seed.at")
	if _, errOut, code := runCLI(t, false, nil, "read", seed, "--export-hex", "at", "-o", at, "--refresh-token", "--key", keyB1); code != 0 {
		t.Fatalf("export: %d %s", code, errOut)
	}
	out, _, code = runCLI(t, false, nil, "replay", "--to", addr, "--pause", "50ms", "--read-timeout", "300ms", at)
	if code != 0 || strings.Count(out, "→ ") != 4 {
		t.Fatalf("AT replay: exit %d\n%s", code, out)
	}
	// A fixture export (JSON) replays too: its packets' exact bytes, in
	// their connection (issue 17: never tried before).
	fixture := filepath.Join(dir, "seed.json")
	if _, errOut, code := runCLI(t, false, nil, "read", seed, "--export-hex", "fixture", "-o", fixture, "--refresh-token", "--key", keyB1); code != 0 {
		t.Fatalf("fixture export: %d %s", code, errOut)
	}
	out, errOut, code = runCLI(t, false, nil, "replay", "--to", addr, "--pause", "50ms", "--read-timeout", "300ms", fixture)
	if code != 0 || strings.Count(out, "→ ") != 4 || !strings.Contains(out, "← CONNACK     0x00 Connection Accepted") {
		t.Fatalf("fixture replay: exit %d\n%s%s", code, out, errOut)
	}
	var errBuf, outBuf bytes.Buffer
	ios := &ioStreams{In: strings.NewReader("# a comment\n1010 00044d5154540402003c0004 74657374\ne000\n"), Out: &outBuf, ErrOut: &errBuf}
	if code := run([]string{"replay", "--to", addr, "--pause", "50ms", "--read-timeout", "300ms", "-"}, ios); code != 0 ||
		!strings.Contains(outBuf.String(), "← CONNACK     0x00") {
		t.Fatalf("stdin replay: exit %d\n%s%s", code, outBuf.String(), errBuf.String())
	}
}

func TestReplayErrors(t *testing.T) {
	_, errOut, code := runCLI(t, false, nil, "replay", "x.pcap")
	if code != exitUsage || !strings.Contains(errOut, "--to HOST:PORT is required") {
		t.Errorf("no --to: %d %s", code, errOut)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("AT+CIPSEND=3\nzz\n"), 0o644)
	_, errOut, code = runCLI(t, false, nil, "replay", "--to", "127.0.0.1:1", bad)
	if code != exitInput || !strings.Contains(errOut, "bad.txt: no MQTT bytes found") {
		t.Errorf("bad file: %d %s", code, errOut)
	}
	_, errOut, code = runCLI(t, false, nil, "replay", "--to", "127.0.0.1:1", "-Y", "type ==", "../../testdata/pcaps/onenet-esp8266.pcapng")
	if code != exitUsage || !strings.Contains(errOut, "replay: -Y: column") {
		t.Errorf("bad -Y: %d %s", code, errOut)
	}
	_, errOut, code = runCLI(t, false, nil, "replay", "--to", "127.0.0.1:1", "-Y", "type == CONNECT", bad)
	if code != exitUsage || !strings.Contains(errOut, "is an export, not a capture") {
		t.Errorf("-Y on an export: %d %s", code, errOut)
	}
	// Nobody listening is not an unreadable input (3): it has its own
	// status, and says why in words.
	_, errOut, code = runCLI(t, false, nil, "replay", "--to", "127.0.0.1:1", "../../testdata/pcaps/onenet-esp8266.pcapng")
	if code != exitNoServer || !strings.Contains(errOut, "mqttpcap: replay: 127.0.0.1:1: cannot connect: connection refused\n") {
		t.Errorf("nobody listening: %d %s", code, errOut)
	}
	// A --to without a port is a usage error, found before anything is read.
	_, errOut, code = runCLI(t, false, nil, "replay", "--to", "127.0.0.1", "missing.pcap")
	if code != exitUsage || !strings.Contains(errOut, `replay: --to "127.0.0.1": expected HOST:PORT`) {
		t.Errorf("no port: %d %s", code, errOut)
	}
	_, errOut, code = runCLI(t, false, nil, "replay", "--to", "127.0.0.1:1", "--stream", "0", bad)
	if code != exitUsage || !strings.Contains(errOut, "--stream only applies to a capture") {
		t.Errorf("--stream on an export: %d %s", code, errOut)
	}
	_, errOut, code = runCLI(t, false, nil, "replay", "--to", "127.0.0.1:1", "--ttl", "1d", bad)
	if code != exitUsage || !strings.Contains(errOut, "--ttl only applies with --refresh-token") {
		t.Errorf("--ttl without --refresh-token: %d %s", code, errOut)
	}
}

// A server that does not speak MQTT (an HTTP proxy on 1883) is named, its
// answer not decoded as MQTT, and replay exits 5.
func TestReplayToHTTPProxy(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 512)
		c.Read(buf)
		c.Write([]byte("HTTP/1.1 400 Bad Request\r\nServer: squid\r\nConnection: close\r\n\r\n"))
	}()
	out, errOut, code := runCLI(t, false, nil, "replay", "--to", ln.Addr().String(), "--pause", "50ms", "--read-timeout", "300ms",
		"../../testdata/pcaps/onenet-esp8266.pcapng")
	if code != exitRefused || !strings.Contains(out, `← the server answers with HTTP ("HTTP/1.1 400 Bad Request"), not MQTT`) ||
		strings.Contains(out, "PUBACK") || !strings.Contains(errOut, "the server does not speak MQTT: it answered with HTTP") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
}

// A packet the capture holds only part of is not sent (its bytes would
// run into the next packet's), and the warning names it; replay (and send,
// whose dialogue --dry-run shows) sends the rest.
func TestReplayLeavesOutCutPackets(t *testing.T) {
	out, errOut, code := runCLI(t, false, nil, "replay", "--dry-run", "../../testdata/pcaps/snaplen-96.pcap")
	if code != 0 || !strings.Contains(errOut, "3 packets are cut short in the capture (frame 4 CONNECT: 30 of 155 bytes captured;") ||
		!strings.Contains(errOut, "not sent") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if sent := strings.Count(out, "raw bytes (frame"); sent != 1 || !strings.Contains(out, "(frame 13 DISCONNECT)") {
		t.Errorf("%d packets sent, want the DISCONNECT alone:\n%s", sent, out)
	}
}
