package pipeline_test

import (
	"bytes"
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/internal/benchgen"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/report"
	tlsdec "github.com/mqttpcap/mqttpcap/transport/tls"
)

// The cost of the transports: the same MQTT sessions (100 connections ×
// 200 QoS 0 PUBLISHes, internal/benchgen.WriteTransport) read straight
// over TCP, over WebSocket, and over real TLS 1.3 (AES-128-GCM) and TLS
// 1.2 (ChaCha20-Poly1305) sessions decrypted with their key log, to JSON
// lines. BenchmarkTransportRatio reads them in turn and reports each
// transport's time as a multiple of TCP's (issue 13: decrypting adds at
// most 2× to reading the same traffic in clear).
//
//	go test ./pipeline -run XXX -bench Transport -benchtime 5x

type transportCapture struct {
	data []byte
	keys *tlsdec.KeyLog
}

var transportCaptures = sync.OnceValues(func() (map[string]transportCapture, error) {
	out := map[string]transportCapture{}
	for _, tr := range []string{benchgen.TCP, benchgen.WebSocket, benchgen.TLS13, benchgen.TLS12} {
		var data, keys bytes.Buffer
		if _, err := benchgen.WriteTransport(&data, &keys, benchgen.Options{Connections: 100, Publishes: 200, Seed: 13}, tr); err != nil {
			return nil, err
		}
		c := transportCapture{data: data.Bytes()}
		if keys.Len() > 0 {
			c.keys = tlsdec.NewKeyLog()
			c.keys.Add(keys.Bytes())
		}
		out[tr] = c
	}
	return out, nil
})

// readTransport reads one capture to JSON lines and returns its MQTT
// packets.
func readTransport(b *testing.B, c transportCapture) int {
	src, err := capture.NewReader(bytes.NewReader(c.data), "bench")
	if err != nil {
		b.Fatal(err)
	}
	opts := pipeline.DefaultOptions()
	opts.TLSKeys = c.keys
	n := 0
	j := report.NewJSONLines(io.Discard)
	sink := pipeline.SinkFunc(func(r *pipeline.Record) error {
		if r.Kind == pipeline.KindPacket {
			n++
		}
		return j.Record(r)
	})
	if err := pipeline.New(opts, sink).Run(context.Background(), src); err != nil {
		b.Fatal(err)
	}
	j.Flush()
	return n
}

func BenchmarkTransports(b *testing.B) {
	caps, err := transportCaptures()
	if err != nil {
		b.Fatal(err)
	}
	for _, tr := range []string{benchgen.TCP, benchgen.WebSocket, benchgen.TLS13, benchgen.TLS12} {
		b.Run(tr, func(b *testing.B) {
			c := caps[tr]
			b.SetBytes(int64(len(c.data)))
			var packets int
			for b.Loop() {
				packets = readTransport(b, c)
			}
			if packets != 100*203 {
				b.Fatalf("%d MQTT packets, want %d", packets, 100*203)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(packets), "ns/packet")
		})
	}
}

func BenchmarkTransportRatio(b *testing.B) {
	caps, err := transportCaptures()
	if err != nil {
		b.Fatal(err)
	}
	spent := map[string]time.Duration{}
	for b.Loop() {
		for _, tr := range []string{benchgen.TCP, benchgen.WebSocket, benchgen.TLS13, benchgen.TLS12} {
			start := time.Now()
			readTransport(b, caps[tr])
			spent[tr] += time.Since(start)
		}
	}
	for _, tr := range []string{benchgen.WebSocket, benchgen.TLS13, benchgen.TLS12} {
		b.ReportMetric(float64(spent[tr])/float64(spent[benchgen.TCP]), tr+"/tcp")
	}
}
