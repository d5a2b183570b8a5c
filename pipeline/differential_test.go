package pipeline_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/pipeline"
)

// The differential test: for every capture of the shared corpus, every MQTT
// packet tshark 4.0.17 decodes (../shared/corpus/reference/NAME.json) must
// be decoded by mqttpcap, in the same order, with the same type, remaining
// length, topic, packet id, QoS, client id, reason codes and payload length.
// Where tshark is wrong, the difference is listed in knownDifferences with
// the reason.

// summary is what both decoders are compared on, per MQTT packet.
type summary struct {
	Type            int
	RemainingLength int
	Topics          []string // PUBLISH topic, or SUBSCRIBE/UNSUBSCRIBE topic filters
	PacketID        int      // -1: none
	QoS             []int    // PUBLISH QoS, or requested/granted QoS of (UN)SUB(ACK)
	ClientID        *string
	ReasonCodes     []int
	PayloadLen      int // -1: not a PUBLISH
	Flags           int // the fixed header's low 4 bits
	Username        *string
	// PropertyIDs are the MQTT 5.0 property identifiers in wire order (a
	// CONNECT's, then its will's).
	PropertyIDs []int
}

func (s summary) String() string {
	b, _ := json.Marshal(s)
	return string(b)
}

// difference is a place where mqttpcap and tshark differ on purpose.
type difference struct {
	index  int    // position of the packet in the capture's MQTT packets
	field  string // the summary field that differs
	reason string
}

var knownDifferences = map[string][]difference{
	"sv-mqtt-midstream-split.pcap": {
		{1, "payload_length", "the capture starts after the CONNECT; the CONNACK's reason code and properties show the " +
			"connection is MQTT 5.0, so mqttpcap reads the PUBLISH's property length (0) before the payload. tshark, " +
			"without a CONNECT, decodes it as 3.x (\"Unknown version\") and counts the property length byte as payload " +
			"(anchors.md §3.9)"},
		{0, "property_ids", "the CONNACK's properties (Topic Alias Maximum, Assigned Client Identifier): tshark " +
			"without a CONNECT does not know the connection is MQTT 5.0 and shows no properties (anchors.md §3.9)"},
	},
	"sv-mqtt5-excessiveproplen.pcap": {
		{0, "property_ids", "the CONNECT's property length runs past the packet: mqttpcap reports it (property_length, " +
			"then the unknown identifier 0x00 that follows) and lists no property; tshark lists a property 0x00"},
	},
}

func corpusDir(t *testing.T) string {
	if d := os.Getenv("MQTTPCAP_CORPUS"); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	// The corpus lives beside the project checkout: <checkout>/../shared/corpus.
	return filepath.Join(wd, "..", "..", "shared", "corpus")
}

type manifestRow struct {
	file  string
	ports []uint16
}

