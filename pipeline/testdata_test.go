package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/pipeline"
)

// The project's own captures (testdata/pcaps, recorded by record.sh against
// a real mosquitto) each show one thing the read path must get right.

type got struct {
	packets []*decode.Packet
	frames  []uint64
	streams []int
	ifaces  []int
	from    []bool
	events  []pipeline.Event
	err     error
}

func (g *got) types() []string {
	var out []string
	for _, p := range g.packets {
		out = append(out, p.Type.String())
	}
	return out
}

func (g *got) eventTypes() []string {
	var out []string
	for _, e := range g.events {
		out = append(out, e.Type)
	}
	return out
}

func readCapture(t *testing.T, name string, edit ...func(*pipeline.Options)) *got {
	t.Helper()
	src, err := capture.OpenFile("../testdata/pcaps/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	opts := pipeline.DefaultOptions()
	opts.Fields = true
	for _, e := range edit {
		e(&opts)
	}
	g := &got{}
	sink := pipeline.SinkFunc(func(r *pipeline.Record) error {
		switch r.Kind {
		case pipeline.KindPacket:
			g.packets = append(g.packets, r.Packet.Clone())
			g.frames = append(g.frames, r.Frame)
			g.streams = append(g.streams, r.Conn.Stream)
			g.ifaces = append(g.ifaces, r.Conn.Interface)
			g.from = append(g.from, r.FromClient)
		case pipeline.KindEvent:
			g.events = append(g.events, r.Event)
		}
		return nil
	})
	g.err = pipeline.New(opts, sink).Run(context.Background(), src)
	return g
}

func problemCodes(p *decode.Packet) []string {
	var out []string
	for _, pr := range p.Problems {
		out = append(out, pr.Code)
	}
	return out
}

func noProblems(t *testing.T, g *got) {
	t.Helper()
	for i, p := range g.packets {
		if len(p.Problems) != 0 {
			t.Errorf("packet %d (%s, frame %d): %v", i, p.Type, g.frames[i], p.Problems)
		}
	}
}

func TestSeedSession(t *testing.T) {
	g := readCapture(t, "onenet-esp8266.pcapng")
	if g.err != nil {
		t.Fatal(g.err)
	}
	noProblems(t, g)
	want := []string{"CONNECT", "CONNACK", "SUBSCRIBE", "SUBACK", "PUBLISH", "DISCONNECT"}
	if !slices.Equal(g.types(), want) {
		t.Fatalf("types %v, want %v", g.types(), want)
	}
	if lens := []int{g.packets[0].Len(), g.packets[2].Len(), g.packets[4].Len(), g.packets[5].Len()}; !slices.Equal(lens, []int{155, 47, 113, 2}) {
		t.Errorf("lengths %v, want the seed's 155, 47, 113, 2", lens)
	}
	if !slices.Equal(g.frames, []uint64{4, 6, 8, 9, 11, 13}) {
		t.Errorf("frames %v (tshark: 4 6 8 9 11 13)", g.frames)
	}
}

// The CONNECT arrives as 1 + 1 + 153 bytes, split inside its remaining
// length (10 | 98 | 01 ...): tshark 4.0.17 desynchronises here and reports
// Reserved and PUBCOMP packets (anchors.md §3.2); mqttpcap must not.
func TestSplitRemainingLength(t *testing.T) {
	g := readCapture(t, "onenet-esp8266-split.pcap")
	noProblems(t, g)
	want := []string{"CONNECT", "CONNACK", "SUBSCRIBE", "SUBACK", "PUBLISH", "DISCONNECT"}
	if !slices.Equal(g.types(), want) {
		t.Fatalf("types %v, want %v", g.types(), want)
	}
	if g.packets[0].Len() != 155 || string(g.packets[0].ClientID) != "my_tv" || g.frames[0] != 8 {
		t.Errorf("CONNECT: %d bytes, client %q, frame %d (want 155, my_tv, 8: the frame of its last byte)",
			g.packets[0].Len(), g.packets[0].ClientID, g.frames[0])
	}
}

func TestOneByteLengthBug(t *testing.T) {
	g := readCapture(t, "onenet-length-bug.pcap")
	if len(g.packets) != 1 || g.packets[0].Type != decode.CONNECT {
		t.Fatalf("packets %v", g.types())
	}
	p := g.packets[0]
	if !slices.Equal(problemCodes(p), []string{"one_byte_length"}) || string(p.ClientID) != "my_tv" {
		t.Fatalf("problems %v client %q", problemCodes(p), p.ClientID)
	}
	if !slices.Contains(g.eventTypes(), "rst") {
		t.Errorf("events %v: the broker's RST is missing", g.eventTypes())
	}
}

func TestSnapLength(t *testing.T) {
	g := readCapture(t, "snaplen-96.pcap")
	if g.err != nil {
		t.Fatal(g.err)
	}
	want := []string{"CONNECT", "CONNACK", "SUBSCRIBE", "SUBACK", "PUBLISH", "DISCONNECT"}
	if !slices.Equal(g.types(), want) {
		t.Fatalf("types %v, want %v", g.types(), want)
	}
	for _, i := range []int{0, 2, 4} {
		p := g.packets[i]
		if !p.Truncated || !slices.Equal(problemCodes(p), []string{"snaplen"}) {
			t.Errorf("%s: truncated %v problems %v; want only the snap-length note, not malformed", p.Type, p.Truncated, problemCodes(p))
		}
	}
	if string(g.packets[0].ClientID) != "my_tv" {
		t.Errorf("the CONNECT's captured part: client id %q", g.packets[0].ClientID)
	}
	if !slices.Contains(g.eventTypes(), "snaplen") {
		t.Errorf("events %v", g.eventTypes())
	}
}

func publishes(g *got, stream int, fromClient bool) []string {
	var out []string
	for i, p := range g.packets {
		if p.Type == decode.PUBLISH && g.streams[i] == stream && g.from[i] == fromClient {
			out = append(out, string(p.Payload))
		}
	}
	return out
}

func TestLostSegment(t *testing.T) {
	g := readCapture(t, "gap-lost-segment.pcap")
	noProblems(t, g)
	if got := publishes(g, 1, true); !slices.Equal(got, []string{"msg 1", "msg 2", "msg 4", "msg 5", "msg 6"}) {
		t.Errorf("publisher's messages %v", got)
	}
	var gaps []pipeline.Event
	for _, e := range g.events {
		if e.Type == "gap" {
			gaps = append(gaps, e)
		}
	}
	if len(gaps) != 1 || gaps[0].Bytes != 16 {
		t.Fatalf("gaps %+v, want one of 16 bytes", gaps)
	}
	// The hole is reported as soon as the broker acknowledges past it (frame
	// 37), not after the hole timeout; the packet held behind it keeps its
	// own frame, 36 (TestRecordOrder checks where it is listed).
	if i := slices.Index(g.frames, 36); i < 0 || g.packets[i].Type != decode.PUBLISH || !g.from[i] {
		t.Errorf("the client's PUBLISH after the hole is not at frame 36: frames %v", g.frames)
	}
	if got := publishes(g, 0, false); len(got) != 6 {
		t.Errorf("subscriber got %v", got)
	}
}

func TestOutOfOrderAndRetransmission(t *testing.T) {
	g := readCapture(t, "out-of-order.pcap")
	noProblems(t, g)
	if got := publishes(g, 0, true); !slices.Equal(got, []string{"msg 1", "msg 2", "msg 3"}) {
		t.Errorf("out of order: %v", got)
	}
	if slices.Contains(g.eventTypes(), "gap") {
		t.Errorf("out of order: a gap was reported: %v", g.events)
	}
	g = readCapture(t, "retransmission.pcap")
	noProblems(t, g)
	if got := publishes(g, 1, true); !slices.Equal(got, []string{"msg 1", "msg 2", "msg 3", "msg 4", "msg 5", "msg 6"}) {
		t.Errorf("retransmission: %v", got)
	}
}

func TestMidStream(t *testing.T) {
	g := readCapture(t, "midstream.pcap")
	noProblems(t, g)
	if got := publishes(g, 0, true); len(got) != 6 {
		t.Errorf("publisher %v", got)
	}
	for _, p := range g.packets {
		if !p.VersionInferred {
			t.Errorf("%s not marked inferred", p.Type)
		}
	}

	g = readCapture(t, "midstream-v5.pcap")
	noProblems(t, g)
	if !slices.Equal(g.types(), []string{"PUBLISH", "PUBACK", "DISCONNECT"}) {
		t.Fatalf("types %v", g.types())
	}
	pub, ack := g.packets[0], g.packets[1]
	if pub.Version != decode.V5 || string(pub.Payload) != "hello" {
		t.Errorf("PUBLISH as %v with payload %q, want 5.0 and hello", pub.Version, pub.Payload)
	}
	if pr, ok := pub.Properties.Get(decode.PropUserProperty); !ok || string(pr.Data) != "k" || string(pr.Data2) != "v" {
		t.Errorf("user property %+v", pub.Properties.List)
	}
	if !ack.HasReasonCode || ack.ReasonCode != 0x10 || ack.ReasonName() != "No matching subscribers" {
		t.Errorf("PUBACK reason %#x %q", ack.ReasonCode, ack.ReasonName())
	}

	// --mqtt-version 3.1.1 takes precedence over inference.
	g = readCapture(t, "midstream-v5.pcap", func(o *pipeline.Options) { o.Assume = decode.V311 })
	if g.packets[0].Version != decode.V311 || len(g.packets[0].Properties.List) != 0 {
		t.Errorf("assumed 3.1.1: decoded as %v", g.packets[0].Version)
	}
}

func TestCutShort(t *testing.T) {
	g := readCapture(t, "cut-short.pcap")
	if !errors.Is(g.err, capture.ErrCutShort) {
		t.Fatalf("error %v, want ErrCutShort", g.err)
	}
	if len(g.packets) != 17 {
		t.Errorf("%d packets before the damage, want 17", len(g.packets))
	}
	last := g.events[len(g.events)-1]
	if last.Type != "cut_short" || !strings.Contains(last.Message, "frame 44") {
		t.Errorf("last event %+v", last)
	}
}

func TestTLSAndOtherPorts(t *testing.T) {
	g := readCapture(t, "tls-8883.pcap")
	if len(g.packets) != 0 || !slices.Contains(g.eventTypes(), "tls") {
		t.Errorf("TLS: %d packets, events %v", len(g.packets), g.eventTypes())
	}
	g = readCapture(t, "port6002.pcap")
	noProblems(t, g)
	if len(g.packets) != 5 || g.packets[0].Type != decode.CONNECT {
		t.Errorf("port 6002 (Wireshark: X11): %v", g.types())
	}
	g = readCapture(t, "port6002.pcap", func(o *pipeline.Options) { o.Stream.DetectOtherPorts = false })
	if len(g.packets) != 0 {
		t.Errorf("without detection: %d packets", len(g.packets))
	}
}

func TestLinkTypesAndInterfaces(t *testing.T) {
	g := readCapture(t, "any-sll2.pcap")
	noProblems(t, g)
	if len(g.packets) != 17 {
		t.Errorf("SLL2: %d packets, want 17", len(g.packets))
	}
	// Every packet captured on two interfaces: two connections of the same
	// packets, not one connection with every segment twice. Each pair
	// shares its stream number, as in Wireshark (4.0), which does not tell
	// interfaces apart.
	g = readCapture(t, "multi-iface.pcapng")
	noProblems(t, g)
	counts := map[[2]int]int{}
	for i, s := range g.streams {
		counts[[2]int{s, g.ifaces[i]}]++
	}
	want := map[[2]int]int{{0, 0}: 8, {0, 1}: 8, {1, 0}: 4, {1, 1}: 4, {2, 0}: 5, {2, 1}: 5}
	if len(g.packets) != 34 || !maps.Equal(counts, want) {
		t.Errorf("multi-interface: %d packets in (stream, interface) %v, want 34 in %v", len(g.packets), counts, want)
	}
}

func TestMosquittoSessions(t *testing.T) {
	g := readCapture(t, "mosquitto-v5.pcapng")
	noProblems(t, g)
	var alias, corr, noMatch, willDisc bool
	for _, p := range g.packets {
		switch {
		case p.Type == decode.PUBLISH && len(p.Topic) == 0 && string(p.AliasTopic) == "v5/alias":
			alias = true
		case p.Type == decode.PUBLISH:
			if pr, ok := p.Properties.Get(decode.PropCorrelationData); ok && string(pr.Data) == "req-1" {
				corr = true
			}
		case p.Type == decode.PUBACK && p.ReasonCode == 0x10:
			noMatch = true
		case p.Type == decode.DISCONNECT && p.HasReasonCode && p.ReasonCode == 0x04:
			willDisc = true
		}
	}
	if !alias || !corr || !noMatch || !willDisc {
		t.Errorf("topic alias resolved %v, correlation data %v, PUBACK 0x10 %v, DISCONNECT 0x04 %v", alias, corr, noMatch, willDisc)
	}
	for _, name := range []string{"mosquitto-v311.pcap", "mqtt31.pcap", "big-publish.pcap", "onenet-refused.pcap", "burst.pcap"} {
		g := readCapture(t, name)
		if g.err != nil {
			t.Errorf("%s: %v", name, g.err)
		}
		noProblems(t, g)
	}
	g = readCapture(t, "big-publish.pcap")
	for _, p := range g.packets {
		if p.Type == decode.PUBLISH && (p.Len() != 20019 || len(p.Payload) != 20000) {
			t.Errorf("big PUBLISH: %d bytes, payload %d", p.Len(), len(p.Payload))
		}
	}
}

// Encode rebuilds every completely decoded packet of every test capture
// byte for byte.
func TestEncodeEveryCapturedPacket(t *testing.T) {
	paths, _ := filepath.Glob("../testdata/pcaps/*.pcap*")
	encodeEvery(t, paths, 300)
}

// The same for every packet of the shared corpus.
func TestEncodeEveryCorpusPacket(t *testing.T) {
	dir := corpusDir(t)
	if !dirExists(dir) {
		t.Skipf("the shared corpus is not at %s (set MQTTPCAP_CORPUS): skipping the corpus's packets", dir)
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "pcaps", "*.pcap*"))
	encodeEvery(t, paths, 850)
}

