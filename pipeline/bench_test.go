package pipeline_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/internal/benchgen"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/report"
)

// The read-path benchmarks run the whole pipeline (file → reassembly →
// framing → decoding → output) on a generated capture of 1,000 connections
// × 1,000 QoS 0 PUBLISH packets: 1,003,000 MQTT packets, 1.26 M frames,
// 146 MB. The capture is generated once into the temporary directory.
// They report MQTT packets/s, MB/s of capture and the process's peak RSS.
//
//	go test ./pipeline -run XXX -bench Read -benchtime 3x

var benchCapture = sync.OnceValues(func() (string, error) {
	path := filepath.Join(os.TempDir(), "mqttpcap-bench-1000x1000.pcap")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	f, err := os.Create(path + ".tmp")
	if err != nil {
		return "", err
	}
	if _, err := benchgen.Write(f, benchgen.Options{Connections: 1000, Publishes: 1000, Seed: 1}); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(path+".tmp", path)
})

func benchRead(b *testing.B, newSink func(w io.Writer) pipeline.Sink) {
	path, err := benchCapture()
	if err != nil {
		b.Fatal(err)
	}
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	b.ReportAllocs()
	var packets int
	for b.Loop() {
		src, err := capture.OpenFile(path)
		if err != nil {
			b.Fatal(err)
		}
		packets = 0
		sink := newSink(io.Discard)
		count := pipeline.SinkFunc(func(r *pipeline.Record) error {
			if r.Kind == pipeline.KindPacket {
				packets++
			}
			return sink.Record(r)
		})
		if err := pipeline.New(pipeline.DefaultOptions(), count).Run(context.Background(), src); err != nil {
			b.Fatal(err)
		}
		if f, ok := sink.(interface{ Flush() error }); ok {
			f.Flush()
		}
		src.Close()
	}
	b.ReportMetric(float64(packets)*float64(b.N)/b.Elapsed().Seconds(), "packets/s")
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MB")
	}
	if want := 1000 * (1000 + 3); packets != want { // CONNECT, CONNACK, PUBLISHes, DISCONNECT
		b.Fatalf("decoded %d MQTT packets, want %d", packets, want)
	}
}

func BenchmarkReadList(b *testing.B) {
	benchRead(b, func(w io.Writer) pipeline.Sink {
		return report.NewText(w, report.TextOptions{Summary: true}) /* as the CLI */
	})
}

func BenchmarkReadJSON(b *testing.B) {
	benchRead(b, func(w io.Writer) pipeline.Sink { return report.NewJSONLines(w) })
}

func BenchmarkReadDecodeOnly(b *testing.B) {
	benchRead(b, func(io.Writer) pipeline.Sink { return pipeline.SinkFunc(func(*pipeline.Record) error { return nil }) })
}
