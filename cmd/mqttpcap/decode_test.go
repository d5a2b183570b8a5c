package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mqttpcap/mqttpcap/internal/testutil/pcapsplit"
)

// decodedPacket is what the round trip compares: the bytes, the side, and
// the connection (renumbered in order of appearance).
type decodedPacket struct {
	Hex    string `json:"hex"`
	From   string `json:"from"`
	Stream int    `json:"stream"`
	Kind   string `json:"kind"`
	Trunc  bool   `json:"truncated"`
}

// jsonLine is what jsonPackets reads of a line: a packet's connection is
// its stream, interface and the connection line that covers its frame
// (one stream number can hold several connections: docs/json.md).
type jsonLine struct {
	decodedPacket
	Interface  int    `json:"interface"`
	Frame      uint64 `json:"frame"`
	FirstFrame uint64 `json:"first_frame"`
}

// jsonPackets reads the packets of `--json` output, with connections
// numbered in order of appearance.
func jsonPackets(t *testing.T, out string) []decodedPacket {
	t.Helper()
	pkts, _ := jsonConns(t, out)
	return pkts
}

// jsonConns is jsonPackets, and says whether a stream number holds
// several connections.
func jsonConns(t *testing.T, out string) ([]decodedPacket, bool) {
	t.Helper()
	type conn struct {
		stream, iface int
		first         uint64
	}
	var lines, ends []jsonLine
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var l jsonLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("not JSON: %v: %s", err, sc.Text())
		}
		switch l.Kind {
		case "mqtt":
			lines = append(lines, l)
		case "connection":
			ends = append(ends, l)
		}
	}
	var pkts []decodedPacket
	conns := map[conn]int{}
	streams := map[int]bool{}
	several := map[conn]int{} // connection lines per stream and interface
	for _, e := range ends {
		several[conn{e.Stream, e.Interface, 0}]++
	}
	for _, l := range lines {
		k := conn{l.Stream, l.Interface, 0}
		// Frames tell the connections of a stream apart (decode's frame
		// numbers, input lines, need not: it has one per stream).
		for _, e := range ends {
			if several[k] > 1 && e.Stream == l.Stream && e.Interface == l.Interface && e.FirstFrame <= l.Frame && l.Frame <= e.Frame {
				k.first = e.FirstFrame
				break
			}
		}
		c, ok := conns[k]
		if !ok {
			c = len(conns)
			conns[k] = c
		}
		streams[l.Stream] = true
		p := l.decodedPacket
		p.Stream = c
		pkts = append(pkts, p)
	}
	return pkts, len(conns) > len(streams)
}

// byStream orders packets one connection after another (as exports are).
func byStream(pkts []decodedPacket) []decodedPacket {
	var order []int
	groups := map[int][]decodedPacket{}
	for _, p := range pkts {
		if _, ok := groups[p.Stream]; !ok {
			order = append(order, p.Stream)
		}
		groups[p.Stream] = append(groups[p.Stream], p)
	}
	var out []decodedPacket
	for i, s := range order {
		for _, p := range groups[s] {
			p.Stream = i
			out = append(out, p)
		}
	}
	return out
}

