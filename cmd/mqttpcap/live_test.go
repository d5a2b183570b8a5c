package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mqttpcap/mqttpcap/capture"
)

// fakeLive plays a capture file as a live capture: its packets, then the
// end of the capture (io.EOF) or, with block, a quiet interface
// (ErrNoPacket after each poll timeout) or err.
type fakeLive struct {
	f     *capture.File
	name  string
	lt    capture.LinkType
	first []byte
	fci   capture.CaptureInfo
	block bool
	err   error
	poll  time.Duration
	done  chan struct{} // closed when the last packet was read
}

func openFake(t *testing.T, path string, block bool) *fakeLive {
	t.Helper()
	f, err := capture.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	data, ci, lt, err := f.Next()
	if err != nil {
		t.Fatal(err)
	}
	return &fakeLive{f: f, name: "fake0", lt: lt, first: append([]byte(nil), data...), fci: ci, block: block,
		poll: 5 * time.Millisecond, done: make(chan struct{})}
}

func (l *fakeLive) open(opts capture.LiveOptions) (capture.Live, error) { return l, nil }

func (l *fakeLive) Next() ([]byte, capture.CaptureInfo, capture.LinkType, error) {
	if l.first != nil {
		data := l.first
		l.first = nil
		return data, l.fci, l.lt, nil
	}
	data, ci, lt, err := l.f.Next()
	if err == io.EOF {
		select {
		case <-l.done:
		default:
			close(l.done)
		}
		switch {
		case l.err != nil:
			return nil, ci, lt, l.err
		case l.block:
			time.Sleep(l.poll)
			return nil, ci, lt, capture.ErrNoPacket
		}
	}
	return data, ci, lt, err
}

