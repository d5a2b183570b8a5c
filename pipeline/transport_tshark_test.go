package pipeline_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/pipeline"
	tlsdec "github.com/mqttpcap/mqttpcap/transport/tls"
)

// The transports checked against tshark 4.0.17, which decrypts TLS with a
// key log (-o tls.keylog_file, or the capture's Decryption Secrets Block)
// and decodes MQTT inside it, and which decodes WebSocket frames but not
// the MQTT inside them (anchors.md §3.8):
//
//   - MQTT over TLS: every MQTT packet tshark decodes with the key log,
//     mqttpcap decodes with the same frame number, type, remaining length,
//     topic, packet id, QoS, client id, reason codes and payload length;
//   - MQTT over WebSocket (and over TLS): the MQTT packets mqttpcap decodes,
//     put end to end per direction, are the binary payloads tshark unmasks
//     (data.data), put end to end; and each packet completes at the frame
//     that carried its last payload byte. Where tshark reports a WebSocket
//     frame only at the TCP segment that completes it (frames split across
//     segments), mqttpcap's packet may complete earlier: its bytes are
//     unmasked as they come, so it is never later.

const testPcaps = "../testdata/pcaps"

func tsharkOrSkip(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark is not installed: skipping the comparison of the transports with tshark")
	}
	return path
}

func tshark(t *testing.T, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(tsharkOrSkip(t), args...).Output()
	if err != nil {
		t.Fatalf("tshark %v: %v", args, err)
	}
	return out
}

// readTransportPackets runs the read path with a key log and returns its packets.
func readTransportPackets(t *testing.T, path, keys string) []trRecord {
	t.Helper()
	src, err := capture.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	opts := pipeline.DefaultOptions()
	if keys != "" {
		if opts.TLSKeys, err = tlsdec.OpenKeyLog(keys, false); err != nil {
			t.Fatal(err)
		}
	}
	var out []trRecord
	sink := pipeline.SinkFunc(func(r *pipeline.Record) error {
		if r.Kind == pipeline.KindPacket {
			out = append(out, trRecord{frame: r.Frame, stream: r.Conn.Stream, fromClient: r.FromClient, raw: bytes.Clone(r.Packet.Raw),
				sum: summarize(r.Packet), transport: r.Info.Transport})
		}
		return nil
	})
	if err := pipeline.New(opts, sink).Run(context.Background(), src); err != nil {
		t.Fatalf("read: %v", err)
	}
	return out
}

type trRecord struct {
	frame      uint64
	stream     int
	fromClient bool
	raw        []byte
	sum        summary
	transport  string
}

func TestTLSAgainstTshark(t *testing.T) {
	captures, _ := filepath.Glob(filepath.Join(testPcaps, "tls1*.pcap"))
	if len(captures) < 9 {
		t.Fatalf("%d TLS captures", len(captures))
	}
	for _, path := range captures {
		keys := strings.TrimSuffix(path, ".pcap") + ".keys"
		t.Run(filepath.Base(path), func(t *testing.T) {
			ours := readTransportPackets(t, path, keys)
			raw := tshark(t, "-r", path, "-o", "tls.keylog_file:"+keys, "-Y", "mqtt", "-T", "json", "-J", "frame mqtt", "--no-duplicate-keys")
			theirs := tsharkMQTT(t, raw)
			if len(ours) != len(theirs) || len(ours) < 5 {
				t.Fatalf("mqttpcap decoded %d MQTT packets, tshark %d", len(ours), len(theirs))
			}
			for i := range ours {
				if ours[i].transport != "tls" {
					t.Errorf("packet %d: transport %q", i, ours[i].transport)
				}
				if ours[i].frame != theirs[i].frame {
					t.Errorf("packet %d (%v): frame %d, tshark %d", i, ours[i].sum, ours[i].frame, theirs[i].frame)
				}
				if d := diffFields(ours[i].sum, theirs[i].sum); len(d) > 0 {
					t.Errorf("packet %d: %v differ:\n  mqttpcap %s\n  tshark   %s", i, d, ours[i].sum, theirs[i].sum)
				}
			}
		})
	}
}

type framed struct {
	frame uint64
	sum   summary
}

// tsharkMQTT reads tshark's -T json -J "frame mqtt": the MQTT packets with
// the frame each was decoded in.
func tsharkMQTT(t *testing.T, raw []byte) []framed {
	t.Helper()
	var frames []struct {
		Source struct {
			Layers map[string]json.RawMessage `json:"layers"`
		} `json:"_source"`
	}
	if err := json.Unmarshal(raw, &frames); err != nil {
		t.Fatal(err)
	}
	var out []framed
	for _, fr := range frames {
		var f struct {
			Number string `json:"frame.number"`
		}
		json.Unmarshal(fr.Source.Layers["frame"], &f)
		n, _ := strconv.ParseUint(f.Number, 10, 64)
		m := fr.Source.Layers["mqtt"]
		var many []map[string]any
		if err := json.Unmarshal(m, &many); err != nil {
			var one map[string]any
			if err := json.Unmarshal(m, &one); err != nil {
				t.Fatalf("mqtt layer: %v", err)
			}
			many = []map[string]any{one}
		}
		for _, pdu := range many {
			out = append(out, framed{frame: n, sum: summarizeTshark(pdu)})
		}
	}
	return out
}

