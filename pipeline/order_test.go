package pipeline_test

import (
	"context"
	"fmt"
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/pipeline"
)

// orderedRecord is what the order rule looks at in a record.
type orderedRecord struct {
	kind       pipeline.Kind
	frame      uint64
	stream     int // -1: no connection
	fromClient bool
	src, dst   netip.AddrPort
	what       string
}

func (r orderedRecord) String() string {
	return fmt.Sprintf("frame %d stream %d %s", r.frame, r.stream, r.what)
}

// The order of the output (README, "The packet list"): records come in the
// order mqttpcap completed them, each packet with the frame of the latest
// of its bytes. Bytes that arrived after a hole in their direction (a
// segment captured out of order, or lost) are held until the hole is
// filled or declared lost, and then carry their own, earlier frames: the
// frame column goes down there, and only there. This checks that rule on
// every test capture and every corpus capture against the captures' TCP
// sequence numbers: a record may have a lower frame than one before it
// only if a segment of its direction was out of order or missing by then.
//
// In the lost-segment capture, the hole the broker's ACK of frame 37
// showed lost is reported before frame 37 is (the stream layer checks the
// ACKs it waits on before each frame): the gap and the PUBLISH held behind
// it keep frame order.
func TestRecordOrder(t *testing.T) {
	paths, _ := filepath.Glob("../testdata/pcaps/*.pcap*")
	if dir := corpusDir(t); dirExists(dir) {
		more, _ := filepath.Glob(filepath.Join(dir, "pcaps", "*.pcap*"))
		paths = append(paths, more...)
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			checkOrder(t, readOrder(t, path), disorder(t, path))
		})
	}
	// The lost-segment capture: the hole is resolved in frame order.
	recs := readOrder(t, "../testdata/pcaps/gap-lost-segment.pcap")
	var seen []string
	for _, r := range recs {
		if r.frame >= 36 && r.frame <= 37 {
			seen = append(seen, r.String())
		}
	}
	want := []string{"frame 36 stream 1 gap", "frame 36 stream 1 PUBLISH", "frame 37 stream 0 PUBLISH"}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("around the lost segment: %v, want %v", seen, want)
	}
}

func readOrder(t *testing.T, path string) []orderedRecord {
	t.Helper()
	src, err := capture.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	opts := pipeline.DefaultOptions()
	opts.Stream.Ports = append(opts.Stream.Ports, 1337, 17501)
	var recs []orderedRecord
	sink := pipeline.SinkFunc(func(r *pipeline.Record) error {
		o := orderedRecord{kind: r.Kind, frame: r.Frame, stream: -1, fromClient: r.FromClient}
		if r.Conn != nil {
			o.stream = r.Conn.Stream
			o.src, o.dst = r.Conn.Client, r.Conn.Server
			if !r.FromClient {
				o.src, o.dst = o.dst, o.src
			}
		}
		switch r.Kind {
		case pipeline.KindPacket:
			o.what = r.Packet.Type.String()
		case pipeline.KindEvent:
			o.what = r.Event.Type
		case pipeline.KindConnDone:
			return nil // a connection's end carries its last frame, not an order
		}
		recs = append(recs, o)
		return nil
	})
	if err := pipeline.New(opts, sink).Run(context.Background(), src); err != nil {
		t.Logf("%s: %v (the records before it are checked)", filepath.Base(path), err)
	}
	return recs
}

// disorder returns, per direction (source and destination address), the
// first frame whose TCP segment did not follow the one before it: a
// sequence number below the highest seen (out of order, retransmitted) or
// above the next expected (a segment lost or late).
func disorder(t *testing.T, path string) map[[2]netip.AddrPort]uint64 {
	t.Helper()
	src, err := capture.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	next := map[[2]netip.AddrPort]uint32{}
	first := map[[2]netip.AddrPort]uint64{}
	for frame := uint64(1); ; frame++ {
		data, _, lt, err := src.Next()
		if err != nil {
			return first
		}
		pkt := gopacket.NewPacket(data, lt, gopacket.Lazy)
		tcp, ok := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP)
		if !ok || pkt.NetworkLayer() == nil {
			continue
		}
		s, d := pkt.NetworkLayer().NetworkFlow().Endpoints()
		sa, _ := netip.AddrFromSlice(s.Raw())
		da, _ := netip.AddrFromSlice(d.Raw())
		key := [2]netip.AddrPort{netip.AddrPortFrom(sa.Unmap(), uint16(tcp.SrcPort)), netip.AddrPortFrom(da.Unmap(), uint16(tcp.DstPort))}
		n := uint32(len(tcp.Payload))
		if tcp.SYN || tcp.FIN {
			n++
		}
		want, seen := next[key]
		if seen && tcp.Seq != want && (n > 0 || tcp.Seq-want < 1<<31) {
			if _, ok := first[key]; !ok {
				first[key] = frame
			}
		}
		if end := tcp.Seq + n; !seen || int32(end-want) > 0 {
			next[key] = end
		}
	}
}

func checkOrder(t *testing.T, recs []orderedRecord, held map[[2]netip.AddrPort]uint64) {
	t.Helper()
	type dir = [2]netip.AddrPort
	last := map[dir]uint64{}
	var latest uint64 // the highest frame so far
	for i, r := range recs {
		if r.stream < 0 || r.frame == 0 {
			continue
		}
		d := dir{r.src, r.dst}
		heldFrom, disordered := held[d]
		if r.frame < last[d] && (!disordered || heldFrom > last[d]) {
			t.Errorf("record %d (%s): frame goes down within its direction (after frame %d) with no segment out of order or lost before", i, r, last[d])
		}
		if r.frame < latest && (!disordered || heldFrom > latest) {
			t.Errorf("record %d (%s) comes after frame %d with no segment of its direction out of order or lost before", i, r, latest)
		}
		last[d] = max(last[d], r.frame)
		latest = max(latest, r.frame)
	}
}
