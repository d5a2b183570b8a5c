package main

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
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
