package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/internal/benchgen"
	"github.com/mqttpcap/mqttpcap/pipeline"
)

// benchCapture is a generated OneNET capture in $TMPDIR/mqttpcap-bench,
// where `go run ./internal/benchtools/bench` keeps them, generated when
// missing (the 1 GB one takes a minute or two).
func benchCapture(b *testing.B, name string, o benchgen.OneNETOptions) string {
	dir := filepath.Join(os.TempDir(), "mqttpcap-bench")
	path := filepath.Join(dir, "onenet-"+name+".pcap")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	b.Logf("generating %s", path)
	f, err := os.Create(path + ".tmp")
	if err != nil {
		b.Fatal(err)
	}
	st, err := benchgen.WriteOneNET(f, o)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(path+".tmp", path)
	}
	if err == nil {
		err = os.WriteFile(path+".stats", []byte(fmt.Sprintln(st.Frames, st.MQTTPackets, st.Bytes)), 0o644)
	}
	if err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkOpen measures what a user waits for: the time from starting the
// UI on a capture to its first full screen (a page of rows, the selected
// packet's tree and hexdump), then, once the whole file is indexed, the
// heap the index keeps (per row), the time to draw a screen in the
// middle of the capture (rows and the selected packet decoded again from
// the spill), and the time a display filter takes over the whole capture.
// 1g is the 1 GB capture of `bench -sizes 1g`:
//
//	go test ./ui -run '^$' -bench 'Open/1g' -benchtime 1x
func BenchmarkOpen(b *testing.B) {
	for _, size := range []struct {
		name string
		opts benchgen.OneNETOptions
	}{
		{"small", benchgen.DefaultOneNET(50, 140)},
		{"1g", benchgen.DefaultOneNET(2000, 1090)},
	} {
		b.Run(size.name, func(b *testing.B) {
			path := benchCapture(b, size.name, size.opts)
			for range b.N {
				benchOpen(b, path)
			}
		})
	}
}

func benchOpen(b *testing.B, path string) {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	ix, err := NewIndex(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	src, err := capture.OpenFile(path)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	go func() {
		opts := pipeline.DefaultOptions()
		ix.finish(pipeline.New(opts, ix).Run(context.Background(), src))
	}()
	m := newModel(ix, Options{Name: path, Color: true, Width: 120, Height: 40})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	lh, _, _ := m.heights()
	for {
		m.refresh()
		if m.count() >= lh || m.status.Done {
			break
		}
		time.Sleep(time.Millisecond)
	}
	_ = m.View()
	first := time.Since(start)
	for !ix.Status().Done {
		time.Sleep(10 * time.Millisecond)
	}
	indexed := time.Since(start)
	m.refresh()
	st := ix.Status()
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	heap := float64(after.HeapInuse) - float64(before.HeapInuse)
	// A screen in the middle: the list's rows and the selected packet are
	// read back and decoded on demand.
	t0 := time.Now()
	m.moveTo(st.Entries / 2)
	m.refresh()
	_ = m.View()
	mid := time.Since(t0)
	// A display filter over the whole capture, every record read back.
	t0 = time.Now()
	f, err := parse("type == CONNECT && client_id contains \"9\"")
	if err != nil {
		b.Fatal(err)
	}
	rs := newRowSet(ix, f, "", -1)
	rs.wait()
	filtered := time.Since(t0)
	b.ReportMetric(filtered.Seconds(), "s-filter")
	b.ReportMetric(float64(first.Microseconds())/1000, "ms-first-screen")
	b.ReportMetric(indexed.Seconds(), "s-indexed")
	b.ReportMetric(heap/1e6, "MB-heap")
	b.ReportMetric(heap/float64(max(st.Entries, 1)), "B-heap/row")
	b.ReportMetric(float64(st.Entries), "rows")
	b.ReportMetric(float64(st.SpillBytes)/1e6, "MB-spill")
	b.ReportMetric(float64(mid.Microseconds())/1000, "ms-screen-mid")
}
