package pipeline_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"runtime"
	"sync"
	"testing"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/internal/benchgen"
	"github.com/mqttpcap/mqttpcap/internal/benchtools/minimal"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/report"
)

// The read-path benchmarks run the whole pipeline (file → reassembly →
// framing → decoding → OneNET → output) on a generated OneNET-shaped
// capture (internal/benchgen: 200 devices × 150 property posts with
// PUBACKs, replies, sets, MQTT 5 aliases, split and coalesced segments),
// held in memory, beside BenchmarkMinimal, the baseline they are compared
// with. They report MQTT packets/s and allocations per MQTT packet. The
// whole CLI on larger captures is measured by make bench.
//
//	go test ./pipeline -run XXX -bench . -benchtime 3x

var benchCapture = sync.OnceValues(func() ([]byte, error) {
	var buf bytes.Buffer
	_, err := benchgen.WriteOneNET(&buf, benchgen.DefaultOneNET(200, 150))
	return buf.Bytes(), err
})

func benchRead(b *testing.B, newSink func(w io.Writer) pipeline.Sink) {
	data, err := benchCapture()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var packets int
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		src, err := capture.NewReader(bytes.NewReader(data), "bench")
		if err != nil {
			b.Fatal(err)
		}
		sink := newSink(io.Discard)
		if err := pipeline.New(pipeline.DefaultOptions(), sink).Run(context.Background(), src); err != nil {
			b.Fatal(err)
		}
		if f, ok := sink.(interface{ Flush() error }); ok {
			f.Flush()
		}
		if c, ok := sink.(*report.Collector); ok {
			packets = c.Packets
		}
	}
	runtime.ReadMemStats(&after)
	if packets == 0 {
		packets = countPackets(b, data)
	}
	b.ReportMetric(float64(packets)*float64(b.N)/b.Elapsed().Seconds(), "packets/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(packets), "ns/packet")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N)/float64(packets), "allocs/packet")
}

// countPackets is the number of MQTT packets the pipeline finds in data.
func countPackets(b *testing.B, data []byte) int {
	src, err := capture.NewReader(bytes.NewReader(data), "bench")
	if err != nil {
		b.Fatal(err)
	}
	c := report.NewCollector()
	if err := pipeline.New(pipeline.DefaultOptions(), c).Run(context.Background(), src); err != nil {
		b.Fatal(err)
	}
	return c.Packets
}

func BenchmarkReadList(b *testing.B) {
	benchRead(b, func(w io.Writer) pipeline.Sink {
		return report.NewText(w, report.TextOptions{Summary: true}) // as the CLI
	})
}

func BenchmarkReadJSON(b *testing.B) {
	benchRead(b, func(w io.Writer) pipeline.Sink { return report.NewJSONLines(w) })
}

func BenchmarkReadStats(b *testing.B) {
	benchRead(b, func(io.Writer) pipeline.Sink { return report.NewCollector() })
}

// BenchmarkMinimal is the baseline: gopacket reassembly and a walk over
// the fixed headers, on the same capture (written to a file, as it reads
// one).
func BenchmarkMinimal(b *testing.B) {
	data, err := benchCapture()
	if err != nil {
		b.Fatal(err)
	}
	path := b.TempDir() + "/bench.pcap"
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var res minimal.Result
	for b.Loop() {
		if res, err = minimal.Run(path); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.MQTTPackets)*float64(b.N)/b.Elapsed().Seconds(), "packets/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(res.MQTTPackets), "ns/packet")
}
