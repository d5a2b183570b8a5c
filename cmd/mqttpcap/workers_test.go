package main

import (
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/mqttpcap/mqttpcap/internal/testutil/pcapsplit"
)

// The output is the same, byte for byte, however many cores decode it
// (issue 9): every test capture and every corpus capture, in every view,
// with GOMAXPROCS 1 (one decoding goroutine) and 4 (four workers, each
// owning a share of the connections, their output merged in record order).
// Run under the race detector by make test.
func TestOutputSameOnEveryCore(t *testing.T) {
	captures, _ := filepath.Glob("../../testdata/pcaps/*.pcap*")
	corpus, _ := filepath.Glob(filepath.Join(corpusPcaps(), "*.pcap*"))
	if len(corpus) == 0 {
		t.Logf("no corpus at %s: the test captures only", corpusPcaps())
	}
	modes := [][]string{
		{"read"},
		{"read", "-V"},
		{"read", "--hex", "--width", "100"},
		{"read", "--json"},
		{"read", "--color", "always", "--width", "120"},
		{"read", "-Y", "type == PUBLISH || kind == event"},
		{"stats"},
		{"stats", "--json"},
		{"read", "--export-hex", "fixture"},
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, path := range append(captures, corpus...) {
		name := filepath.Base(path)
		for _, mode := range modes {
			args := append(append([]string(nil), mode...), path)
			runtime.GOMAXPROCS(1)
			one, oneErr, oneCode := runCLI(t, false, nil, args...)
			runtime.GOMAXPROCS(4)
			four, fourErr, fourCode := runCLI(t, false, nil, args...)
			if one != four || oneErr != fourErr || oneCode != fourCode {
				t.Errorf("%s %v: the output with 4 workers differs from one (exit %d vs %d)\n--- one core:\n%s\n--- four:\n%s",
					name, mode, oneCode, fourCode, head(one+oneErr), head(four+fourErr))
			}
		}
	}
}

// corpusPcaps is where the shared corpus's captures are
// ($MQTTPCAP_CORPUS/pcaps, or ../shared/corpus/pcaps beside the checkout).
func corpusPcaps() string {
	if dir := os.Getenv("MQTTPCAP_CORPUS"); dir != "" {
		return filepath.Join(dir, "pcaps")
	}
	return filepath.Join("..", "..", "..", "shared", "corpus", "pcaps")
}

func head(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "\n..."
	}
	return s
}

// Several inputs give the same output, byte for byte, on one core and on
// four (issue 14): read apart, several at once, their outputs are still
// written in the order of the arguments, with a missing one named in its
// place; merged, the one capture's; and the tables' files are the same.
func TestSeveralInputsSameOnEveryCore(t *testing.T) {
	captures, _ := filepath.Glob("../../testdata/pcaps/*.pcap*")
	args := append(append([]string{}, captures[len(captures)/2:]...), "missing.pcap")
	args = append(args, captures[:len(captures)/2]...)
	parts, err := pcapsplit.Split("../../testdata/pcaps/mosquitto-v311.pcap", t.TempDir(), 3)
	if err != nil {
		t.Fatal(err)
	}
	modes := [][]string{
		{"read"},
		{"read", "--json"},
		{"read", "-V"},
		{"stats"},
		{"stats", "--json"},
		{"read", "--export-hex", "fixture"},
		{"read", "--format", "parquet", "-o", "{dir}/"},
		{"read", "--format", "csv", "-o", "{dir}/", "--partition-by", "date"},
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, mode := range modes {
		for _, inputs := range [][]string{args, append([]string{"--merge"}, parts...)} {
			var outs [2]string
			var trees [2]map[string]string
			for k, procs := range []int{1, 4} {
				runtime.GOMAXPROCS(procs)
				dir := t.TempDir()
				cmd := slices.Clone(mode)
				for i := range cmd {
					cmd[i] = strings.ReplaceAll(cmd[i], "{dir}", dir)
				}
				out, errOut, code := runCLI(t, false, nil, append(cmd, inputs...)...)
				outs[k] = fmt.Sprintf("%s\n--- stderr:\n%s--- exit %d", out, strings.ReplaceAll(errOut, dir, "DIR"), code)
				trees[k] = readTree(t, dir)
			}
			if outs[0] != outs[1] {
				t.Errorf("%v %v: the output with 4 cores differs from one:\n%s", mode, inputs[:1], diffHead(outs[1], outs[0]))
			}
			if !maps.Equal(trees[0], trees[1]) {
				t.Errorf("%v %v: the files written with 4 cores differ from one", mode, inputs[:1])
			}
		}
	}
}

// readTree reads every file under dir, by its path in dir.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		out[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
