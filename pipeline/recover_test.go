package pipeline_test

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/pipeline"
)

// The captures of ../shared/repro that crashed every command (issue 16):
// a snap-length cut that took a whole CONNECT made the producer hand the
// decoder a frame with no bytes. Now they read to their damage (exit 4's
// error), with nothing made up from the zeros standing in for the cut bytes.
func TestReproCapturesReadToTheirEnd(t *testing.T) {
	seeds, _ := filepath.Glob("../cmd/mqttpcap/testdata/fuzz-seeds/panic-*.pcap")
	if len(seeds) != 2 {
		t.Fatalf("want the 2 repro captures, found %v", seeds)
	}
	for _, path := range seeds {
		t.Run(filepath.Base(path), func(t *testing.T) {
			for _, parallel := range []bool{false, true} {
				src, err := capture.OpenFile(path)
				if err != nil {
					t.Fatal(err)
				}
				opts := pipeline.DefaultOptions()
				opts.Fields, opts.Parallel = true, parallel
				var packets, events int
				err = pipeline.New(opts, pipeline.SinkFunc(func(r *pipeline.Record) error {
					switch r.Kind {
					case pipeline.KindPacket:
						packets++
						if len(r.Packet.Raw) == 0 {
							t.Errorf("frame %d: a packet with no bytes", r.Frame)
						}
						for _, pr := range r.Packet.Problems {
							if pr.Code == "bad_frame" || pr.Code == "internal_error" || pr.Code == "reserved_type" {
								t.Errorf("frame %d: %s: %s", r.Frame, pr.Code, pr.Message)
							}
						}
					case pipeline.KindEvent:
						events++
					}
					return nil
				})).Run(context.Background(), src)
				src.Close()
				if !errors.Is(err, capture.ErrDamaged) {
					t.Errorf("parallel=%v: error %v, want the capture's damage", parallel, err)
				}
				if events == 0 {
					t.Errorf("parallel=%v: no events (want the snaplen event and the damage)", parallel)
				}
			}
		})
	}
}

// A panic below the CLI (here in the sink, on the third packet) is reported
// on its frame as an internal_error event; the rest of the capture is still
// read, and Run ends with an error wrapping ErrInternal.
func TestPanicBecomesInternalError(t *testing.T) {
	for _, parallel := range []bool{false, true} {
		src, err := capture.OpenFile("../testdata/pcaps/onenet-esp8266.pcapng")
		if err != nil {
			t.Fatal(err)
		}
		opts := pipeline.DefaultOptions()
		opts.Parallel = parallel
		var packets int
		var internal []pipeline.Event
		var badFrame uint64
		err = pipeline.New(opts, pipeline.SinkFunc(func(r *pipeline.Record) error {
			switch {
			case r.Kind == pipeline.KindPacket:
				if packets++; packets == 3 {
					badFrame = r.Frame
					panic("boom")
				}
			case r.Kind == pipeline.KindEvent && r.Event.Type == "internal_error":
				internal = append(internal, r.Event)
			}
			return nil
		})).Run(context.Background(), src)
		src.Close()
		var ie *pipeline.InternalError
		if !errors.Is(err, pipeline.ErrInternal) || !errors.As(err, &ie) || ie.Count != 1 {
			t.Fatalf("parallel=%v: Run returned %v, want one internal error", parallel, err)
		}
		if len(internal) != 1 {
			t.Fatalf("parallel=%v: %d internal_error events, want 1", parallel, len(internal))
		}
		if packets < 6 {
			t.Errorf("parallel=%v: %d packets: the run stopped at the panic", parallel, packets)
		}
		if want := "frame " + strconv.FormatUint(badFrame, 10) + ": boom"; !strings.Contains(internal[0].Message, want) {
			t.Errorf("message %q does not name %q", internal[0].Message, want)
		}
	}
}
