package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
)

// uiSession is the real binary running `mqttpcap ui` in a pseudo-terminal,
// its screen kept by a terminal emulator.
type uiSession struct {
	t    *testing.T
	ptmx *os.File
	// mu guards term: vt's SafeEmulator does not lock String.
	mu   sync.Mutex
	term *vt.Emulator
	cmd  *exec.Cmd
	done chan struct{}
}

func startUI(t *testing.T, dir string, args ...string) *uiSession {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mqttpcap")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TERM=xterm-256color", "NO_COLOR=1")
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	s := &uiSession{t: t, ptmx: ptmx, term: vt.NewEmulator(120, 40), cmd: cmd, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		buf := make([]byte, 64<<10)
		for {
			n, err := ptmx.Read(buf)
			if n > 0 {
				s.mu.Lock()
				s.term.Write(buf[:n])
				s.mu.Unlock()
			}
			if err != nil {
				return
			}
		}
	}()
	// The terminal's answers to the program's queries go back to it.
	go io.Copy(ptmx, s.term)
	t.Cleanup(func() {
		cmd.Process.Kill()
		ptmx.Close()
	})
	return s
}

// screen is the terminal's text.
func (s *uiSession) screen() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.term.String()
}

// waitFor waits until the screen holds all of want.
func (s *uiSession) waitFor(want ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		scr := s.screen()
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(scr, w)
		}
		if ok {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen never showed %q:\n%s", want, scr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *uiSession) send(keys string) {
	s.t.Helper()
	if _, err := s.ptmx.Write([]byte(keys)); err != nil {
		s.t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
}

// TestUIEndToEnd runs the real binary in a pseudo-terminal: it opens a test
// capture, types a display filter, selects a packet, checks the screen,
// marks two packets, exports them, and compares the files with what
// `read --export-hex` writes for the same packets.
func TestUIEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	capture, err := filepath.Abs("../../testdata/pcaps/onenet-esp8266.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// The UI runs on a copy in its directory, by name: the header shows the
	// path, and a checkout with a longer one would push "2 marked" off the
	// 120 columns.
	data, err := os.ReadFile(capture)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.Base(capture)), data, 0o644); err != nil {
		t.Fatal(err)
	}
	s := startUI(t, dir, "ui", filepath.Base(capture))
	s.waitFor("onenet-esp8266.pcapng", "8 rows", "CONNECT", "field tree", "hexdump")

	s.send("f")
	s.send("type == PUBLISH || type == CONNEC")
	// Checked as it is typed: the error names the column.
	s.waitFor(`✗ column 28: unknown packet type "CONNEC"`)
	s.send("\t") // tab completes CONNECT
	s.waitFor("type == PUBLISH || type == CONNECT", "✓")
	s.send("\r")
	scr := s.waitFor("shown 2", "filter: type == PUBLISH || type == CONNECT")
	if strings.Contains(scr, "SUBSCRIBE") {
		t.Errorf("the filter left a SUBSCRIBE:\n%s", scr)
	}

	s.send("j") // the PUBLISH
	scr = s.waitFor(">      11   0.101090    0  C→S  PUBLISH", "frame 11  0.101090s", "> 0x02-0x03   topic_length")
	if !strings.Contains(scr, `"$sys/VRqhDHF2wL/my_tv/thing/property/post"`) {
		t.Errorf("the field tree does not show the topic:\n%s", scr)
	}

	s.send("g")
	s.send("m")
	s.send("m")
	s.waitFor("2 marked")
	for _, format := range []string{"hex", "c"} {
		out := "marked." + format
		s.send("e")
		s.waitFor("export 2 marked packets as FORMAT FILE")
		s.send("\x15" + format + " " + out + "\r")
		s.waitFor("wrote 2 packets as " + format)
		got, err := os.ReadFile(filepath.Join(dir, out))
		if err != nil {
			t.Fatal(err)
		}
		want, _, code := runCLI(t, false, nil, "read", capture, "--export-hex", format, "-Y", "frame == 4 || frame == 11")
		if code != 0 {
			t.Fatalf("read --export-hex %s: exit %d", format, code)
		}
		if !bytes.Equal(got, []byte(want)) {
			t.Errorf("the UI's %s export differs from read --export-hex's:\n got: %s\nwant: %s", format, got, want)
		}
	}

	s.send("q")
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		t.Fatal("q did not quit")
	}
	if err := s.cmd.Wait(); err != nil {
		t.Errorf("exit: %v", err)
	}
}
