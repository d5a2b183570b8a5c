package testutil

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/stream"
)

// Delivery is one piece of a connection's reassembled bytes, as the stream
// layer handed it on: the direction, the bytes and the frame of each byte.
// A Gap has no bytes and says how many were lost.
type Delivery struct {
	FromClient bool
	Data       []byte
	Frames     []uint64
	Times      []time.Time
	Missing    []stream.Missing
	Gap        int64
}

// Origin gives the frame of a byte of the delivery (transport.Origins).
func (d *Delivery) Origin(off int) (uint64, time.Time) {
	if off < 0 || off >= len(d.Frames) {
		return 0, time.Time{}
	}
	return d.Frames[off], d.Times[off]
}

// Stream is every delivery of one connection, in the order the stream
// layer made them.
type Stream struct {
	Conn       *stream.Conn
	Deliveries []Delivery
}

// Streams reads a capture through the stream layer with every TCP port
// watched (ports lists them; nil: the ports of every connection found) and
// returns each watched connection's deliveries.
func Streams(t testing.TB, path string, ports ...uint16) []*Stream {
	t.Helper()
	src, err := capture.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	cfg := stream.DefaultConfig()
	if len(ports) > 0 {
		cfg.Ports = ports
	}
	h := &recorder{byConn: make(map[*stream.Conn]*Stream)}
	tr := stream.NewTracker(cfg, h)
	var frame uint64
	for {
		data, ci, lt, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		frame++
		tr.Packet(frame, ci, lt, data)
	}
	tr.Close()
	return h.streams
}

type recorder struct {
	streams []*Stream
	byConn  map[*stream.Conn]*Stream
}

func (r *recorder) Opened(c *stream.Conn) {
	s := &Stream{Conn: c}
	r.streams = append(r.streams, s)
	r.byConn[c] = s
}

func (r *recorder) Data(c *stream.Conn, fromClient bool, chunk *stream.Chunk) {
	d := Delivery{FromClient: fromClient, Data: append([]byte(nil), chunk.Data...), Missing: append([]stream.Missing(nil), chunk.Missing...)}
	for i := range chunk.Data {
		f, t := chunk.Origin(i)
		d.Frames = append(d.Frames, f)
		d.Times = append(d.Times, t)
	}
	r.byConn[c].Deliveries = append(r.byConn[c].Deliveries, d)
}

func (r *recorder) Gap(c *stream.Conn, fromClient bool, n int64, frame uint64, t time.Time) {
	r.byConn[c].Deliveries = append(r.byConn[c].Deliveries, Delivery{FromClient: fromClient, Gap: n, Frames: []uint64{frame}, Times: []time.Time{t}})
}

func (r *recorder) Closed(*stream.Conn, bool, uint64, time.Time) {}
func (r *recorder) Done(*stream.Conn, string)                    {}
func (r *recorder) Event(stream.Event)                           {}
