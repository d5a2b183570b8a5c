package export_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/export"
	"github.com/mqttpcap/mqttpcap/onenet"
	"github.com/mqttpcap/mqttpcap/pipeline"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/export")

// The seed session of onenet.md §6, exactly.
var seedHex = []string{
	"10980100044d51545404c2003c00056d795f7476000a5652716844484632774c007976657273696f6e3d323031382d31302d3331267265733d70726f64756374732532465652716844484632774c253246646576696365732532466d795f74762665743d31363631323435303331266d6574686f643d6d6435267369676e3d7934694450753659703834464f377378706364635351253344253344",
	"822d00010028247379732f5652716844484632774c2f6d795f74762f7468696e672f70726f70657274792f73657400",
	"306f0029247379732f5652716844484632774c2f6d795f74762f7468696e672f70726f70657274792f706f73747b226964223a2022313233222c2276657273696f6e22203a2022312e30222c22706172616d73223a207b2277656e6475223a207b2276616c7565223a2032312e317d7d7d",
	"e000",
}

const keyB1 = "KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw="

func packetsOf(t *testing.T, name string, keep func(*pipeline.Record) bool) []export.Packet {
	t.Helper()
	src, err := capture.OpenFile("../testdata/pcaps/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var out []export.Packet
	opts := pipeline.DefaultOptions()
	opts.Fields = true
	sink := pipeline.SinkFunc(func(r *pipeline.Record) error {
		if r.Kind == pipeline.KindPacket && keep(r) {
			out = append(out, export.Packet{Frame: r.Frame, Time: r.Time, Stream: r.Conn.Stream, Client: r.Conn.Client,
				Server: r.Conn.Server, FromClient: r.FromClient, Packet: r.Packet.Clone(),
				Interface: r.Conn.Interface, ConnFrame: r.Conn.FirstFrame})
		}
		return nil
	})
	if err := pipeline.New(opts, sink).Run(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	return out
}

func fromClient(r *pipeline.Record) bool { return r.FromClient }
func all(*pipeline.Record) bool          { return true }

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("..", "testdata", "golden", "export", name)
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./export -update creates it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from its golden file (go test ./export -update); got:\n%s", name, got)
	}
}

// The seed session exports to exactly the strings and lengths of
// onenet.md §6: AT+CIPSEND=155, 47, 113, 2.
func TestSeedAT(t *testing.T) {
	pkts := packetsOf(t, "onenet-esp8266.pcapng", fromClient)
	var buf bytes.Buffer
	if err := export.AT(&buf, pkts, export.ATOptions{Server: "studio-mqtt.heclouds.com", Source: "onenet-esp8266.pcapng"}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	sends := regexp.MustCompile(`(?m)^AT\+CIPSEND=(\d+)\n([0-9a-f]+)$`).FindAllStringSubmatch(out, -1)
	if len(sends) != 4 {
		t.Fatalf("%d CIPSENDs:\n%s", len(sends), out)
	}
	for i, want := range []string{"155", "47", "113", "2"} {
		if sends[i][1] != want || sends[i][2] != seedHex[i] {
			t.Errorf("packet %d: AT+CIPSEND=%s %s, want %s %s", i, sends[i][1], sends[i][2], want, seedHex[i])
		}
	}
	for _, want := range []string{`AT+CIPSTART="TCP","studio-mqtt.heclouds.com",1883`, "AT+CIPMODE=0", "# frame 4 CONNECT client_id=my_tv (155 bytes)", "AT+CIPCLOSE"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	golden(t, "seed.at.txt", buf.Bytes())
}

func TestFormatsGolden(t *testing.T) {
	pkts := packetsOf(t, "onenet-esp8266.pcapng", fromClient)
	var hexOut, c bytes.Buffer
	export.Hex(&hexOut, pkts)
	if got := strings.Fields(hexOut.String()); strings.Join(got, " ") != strings.Join(seedHex, " ") {
		t.Errorf("hex lines %v", got)
	}
	golden(t, "seed.hex.txt", hexOut.Bytes())
	export.C(&c, pkts, export.COptions{Source: "onenet-esp8266.pcapng"})
	if !strings.Contains(c.String(), "static const size_t frame4_connect_len = 155;") || !strings.Contains(c.String(), "/* variable header */") {
		t.Errorf("C header:\n%s", c.String())
	}
	golden(t, "seed.c.h", c.Bytes())

	everything := packetsOf(t, "onenet-esp8266.pcapng", all)
	var fx, gofx bytes.Buffer
	export.FixtureJSON(&fx, everything, "onenet-esp8266.pcapng")
	golden(t, "seed.fixture.json", fx.Bytes())
	export.FixtureGo(&gofx, everything, "onenet-esp8266.pcapng", "fixtures")
	golden(t, "seed.fixtures.go.txt", gofx.Bytes())
	typeCheck(t, gofx.Bytes())
}

// typeCheck makes sure the generated Go compiles.
func typeCheck(t *testing.T, src []byte) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "fixtures.go", src, 0)
	if err != nil {
		t.Fatalf("generated Go does not parse: %v", err)
	}
	conf := types.Config{Importer: importer.Default()}
	if _, err := conf.Check("fixtures", fset, []*ast.File{f}, nil); err != nil {
		t.Fatalf("generated Go does not type-check: %v", err)
	}
}

