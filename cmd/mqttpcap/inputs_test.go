package main

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/internal/testutil/pcapsplit"
)

// --merge of a capture cut into three files gives the same packets,
// events, streams and summary as the whole file (issue 14): JSON lines
// equal but for the members that name the file, frames numbered as in the
// whole file, each line's file_frame the frame's number in its part, the
// list equal but for the lines that mark where a part starts, and the same
// stats. A capture whose frames are not in time order (one interface's
// after another's) is ordered by time when merged, as mergecap orders it:
// where mergecap is installed, every merge is also checked against
// reading mergecap's output of the same parts.
func TestMergeEqualsWhole(t *testing.T) {
	captures, _ := filepath.Glob("../../testdata/pcaps/*.pcap*")
	mergecap, _ := exec.LookPath("mergecap")
	compared := 0
	for _, path := range captures {
		name := filepath.Base(path)
		if name == "cut-short.pcap" {
			continue // it does not read to its end: there is nothing whole to cut
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			parts, err := pcapsplit.Split(path, dir, 3)
			if err != nil {
				t.Fatal(err)
			}
			if mergecap != "" {
				out := filepath.Join(dir, "mergecap.pcapng")
				if b, err := exec.Command(mergecap, append([]string{"-w", out}, parts...)...).CombinedOutput(); err != nil {
					t.Fatalf("mergecap: %v: %s", err, b)
				}
				want, _, _ := runCLI(t, false, nil, "read", "--json", out)
				got, _, _ := runCLI(t, false, nil, append([]string{"read", "--json", "--merge"}, parts...)...)
				if g := withoutFiles(t, got); g != want {
					t.Errorf("--merge differs from reading mergecap's output:\n%s", diffHead(g, want))
				}
			}
			if !inTimeOrder(t, path) {
				t.Log("its frames are not in time order: merged, they are ordered by time (checked against mergecap only)")
				return
			}
			compared++
			whole, _, code := runCLI(t, false, nil, "read", "--json", path)
			merged, stderr, mcode := runCLI(t, false, nil, append([]string{"read", "--json", "--merge"}, parts...)...)
			if code != 0 || mcode != 0 {
				t.Fatalf("exit %d, merged %d: %s", code, mcode, stderr)
			}
			// Where each part's frames start in the whole.
			sizes := partFrames(t, parts)
			wl, ml := lines(whole), lines(merged)
			if len(wl) != len(ml) {
				t.Fatalf("%d JSON lines merged, %d whole", len(ml), len(wl))
			}
			for i := range wl {
				var rec map[string]any
				if err := json.Unmarshal([]byte(ml[i]), &rec); err != nil {
					t.Fatal(err)
				}
				checkOrigin(t, rec, "file", "file_frame", "frame", parts, sizes)
				if rec["kind"] == "connection" {
					checkOrigin(t, rec, "first_file", "first_file_frame", "first_frame", parts, sizes)
				}
				if got := withoutFiles(t, ml[i]); got != wl[i] {
					t.Errorf("line %d:\nmerged %s\nwhole  %s", i+1, got, wl[i])
				}
			}
			wholeList, _, _ := runCLI(t, false, nil, "read", path)
			mergedList, _, _ := runCLI(t, false, nil, append([]string{"read", "--merge"}, parts...)...)
			if got := fileLine.ReplaceAllString(mergedList, ""); got != wholeList {
				t.Errorf("the merged list differs from the whole's:\n%s\n--- whole:\n%s", head(got), head(wholeList))
			}
			wholeStats, _, _ := runCLI(t, false, nil, "stats", "--json", path)
			mergedStats, _, _ := runCLI(t, false, nil, append([]string{"stats", "--json", "--merge"}, parts...)...)
			if withoutSource(t, mergedStats) != withoutSource(t, wholeStats) {
				t.Errorf("the merged stats differ from the whole's:\n%s\n--- whole:\n%s", head(mergedStats), head(wholeStats))
			}
		})
	}
	if compared < 20 {
		t.Errorf("only %d captures compared with their merged parts", compared)
	}
}

// inTimeOrder says whether a capture's frames are in time order.
func inTimeOrder(t *testing.T, path string) bool {
	t.Helper()
	src, err := capture.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var last time.Time
	for {
		_, ci, _, err := src.Next()
		if err != nil {
			return true
		}
		if ci.Timestamp.Before(last) {
			return false
		}
		last = ci.Timestamp
	}
}

// fileLine is the list's line where a merge's part starts.
var fileLine = regexp.MustCompile(`(?m)^══ file \S+ from frame \d+ \(its frame \d+\)\n`)

