//go:build linux || darwin

package main

import (
	"encoding/hex"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mqttpcap/mqttpcap/internal/testtools/atemu"
)

// sendArgs are the flags of a quick send through the emulator.
func sendArgs(port, broker string, extra ...string) []string {
	return append([]string{"send", "--serial", port, "--server", broker, "--pause", "100ms", "--read-timeout", "300ms", "--timeout", "1s"}, extra...)
}

func startEmulator(t *testing.T, f atemu.Faults) *atemu.Emulator {
	t.Helper()
	e, err := atemu.Start(f)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(e.Close)
	return e
}

// send --serial through the AT-firmware emulator to a real broker on
// loopback: the expired token of the seed capture is refused (exit 5, the
// token named), a fresh one logs in and the SUBACK comes back.
func TestSendSerial(t *testing.T) {
	broker := startBroker(t)
	seed := "../../testdata/pcaps/onenet-esp8266.pcapng"

	e := startEmulator(t, atemu.Faults{})
	out, errOut, code := runCLI(t, false, nil, sendArgs(e.Path, broker, seed)...)
	if code != exitRefused || !strings.Contains(out, "← CONNACK     0x05 Connection Refused: not authorized") ||
		!strings.Contains(errOut, "the server refused the login: CONNACK 0x05") || !strings.Contains(errOut, "its OneNET token expired 2022-08-23 08:57:11 UTC") ||
		!strings.Contains(errOut, "hint: --refresh-token --key KEY") || !strings.Contains(out, "OneNET verdict: login_refused") {
		t.Fatalf("expired token: exit %d\n%s%s", code, out, errOut)
	}

	e = startEmulator(t, atemu.Faults{})
	out, errOut, code = runCLI(t, false, nil, sendArgs(e.Path, broker, seed, "--refresh-token", "--key", keyB1)...)
	if code != 0 || !strings.Contains(out, "← CONNACK     0x00 Connection Accepted") || !strings.Contains(out, "← SUBACK      id=1 0x00") {
		t.Fatalf("fresh token: exit %d\n%s%s", code, out, errOut)
	}
}

// Each error answer of the firmware, and what send makes of it.
func TestSendSerialFaults(t *testing.T) {
	broker := startBroker(t)
	seed := "../../testdata/pcaps/onenet-esp8266.pcapng"
	for _, tt := range []struct {
		name   string
		faults atemu.Faults
		code   int
		errOut string
	}{
		{"echo off", atemu.Faults{EchoOff: true}, 0, ""},
		{"busy p... is sent again", atemu.Faults{BusyFirstSend: 2}, 0, ""},
		{"ALREADY CONNECTED: the old link is closed", atemu.Faults{AlreadyConnected: true}, 0, ""},
		{"no answer", atemu.Faults{Silent: true}, exitInput, "AT: no answer: no module answers on this port: check the wiring"},
		{"CIPSTART fails", atemu.Faults{StartError: true}, exitInput, "the module answered ERROR, CLOSED: the module could not connect to 127.0.0.1:"},
		{"link is not valid", atemu.Faults{LinkNotValid: true}, exitInput, "the module answered link is not valid, ERROR: the connection is closed"},
		{"SEND FAIL", atemu.Faults{SendFail: true}, exitInput, "bytes, SEND FAIL: the module could not send the bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := startEmulator(t, tt.faults)
			out, errOut, code := runCLI(t, false, nil, sendArgs(e.Path, broker, seed, "--refresh-token", "--key", keyB1)...)
			if code != tt.code || !strings.Contains(errOut, tt.errOut) {
				t.Fatalf("exit %d, want %d; stderr should hold %q\n%s%s", code, tt.code, tt.errOut, out, errOut)
			}
			if tt.code == 0 && !strings.Contains(out, "← CONNACK     0x00") {
				t.Errorf("no CONNACK:\n%s", out)
			}
			if tt.code != 0 && strings.Count(errOut, "\nmqttpcap: ") > 1 {
				t.Errorf("more than one message:\n%s", errOut)
			}
		})
	}
}

// The transcript of a session (-w) decodes to the packets that went over
// the module's TCP link, both ways; and, where the test may capture on
// loopback (root), to those of a capture of the same session.
func TestSendTranscript(t *testing.T) {
	broker := startBroker(t)
	_, portStr, _ := net.SplitHostPort(broker)
	dir := t.TempDir()
	pcap := filepath.Join(dir, "session.pcapng")
	var wg sync.WaitGroup
	var liveCode int
	var liveErr string
	if os.Geteuid() == 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, liveErr, liveCode = runCLI(t, false, nil, "live", "-i", "lo", "-p", portStr, "-w", pcap, "--duration", "3s", "--json")
		}()
		time.Sleep(700 * time.Millisecond)
	}
	e := startEmulator(t, atemu.Faults{})
	transcript := filepath.Join(dir, "session.log")
	out, errOut, code := runCLI(t, false, nil, sendArgs(e.Path, broker, "../../testdata/pcaps/onenet-esp8266.pcapng",
		"--refresh-token", "--key", keyB1, "-w", transcript)...)
	if code != 0 {
		t.Fatalf("send: exit %d\n%s%s", code, out, errOut)
	}
	got, errOut, code := runCLI(t, false, nil, "decode", "--json", transcript)
	if code != 0 {
		t.Fatalf("decode: exit %d %s", code, errOut)
	}
	decoded := jsonPackets(t, got)
	var link []string
	for _, x := range e.Log() {
		from := "client"
		if x.FromServer {
			from = "server"
		}
		link = append(link, from+" "+hex.EncodeToString(x.Data))
	}
	var fromLog []string
	for _, p := range decoded {
		fromLog = append(fromLog, p.From+" "+p.Hex)
	}
	if strings.Join(fromLog, "\n") != strings.Join(link, "\n") {
		t.Errorf("the transcript decodes to\n%s\nthe TCP link carried\n%s", strings.Join(fromLog, "\n"), strings.Join(link, "\n"))
	}
	if len(decoded) < 6 {
		t.Errorf("only %d packets in the transcript", len(decoded))
	}
	if os.Geteuid() != 0 {
		t.Skip("the comparison with a live capture needs root")
	}
	wg.Wait()
	if liveCode != 0 {
		t.Skipf("live capture on lo: exit %d %s", liveCode, liveErr)
	}
	captured, errOut, code := runCLI(t, false, nil, "read", "--json", "-p", portStr, pcap)
	if code != 0 {
		t.Fatalf("read: exit %d %s", code, errOut)
	}
	var fromCapture []string
	for _, p := range jsonPackets(t, captured) {
		fromCapture = append(fromCapture, p.From+" "+p.Hex)
	}
	if strings.Join(fromLog, "\n") != strings.Join(fromCapture, "\n") {
		t.Errorf("the transcript decodes to\n%s\nthe capture holds\n%s", strings.Join(fromLog, "\n"), strings.Join(fromCapture, "\n"))
	}
}
