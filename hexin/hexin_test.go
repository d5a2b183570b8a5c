package hexin

import (
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
)

// seedSub is the SUBSCRIBE of the seed session (onenet.md §6.5).
const seedSub = "822d00010028247379732f5652716844484632774c2f6d795f74762f7468696e672f70726f70657274792f73657400"

// A frame as Wireshark copies it ("Copy as Hex Stream" of the whole
// frame): Ethernet, IPv4, TCP 42404 → 1883, then a DISCONNECT.
const disconnectFrame = "00000000000000000000000008004500002a0000400040063cd07f0000017f000001a5a4075b00000001000000015018ffff00000000e000"

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		name, in, format string
		want             []string // "dir conn line hex"
	}{
		{"plain lines, both sides", "10020000\n20 02 00 00\n", "hex", []string{"c0 1 10020000", "s0 2 20020000"}},
		{"0x and commas", "0x82, 0x2d," + strings.Repeat(" 0x00,", 0) + "\n", "hex", []string{"c0 1 822d"}},
		{"one line, several packets", "c000 d000 e000", "hex", []string{"c0 1 c000", "s0 1 d000", "c0 1 e000"}},
		{"a second CONNECT opens a connection", "10020000\ne000\n10020000\n", "hex", []string{"c0 1 10020000", "c0 2 e000", "c1 3 10020000"}},
		{"comments", "# seed\n" + seedSub + " // the SUBSCRIBE\n", "hex", []string{"c0 2 " + seedSub}},
		{"C array", "static const uint8_t p[] = {\n  /* fixed header */ 0xe0, 0x00,\n};\n", "c", []string{"c0 3 e000"}},
		{"Go fixture with From", "package x\nvar P = []struct{From string; Bytes []byte}{\n{From: \"server\", Bytes: []byte{0x20, 0x02, 0x00, 0x00}},\n}\n", "go", []string{"s0 3 20020000"}},
		{"fixture", `{"packets":[{"hex":"e000","from":"client","stream":3},{"hex":"20020000","from":"server","stream":4}]}`, "fixture", []string{"c0 1 e000", "s1 1 20020000"}},
		{"Wireshark frame", disconnectFrame, "hex", []string{"c0 1 e000"}},
		{"Wireshark hex dump", "0000   82 2d 00 01 00 28 24 73 79 73 2f 56 52 71 68 44   .-...($sys/VRqhD\n" +
			"0010   48 46 32 77 4c 2f 6d 79 5f 74 76 2f 74 68 69 6e   HF2wL/my_tv/thin\n" +
			"0020   67 2f 70 72 6f 70 65 72 74 79 2f 73 65 74 00      g/property/set.\n", "wireshark", []string{"c0 3 " + seedSub}},
		{"raw", "\x10\x02\x00\x00\x20\x02\x00\x00", "raw", []string{"c0 1 10020000", "s0 1 20020000"}},
		{"AT script", "AT+CIPSTART=\"TCP\",\"h\",1\nAT+CIPSEND=2\ne000\nAT+CIPCLOSE\n", "at", []string{"c0 3 e000"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if in.Format != tt.format {
				t.Errorf("format %q, want %q", in.Format, tt.format)
			}
			var got []string
			for _, s := range in.Segments {
				d := "c"
				if s.Dir == DirServer {
					d = "s"
				}
				got = append(got, d+itoa(s.Conn)+" "+itoa(s.Line)+" "+hex.EncodeToString(s.Data))
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestParseErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", "the input is empty"},
		{"10 02 00 00\n10 zz\n", `line 2: not hex`},
		{"0000   10\n0020   00\n", "offset 0020 does not follow"},
	} {
		if _, err := Parse([]byte(tt.in)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.in, err, tt.want)
		}
	}
}

// FuzzParse: any input parses or fails without a panic; every segment has
// bytes, a valid connection and a side.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"10020000\n20 02 00 00\n", disconnectFrame, "0x10, 0x02,\n{0x20}", `{"packets":[{"hex":"e000"}]}`,
		"0000   e0 00   ..\n", "AT+CIPSEND=2\r\n>\xe0\x00+IPD,2:\xd0\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		in, err := Parse(b)
		if err != nil {
			return
		}
		for _, s := range in.Segments {
			if len(s.Data) == 0 || s.Conn < 0 || s.Conn >= len(in.Conns) || s.Dir == DirUnknown {
				t.Fatalf("segment %+v of %d conns", s, len(in.Conns))
			}
		}
	})
}
