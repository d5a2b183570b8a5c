package stream

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/mqttpcap/mqttpcap/internal/testutil/pcapcraft"
)

// recorder is a Handler that keeps everything the Tracker reports.
type recorder struct {
	conns  []*Conn
	data   map[*Conn]*[2]bytes.Buffer
	log    []string // one line per call, in order
	done   map[*Conn]string
	events []Event
}

func newRecorder() *recorder {
	return &recorder{data: map[*Conn]*[2]bytes.Buffer{}, done: map[*Conn]string{}}
}

func dir(fromClient bool) string {
	if fromClient {
		return "c"
	}
	return "s"
}

func (r *recorder) Opened(c *Conn) {
	r.conns = append(r.conns, c)
	r.data[c] = &[2]bytes.Buffer{}
	r.log = append(r.log, fmt.Sprintf("open %d", c.Stream))
}

func (r *recorder) Data(c *Conn, fromClient bool, ch *Chunk) {
	b := &r.data[c][dirIndex(fromClient)]
	line := fmt.Sprintf("data %d %s %q", c.Stream, dir(fromClient), ch.Data)
	for _, m := range ch.Missing {
		line += fmt.Sprintf(" missing[%d+%d lost=%v acked=%v frame=%d]", m.Off, m.Len, m.Lost, m.Acked, m.Frame)
	}
	b.Write(ch.Data)
	r.log = append(r.log, line)
}

func (r *recorder) Gap(c *Conn, fromClient bool, n int64, frame uint64, _ time.Time) {
	r.log = append(r.log, fmt.Sprintf("gap %d %s %d frame=%d", c.Stream, dir(fromClient), n, frame))
}

func (r *recorder) Closed(c *Conn, fromClient bool, frame uint64, _ time.Time) {
	r.log = append(r.log, fmt.Sprintf("closed %d %s %s frame=%d", c.Stream, dir(fromClient), c.End[dirIndex(fromClient)], frame))
}

func (r *recorder) Done(c *Conn, why string) {
	if _, twice := r.done[c]; twice {
		panic("Done twice")
	}
	r.done[c] = why
	r.log = append(r.log, fmt.Sprintf("done %d %s", c.Stream, why))
}

func (r *recorder) Event(e Event) {
	r.events = append(r.events, e)
	r.log = append(r.log, "event "+e.Kind)
}

// run feeds a crafted capture to a Tracker and returns what it reported
// and, per frame, the stream number of the frame's conversation (-1 for a
// frame without TCP).
func run(t *testing.T, c *pcapcraft.Capture, cfg Config) (*recorder, []int, *Tracker) {
	t.Helper()
	r := newRecorder()
	tr := NewTracker(cfg, r)
	var streams []int
	probe, probeDefrag := newLayerDecoder(), newDefragmenter()
	for i, f := range c.Frames {
		ci := gopacket.CaptureInfo{Timestamp: f.Time, CaptureLength: len(f.Data), Length: len(f.Data), InterfaceIndex: f.Iface}
		if f.Wire > 0 {
			ci.Length = f.Wire
		}
		tr.Packet(uint64(i+1), ci, layers.LinkTypeEthernet, f.Data)
		s := -1
		pkt, ok := probe.decode(layers.LinkTypeEthernet, f.Data, ci)
		if !ok && pkt.fragment {
			if payload, done := probeDefrag.add(pkt.frag, f.Iface, f.Time.UnixNano()); done {
				pkt, ok = probe.datagramTCP(pkt.frag, payload)
			}
		}
		if ok {
			key, _ := makeKey(pkt.src, pkt.dst)
			if cv := tr.convs.get(key); cv != nil {
				s = cv.stream
			}
		}
		streams = append(streams, s)
	}
	tr.Close()
	return r, streams, tr
}

// tsharkStreams returns tshark's tcp.stream per frame of a capture (-1 for
// frames without one), or nil when tshark is not installed.
func tsharkStreams(t *testing.T, c *pcapcraft.Capture) []int {
	t.Helper()
	bin, err := exec.LookPath("tshark")
	if err != nil {
		return nil
	}
	path := filepath.Join(t.TempDir(), "c.pcap")
	if err := os.WriteFile(path, c.Pcap(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-n", "-r", path, "-T", "fields", "-e", "tcp.stream").Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	var s []int
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		n, err := strconv.Atoi(line)
		if err != nil {
			n = -1
		}
		s = append(s, n)
	}
	return s
}

func mqttConfig() Config {
	cfg := DefaultConfig()
	cfg.DetectOtherPorts = false
	return cfg
}

// ciOf is the capture info of an n-byte frame captured whole.
func ciOf(n int) gopacket.CaptureInfo {
	return gopacket.CaptureInfo{Timestamp: time.Unix(1, 0), CaptureLength: n, Length: n}
}
