package pipeline_test

import (
	"bytes"
	"context"
	"io"
	"runtime"
	"testing"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/internal/benchgen"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/report"
)

// Memory does not grow with the length of a capture (issue 9): the same 60
// OneNET devices posting 40 or 320 times each (one post in seven left
// without its reply, property sets, MQTT 5 aliases), through the whole read
// path as `mqttpcap read` runs it (list, summary, OneNET). The live heap,
// sampled after a collection every few thousand frames, must stay within
// the same bound whatever the number of messages.
func TestLiveHeapIndependentOfLength(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and reads 2 captures")
	}
	peak := func(rounds int) uint64 { return peakLiveHeap(t, benchgen.DefaultOneNET(60, rounds), 4000) }
	short, long := peak(40), peak(320)
	t.Logf("peak live heap above the capture itself: %d KB for 40 posts per device, %d KB for 320", short>>10, long>>10)
	if long > short+short/4+(1<<20) {
		t.Errorf("the live heap grows with the capture: %d KB for 40 posts per device, %d KB for 8 times as many", short>>10, long>>10)
	}
}

// What each open connection costs (issue 9): the live heap at its peak
// with 15,000 OneNET devices connected at once, less that with 3,000, per
// extra connection. It guards what was measured (about 4.1 KB: the
// pipeline's connection state 1.4 KB, gopacket's reassembly 0.7 KB, the
// stream side's 0.8 KB, the OneNET layer's about 0.5 KB, the summary's 0.3
// KB) against growing unnoticed; the target is 2 KB.
func TestLiveHeapPerOpenConnection(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and reads 2 captures")
	}
	peak := func(conns int) uint64 { return peakLiveHeap(t, benchgen.DefaultOneNET(conns, 2), 2000) }
	few, many := peak(3000), peak(15000)
	perConn := (int64(many) - int64(few)) / 12000
	t.Logf("live heap per open connection: %d bytes (3,000 connections: %d KB, 15,000: %d KB)", perConn, few>>10, many>>10)
	const bound = 4300
	if perConn > bound {
		t.Errorf("each open connection takes %d bytes of live heap, more than the %d measured when this test was written", perConn, bound)
	}
}

// peakLiveHeap reads the generated capture through the whole read path as
// `mqttpcap read` runs it (list, summary, OneNET) and returns the largest
// live heap above the capture itself, sampled every so many frames.
func peakLiveHeap(t *testing.T, gen benchgen.OneNETOptions, every int) uint64 {
	t.Helper()
	var buf bytes.Buffer
	if _, err := benchgen.WriteOneNET(&buf, gen); err != nil {
		t.Fatal(err)
	}
	src, err := capture.NewReader(bytes.NewReader(buf.Bytes()), "generated")
	if err != nil {
		t.Fatal(err)
	}
	sampled := &heapSampler{Source: src, every: every}
	sink := report.NewText(io.Discard, report.TextOptions{Summary: true})
	// One goroutine: the samples then see the state the run keeps, not how
	// many batches happen to be in flight between the goroutines (bounded
	// on its own, by the batch queue).
	opts := pipeline.DefaultOptions()
	opts.Parallel = false
	if err := pipeline.New(opts, sink).Run(context.Background(), sampled); err != nil {
		t.Fatal(err)
	}
	sink.Flush()
	return sampled.peak - sampled.base
}

// heapSampler reads the live heap every so many frames.
type heapSampler struct {
	capture.Source
	every, n   int
	base, peak uint64
}

func (h *heapSampler) Next() ([]byte, capture.CaptureInfo, capture.LinkType, error) {
	if h.n%h.every == 0 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		if h.n == 0 {
			h.base = m.HeapAlloc
		}
		h.peak = max(h.peak, m.HeapAlloc)
	}
	h.n++
	return h.Source.Next()
}