// encodeEvery encodes every encodable packet of the captures, which must
// hold at least want of them.
func encodeEvery(t *testing.T, paths []string, want int) {
	t.Helper()
	total := 0
	for _, path := range paths {
		src, err := capture.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		opts := pipeline.DefaultOptions()
		opts.Stream.Ports = append(opts.Stream.Ports, 1337, 17501)
		sink := pipeline.SinkFunc(func(r *pipeline.Record) error {
			if r.Kind != pipeline.KindPacket || !r.Packet.Encodable() {
				return nil
			}
			total++
			got, err := decode.Encode(r.Packet)
			if err != nil || !bytes.Equal(got, r.Packet.Raw) {
				t.Errorf("%s frame %d %s: encode gives %x, want %x (%v)", filepath.Base(path), r.Frame, r.Packet.Type, got, r.Packet.Raw, err)
			}
			return nil
		})
		if err := pipeline.New(opts, sink).Run(context.Background(), src); err != nil && !errors.Is(err, capture.ErrCutShort) {
			t.Errorf("%s: %v", filepath.Base(path), err)
		}
		src.Close()
	}
	if total < want {
		t.Errorf("only %d packets encoded, want at least %d", total, want)
	}
}

func dirExists(dir string) bool {
	st, err := os.Stat(dir)
	return err == nil && st.IsDir()
}

