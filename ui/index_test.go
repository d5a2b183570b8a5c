package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/report"
)

// indexOf reads a test capture into a new index, to its end.
func indexOf(t testing.TB, name string) *Index {
	t.Helper()
	ix, err := NewIndex(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	src, err := capture.OpenFile(filepath.Join("..", "testdata", "pcaps", name))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	opts := pipeline.DefaultOptions()
	err = pipeline.New(opts, ix).Run(context.Background(), src)
	ix.finish(err)
	return ix
}

// rendered is everything the views show of a record.
func rendered(v *report.View, r *pipeline.Record) string {
	b := v.ListLine(nil, r)
	b = append(b, '\n')
	if r.Kind == pipeline.KindPacket {
		b = v.DetailHeader(b, r)
		for i := range r.Packet.Fields {
			b = v.FieldLine(b, r.Packet, i)
		}
		b = v.DetailNotes(b, r)
		b = v.Hexdump(b, r, decode.Span{})
	}
	return string(b)
}

// TestRowsAreRecords checks that a record read back from the index (its
// packet decoded again from the spill, OneNET's reading rebuilt) shows
// exactly what the record the pipeline handed on shows: the list line, the
// field tree with its notes and the hexdump, for every record of every
// test capture.
func TestRowsAreRecords(t *testing.T) {
	captures, err := filepath.Glob("../testdata/pcaps/*.pcap*")
	if err != nil || len(captures) == 0 {
		t.Fatal("no test captures")
	}
	for _, path := range captures {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			for _, width := range []int{0, 80} {
				v := report.NewView(report.ViewOptions{Width: width, Styled: width == 80})
				var want []string
				src, err := capture.OpenFile(path)
				if err != nil {
					t.Fatal(err)
				}
				opts := pipeline.DefaultOptions()
				opts.Fields, opts.Parallel = true, false
				var ext pipeline.Extent
				sink := pipeline.SinkFunc(func(r *pipeline.Record) error {
					if r.Kind != pipeline.KindConnDone {
						want = append(want, "")
						ext = r.Extent
						_ = ext
						rr := *r
						rr.Extent = pipeline.Extent{}
						want[len(want)-1] = rendered(v, &rr)
					}
					return nil
				})
				pipeline.New(opts, sink).Run(context.Background(), src)
				src.Close()
				ix := indexOf(t, name)
				if ix.Len() != len(want) {
					t.Fatalf("%d rows, want %d", ix.Len(), len(want))
				}
				l := ix.loader()
				for i := range want {
					r, err := l.row(i, false)
					if err != nil {
						t.Fatalf("row %d: %v", i, err)
					}
					r.Extent = pipeline.Extent{}
					if got := rendered(v, &r.Record); got != want[i] {
						t.Fatalf("row %d (width %d) differs:\n got: %s\nwant: %s", i, width, got, want[i])
					}
				}
			}
		})
	}
}

func TestSpillIsUnlinked(t *testing.T) {
	dir := t.TempDir()
	ix, err := NewIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	left, _ := os.ReadDir(dir)
	var names []string
	for _, e := range left {
		names = append(names, e.Name())
	}
	if len(names) != 0 {
		t.Errorf("the spill file is visible: %s", strings.Join(names, ", "))
	}
}