func (l *fakeLive) Name() string               { return l.name }
func (l *fakeLive) LinkType() capture.LinkType { return l.lt }
func (l *fakeLive) Close() error               { return nil }
func (l *fakeLive) Stats() (capture.LiveStats, error) {
	return capture.LiveStats{Received: 99, Dropped: 2}, nil
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader on two
// goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runLiveCLI runs `mqttpcap live ARGS` in-process with open as the capture
// and returns stdout, stderr and the exit code.
func runLiveCLI(ctx context.Context, open func(capture.LiveOptions) (capture.Live, error), stdout, stderr io.Writer, args ...string) int {
	ios := &ioStreams{In: strings.NewReader(""), Out: stdout, ErrOut: stderr}
	g := &globalOptions{ios: ios, color: "auto"}
	cmd := newLiveCmd(g, func(ctx context.Context, o *liveOptions) error {
		o.open = open
		return runLive(ctx, o)
	})
	cmd.SetArgs(args)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	if err := cmd.ExecuteContext(ctx); err != nil {
		return reportError(stderr, err)
	}
	return exitOK
}

func liveFake(t *testing.T, l *fakeLive, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := runLiveCLI(context.Background(), l.open, &out, &errOut, args...)
	return out.String(), errOut.String(), code
}

// The live loop over a recorded capture prints what read prints for the
// file, in every output format, and its -w file reads back the same.
func TestLiveFakeMatchesRead(t *testing.T) {
	for _, name := range []string{"onenet-esp8266.pcapng", "mosquitto-v311.pcap", "any-sll2.pcap", "gap-lost-segment.pcap", "multi-iface.pcapng"} {
		path := "../../testdata/pcaps/" + name
		for _, format := range [][]string{nil, {"--json"}, {"-V"}} {
			t.Run(name+strings.Join(format, ""), func(t *testing.T) {
				want, _, code := runCLI(t, false, nil, append([]string{"read", path}, format...)...)
				if code != 0 {
					t.Fatalf("read: exit %d", code)
				}
				saved := filepath.Join(t.TempDir(), "live.pcapng")
				out, errOut, code := liveFake(t, openFake(t, path, false), append([]string{"-i", "fake0", "-w", saved}, format...)...)
				if code != 0 {
					t.Fatalf("live: exit %d: %s", code, errOut)
				}
				if out != want {
					t.Errorf("live output differs from read's:\n%s\nread:\n%s", out, want)
				}
				back, _, code := runCLI(t, false, nil, append([]string{"read", saved}, format...)...)
				if code != 0 || back != out {
					t.Errorf("the -w file reads back differently (exit %d):\n%s", code, back)
				}
				if !strings.HasPrefix(errOut, "mqttpcap: live: listening on fake0 (link type ") ||
					!strings.Contains(errOut, "tcp port 1883 or tcp port 8883 or tcp port 80 or tcp port 8080 or tcp port 8083 or tcp port 8084 or tcp port 443; Ctrl-C stops\n") {
					t.Errorf("no listening line: %q", errOut)
				}
			})
		}
	}
}

// The summary line: packets captured, MQTT packets, connections, kernel
// drops.
func TestLiveSummary(t *testing.T) {
	_, errOut, code := liveFake(t, openFake(t, "../../testdata/pcaps/onenet-esp8266.pcapng", false), "-i", "fake0")
	want := "mqttpcap: live: 17 packets captured, 6 MQTT packets, 1 connection, 2 dropped by the kernel\n"
	if code != 0 || !strings.HasSuffix(errOut, want) {
		t.Errorf("exit %d, stderr:\n%s\nwant it to end with:\n%s", code, errOut, want)
	}
	_, errOut, _ = liveFake(t, openFake(t, "../../testdata/pcaps/onenet-esp8266.pcapng", false), "-i", "fake0", "-Y", "type == PUBLISH")
	if !strings.Contains(errOut, "6 MQTT packets (1 shown)") {
		t.Errorf("-Y: %s", errOut)
	}
}

// -c N stops after N MQTT packets: N are printed, the connection is still
// summed up, and the -w file ends with the frame that completed the last.
func TestLiveCount(t *testing.T) {
	saved := filepath.Join(t.TempDir(), "c.pcapng")
	l := openFake(t, "../../testdata/pcaps/mosquitto-v311.pcap", true)
	out, errOut, code := liveFake(t, l, "-i", "fake0", "-c", "3", "--json", "-w", saved)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if n := strings.Count(out, `{"kind":"mqtt"`); n != 3 {
		t.Errorf("%d MQTT packets printed, want 3:\n%s", n, out)
	}
	if !strings.Contains(out, `{"kind":"connection"`) {
		t.Errorf("no connection record after -c:\n%s", out)
	}
	if !strings.Contains(errOut, ", 3 MQTT packets,") {
		t.Errorf("summary: %s", errOut)
	}
	back, _, _ := runCLI(t, false, nil, "read", "--json", saved)
	lines := strings.Split(strings.TrimSpace(back), "\n")
	if n := strings.Count(back, `{"kind":"mqtt"`); n != 3 {
		t.Errorf("the -w file has %d MQTT packets, want 3:\n%s", n, back)
	}
	// The third packet's frame is the file's last.
	var last string
	for _, line := range lines {
		if strings.HasPrefix(line, `{"kind":"mqtt"`) {
			last = line
		}
	}
	third := strings.Split(out, "\n")[2]
	if !strings.HasPrefix(third, `{"kind":"mqtt"`) || !strings.Contains(last, third[:strings.Index(third, `"time"`)]) {
		t.Errorf("last packet of the file %s\nis not the third printed %s", last, third)
	}
	f, err := capture.OpenFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	frames := 0
	for {
		if _, _, _, err := f.Next(); err != nil {
			break
		}
		frames++
	}
	if want := fmt.Sprintf(`"frame":%d,`, frames); !strings.Contains(third, want) {
		t.Errorf("the file has %d frames; the third packet: %s", frames, third)
	}
}

// --duration stops a quiet capture; so does a cancelled context (Ctrl-C):
// both cleanly, with the connections ended and exit status 0.
func TestLiveStops(t *testing.T) {
	l := openFake(t, "../../testdata/pcaps/onenet-esp8266.pcapng", true)
	start := time.Now()
	out, errOut, code := liveFake(t, l, "-i", "fake0", "--duration", "300ms", "--json")
	if took := time.Since(start); code != 0 || took < 300*time.Millisecond || took > 5*time.Second {
		t.Errorf("--duration 300ms: exit %d after %v: %s", code, took, errOut)
	}
	if strings.Count(out, `{"kind":"mqtt"`) != 6 || !strings.Contains(out, `{"kind":"connection"`) {
		t.Errorf("--duration: output:\n%s", out)
	}

	l = openFake(t, "../../testdata/pcaps/onenet-esp8266.pcapng", true)
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int)
	go func() { done <- runLiveCLI(ctx, l.open, &stdout, &stderr, "-i", "fake0", "--json") }()
	<-l.done
	cancel()
	select {
	case code := <-done:
		if code != 0 || !strings.Contains(stdout.String(), `{"kind":"connection"`) || !strings.Contains(stderr.String(), "6 MQTT packets") {
			t.Errorf("cancelled: exit %d\n%s%s", code, stdout.String(), stderr.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a cancelled capture did not stop")
	}
}

// A capture that fails after it started: what was decoded is printed, the
// error names the interface, exit status 3.
func TestLiveReadError(t *testing.T) {
	l := openFake(t, "../../testdata/pcaps/onenet-esp8266.pcapng", true)
	l.err = errors.New("reading packets: network is down")
	out, errOut, code := liveFake(t, l, "-i", "fake0")
	if code != exitInput || !strings.Contains(errOut, "mqttpcap: live: fake0: reading packets: network is down\n") ||
		!strings.Contains(out, "DISCONNECT") {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
}

// Only the --port ports reach the pipeline unless --all-tcp: then MQTT is
// also found on another port by its CONNECT, as read does.
func TestLiveAllTCP(t *testing.T) {
	path := "../../testdata/pcaps/port6002.pcap"
	out, _, _ := liveFake(t, openFake(t, path, false), "-i", "fake0")
	if strings.Contains(out, "CONNECT") {
		t.Errorf("port 6002 decoded without --all-tcp:\n%s", out)
	}
	out, _, _ = liveFake(t, openFake(t, path, false), "-i", "fake0", "--all-tcp")
	if !strings.Contains(out, "CONNECT") {
		t.Errorf("port 6002 not found with --all-tcp:\n%s", out)
	}
	var spec capture.FilterSpec
	open := func(o capture.LiveOptions) (capture.Live, error) {
		spec = o.Filter
		return nil, errors.New("stop here")
	}
	runLiveCLI(context.Background(), open, io.Discard, io.Discard, "-i", "x", "--port", "1883,6002")
	// The MQTT ports, then the usual MQTT-over-WebSocket ports.
	if spec.String() != "tcp port 1883 or tcp port 6002 or tcp port 80 or tcp port 8080 or tcp port 8083 or tcp port 8084 or tcp port 443" {
		t.Errorf("kernel filter: %q", spec)
	}
	runLiveCLI(context.Background(), open, io.Discard, io.Discard, "-i", "x", "--all-tcp")
	if spec.String() != "tcp" {
		t.Errorf("kernel filter with --all-tcp: %q", spec)
	}
}

func TestLiveOpenErrors(t *testing.T) {
	avail := "lo, eth0, any (mqttpcap interfaces lists them with addresses)"
	for _, tt := range []struct {
		goos, name string
		err        error
		msg, hint  string
	}{
		{"linux", "eth9", fmt.Errorf("%w: %q", capture.ErrNoInterface, "eth9"),
			`live: interface "eth9" not found`, "available: " + avail},
		{"linux", "lo", &capture.OpenError{Device: "a raw socket", Err: os.ErrPermission},
			"live: lo: permission denied opening a raw socket",
			`run as root, or: sudo setcap cap_net_raw,cap_net_admin+eip "$(command -v mqttpcap)"`},
		{"darwin", "en0", &capture.OpenError{Device: "/dev/bpf0", Err: os.ErrPermission},
			"live: en0: permission denied opening /dev/bpf0", "run with sudo, or give your user access to /dev/bpf* with Wireshark's ChmodBPF"},
		{"linux", "ifb0", capture.ErrInterfaceDown, "live: ifb0: the interface is down", "bring it up: sudo ip link set ifb0 up"},
		{"darwin", "en1", capture.ErrInterfaceDown, "live: en1: the interface is down", "bring it up: sudo ifconfig en1 up"},
		{"windows", "eth0", capture.ErrLiveUnsupported, "live: live capture is not supported on windows", "capture with Wireshark"},
		{"linux", "eth0", errors.New("opening a packet socket: address family not supported"),
			"live: eth0: opening a packet socket: address family not supported", ""},
	} {
		var buf bytes.Buffer
		code := reportError(&buf, liveOpenErrorFor(tt.goos, tt.name, tt.err, avail))
		lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
		if code != exitInput || lines[0] != "mqttpcap: "+tt.msg {
			t.Errorf("%s %s: exit %d, %q", tt.goos, tt.name, code, lines[0])
		}
		if tt.hint != "" && (len(lines) < 2 || !strings.HasPrefix(lines[1], "mqttpcap: hint: "+tt.hint)) {
			t.Errorf("%s %s: hint %q", tt.goos, tt.name, lines[1:])
		}
	}
}

func TestWriteInterfaces(t *testing.T) {
	var b bytes.Buffer
	ifs := []ifaceInfo{{Name: "lo", Up: true, Loop: true, Addrs: []string{"127.0.0.1/8", "::1/128"}},
		{Name: "wlan0", Addrs: nil}}
	if err := writeInterfaces(&b, ifs, "linux"); err != nil {
		t.Fatal(err)
	}
	want := "lo     up, loopback    127.0.0.1/8 ::1/128\n" +
		"wlan0  down            (no address)\n" +
		"any                    all interfaces at once\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	writeInterfaces(&b, ifs[:1], "darwin")
	if strings.Contains(b.String(), "any") {
		t.Errorf("darwin has no any:\n%s", b.String())
	}
}
