package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	pc "github.com/mqttpcap/mqttpcap/internal/testutil/pcapcraft"
)

// The limits the README promises, each shown to change what read does
// (issue 17: they had no test): --max-packet, --max-buffer, --hole-timeout,
// --idle-timeout; keep_alive_exceeded; the link_type event; the progress
// line; exit 1 when the output cannot be written.

// jsonRecords runs read --json with args and returns its lines decoded.
func jsonRecords(t *testing.T, args ...string) []map[string]any {
	t.Helper()
	out, errOut, code := runCLI(t, false, nil, append([]string{"read", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("read %v: exit %d: %s", args, code, errOut)
	}
	var recs []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not JSON: %s", sc.Text())
		}
		recs = append(recs, m)
	}
	return recs
}

// has reports whether some record has every key with the given value.
func has(recs []map[string]any, want map[string]any) bool {
	for _, r := range recs {
		ok := true
		for k, v := range want {
			if r[k] != v {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func problemCodesOf(recs []map[string]any) []string {
	var codes []string
	for _, r := range recs {
		ps, _ := r["problems"].([]any)
		for _, p := range ps {
			codes = append(codes, p.(map[string]any)["code"].(string))
		}
	}
	return codes
}

func TestMaxPacketAndMaxBuffer(t *testing.T) {
	big := "../../testdata/pcaps/big-publish.pcap" // a PUBLISH of 20,019 bytes
	whole := jsonRecords(t, big)
	if has(whole, map[string]any{"type": "cap"}) || strings.Contains(strings.Join(problemCodesOf(whole), " "), "truncated") {
		t.Fatal("the big PUBLISH is capped with the default limits")
	}
	for _, flag := range []string{"--max-packet", "--max-buffer"} {
		t.Run(flag, func(t *testing.T) {
			recs := jsonRecords(t, flag, "4KiB", big)
			if !has(recs, map[string]any{"kind": "event", "type": "cap"}) {
				t.Errorf("%s 4KiB: no cap event", flag)
			}
			if !has(recs, map[string]any{"kind": "mqtt", "type": "PUBLISH", "truncated": true}) {
				t.Errorf("%s 4KiB: the big PUBLISH is not marked cut", flag)
			}
		})
	}
}

// lostSegment writes a capture whose client segment after the CONNECT is
// never captured and never acknowledged (the broker's ACKs stop before
// it), then two packets 20 s later on another connection.
func lostSegment(t *testing.T) string {
	c := pc.New()
	k := c.Conn("10.0.0.2:50000", "10.0.0.1:1883", 1000, 5000)
	k.Handshake()
	k.Send(true, mqttConnect("lost"))
	k.Send(false, []byte{0x20, 0x02, 0x00, 0x00})
	k.Seq[0] += 2                    // a PINGREQ, sent but never captured
	k.Send(true, []byte{0xe0, 0x00}) // DISCONNECT, behind the hole
	c.Advance(20 * time.Second)
	k2 := c.Conn("10.0.0.3:50001", "10.0.0.1:1883", 2000, 6000)
	k2.Handshake()
	k2.Send(true, mqttConnect("later"))
	path := filepath.Join(t.TempDir(), "lost.pcap")
	if err := os.WriteFile(path, c.Pcap(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func mqttConnect(id string) []byte {
	body := append([]byte{0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 1, 0, byte(len(id))}, id...)
	return append([]byte{0x10, byte(len(body))}, body...)
}

func TestHoleTimeout(t *testing.T) {
	path := lostSegment(t)
	gapFrame := func(recs []map[string]any) float64 {
		for _, r := range recs {
			if r["type"] == "gap" {
				return r["frame"].(float64)
			}
		}
		return 0
	}
	// The hole waits for its data until the hole timeout, in capture time:
	// with 1 s it is given up when the next connection's packets, 20 s
	// later, come (before that connection's CONNECT); with 1 min only at
	// the capture's end (after it). Each way the DISCONNECT behind it is
	// decoded after the gap.
	short := jsonRecords(t, "--hole-timeout", "1s", path)
	long := jsonRecords(t, "--hole-timeout", "1m", path)
	if gapFrame(short) == 0 || gapFrame(long) == 0 {
		t.Fatalf("no gap reported: %v %v", gapFrame(short), gapFrame(long))
	}
	for name, recs := range map[string][]map[string]any{"1s": short, "1m": long} {
		if !has(recs, map[string]any{"kind": "mqtt", "type": "DISCONNECT"}) {
			t.Errorf("--hole-timeout %s: the DISCONNECT behind the hole is lost", name)
		}
	}
	var shortPos, longPos int
	for i, r := range short {
		if r["type"] == "gap" {
			shortPos = i
		}
	}
	for i, r := range long {
		if r["type"] == "gap" {
			longPos = i
		}
	}
	if shortPos >= longPos {
		t.Errorf("--hole-timeout 1s reports the gap at record %d, 1m at %d: the shorter wait should report it earlier", shortPos, longPos)
	}
}

func TestIdleTimeout(t *testing.T) {
	path := lostSegment(t) // the first connection says nothing for 20 s
	end := func(recs []map[string]any) any {
		for _, r := range recs {
			if r["kind"] == "connection" && r["stream"] == 0.0 {
				return r["end"]
			}
		}
		return nil
	}
	if got := end(jsonRecords(t, "--idle-timeout", "5s", path)); got != "idle" {
		t.Errorf("--idle-timeout 5s: the first connection ended %v, want idle", got)
	}
	if got := end(jsonRecords(t, path)); got != "capture end" {
		t.Errorf("default idle timeout (30 min): the first connection ended %v, want capture end", got)
	}
}

func TestKeepAliveExceeded(t *testing.T) {
	c := pc.New()
	k := c.Conn("10.0.0.2:50000", "10.0.0.1:1883", 1000, 5000)
	k.Handshake()
	k.Send(true, mqttConnect("sleepy")) // keep alive 1 s
	k.Send(false, []byte{0x20, 0x02, 0x00, 0x00})
	c.Advance(5 * time.Second) // quiet for 5 × the keep alive
	k.Send(true, []byte{0xc0, 0x00})
	k.Send(false, []byte{0xd0, 0x00})
	path := filepath.Join(t.TempDir(), "sleepy.pcap")
	if err := os.WriteFile(path, c.Pcap(), 0o644); err != nil {
		t.Fatal(err)
	}
	if !has(jsonRecords(t, path), map[string]any{"kind": "connection", "keep_alive_exceeded": true}) {
		t.Error("a client quiet for 5 s with a keep alive of 1 s is not flagged")
	}
	out, _, _ := runCLI(t, false, nil, "read", path)
	if !strings.Contains(out, "1 s, quiet ≤ 5.002 s > 1.5×") {
		t.Errorf("the summary does not flag the silence:\n%s", out)
	}
}

// A frame of a link type mqttpcap does not decode is named once.
func TestLinkTypeEvent(t *testing.T) {
	data, err := os.ReadFile("../../testdata/pcaps/mosquitto-v311.pcap")
	if err != nil {
		t.Fatal(err)
	}
	data[20], data[21], data[22], data[23] = 147, 0, 0, 0 // LINKTYPE_USER0
	path := filepath.Join(t.TempDir(), "user0.pcap")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	recs := jsonRecords(t, path)
	n := 0
	for _, r := range recs {
		if r["type"] == "link_type" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d link_type events, want 1", n)
	}
}

// The progress line appears on a terminal's stderr when reading takes more
// than a second, and is erased at the end; never when stderr is a pipe.
func TestProgressLine(t *testing.T) {
	src, err := openCapture(context.Background(), &ioStreams{}, "../../testdata/pcaps/mosquitto-v311.pcap")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var errOut strings.Builder
	clock := time.Unix(0, 0)
	p := newProgress(&ioStreams{ErrOut: &errOut, ErrTTY: true}, src, "../../testdata/pcaps/mosquitto-v311.pcap")
	p.now = func() time.Time { return clock }
	p.start = clock
	p.update(10)
	if errOut.Len() != 0 {
		t.Fatalf("progress within the first second: %q", errOut.String())
	}
	clock = clock.Add(2 * time.Second)
	p.update(1000)
	if !strings.Contains(errOut.String(), "mqttpcap: reading ") || !strings.Contains(errOut.String(), "1000 frames") {
		t.Errorf("progress line: %q", errOut.String())
	}
	p.done()
	if !strings.HasSuffix(errOut.String(), "\r\x1b[K") {
		t.Errorf("the line is not erased: %q", errOut.String())
	}
	if newProgress(&ioStreams{ErrOut: &errOut}, src, "x") != nil {
		t.Error("a progress line on a pipe")
	}
}

// Exit 1 when the output cannot be written, for every command that writes
// one (/dev/full: every write fails with ENOSPC).
func TestFailedWriteExits1(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/full: %v", err)
	}
	full.Close()
	bin := filepath.Join(t.TempDir(), "mqttpcap")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	seed := "../../testdata/pcaps/onenet-esp8266.pcapng"
	for _, args := range [][]string{
		{"read", seed}, {"read", "--json", seed}, {"read", "-V", seed}, {"stats", seed}, {"stats", "--json", seed},
		{"read", "--export-hex", "at", seed},
		{"token", "decode", "version=2018-10-31&res=products%2FVRqhDHF2wL%2Fdevices%2Fmy_tv&et=1661245031&method=md5&sign=y4iDPu6Yp84FO7sxpcdcSQ%3D%3D"},
	} {
		cmd := exec.Command(bin, args...)
		stdout, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout = stdout
		var stderr strings.Builder
		cmd.Stderr = &stderr
		err = cmd.Run()
		stdout.Close()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		if code != exitError || !strings.Contains(stderr.String(), "no space left on device") {
			t.Errorf("%v > /dev/full: exit %d, stderr %q; want exit 1 naming the failed write", args, code, stderr.String())
		}
	}
}