func TestWebSocketAgainstTshark(t *testing.T) {
	for _, tc := range []struct {
		name, transport string
		// exact: every packet completes at the frame tshark shows its
		// WebSocket frame at (no frame spans TCP segments).
		exact map[int]bool
	}{
		{"ws-paho-8080.pcap", "websocket", map[int]bool{0: true}},
		{"ws-frames-9001.pcap", "websocket", map[int]bool{0: true}},
		{"ws-problems-8083.pcap", "websocket", map[int]bool{0: true, 1: true, 2: true, 3: true}},
		{"wss-8084.pcapng", "wss", map[int]bool{0: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(testPcaps, tc.name)
			ours := readTransportPackets(t, path, "")
			if len(ours) < 5 {
				t.Fatalf("%d MQTT packets", len(ours))
			}
			// tshark: per connection and direction, each frame's unmasked
			// binary payload (continuation frames included).
			type key struct {
				stream     int
				fromClient bool
			}
			type piece struct {
				frame uint64
				data  []byte
			}
			theirs := map[key][]piece{}
			out := tshark(t, "-r", path, "-Y", "websocket.opcode == 0 || websocket.opcode == 1 || websocket.opcode == 2",
				"-T", "fields", "-E", "separator=;", "-e", "frame.number", "-e", "tcp.stream", "-e", "tcp.srcport", "-e", "data.data", "-e", "websocket.opcode")
			// tshark shows a text frame's payload as a string cut at its
			// first NUL: directions with one are not compared.
			text := map[key]bool{}
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				f := strings.Split(line, ";")
				frame, _ := strconv.ParseUint(f[0], 10, 64)
				stream, _ := strconv.Atoi(f[1])
				var data []byte
				for _, h := range strings.Split(f[3], ",") {
					b, err := hex.DecodeString(h)
					if err != nil {
						t.Fatalf("tshark payload %q: %v", h, err)
					}
					data = append(data, b...)
				}
				fromClient := f[2] != serverPort(tc.name)
				k := key{stream, fromClient}
				if strings.Contains(f[4], "1") {
					text[k] = true
				}
				theirs[k] = append(theirs[k], piece{frame, data})
			}
			mine := map[key][]trRecord{}
			for _, r := range ours {
				if r.transport != tc.transport {
					t.Errorf("frame %d: transport %q, want %q", r.frame, r.transport, tc.transport)
				}
				k := key{r.stream, r.fromClient}
				mine[k] = append(mine[k], r)
			}
			for k, recs := range mine {
				if text[k] {
					continue
				}
				var stream []byte
				for _, r := range recs {
					stream = append(stream, r.raw...)
				}
				var want []byte
				var ends []int
				var frames []uint64
				for _, p := range theirs[k] {
					want = append(want, p.data...)
					ends = append(ends, len(want))
					frames = append(frames, p.frame)
				}
				if !bytes.HasPrefix(want, stream) {
					t.Errorf("stream %d client %v: MQTT bytes\n %x\nare not tshark's WebSocket payloads\n %x", k.stream, k.fromClient, stream, want)
					continue
				}
				// Each packet completes with the WebSocket frame that
				// carries its last byte.
				end := 0
				for _, r := range recs {
					end += len(r.raw)
					i := 0
					for ends[i] < end {
						i++
					}
					switch {
					case tc.exact[k.stream] && r.frame != frames[i]:
						t.Errorf("stream %d: %s ends in the WebSocket frame of frame %d, mqttpcap says %d", k.stream, r.sum, frames[i], r.frame)
					case r.frame > frames[i]:
						t.Errorf("stream %d: %s completes at %d, after its last WebSocket frame (%d)", k.stream, r.sum, r.frame, frames[i])
					}
				}
			}
			if len(mine) != len(theirs) {
				t.Errorf("mqttpcap has MQTT in %d directions, tshark has WebSocket payloads in %d", len(mine), len(theirs))
			}
		})
	}
}

// serverPort is the WebSocket server's port of a test capture, from its
// name ("ws-paho-8080.pcap").
func serverPort(name string) string {
	base := strings.TrimSuffix(strings.TrimSuffix(name, ".pcap"), ".pcapng")
	return base[strings.LastIndexByte(base, '-')+1:]
}
