package report

import (
	"bytes"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/onenet"
)

var updateHexdump = flag.Bool("update-hexdump", false, "rewrite testdata/golden/hexdump/*.txt from the current output")

const hexdumpGoldenDir = "../testdata/golden/hexdump"

// The seed session of onenet.md §6 (copied from decode/helpers_test.go).
const (
	hexSeedConnect = "10980100044d51545404c2003c00056d795f7476000a5652716844484632774c007976657273696f6e3d323031382d31302d3331267265733d70726f64756374732532465652716844484632774c253246646576696365732532466d795f74762665743d31363631323435303331266d6574686f643d6d6435267369676e3d7934694450753659703834464f377378706364635351253344253344"
	hexSeedPublish = "306f0029247379732f5652716844484632774c2f6d795f74762f7468696e672f70726f70657274792f706f73747b226964223a2022313233222c2276657273696f6e22203a2022312e30222c22706172616d73223a207b2277656e6475223a207b2276616c7565223a2032312e317d7d7d"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// mqttStr is an MQTT string: two length bytes and s.
func mqttStr(s string) []byte { return append([]byte{byte(len(s) >> 8), byte(len(s))}, s...) }

func join(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// hexPacket builds a packet from its first byte and body, with a minimal
// remaining length.
func hexPacket(first byte, body []byte) []byte {
	return join([]byte{first}, decode.AppendVBI(nil, uint32(len(body))), body)
}

// v5Publish is a QoS 1, retained MQTT 5.0 PUBLISH with seven properties:
// payload format indicator, message expiry, topic alias, response topic,
// correlation data (binary), a user property and the content type.
func v5Publish() []byte {
	props := join(
		[]byte{0x01, 0x01},
		[]byte{0x02, 0x00, 0x00, 0x0e, 0x10},
		[]byte{0x23, 0x00, 0x05},
		[]byte{0x08}, mqttStr("devices/reply"),
		[]byte{0x09}, mqttStr("\x01\x02\x03\xff"),
		[]byte{0x26}, mqttStr("fw"), mqttStr("1.4.2"),
		[]byte{0x03}, mqttStr("application/json"),
	)
	body := join(mqttStr("sensors/t1"), []byte{0x00, 0x07}, decode.AppendVBI(nil, uint32(len(props))), props, []byte(`{"t":21.5}`))
	return hexPacket(0x33, body)
}

// bigPublish is a QoS 0 PUBLISH with a 20 KB JSON-ish payload.
func bigPublish() []byte {
	var payload []byte
	for i := 0; len(payload) < 20<<10; i++ {
		payload = append(payload, `{"seq":`+strconv.Itoa(i)+`,"v":"abcdefghij"},`...)
	}
	payload = payload[:20<<10]
	return hexPacket(0x30, join(mqttStr("devices/big/log"), payload))
}

type hexCase struct {
	name string
	p    *decode.Packet
	on   *onenet.PacketInfo
}

// hexCases decodes the golden packets (each a clone: packets alias their
// decoder).
func hexCases(t testing.TB) []hexCase {
	t.Helper()
	dec := func(raw []byte, v decode.Version) *decode.Packet {
		var d decode.Decoder
		return d.Decode(raw, v).Clone()
	}
	connect := dec(unhex(t, hexSeedConnect), decode.V311)
	var c onenet.Conn
	on := c.Packet(connect, true, 1, time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))
	if on == nil || on.Token == nil {
		t.Fatal("the seed CONNECT has no OneNET token")
	}

	// The seed CONNECT with its remaining length written as one byte
	// (onenet.md §6.3), as the framer cuts it.
	full := unhex(t, hexSeedConnect)
	bug := append(append([]byte{}, full[:2]...), full[3:]...)
	var f decode.Framer
	f.Feed(bug, true)
	fr, ok := f.Next()
	if !ok || !fr.OneByteLength {
		t.Fatalf("framer: %+v %v", fr, ok)
	}
	var d decode.Decoder
	oneByte := d.DecodeFrame(fr, decode.V311).Clone()

	return []hexCase{
		{"connect", connect, on},
		{"connect-one-byte-length", oneByte, nil},
		{"publish", dec(unhex(t, hexSeedPublish), decode.V311), nil},
		{"publish-v5", dec(v5Publish(), decode.V5), nil},
		{"publish-20k", dec(bigPublish(), decode.V311), nil},
	}
}

func TestHexdumpGolden(t *testing.T) {
	type variant struct {
		suffix string
		opts   HexdumpOptions
	}
	for _, c := range hexCases(t) {
		variants := []variant{{"plain", HexdumpOptions{}}, {"styled", HexdumpOptions{Styled: true}}}
		if c.name == "connect" {
			variants = append(variants,
				variant{"plain.w80", HexdumpOptions{Width: 80}},
				variant{"styled.w80", HexdumpOptions{Styled: true, Width: 80}},
				variant{"plain.redact", HexdumpOptions{Redact: true}},
			)
		}
		for _, v := range variants {
			name := c.name + "." + v.suffix
			t.Run(name, func(t *testing.T) {
				got := Hexdump(nil, c.p, c.on, v.opts)
				checkGolden(t, filepath.Join(hexdumpGoldenDir, name+".txt"), got)
			})
		}
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *updateHexdump {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -run Hexdump -update-hexdump)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run with -update-hexdump to accept):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestHexdumpPlainHasNoEscapes(t *testing.T) {
	for _, c := range hexCases(t) {
		for _, w := range []int{0, 40, 80} {
			out := Hexdump(nil, c.p, c.on, HexdumpOptions{Width: w, Redact: w == 40})
			if i := bytes.IndexByte(out, 0x1b); i >= 0 {
				t.Errorf("%s width %d: escape code at byte %d: %q", c.name, w, i, out[max(0, i-20):i+10])
			}
		}
		if out := Hexdump(nil, c.p, c.on, HexdumpOptions{Styled: true}); !bytes.Contains(out, []byte("\x1b[")) {
			t.Errorf("%s: styled output has no escape codes", c.name)
		}
	}
}

// TestHexdumpOwnership checks that every byte has exactly one owner, shown
// under it in the letter row and listed once in the legend.
func TestHexdumpOwnership(t *testing.T) {
	for _, c := range hexCases(t) {
		t.Run(c.name, func(t *testing.T) {
			checkOwnership(t, c.p, Hexdump(nil, c.p, c.on, HexdumpOptions{}))
		})
	}
	// More entries than letters: they cycle, and every byte still has one.
	var body []byte
	for i := range 70 {
		body = append(body, 0x26)
		body = append(body, mqttStr("k"+strconv.Itoa(i))...)
		body = append(body, mqttStr("v")...)
	}
	body = join(mqttStr("t"), decode.AppendVBI(nil, uint32(len(body))), body, []byte("x"))
	var d decode.Decoder
	p := d.Decode(hexPacket(0x30, body), decode.V5)
	if len(p.Problems) != 0 {
		t.Fatalf("problems: %+v", p.Problems)
	}
	lay := layoutOf(p)
	if n := countLettered(lay); n <= len(hexLetters) {
		t.Fatalf("only %d entries", n)
	}
	checkOwnership(t, p, Hexdump(nil, p, nil, HexdumpOptions{}))
}

func countLettered(lay hexLayout) int {
	n := 0
	for _, e := range lay.entries {
		if e.letter != 0 {
			n++
		}
	}
	return n
}

func checkOwnership(t testing.TB, p *decode.Packet, plain []byte) {
	t.Helper()
	lay := layoutOf(p)
	if len(lay.owner) != len(p.Raw) {
		t.Fatalf("%d owners for %d bytes", len(lay.owner), len(p.Raw))
	}
	owned := make([]int, len(lay.entries))
	for i, o := range lay.owner {
		if o < 0 || int(o) >= len(lay.entries) {
			t.Fatalf("byte %d: owner %d of %d entries", i, o, len(lay.entries))
		}
		e := lay.entries[o]
		if i < e.span.Off || i >= e.span.Off+e.span.Len {
			t.Fatalf("byte %d owned by an entry at %+v", i, e.span)
		}
		if e.letter == 0 {
			t.Fatalf("byte %d owned by an entry without a letter", i)
		}
		owned[o]++
		// No deeper field covers the byte.
		for _, f := range p.Fields {
			if f.Kind != decode.KindGroup && f.Span.Off <= i && i < f.Span.Off+f.Span.Len && f.Depth > e.depth {
				t.Fatalf("byte %d owned by %+v at depth %d, but %s (depth %d) covers it", i, e.span, e.depth, f.Name, f.Depth)
			}
		}
	}
	for j, e := range lay.entries {
		if owned[j] != e.owned || (e.owned > 0) != (e.letter != 0) {
			t.Fatalf("entry %d %+v: owns %d bytes, says %d, letter %q", j, e.span, owned[j], e.owned, e.letter)
		}
	}
	// The legend lists each entry once, in order, then each problem.
	lines := strings.Split(strings.TrimSuffix(string(plain), "\n"), "\n")
	var legend []string
	for i, l := range lines {
		if l == "" {
			legend = lines[i+1:]
			break
		}
	}
	if len(p.Raw) == 0 {
		legend = lines
		if len(p.Problems) == 0 {
			legend = nil
		}
	}
	if len(legend) != len(lay.entries)+len(p.Problems) {
		t.Fatalf("%d legend lines for %d entries and %d problems:\n%s", len(legend), len(lay.entries), len(p.Problems), plain)
	}
	for j, e := range lay.entries {
		want := "  -  " + spanText(e.span)
		if e.letter != 0 {
			want = "  " + string(e.letter) + "  " + spanText(e.span)
		}
		if !strings.HasPrefix(legend[j], want) {
			t.Fatalf("legend line %d = %q, want prefix %q", j, legend[j], want)
		}
	}
	for j := range p.Problems {
		if l := legend[len(lay.entries)+j]; !strings.HasPrefix(l, "  !  0x") {
			t.Fatalf("problem line %q", l)
		}
	}
	// Each shown row's letter row marks its bytes with their owners.
	bad := make(map[int]bool)
	for _, pr := range p.Problems {
		bad[pr.Off] = true
	}
	for i := 0; i+1 < len(lines) && lines[i] != ""; i++ {
		fs := strings.Fields(lines[i])
		if fs[0] == "…" {
			continue
		}
		off, err := strconv.ParseInt(fs[0], 16, 64)
		if err != nil {
			t.Fatalf("row %q: %v", lines[i], err)
		}
		i++
		letters := strings.Fields(lines[i])
		n := min(16, len(p.Raw)-int(off))
		if len(letters) != n {
			t.Fatalf("row 0x%x: %d letters for %d bytes: %q", off, len(letters), n, lines[i])
		}
		for k, l := range letters {
			b := int(off) + k
			want := string(lay.entries[lay.owner[b]].letter)
			if bad[b] {
				want = "!"
			}
			if l != want {
				t.Fatalf("byte 0x%x marked %q, want %q", b, l, want)
			}
		}
	}
}

func TestHexdumpWidth(t *testing.T) {
	for _, c := range hexCases(t) {
		for _, w := range []int{20, 60, 80} {
			out := Hexdump(nil, c.p, c.on, HexdumpOptions{Width: w})
			legend := 0
			for _, l := range strings.Split(string(out), "\n") {
				if len(l) > 5 && l[:2] == "  " && l[2] != ' ' && l[3:5] == "  " { // a legend line
					legend++
					if n := len([]rune(l)); n > w {
						t.Errorf("%s width %d: %d runes: %q", c.name, w, n, l)
					}
				}
			}
			if legend < 5 {
				t.Errorf("%s width %d: only %d legend lines", c.name, w, legend)
			}
		}
	}
}

func TestHexdumpRedact(t *testing.T) {
	c := hexCases(t)[0]
	out := string(Hexdump(nil, c.p, c.on, HexdumpOptions{Redact: true}))
	for _, secret := range []string{"y4iDPu6Yp84FO7sxpcdcSQ", "sign=", "version=2018", "76 65 72 73"} {
		if strings.Contains(out, secret) {
			t.Errorf("redacted output shows %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, `password (121 bytes, redacted): "********"`) || !strings.Contains(out, "** ** **") {
		t.Errorf("password not masked:\n%s", out)
	}
	// A CONNECT cut short inside its password has no password field: the
	// bytes that were not decoded are masked instead.
	var d decode.Decoder
	p := d.Decode(unhex(t, hexSeedConnect)[:60], decode.V311)
	out = string(Hexdump(nil, p, nil, HexdumpOptions{Redact: true, Styled: true}))
	if strings.Contains(out, "version=") || strings.Contains(out, "76 65 72") || !strings.Contains(out, `not decoded (26 bytes, redacted): "********"`) {
		t.Errorf("cut-short password not masked:\n%s", out)
	}
}

func TestHexdumpElision(t *testing.T) {
	c := hexCases(t)[4]
	out := string(Hexdump(nil, c.p, nil, HexdumpOptions{}))
	// 20501 bytes in 1282 rows: the payload (0x15-0x5014, rows 1-1281)
	// keeps rows 1-4 and 1278-1281; row 0 is the header and topic.
	if !strings.Contains(out, "\n  …  (20368 more bytes)\n") {
		t.Errorf("no elision line:\n%s", out)
	}
	if rows := len(regexp.MustCompile(`(?m)^  [0-9a-f]{4}  `).FindAllString(out, -1)); rows != 9 {
		t.Errorf("%d rows shown, want 9:\n%s", rows, out)
	}
	if !strings.Contains(out, "payload (20480 bytes)") {
		t.Errorf("payload entry missing:\n%s", out)
	}
}

func FuzzHexdump(f *testing.F) {
	for _, c := range hexCases(f) {
		f.Add(c.p.Raw, uint8(c.p.Version), 0)
	}
	f.Add([]byte{}, uint8(decode.V311), 10)
	f.Add([]byte{0x30, 0x0a, 0x00, 0x20, 1, 2}, uint8(decode.V5), 30)
	f.Add([]byte{0xf3, 0x03, 0x00, 0x20, 1, 2, 5, 6}, uint8(decode.V5), 5)
	f.Add([]byte{0x10, 0xff, 0xff, 0xff, 0xff, 0x7f}, uint8(decode.V311), 0)
	f.Fuzz(func(t *testing.T, data []byte, v uint8, width int) {
		// The versions a connection can have (3.1, 3.1.1, 5.0, or not known
		// yet), not arbitrary bytes: the decoder is only asked for those.
		version := decode.Version(v)
		switch version {
		case decode.VersionUnknown, decode.V31, decode.V311, decode.V5:
		default:
			version = [...]decode.Version{decode.VersionUnknown, decode.V31, decode.V311, decode.V5}[v%4]
		}
		var d decode.Decoder
		p := d.Decode(data, version)
		width = min(max(width, 0), 300)
		plain := Hexdump(nil, p, nil, HexdumpOptions{Width: width % 7 * 20})
		if bytes.IndexByte(plain, 0x1b) >= 0 {
			t.Fatalf("escape code in plain output")
		}
		checkOwnership(t, p, Hexdump(nil, p, nil, HexdumpOptions{}))
		Hexdump(nil, p, nil, HexdumpOptions{Styled: true, Width: width, Redact: true})
	})
}

func BenchmarkHexdumpBig(b *testing.B) {
	payload := bytes.Repeat([]byte("0123456789abcdef"), 16<<10)
	var d decode.Decoder
	p := d.Decode(hexPacket(0x30, join(mqttStr("t"), payload)), decode.V311)
	b.ReportAllocs()
	var out []byte
	for b.Loop() {
		out = Hexdump(out[:0], p, nil, HexdumpOptions{Styled: true, Width: 100})
	}
}