// The fixture format holds everything an encoder needs: for every clean
// packet of the test captures, building the packet from the fixture's
// fields (and wire order) and encoding it gives the fixture's bytes.
func TestFixtureRoundTrip(t *testing.T) {
	names, _ := filepath.Glob("../testdata/pcaps/*.pcap*")
	checked := 0
	for _, path := range names {
		name := filepath.Base(path)
		if name == "cut-short.pcap" {
			continue
		}
		pkts := packetsOf(t, name, func(r *pipeline.Record) bool { return len(r.Packet.Problems) == 0 })
		var buf bytes.Buffer
		if err := export.FixtureJSON(&buf, pkts, name); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Packets []struct {
				Name      string
				Type      string
				Version   int
				Hex       string
				Fields    json.RawMessage
				WireOrder map[string][]string `json:"wire_order"`
			}
		}
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatalf("%s: the fixture is not JSON: %v", name, err)
		}
		for _, fx := range doc.Packets {
			p, err := export.PacketFromFields(fx.Type, decode.Version(fx.Version), fx.Fields, fx.WireOrder)
			if err != nil {
				t.Errorf("%s %s: %v", name, fx.Name, err)
				continue
			}
			got, err := decode.Encode(p)
			if err != nil || hex.EncodeToString(got) != fx.Hex {
				t.Errorf("%s %s: encode(fields) = %x, want %s (%v)", name, fx.Name, got, fx.Hex, err)
			}
			checked++
		}
	}
	if checked < 150 {
		t.Errorf("only %d packets checked", checked)
	}
}

// A packet over 2048 bytes is split into several CIPSENDs.
func TestATSplitsBigPackets(t *testing.T) {
	pkts := packetsOf(t, "big-publish.pcap", func(r *pipeline.Record) bool { return r.Packet.Type == decode.PUBLISH })
	var buf bytes.Buffer
	export.AT(&buf, pkts, export.ATOptions{})
	sends := regexp.MustCompile(`(?m)^AT\+CIPSEND=(\d+)$`).FindAllStringSubmatch(buf.String(), -1)
	if len(sends) != 10 || sends[0][1] != "2048" || sends[9][1] != "1587" {
		t.Errorf("CIPSENDs %v", sends)
	}
	if !strings.Contains(buf.String(), "over the ESP8266's 2048-byte AT+CIPSEND limit: sent in 10 parts") {
		t.Errorf("no note about the split:\n%s", buf.String()[:400])
	}
}