// The OneNET captures, recorded against a real broker playing the platform
// (internal/testtools/onenetbroker): each ends with the verdict it shows.
func TestOneNETVerdicts(t *testing.T) {
	for _, tt := range []struct {
		capture, status string
		want            []string // in the summary or the reasons
	}{
		{"onenet-esp8266.pcapng", "problems", []string{"this server accepted a token OneNET would refuse", "got no reply in the capture (the device did not subscribe"}},
		{"onenet-post-reply.pcap", "ok", []string{"logged in (CONNACK 0", "1 request(s) answered"}},
		{"onenet-set.pcap", "ok", []string{"1 request(s) answered"}},
		{"onenet-expired.pcap", "login_refused", []string{"CONNACK 5", "token expired 2022-08-23 08:57:11 UTC"}},
		{"onenet-refused.pcap", "login_refused", []string{"token expired"}},
		{"onenet-2402.pcap", "error_reply", []string{"code 2402 request format error", "params.wendu is a bare value"}},
	} {
		t.Run(tt.capture, func(t *testing.T) {
			src, err := capture.OpenFile("../testdata/pcaps/" + tt.capture)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			var verdicts []pipeline.Record
			var replies int
			sink := pipeline.SinkFunc(func(r *pipeline.Record) error {
				if r.Kind == pipeline.KindConnDone {
					verdicts = append(verdicts, *r)
				}
				if r.Kind == pipeline.KindPacket && r.OneNET != nil && r.OneNET.ReplyTo != nil {
					replies++
				}
				return nil
			})
			if err := pipeline.New(pipeline.DefaultOptions(), sink).Run(context.Background(), src); err != nil {
				t.Fatal(err)
			}
			if len(verdicts) != 1 {
				t.Fatalf("%d connections", len(verdicts))
			}
			v := verdicts[0].Verdict
			all := v.Summary + "\n" + strings.Join(v.Reasons, "\n")
			if v.Status != tt.status {
				t.Errorf("status %q, want %q:\n%s", v.Status, tt.status, all)
			}
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("verdict lacks %q:\n%s", w, all)
				}
			}
			if (tt.status == "ok" || tt.status == "error_reply") && replies != 1 {
				t.Errorf("%d replies paired with their request, want 1", replies)
			}
		})
	}
}
