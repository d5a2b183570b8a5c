package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestMain lets testscript run the real main as the command "mqttpcap".
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"mqttpcap": func() { os.Exit(run(os.Args[1:], systemIO())) },
	})
}

// TestScripts runs the CLI scripts of testdata/script: arguments, exit
// codes, error messages and help, as a user sees them.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			abs, err := filepath.Abs("../../testdata/pcaps")
			env.Setenv("PCAPS", abs)
			if err != nil {
				return err
			}
			seeds, err := filepath.Abs("testdata/fuzz-seeds")
			env.Setenv("SEEDS", seeds)
			return err
		},
	})
}

// runCLI runs a command line in-process with buffers for stdout/stderr.
func runCLI(t *testing.T, tty bool, env []string, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	ios := &ioStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, OutTTY: tty, Environ: env}
	code := run(args, ios)
	return out.String(), errOut.String(), code
}

// golden compares got with testdata/golden/name (or rewrites it with
// -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("..", "..", "testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/mqttpcap -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test ./cmd/mqttpcap -update rewrites it); got:\n%s", name, got)
	}
}

// Golden outputs of `read` on every test capture: the packet list and JSON
// lines for all, the detailed field tree and the styled (terminal) list for
// some.
func TestGoldenRead(t *testing.T) {
	captures, err := filepath.Glob("../../testdata/pcaps/*.pcap*")
	if err != nil || len(captures) == 0 {
		t.Fatalf("no captures: %v", err)
	}
	detail := map[string]bool{"onenet-esp8266.pcapng": true, "mosquitto-v5.pcapng": true, "onenet-length-bug.pcap": true,
		"snaplen-96.pcap": true, "midstream-v5.pcap": true, "mqtt31.pcap": true, "ws-frames-9001.pcap": true, "tls13-chacha20.pcap": true}
	styled := map[string]bool{"onenet-esp8266.pcapng": true, "gap-lost-segment.pcap": true}
	for _, path := range captures {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			read := []string{"read"}
			// A TLS capture is read with its key log, when it has one.
			if keys := strings.TrimSuffix(path, filepath.Ext(path)) + ".keys"; fileExists(keys) {
				read = append(read, "--tls-keylog", keys)
			}
			args := append(read[:len(read):len(read)], path)
			if name == "big-publish.pcap" {
				// Piped output is never shortened: its 20 KB payload would
				// make a 20 KB line; laid out for 120 columns it is elided.
				args = append(args, "--width", "120")
			}
			wantCode := 0
			if name == "cut-short.pcap" {
				wantCode = 4
			}
			// run runs a view and checks its exit status and that stderr
			// says nothing but the cut capture's one line.
			run := func(tty bool, env []string, args ...string) string {
				t.Helper()
				out, errOut, code := runCLI(t, tty, env, args...)
				if code != wantCode {
					t.Errorf("%v: exit %d, want %d: %s", args, code, wantCode, errOut)
				}
				if lines := strings.Count(errOut, "\n"); (wantCode == 0 && errOut != "") || lines > 1 {
					t.Errorf("%v: stderr %q", args, errOut)
				}
				return out
			}
			out := run(false, nil, args...)
			if strings.Contains(out, "\x1b[") {
				t.Error("piped output has escape codes")
			}
			golden(t, name+".list.txt", out)
			if name != "big-publish.pcap" { // its 20 KB payload would make a 60 KB golden file
				out = run(false, nil, append(read, "--json", path)...)
				golden(t, name+".jsonl", out)
			}
			if detail[name] {
				out = run(false, nil, append(read, "-V", path)...)
				golden(t, name+".detail.txt", out)
			}
			if styled[name] {
				out = run(true, []string{"TERM=xterm-256color"}, append(read, path)...)
				if !strings.Contains(out, "\x1b[") {
					t.Error("terminal output has no colour")
				}
				golden(t, name+".list.color.txt", out)
			}
		})
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// NO_COLOR (any value) and --color never make terminal output plain;
// --color always colours even a pipe.
func TestColorChoice(t *testing.T) {
	seed := "../../testdata/pcaps/onenet-esp8266.pcapng"
	for _, tt := range []struct {
		name   string
		tty    bool
		env    []string
		args   []string
		colour bool
	}{
		{"terminal", true, []string{"TERM=xterm-256color"}, nil, true},
		{"NO_COLOR=1", true, []string{"TERM=xterm-256color", "NO_COLOR=1"}, nil, false},
		{"NO_COLOR=yes", true, []string{"TERM=xterm-256color", "NO_COLOR=yes"}, nil, false},
		{"--color never", true, []string{"TERM=xterm-256color"}, []string{"--color", "never"}, false},
		{"TERM=dumb", true, []string{"TERM=dumb"}, nil, false},
		{"pipe", false, nil, nil, false},
		{"--color always on a pipe", false, nil, []string{"--color", "always"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, _, code := runCLI(t, tt.tty, tt.env, append([]string{"read", seed}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d", code)
			}
			if has := strings.Contains(out, "\x1b["); has != tt.colour {
				t.Errorf("escape codes %v, want %v", has, tt.colour)
			}
		})
	}
}

// The views laid out for two terminal widths, plain and coloured: the
// packet list (elided to fit), the field tree and the stats tables.
func TestGoldenViews(t *testing.T) {
	seed := "../../testdata/pcaps/onenet-esp8266.pcapng"
	for _, view := range []struct {
		name string
		args []string
	}{
		{"list", []string{"read", seed}},
		{"detail", []string{"read", "-V", seed}},
		{"hex", []string{"read", "--hex", seed}},
		{"stats", []string{"stats", seed}},
		{"set", []string{"read", "../../testdata/pcaps/onenet-set.pcap"}},
		{"midstream", []string{"read", "../../testdata/pcaps/midstream-v5.pcap"}},
	} {
		for _, width := range []string{"80", "120"} {
			for _, colour := range []bool{false, true} {
				name := view.name + "." + width
				if colour {
					name += ".color"
				}
				t.Run(name, func(t *testing.T) {
					out, _, code := runCLI(t, colour, []string{"TERM=xterm-256color", "COLUMNS=" + width}, view.args...)
					if code != 0 {
						t.Fatalf("exit %d", code)
					}
					if has := strings.Contains(out, "\x1b["); has != colour {
						t.Errorf("escape codes %v, want %v", has, colour)
					}
					if !colour {
						// Piped output is never elided: only --width lays it out.
						out, _, _ = runCLI(t, false, nil, append(view.args, "--width", width)...)
					}
					checkWidth(t, out, width)
					golden(t, "views/"+name+".txt", out)
				})
			}
		}
	}
}

// checkWidth fails the test for every line of out wider than width columns.
func checkWidth(t *testing.T, out, width string) {
	t.Helper()
	w, _ := strconv.Atoi(width)
	for _, line := range strings.Split(out, "\n") {
		if n := ansi.StringWidth(line); n > w {
			t.Errorf("line is %d columns wide, over %d: %q", n, w, line)
		}
	}
}

// examples/fixture/fixtures.go is what its go:generate line writes today.
func TestExampleFixturesUpToDate(t *testing.T) {
	out, _, code := runCLI(t, false, nil, "read", "../../testdata/pcaps/onenet-esp8266.pcapng",
		"--export-hex", "go", "--go-package", "fixture", "-Y", "from == client")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	want, err := os.ReadFile("../../examples/fixture/fixtures.go")
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Error("examples/fixture/fixtures.go is stale: run go generate ./examples/fixture")
	}
}

// Every view of every test capture fits the width it is laid out for,
// whatever the capture holds (long event names, WebSocket and TLS
// events, many connections): the golden views cover a few captures only.
func TestEveryCaptureFitsTheWidth(t *testing.T) {
	paths, err := filepath.Glob("../../testdata/pcaps/*.pcap*")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no test captures: %v", err)
	}
	for _, path := range paths {
		for _, args := range [][]string{{"read"}, {"read", "-V"}, {"read", "--hex"}, {"stats"}} {
			for _, width := range []string{"80", "120"} {
				out, _, _ := runCLI(t, false, nil, append(args, path, "--width", width)...)
				t.Run(filepath.Base(path)+"/"+strings.Join(args, "_")+"/"+width, func(t *testing.T) { checkWidth(t, out, width) })
			}
		}
	}
}
