package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Each connection of an export goes on its own socket; a server that
// closes a connection before the client's DISCONNECT fails the replay
// (exit 5); a refused login names the expired token.
func TestReplayConnections(t *testing.T) {
	addr := startBroker(t)
	dir := t.TempDir()
	connect := func(id string) string { return "100e00044d5154540402003c0002" + id }
	two := filepath.Join(dir, "two.at")
	os.WriteFile(two, []byte("AT+CIPSTART=\"TCP\",\"h\",1\nAT+CIPSEND=16\n"+connect("6430")+"\nAT+CIPSEND=2\ne000\nAT+CIPCLOSE\n"+
		"AT+CIPSTART=\"TCP\",\"h\",1\nAT+CIPSEND=16\n"+connect("6431")+"\nAT+CIPSEND=2\ne000\nAT+CIPCLOSE\n"), 0o644)
	out, errOut, code := runCLI(t, false, nil, "replay", "--to", addr, "--pause", "50ms", "--read-timeout", "200ms", two)
	if code != 0 || strings.Count(out, "connected to ") != 2 || strings.Count(out, "← CONNACK     0x00") != 2 {
		t.Fatalf("two connections: exit %d\n%s%s", code, out, errOut)
	}
	// --server HOST: the port is the script's (here: none, so 1883) unless given.
	host, port, _ := strings.Cut(addr, ":")
	if _, errOut, code := runCLI(t, false, nil, "replay", "--server", host+":"+port, "--pause", "50ms", "--read-timeout", "200ms", two); code != 0 {
		t.Fatalf("--server HOST:PORT: exit %d %s", code, errOut)
	}

	// A second CONNECT on one socket: the broker closes the connection.
	again := filepath.Join(dir, "again.hex")
	os.WriteFile(again, []byte(connect("6432")+"\n"+connect("6432")+"\n"), 0o644)
	os.WriteFile(again, []byte("AT+CIPSTART=\"TCP\",\"h\",1\nAT+CIPSEND=16\n"+connect("6432")+"\nAT+CIPSEND=16\n"+connect("6432")+"\nAT+CIPSEND=2\ne000\n"), 0o644)
	out, errOut, code = runCLI(t, false, nil, "replay", "--to", addr, "--pause", "100ms", "--read-timeout", "200ms", again)
	if code != exitRefused || !strings.Contains(errOut, "the server closed the connection after frame 5 CONNECT client_id=d2, before the rest was sent") {
		t.Fatalf("closed after a CONNECT: exit %d\n%s%s", code, out, errOut)
	}

	// The refused login of the seed capture names the expired token.
	_, errOut, code = runCLI(t, false, nil, "replay", "--to", addr, "--pause", "50ms", "--read-timeout", "300ms", "../../testdata/pcaps/onenet-esp8266.pcapng")
	if code != exitRefused || !strings.Contains(errOut, "CONNACK 0x05 (Connection Refused: not authorized): its OneNET token expired 2022-08-23 08:57:11 UTC") ||
		!strings.Contains(errOut, "hint: --refresh-token --key KEY gives it a fresh one") || !strings.Contains(errOut, "warning: frame 4 CONNECT") {
		t.Fatalf("expired: exit %d\n%s", code, errOut)
	}

	// replay --serial --dry-run is send's dialogue.
	out, _, code = runCLI(t, false, nil, "replay", "--dry-run", "--server", "127.0.0.1", two)
	if code != 0 || strings.Count(out, `→ AT+CIPSTART="TCP","127.0.0.1",1`) != 2 {
		t.Fatalf("dry run: exit %d\n%s", code, out)
	}
}

// A stream number that holds several connections is replayed on a socket
// per connection, not one (a second CONNECT on one socket makes the broker
// close it: exit 5): port-reuse.pcap's stream 2 is two sessions from the
// same port, multi-iface.pcapng and sections.pcapng hold each connection
// twice, under one stream number. Without --stream the first connection
// is sent, not its whole stream; so is each block of their AT exports.
func TestReplayConnectionsOfOneStream(t *testing.T) {
	addr := startBroker(t)
	flags := []string{"replay", "--to", addr, "--pause", "20ms", "--read-timeout", "150ms"}
	for _, tc := range []struct {
		args    []string
		sockets int
	}{
		{[]string{"--stream", "2", "../../testdata/pcaps/port-reuse.pcap"}, 2},
		{[]string{"--stream", "0", "../../testdata/pcaps/multi-iface.pcapng"}, 2},
		{[]string{"../../testdata/pcaps/multi-iface.pcapng"}, 1},
		{[]string{"../../testdata/pcaps/sections.pcapng"}, 1},
	} {
		out, errOut, code := runCLI(t, false, nil, append(flags, tc.args...)...)
		if code != 0 || strings.Count(out, "connected to ") != tc.sockets || strings.Count(out, "→ CONNECT") != tc.sockets {
			t.Errorf("%v: exit %d, want %d sockets\n%s%s", tc.args, code, tc.sockets, out, errOut)
		}
	}
	dir := t.TempDir()
	for _, name := range []string{"port-reuse.pcap", "multi-iface.pcapng", "sections.pcapng"} {
		at := filepath.Join(dir, name+".at")
		if _, errOut, code := runCLI(t, false, nil, "read", "../../testdata/pcaps/"+name, "--export-hex", "at", "-o", at); code != 0 {
			t.Fatalf("export %s: exit %d %s", name, code, errOut)
		}
		script, _ := os.ReadFile(at)
		out, errOut, code := runCLI(t, false, nil, append(flags, at)...)
		if n := strings.Count(string(script), "AT+CIPSTART"); code != 0 || strings.Count(out, "connected to ") != n {
			t.Errorf("%s: exit %d, want %d sockets\n%s%s", at, code, n, out, errOut)
		}
	}
}
