package pipeline_test

import (
	"bytes"
	"context"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/pipeline"
)

// The crafted captures of testdata/pcaps (internal/testtools/craftpcaps)
// against tshark: the MQTT packets, by frame, stream and type. Where tshark
// is right they must be the same; where it is not, the difference is
// written out here with the reason.

// pkt is one MQTT packet: the frame that completed it, its stream and type.
type pkt struct {
	frame  uint64
	stream int
	typ    int
}

func ourPackets(t *testing.T, name string) []pkt {
	t.Helper()
	src, err := capture.OpenFile("../testdata/pcaps/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var out []pkt
	sink := pipeline.SinkFunc(func(r *pipeline.Record) error {
		if r.Kind == pipeline.KindPacket {
			out = append(out, pkt{r.Frame, r.Conn.Stream, int(r.Packet.Type)})
		}
		return nil
	})
	if err := pipeline.New(pipeline.DefaultOptions(), sink).Run(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	sortPackets(out)
	return out
}

func tsharkPackets(t *testing.T, name string) []pkt {
	t.Helper()
	bin, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark is not installed")
	}
	var b bytes.Buffer
	cmd := exec.Command(bin, "-n", "-r", "../testdata/pcaps/"+name, "-Y", "mqtt", "-T", "fields", "-e", "frame.number", "-e", "tcp.stream", "-e", "mqtt.msgtype")
	cmd.Stdout = &b
	if err := cmd.Run(); err != nil {
		t.Fatalf("tshark: %v", err)
	}
	var out []pkt
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			continue
		}
		frame, _ := strconv.ParseUint(f[0], 10, 64)
		stream, _ := strconv.Atoi(f[1])
		for _, typ := range strings.Split(f[2], ",") {
			n, _ := strconv.Atoi(typ)
			out = append(out, pkt{frame, stream, n})
		}
	}
	sortPackets(out)
	return out
}

func sortPackets(p []pkt) {
	slices.SortFunc(p, func(a, b pkt) int {
		switch {
		case a.frame != b.frame:
			return int(a.frame) - int(b.frame)
		case a.stream != b.stream:
			return a.stream - b.stream
		}
		return a.typ - b.typ
	})
}

func TestCraftedCapturesAgainstTshark(t *testing.T) {
	const (
		connect, connack, publish, puback, subscribe, suback, pingreq, pingresp, disconnect = 1, 2, 3, 4, 8, 9, 12, 13, 14
	)
	for _, tt := range []struct {
		name string
		// want, when tshark is wrong: mqttpcap's packets; why says how
		// tshark's differ.
		want []pkt
		why  string
	}{
		{name: "syn-retries.pcap"},
		{name: "ip-fragments.pcap"},
		{name: "not-mqtt.pcap"},
		{name: "websocket-80.pcap", why: "tshark 4.0 decodes the WebSocket frames but not the MQTT inside them (anchors.md §3.8)",
			want: []pkt{{6, 0, connect}, {7, 0, connack}, {8, 0, subscribe}, {9, 0, suback}, {10, 0, publish}, {11, 0, disconnect}}},
		{name: "no-mqtt.pcap"},
		{name: "ack-before-data.pcap", why: "tshark does not decode the CONNECT and CONNACK captured after their ACKs (it takes them for out-of-order segments)",
			want: []pkt{{4, 0, subscribe}, {6, 0, connect}, {7, 0, suback}, {9, 0, connack}, {10, 0, publish}, {11, 0, disconnect}}},
		{name: "port-reuse.pcap", why: "tshark takes the second connection of stream 2 (same port, same initial sequence number) for retransmissions and decodes none of it",
			want: []pkt{{4, 0, connect}, {5, 0, connack}, {6, 0, publish}, {11, 1, connect}, {12, 1, connack}, {13, 1, publish}, {14, 1, disconnect},
				{21, 2, connect}, {22, 2, connack}, {24, 2, disconnect}, {31, 2, connect}, {32, 2, connack}, {34, 2, disconnect}}},
		{name: "resync-lost-segment.pcap", why: "tshark decodes made-up packets of types 0 and 3 out of the PUBLISH's payload after the lost segment",
			want: []pkt{{4, 0, connect}, {5, 0, connack}, {10, 0, publish}, {12, 0, pingreq}, {13, 0, pingresp}, {14, 0, disconnect}}},
		{name: "sections.pcapng", why: "tshark takes the second section's copy of the session for retransmissions",
			want: []pkt{{4, 0, connect}, {5, 0, connack}, {6, 0, publish}, {7, 0, disconnect}, {14, 0, connect}, {15, 0, connack}, {16, 0, publish}, {17, 0, disconnect}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ours, theirs := ourPackets(t, tt.name), tsharkPackets(t, tt.name)
			if tt.want == nil {
				if !slices.Equal(ours, theirs) {
					t.Errorf("mqttpcap %v\n  tshark %v", ours, theirs)
				}
				return
			}
			if !slices.Equal(ours, tt.want) {
				t.Errorf("mqttpcap %v\n    want %v", ours, tt.want)
			}
			if slices.Equal(theirs, tt.want) {
				t.Errorf("tshark now agrees: remove the difference (%s)", tt.why)
			}
		})
	}
}