func lines(s string) []string { return strings.Split(strings.TrimSuffix(s, "\n"), "\n") }

// partFrames are how many frames each part has.
func partFrames(t *testing.T, parts []string) []uint64 {
	t.Helper()
	var sizes []uint64
	for _, p := range parts {
		out, _, _ := runCLI(t, false, nil, "stats", "--json", p)
		var doc struct{ Frames uint64 }
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, doc.Frames)
	}
	return sizes
}

// checkOrigin checks that a record names the part its frame is in, and
// the frame's number there.
func checkOrigin(t *testing.T, rec map[string]any, fileKey, frameKey, globalKey string, parts []string, sizes []uint64) {
	t.Helper()
	g, ok := rec[globalKey].(float64)
	if !ok || g == 0 {
		return
	}
	frame := uint64(g)
	k, first := 0, uint64(1)
	for k < len(sizes)-1 && frame >= first+sizes[k] {
		first += sizes[k]
		k++
	}
	if rec[fileKey] != parts[k] || rec[frameKey] != float64(frame-first+1) {
		t.Errorf("%s %d: %s %v %s %v, want %s frame %d", globalKey, frame, fileKey, rec[fileKey], frameKey, rec[frameKey], parts[k], frame-first+1)
	}
}

// withoutFiles is a JSON line without the members that name files.
func withoutFiles(t *testing.T, line string) string {
	t.Helper()
	for _, re := range fileMembers {
		line = re.ReplaceAllString(line, "")
	}
	return line
}

var fileMembers = []*regexp.Regexp{
	regexp.MustCompile(`,"file":(null|"[^"]*"),"file_frame":(null|\d+)`),
	regexp.MustCompile(`,"first_file":(null|"[^"]*"),"first_file_frame":(null|\d+)`),
}

// withoutSource is a stats document without its source and files.
func withoutSource(t *testing.T, doc string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatalf("%v: %s", err, doc)
	}
	delete(m, "source")
	delete(m, "files")
	b, _ := json.Marshal(m)
	return string(b)
}

// Several inputs read apart give each capture's output as reading it alone
// does, in the order of the arguments, headed by the file's name (text)
// or naming it on every line (JSON), the same on one core and four.
func TestSeveralInputs(t *testing.T) {
	captures, _ := filepath.Glob("../../testdata/pcaps/*.pcap*")
	// In an order of their own, so that the output's order is the
	// arguments', not the names'.
	slices.Reverse(captures)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 4} {
		runtime.GOMAXPROCS(procs)
		list, _, code := runCLI(t, false, nil, append([]string{"read"}, captures...)...)
		jsonl, _, jcode := runCLI(t, false, nil, append([]string{"read", "--json"}, captures...)...)
		if code != exitDamaged || jcode != exitDamaged {
			t.Errorf("GOMAXPROCS %d: exit %d and %d, want 4 (cut-short.pcap)", procs, code, jcode)
		}
		var wantList, wantJSON strings.Builder
		for i, path := range captures {
			one, _, _ := runCLI(t, false, nil, "read", path)
			if i > 0 {
				wantList.WriteString("\n")
			}
			fmt.Fprintf(&wantList, "══ file %s\n%s", path, one)
			one, _, _ = runCLI(t, false, nil, "read", "--json", path)
			for _, line := range lines(one) {
				if line == "" {
					continue
				}
				// "file" and "file_frame" follow "frame".
				line = regexp.MustCompile(`^(\{"kind":"[a-z]+"(,"type":"[a-z_]+")?,"frame":(\d+))`).ReplaceAllString(line, `$1,"file":"`+path+`","file_frame":$3`)
				line = regexp.MustCompile(`("first_frame":(\d+)),"start"`).ReplaceAllString(line, `$1,"first_file":"`+path+`","first_file_frame":$2,"start"`)
				wantJSON.WriteString(line + "\n")
			}
		}
		if list != wantList.String() {
			t.Errorf("GOMAXPROCS %d: the list of several inputs is not each one's in order:\n%s", procs, diffHead(list, wantList.String()))
		}
		if jsonl != wantJSON.String() {
			t.Errorf("GOMAXPROCS %d: the JSON of several inputs is not each one's in order:\n%s", procs, diffHead(jsonl, wantJSON.String()))
		}
	}
}

// diffHead shows where two outputs first differ.
func diffHead(got, want string) string {
	g, w := lines(got), lines(want)
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d:\n got %s\nwant %s", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(g), len(w))
}