// decode on every export format of every test capture gives back the
// packets that were exported: the same bytes in the same order, from the
// same side, and, where the format keeps connections apart (at, at-plain,
// fixture, go), in the same connections.
func TestDecodeRoundTrip(t *testing.T) {
	captures, _ := filepath.Glob("../../testdata/pcaps/*.pcap*")
	if len(captures) < 20 {
		t.Fatalf("%d captures", len(captures))
	}
	checked := 0
	for _, path := range captures {
		name := filepath.Base(path)
		if name == "cut-short.pcap" {
			continue // read exits 4: its export is tested by read's own tests
		}
		for _, format := range exportFormats {
			t.Run(name+"/"+format, func(t *testing.T) {
				sel := "from == client"
				if format == "fixture" || format == "go" {
					sel = "frame > 0"
				}
				// A TLS capture is read with its key log, when it has one.
				var keys []string
				if k := strings.TrimSuffix(path, filepath.Ext(path)) + ".keys"; fileExists(k) {
					keys = []string{"--tls-keylog", k}
				}
				// The connection lines tell a stream's connections apart.
				want, _, code := runCLI(t, false, nil, append([]string{"read", "--json", "-Y", sel + ` || kind == "connection"`, path}, keys...)...)
				if code != 0 {
					t.Fatalf("read --json: exit %d", code)
				}
				wantConns, several := jsonConns(t, want)
				wantPkts := byStream(wantConns)
				// Nothing to check (not a skip: there is nothing to run):
				// a capture without MQTT packets, or with one cut short
				// (its bytes do not read back as one packet).
				if len(wantPkts) == 0 {
					return
				}
				for _, p := range wantPkts {
					if p.Trunc {
						return
					}
				}
				dir := t.TempDir()
				out := filepath.Join(dir, "export")
				args := append([]string{"read", path, "--export-hex", format, "-o", out, "-Y", sel}, keys...)
				if _, errOut, code := runCLI(t, false, nil, args...); code != 0 {
					t.Fatalf("export: exit %d: %s", code, errOut)
				}
				dargs := []string{"decode", "--json", "--at", "2020-01-01", out}
				if format == "bin" {
					files, _ := filepath.Glob(filepath.Join(out, "*.bin"))
					dargs = append(dargs[:4], files...)
				}
				got, errOut, code := runCLI(t, false, nil, dargs...)
				if code != 0 {
					t.Fatalf("decode: exit %d: %s", code, errOut)
				}
				gotPkts := jsonPackets(t, got)
				// A fixture names a packet's connection by its stream
				// number: a stream that holds several connections (two
				// interfaces, a reused port) reads back as one.
				keepsConns := format == "at" || format == "at-plain" || (format == "fixture" || format == "go") && !several
				if len(gotPkts) != len(wantPkts) {
					t.Fatalf("%d packets back, %d exported\n%s", len(gotPkts), len(wantPkts), got)
				}
				for i := range wantPkts {
					w, g := wantPkts[i], gotPkts[i]
					if !keepsConns {
						w.Stream, g.Stream = 0, 0
					}
					if w != g {
						t.Errorf("packet %d: got %+v, want %+v", i, g, w)
					}
				}
				checked++
			})
		}
	}
	if checked < 100 {
		t.Errorf("only %d round trips", checked)
	}
}

// Hex as users paste it: from the README and onenet.md, in every spelling.
func TestDecodeHexForms(t *testing.T) {
	seedConnect := "10980100044d51545404c2003c00056d795f7476000a5652716844484632774c007976657273696f6e3d323031382d31302d3331267265733d70726f64756374732532465652716844484632774c253246646576696365732532466d795f74762665743d31363631323435303331266d6574686f643d6d6435267369676e3d7934694450753659703834464f377378706364635351253344253344"
	spaced := strings.TrimSpace(strings.Join(splitPairs(seedConnect), " "))
	for _, tt := range []struct {
		name  string
		args  []string
		stdin string
	}{
		{"one word", []string{seedConnect}, ""},
		{"spaced words", strings.Fields(spaced), ""},
		{"0x stdin", nil, "0x" + strings.Join(splitPairs(seedConnect), ", 0x") + "\n"},
		{"escapes stdin", nil, `\x` + strings.Join(splitPairs(seedConnect), `\x`) + "\n"},
		{"wireshark dump", nil, dumpOf(seedConnect)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ios, out, errOut := testIO(tt.stdin)
			code := run(append([]string{"decode", "--json", "--at", "2022-08-01"}, tt.args...), ios)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
			pkts := jsonPackets(t, out.String())
			if len(pkts) != 1 || pkts[0].Hex != seedConnect || pkts[0].From != "client" {
				t.Errorf("got %+v", pkts)
			}
			if strings.Contains(out.String(), `"expired":true`) {
				t.Error("--at 2022-08-01: the token (et 2022-08-23) is not expired yet")
			}
		})
	}
}

func splitPairs(h string) []string {
	var out []string
	for i := 0; i+1 < len(h); i += 2 {
		out = append(out, h[i:i+2])
	}
	return out
}

