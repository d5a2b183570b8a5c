package pipeline_test

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/pipeline"
)

// `stream` is a public promise: Wireshark's tcp.stream. These tests run
// tshark (when it is installed) on every corpus capture and every capture
// of testdata/pcaps, and check that each packet and event mqttpcap reports
// carries the tcp.stream tshark gives its frame.

// tsharkStreams returns, per frame number, the tcp.stream tshark gives it
// (frames without TCP are absent). It skips the test when tshark is not
// installed.
func tsharkStreams(t *testing.T, path string) map[uint64]int {
	t.Helper()
	bin, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark is not installed: skipping the comparison of stream numbers with Wireshark's tcp.stream")
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, "-n", "-r", path, "-T", "fields", "-e", "frame.number", "-e", "tcp.stream")
	cmd.Stdout = &out
	// tshark exits 2 on a capture cut short, after printing every frame.
	if err := cmd.Run(); err != nil && out.Len() == 0 {
		t.Fatalf("tshark -r %s: %v", path, err)
	}
	streams := map[uint64]int{}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		frame, stream, ok := strings.Cut(sc.Text(), "\t")
		if !ok || stream == "" {
			continue
		}
		// A frame can hold several TCP headers (an ICMP error quoting
		// one): the first is the frame's own.
		stream, _, _ = strings.Cut(stream, ",")
		f, err1 := strconv.ParseUint(frame, 10, 64)
		s, err2 := strconv.Atoi(stream)
		if err1 != nil || err2 != nil {
			t.Fatalf("tshark -r %s: cannot read %q", path, sc.Text())
		}
		streams[f] = s
	}
	return streams
}

// streamOf is a record's frame and stream number.
type streamOf struct {
	frame  uint64
	stream int
	what   string
}

// ourStreams runs the read path and returns the frame and stream of every
// packet and event that is about a connection.
func ourStreams(t *testing.T, path string, ports []uint16) []streamOf {
	t.Helper()
	src, err := capture.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	opts := pipeline.DefaultOptions()
	opts.Stream.Ports = append(opts.Stream.Ports, ports...)
	var out []streamOf
	sink := pipeline.SinkFunc(func(r *pipeline.Record) error {
		if r.Conn == nil || r.Frame == 0 {
			return nil
		}
		what := ""
		switch r.Kind {
		case pipeline.KindPacket:
			what = r.Packet.Type.String()
		case pipeline.KindEvent:
			what = "[" + r.Event.Type + "]"
		default:
			return nil
		}
		out = append(out, streamOf{frame: r.Frame, stream: r.Conn.Stream, what: what})
		return nil
	})
	_ = pipeline.New(opts, sink).Run(context.Background(), src) // cut-short captures end with an error
	return out
}

func compareStreams(t *testing.T, path string, ports []uint16, theirs map[uint64]int) {
	t.Helper()
	bad := 0
	for _, r := range ourStreams(t, path, ports) {
		want, ok := theirs[r.frame]
		switch {
		case !ok:
			t.Errorf("frame %d (%s): mqttpcap says stream %d, tshark has no tcp.stream for the frame", r.frame, r.what, r.stream)
		case want != r.stream:
			t.Errorf("frame %d (%s): stream %d, tshark's tcp.stream is %d", r.frame, r.what, r.stream, want)
		default:
			continue
		}
		if bad++; bad == 10 {
			t.Fatal("too many differences")
		}
	}
}

// prefetch runs tshark on the captures two at a time (it is the slow part)
// before the subtests compare.
func prefetch(t *testing.T, paths []string) map[string]map[uint64]int {
	t.Helper()
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark is not installed: skipping the comparison of stream numbers with Wireshark's tcp.stream")
	}
	res := make(map[string]map[uint64]int, len(paths))
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for _, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			s := tsharkStreams(t, p)
			mu.Lock()
			res[p] = s
			mu.Unlock()
		}()
	}
	wg.Wait()
	return res
}

// TestCorpusStreamsAgainstTshark: for every capture of the shared corpus,
// the stream of every packet and event equals tshark's tcp.stream.
func TestCorpusStreamsAgainstTshark(t *testing.T) {
	dir := corpusDir(t)
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST.tsv")); err != nil {
		t.Skipf("the shared corpus is not at %s (set MQTTPCAP_CORPUS): skipping", dir)
	}
	rows := readManifest(t, dir)
	var paths []string
	for _, row := range rows {
		paths = append(paths, filepath.Join(dir, "pcaps", row.file))
	}
	theirs := prefetch(t, paths)
	for i, row := range rows {
		t.Run(row.file, func(t *testing.T) {
			compareStreams(t, paths[i], row.ports, theirs[paths[i]])
		})
	}
}

// TestTestdataStreamsAgainstTshark does the same for the project's own
// captures.
func TestTestdataStreamsAgainstTshark(t *testing.T) {
	paths, err := filepath.Glob("../testdata/pcaps/*.pcap*")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no captures: %v", err)
	}
	theirs := prefetch(t, paths)
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			compareStreams(t, p, []uint16{6002}, theirs[p])
		})
	}
}