func readManifest(t *testing.T, dir string) []manifestRow {
	f, err := os.Open(filepath.Join(dir, "MANIFEST.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []manifestRow
	sc := bufio.NewScanner(f)
	var col map[string]int
	for sc.Scan() {
		cells := strings.Split(sc.Text(), "\t")
		if col == nil {
			col = map[string]int{}
			for i, c := range cells {
				col[c] = i
			}
			continue
		}
		row := manifestRow{file: cells[col["file"]]}
		for _, arg := range strings.Fields(cells[col["tshark_extra_args"]]) {
			// -d tcp.port==PORT,mqtt
			if v, ok := strings.CutPrefix(arg, "tcp.port=="); ok {
				port, _ := strconv.Atoi(strings.TrimSuffix(v, ",mqtt"))
				row.ports = append(row.ports, uint16(port))
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func TestDifferentialAgainstTshark(t *testing.T) {
	dir := corpusDir(t)
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST.tsv")); err != nil {
		t.Skipf("the shared corpus is not at %s (set MQTTPCAP_CORPUS): skipping the differential test against tshark", dir)
	}
	rows := readManifest(t, dir)
	if len(rows) < 50 {
		t.Fatalf("manifest lists %d captures, want 50", len(rows))
	}
	used := map[string]bool{}
	for _, row := range rows {
		t.Run(row.file, func(t *testing.T) {
			ours := decodeCapture(t, filepath.Join(dir, "pcaps", row.file), row.ports)
			theirs := readReference(t, filepath.Join(dir, "reference", strings.TrimSuffix(row.file, filepath.Ext(row.file))+".json"))
			if len(ours) != len(theirs) {
				t.Fatalf("mqttpcap decoded %d MQTT packets, tshark %d", len(ours), len(theirs))
			}
			known := map[string]string{}
			for _, d := range knownDifferences[row.file] {
				known[fmt.Sprintf("%d/%s", d.index, d.field)] = d.reason
			}
			for i := range ours {
				for _, field := range diffFields(ours[i], theirs[i]) {
					key := fmt.Sprintf("%d/%s", i, field)
					if _, ok := known[key]; ok {
						used[row.file+"/"+key] = true
						continue
					}
					t.Errorf("packet %d (%s): %s differs:\n  mqttpcap %s\n  tshark   %s", i, decode.Type(ours[i].Type), field, ours[i], theirs[i])
				}
			}
		})
	}
	// Every listed difference must still occur: a fix on either side must
	// update the list.
	for file, ds := range knownDifferences {
		for _, d := range ds {
			if !used[fmt.Sprintf("%s/%d/%s", file, d.index, d.field)] {
				t.Errorf("%s: listed difference at packet %d (%s) no longer occurs: remove it", file, d.index, d.field)
			}
		}
	}
}

func diffFields(a, b summary) []string {
	var out []string
	eq := func(x, y any) bool { return fmt.Sprint(x) == fmt.Sprint(y) }
	check := func(name string, x, y any) {
		if !eq(x, y) {
			out = append(out, name)
		}
	}
	check("type", a.Type, b.Type)
	check("remaining_length", a.RemainingLength, b.RemainingLength)
	check("topics", a.Topics, b.Topics)
	check("packet_id", a.PacketID, b.PacketID)
	check("qos", a.QoS, b.QoS)
	if a.ClientID != nil || b.ClientID != nil {
		check("client_id", deref(a.ClientID), deref(b.ClientID))
	}
	check("reason_codes", a.ReasonCodes, b.ReasonCodes)
	check("payload_length", a.PayloadLen, b.PayloadLen)
	check("flags", a.Flags, b.Flags)
	if a.Username != nil || b.Username != nil {
		check("username", deref(a.Username), deref(b.Username))
	}
	// As multisets: tshark's tree gives a CONNECT's and its will's
	// properties under two keys, whose order its JSON object does not keep.
	check("property_ids", sortedCopy(a.PropertyIDs), sortedCopy(b.PropertyIDs))
	return out
}

func sortedCopy(v []int) []int {
	out := append([]int(nil), v...)
	slices.Sort(out)
	return out
}

func deref(s *string) string {
	if s == nil {
		return "<none>"
	}
	return *s
}

// decodeCapture runs the whole read path on a capture.
func decodeCapture(t *testing.T, path string, extraPorts []uint16) []summary {
	t.Helper()
	src, err := capture.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	opts := pipeline.DefaultOptions()
	opts.Stream.Ports = append(opts.Stream.Ports, extraPorts...)
	var out []summary
	sink := pipeline.SinkFunc(func(r *pipeline.Record) error {
		if r.Kind == pipeline.KindPacket {
			out = append(out, summarize(r.Packet))
		}
		return nil
	})
	if err := pipeline.New(opts, sink).Run(context.Background(), src); err != nil {
		t.Fatalf("read: %v", err)
	}
	return out
}

func summarize(p *decode.Packet) summary {
	s := summary{Type: int(p.Type), RemainingLength: int(p.RemainingLength), PacketID: -1, PayloadLen: -1, Flags: int(p.Flags)}
	for _, ps := range []*decode.Properties{&p.Properties, &p.WillProperties} {
		for _, pr := range ps.List {
			s.PropertyIDs = append(s.PropertyIDs, int(pr.ID))
		}
	}
	if p.HasPacketID {
		s.PacketID = int(p.PacketID)
	}
	switch p.Type {
	case decode.CONNECT:
		if p.Has&decode.HasClientID != 0 {
			id := string(p.ClientID)
			s.ClientID = &id
		}
		if p.Has&decode.HasUsername != 0 {
			name := string(p.Username)
			s.Username = &name
		}
	case decode.PUBLISH:
		s.Topics = []string{string(p.Topic)}
		s.QoS = []int{int(p.QoS)}
		s.PayloadLen = len(p.Payload)
	case decode.SUBSCRIBE:
		for _, sub := range p.Subscriptions {
			s.Topics = append(s.Topics, string(sub.Topic))
			s.QoS = append(s.QoS, int(sub.QoS))
		}
	case decode.UNSUBSCRIBE:
		for _, f := range p.TopicFilters {
			s.Topics = append(s.Topics, string(f))
		}
	}
	if p.HasReasonCode {
		s.ReasonCodes = []int{int(p.ReasonCode)}
	}
	for _, c := range p.ReasonCodes {
		s.ReasonCodes = append(s.ReasonCodes, int(c))
	}
	return s
}

// readReference reads tshark's decode (-T json -J mqtt --no-duplicate-keys):
// one element per frame, whose "mqtt" layer is an object, or a list of
// objects when the frame completed several MQTT packets.
func readReference(t *testing.T, path string) []summary {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var frames []struct {
		Source struct {
			Layers map[string]json.RawMessage `json:"layers"`
		} `json:"_source"`
	}
	if err := json.Unmarshal(raw, &frames); err != nil {
		t.Fatal(err)
	}
	var out []summary
	for _, fr := range frames {
		m := fr.Source.Layers["mqtt"]
		var many []map[string]any
		if err := json.Unmarshal(m, &many); err != nil {
			var one map[string]any
			if err := json.Unmarshal(m, &one); err != nil {
				t.Fatalf("%s: mqtt layer: %v", path, err)
			}
			many = []map[string]any{one}
		}
		for _, pdu := range many {
			out = append(out, summarizeTshark(pdu))
		}
	}
	return out
}

func summarizeTshark(m map[string]any) summary {
	flat := map[string][]string{}
	flatten(m, flat)
	first := func(k string) string {
		if v := flat[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	num := func(s string) int {
		n, err := strconv.ParseInt(s, 0, 64)
		if err != nil {
			return -1
		}
		return int(n)
	}
	nums := func(k string) []int {
		var out []int
		for _, v := range flat[k] {
			out = append(out, num(v))
		}
		return out
	}
	s := summary{Type: num(first("mqtt.msgtype")), RemainingLength: num(first("mqtt.len")), PacketID: -1, PayloadLen: -1,
		Flags: num(first("mqtt.hdrflags")) & 0x0f, PropertyIDs: nums("mqtt.property_id")}
	if v := first("mqtt.msgid"); v != "" {
		s.PacketID = num(v)
	}
	switch decode.Type(s.Type) {
	case decode.CONNECT:
		if v, ok := flat["mqtt.clientid"]; ok {
			s.ClientID = &v[0]
		} else if first("mqtt.clientid_len") == "0" {
			empty := ""
			s.ClientID = &empty
		}
		if v, ok := flat["mqtt.username"]; ok {
			s.Username = &v[0]
		} else if first("mqtt.username_len") == "0" {
			empty := ""
			s.Username = &empty
		}
	case decode.PUBLISH:
		s.Topics = flat["mqtt.topic"]
		if s.Topics == nil {
			s.Topics = []string{""}
		}
		s.QoS = nums("mqtt.qos")
		s.PayloadLen = 0
		if v := first("mqtt.msg"); v != "" {
			s.PayloadLen = (len(v) + 1) / 3 // FT_BYTES: "62:61:61"
		}
	case decode.SUBSCRIBE:
		s.Topics = flat["mqtt.topic"]
		s.QoS = nums("mqtt.sub.qos")
		if s.QoS == nil {
			s.QoS = nums("mqtt.subscription_options_qos")
		}
	case decode.UNSUBSCRIBE:
		s.Topics = flat["mqtt.topic"]
	}
	for _, k := range []string{"mqtt.conack.val", "mqtt.connack.reason_code", "mqtt.puback.reason_code", "mqtt.pubrec.reason_code",
		"mqtt.pubrel.reason_code", "mqtt.pubcomp.reason_code", "mqtt.suback.qos", "mqtt.suback.reason_code",
		"mqtt.unsuback.reason_code", "mqtt.disconnect.reason_code", "mqtt.auth.reason_code"} {
		s.ReasonCodes = append(s.ReasonCodes, nums(k)...)
	}
	return s
}

// flatten collects every leaf of tshark's tree by field name (repeated
// fields are arrays with --no-duplicate-keys).
func flatten(v any, out map[string][]string) {
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	for k, x := range m {
		switch y := x.(type) {
		case string:
			out[k] = append(out[k], y)
		case []any:
			for _, e := range y {
				if s, ok := e.(string); ok {
					out[k] = append(out[k], s)
				} else {
					flatten(e, out)
				}
			}
		case map[string]any:
			flatten(y, out)
		}
	}
}