// dumpOf writes hex as Wireshark's "Copy as Hex Dump" does.
func dumpOf(h string) string {
	pairs := splitPairs(h)
	var b strings.Builder
	for off := 0; off < len(pairs); off += 16 {
		end := min(off+16, len(pairs))
		b.WriteString(fmt.Sprintf("%04x   %s%s   ................\n", off, strings.Join(pairs[off:end], " "), strings.Repeat("   ", 16-(end-off))))
	}
	return b.String()
}

func testIO(stdin string) (*ioStreams, *strings.Builder, *strings.Builder) {
	var out, errOut strings.Builder
	return &ioStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut}, &out, &errOut
}

// Golden outputs of decode on the seed session written as an ESP8266
// serial log (both directions) and as plain hex lines.
func TestGoldenDecode(t *testing.T) {
	for _, name := range []string{"seed-serial.log", "seed.hex", "seed-cipmux1.log"} {
		path := filepath.Join("testdata", "decode", name)
		if _, err := os.Stat(path); err != nil {
			t.Fatal(err)
		}
		out, errOut, code := runCLI(t, false, nil, "decode", "--at", "2026-11-29T00:00:00Z", path)
		if code != 0 {
			t.Fatalf("%s: exit %d %s", name, code, errOut)
		}
		golden(t, "decode/"+name+".list.txt", out)
		out, _, _ = runCLI(t, false, nil, "decode", "--json", "--at", "2026-11-29T00:00:00Z", path)
		golden(t, "decode/"+name+".jsonl", out)
	}
}

// An export of several captures decodes back to the packets of each, in
// the order of the arguments, each capture's connections apart (their
// stream numbers are per capture: at, at-plain, fixture and go keep them
// apart); merged, a connection across two files stays one.
func TestDecodeRoundTripSeveral(t *testing.T) {
	captures := []string{"../../testdata/pcaps/onenet-set.pcap", "../../testdata/pcaps/mosquitto-v311.pcap", "../../testdata/pcaps/onenet-esp8266.pcapng"}
	for _, format := range []string{"at", "at-plain", "fixture", "go"} {
		t.Run(format, func(t *testing.T) {
			sel := "from == client"
			if format == "fixture" || format == "go" {
				sel = "frame > 0"
			}
			var want []decodedPacket
			for _, path := range captures {
				out, _, _ := runCLI(t, false, nil, "read", "--json", "-Y", sel, path)
				conns := 0
				for _, p := range want {
					conns = max(conns, p.Stream+1)
				}
				for _, p := range byStream(jsonPackets(t, out)) {
					p.Stream += conns
					want = append(want, p)
				}
			}
			out := filepath.Join(t.TempDir(), "export")
			args := append([]string{"read", "--export-hex", format, "-o", out, "-Y", sel}, captures...)
			if _, errOut, code := runCLI(t, false, nil, args...); code != 0 {
				t.Fatalf("export: exit %d: %s", code, errOut)
			}
			got, errOut, code := runCLI(t, false, nil, "decode", "--json", "--at", "2020-01-01", out)
			if code != 0 {
				t.Fatalf("decode: exit %d: %s", code, errOut)
			}
			gotPkts := jsonPackets(t, got)
			if fmt.Sprint(gotPkts) != fmt.Sprint(want) {
				t.Errorf("decoded back:\n%v\nexported:\n%v", gotPkts, want)
			}
			// Merged from its parts, a capture exports as the whole does.
			const whole = "../../testdata/pcaps/mosquitto-v311.pcap"
			parts, err := pcapsplit.Split(whole, t.TempDir(), 3)
			if err != nil {
				t.Fatal(err)
			}
			wout, _, _ := runCLI(t, false, nil, "read", "--json", "-Y", sel, whole)
			args = append([]string{"read", "--merge", "--export-hex", format, "-o", out, "-Y", sel}, parts...)
			if _, errOut, code := runCLI(t, false, nil, args...); code != 0 {
				t.Fatalf("export: exit %d: %s", code, errOut)
			}
			got, _, _ = runCLI(t, false, nil, "decode", "--json", "--at", "2020-01-01", out)
			if g, w := fmt.Sprint(jsonPackets(t, got)), fmt.Sprint(byStream(jsonPackets(t, wout))); g != w {
				t.Errorf("merged, decoded back:\n%v\nthe whole's:\n%v", g, w)
			}
		})
	}
}