// --refresh-token: the captured CONNECT's expired token is replaced by a
// valid one for the same device; lengths follow.
func TestRefreshToken(t *testing.T) {
	pkts := packetsOf(t, "onenet-esp8266.pcapng", fromClient)
	keys := func(string, string) (string, bool) { return keyB1, true }
	exp := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range pkts {
		if _, err := export.RefreshToken(&pkts[i], keys, exp); err != nil {
			t.Fatal(err)
		}
	}
	c := pkts[0].Packet
	tok, err := onenet.ParseToken(string(c.Password))
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := tok.Verify(keyB1); !ok || tok.ET != exp.Unix() || tok.Method != "md5" || tok.DeviceName != "my_tv" {
		t.Errorf("new token %+v verifies %v", tok, ok)
	}
	if len(pkts[0].Notes) != 1 || !strings.Contains(pkts[0].Notes[0], "et 1661245031 (2022-08-23 08:57:11 UTC) → 1893456000") {
		t.Errorf("notes %v", pkts[0].Notes)
	}
	if len(pkts[1].Notes) != 0 {
		t.Errorf("the SUBSCRIBE was changed: %v", pkts[1].Notes)
	}
	var buf bytes.Buffer
	export.AT(&buf, pkts, export.ATOptions{})
	if !strings.Contains(buf.String(), "AT+CIPSEND="+itoa(len(c.Raw))) {
		t.Errorf("CIPSEND length does not follow:\n%s", buf.String())
	}
	if _, err := export.RefreshToken(&pkts[0], func(string, string) (string, bool) { return "", false }, exp); err == nil {
		t.Error("no key: no error")
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// The one-byte-length CONNECT, re-encoded, is the seed CONNECT byte for
// byte; packets without a length problem are left alone.
func TestFixLength(t *testing.T) {
	pkts := packetsOf(t, "onenet-length-bug.pcap", fromClient)
	if len(pkts) != 1 || !export.HasLengthProblem(pkts[0].Packet) {
		t.Fatalf("want the one malformed CONNECT, got %d packets", len(pkts))
	}
	fixed, err := export.FixLength(&pkts[0])
	if err != nil || !fixed {
		t.Fatalf("FixLength: %v, %v", fixed, err)
	}
	if got := hex.EncodeToString(pkts[0].Packet.Raw); got != seedHex[0] {
		t.Errorf("re-encoded %s\nwant        %s", got, seedHex[0])
	}
	if len(pkts[0].Packet.Problems) != 0 {
		t.Errorf("problems left: %v", pkts[0].Packet.Problems)
	}
	if want := "remaining length 152 re-encoded as 98 01 (the capture had 98); 154 → 155 bytes"; len(pkts[0].Notes) != 1 || pkts[0].Notes[0] != want {
		t.Errorf("notes %q, want %q", pkts[0].Notes, want)
	}
	for _, p := range packetsOf(t, "onenet-esp8266.pcapng", all) {
		raw := string(p.Packet.Raw)
		if fixed, err := export.FixLength(&p); fixed || err != nil || string(p.Packet.Raw) != raw {
			t.Errorf("%s changed: %v %v", p.Name(), fixed, err)
		}
	}
}

// Connections come out one after another, each in one AT+CIPSTART block,
// in the order they first appear, whatever order their packets completed
// in (issue 12: 10 connections gave 26 blocks).
func TestATOneBlockPerConnection(t *testing.T) {
	names, _ := filepath.Glob("../testdata/pcaps/*.pcap*")
	for _, path := range names {
		name := filepath.Base(path)
		if name == "cut-short.pcap" {
			continue
		}
		pkts := export.ByConnection(packetsOf(t, name, fromClient))
		// A connection is not its stream number alone (export.Packet.Interface).
		type conn struct {
			stream, iface int
			first         uint64
		}
		streams := map[conn]bool{}
		for _, p := range pkts {
			streams[conn{p.Stream, p.Interface, p.ConnFrame}] = true
		}
		var buf bytes.Buffer
		if err := export.AT(&buf, pkts, export.ATOptions{}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		starts := strings.Count(buf.String(), "AT+CIPSTART=")
		if starts != len(streams) || strings.Count(buf.String(), "AT+CIPCLOSE") != len(streams) {
			t.Errorf("%s: %d connections, %d AT+CIPSTART", name, len(streams), starts)
		}
		var plain bytes.Buffer
		export.AT(&plain, pkts, export.ATOptions{Plain: true})
		if strings.Contains(plain.String(), "#") {
			t.Errorf("%s: at-plain has comments:\n%s", name, plain.String())
		}
	}
}

// One stream number holding several connections exports as a block each
// (the reviewer's bug: multi-iface.pcapng gave one block CONNECT, SUBSCRIBE,
// CONNECT, SUBSCRIBE, PUBACK, DISCONNECT, ...): the same connection seen on
// two interfaces (a block per interface, as read lists them), a port reused
// with the same initial sequence number, two pcapng sections.
func TestATBlockPerConnectionNotStream(t *testing.T) {
	for _, tc := range []struct {
		name   string
		blocks []string // per AT+CIPSTART block, the frames of its packets
		heads  []string // the blocks' comments
	}{
		{"multi-iface.pcapng", []string{"4 8 46 47", "14 18 80 81", "24 28 29", "38 42 51", "58 62 63", "72 76 85"},
			[]string{"stream 0:", "stream 0 (capture interface 1):", "stream 1:", "stream 2:", "stream 1 (capture interface 1):", "stream 2 (capture interface 1):"}},
		{"port-reuse.pcap", []string{"4 6", "11 13 14", "21 24", "31 34"},
			[]string{"stream 0:", "stream 1:", "stream 2:", "stream 2 (another connection, from frame 28):"}},
		{"sections.pcapng", []string{"4 6 7", "14 16 17"}, []string{"stream 0:", "stream 0 (capture interface 1):"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := export.AT(&buf, export.ByConnection(packetsOf(t, tc.name, fromClient)), export.ATOptions{}); err != nil {
				t.Fatal(err)
			}
			var blocks, heads []string
			for _, line := range strings.Split(buf.String(), "\n") {
				switch {
				case strings.HasPrefix(line, "# stream "):
					heads = append(heads, strings.TrimPrefix(line[:strings.Index(line, ":")+1], "# "))
				case strings.HasPrefix(line, "AT+CIPSTART="):
					blocks = append(blocks, "")
				case strings.HasPrefix(line, "# frame "):
					blocks[len(blocks)-1] = strings.TrimSpace(blocks[len(blocks)-1] + " " + strings.Fields(line)[2])
				}
			}
			if strings.Join(blocks, "|") != strings.Join(tc.blocks, "|") || strings.Join(heads, "|") != strings.Join(tc.heads, "|") {
				t.Errorf("blocks %q %q, want %q %q\n%s", blocks, heads, tc.blocks, tc.heads, buf.String())
			}
			if n := len(export.Connections(packetsOf(t, tc.name, fromClient))); n != len(tc.blocks) {
				t.Errorf("Connections: %d, want %d", n, len(tc.blocks))
			}
		})
	}
}

// A packet read from hex has no address: AT needs the server given.
func TestATNeedsServer(t *testing.T) {
	pkts := packetsOf(t, "onenet-esp8266.pcapng", fromClient)
	for i := range pkts {
		pkts[i].Server = netip.AddrPort{}
	}
	if err := export.AT(io.Discard, pkts, export.ATOptions{}); !errors.Is(err, export.ErrNoServer) {
		t.Errorf("no server: %v", err)
	}
	var buf bytes.Buffer
	if err := export.AT(&buf, pkts, export.ATOptions{Server: "studio-mqtt.heclouds.com"}); err != nil || !strings.Contains(buf.String(), `"studio-mqtt.heclouds.com",1883`) {
		t.Errorf("%v\n%s", err, buf.String())
	}
}

func TestHexSpacedAndBin(t *testing.T) {
	pkts := packetsOf(t, "onenet-esp8266.pcapng", fromClient)
	var buf bytes.Buffer
	export.HexSpaced(&buf, pkts)
	if !strings.HasPrefix(buf.String(), "10 98 01 00 04 4d 51 54 54 ") || !strings.HasSuffix(buf.String(), "\ne0 00\n") {
		t.Errorf("hex-spaced:\n%s", buf.String())
	}
	dir := t.TempDir()
	paths, err := export.Bin(dir, pkts)
	if err != nil || len(paths) != 4 || filepath.Base(paths[0]) != "001-stream0-connect.bin" {
		t.Fatalf("%v %v", paths, err)
	}
	b, _ := os.ReadFile(paths[3])
	if hex.EncodeToString(b) != "e000" {
		t.Errorf("%s: %x", paths[3], b)
	}
}

// The snap length cut three of the seed session's packets to 30 bytes
// (snaplen-96.pcap): Cut names them with what was captured of how much,
// and only the formats that mark a packet beside it keep them.
func TestCut(t *testing.T) {
	pkts := packetsOf(t, "snaplen-96.pcap", fromClient)
	whole, cut := export.WithoutCut(pkts)
	var got []string
	for _, p := range cut {
		got = append(got, export.CutText(p))
	}
	want := []string{"frame 4 CONNECT: 30 of 155 bytes captured", "frame 8 SUBSCRIBE: 30 of 47 bytes captured", "frame 11 PUBLISH: 30 of 113 bytes captured"}
	if strings.Join(got, "|") != strings.Join(want, "|") || len(whole) != 1 || whole[0].Packet.Type != decode.DISCONNECT {
		t.Errorf("cut %q, whole %d", got, len(whole))
	}
	if _, _, ok := export.Cut(packetsOf(t, "onenet-esp8266.pcapng", fromClient)[0]); ok {
		t.Error("a whole CONNECT is cut")
	}
	for _, f := range export.Formats {
		if want := f == "at" || f == "c"; export.Marks(f) != want {
			t.Errorf("Marks(%q) = %v", f, !want)
		}
	}
}
