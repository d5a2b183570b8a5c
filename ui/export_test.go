package ui

import (
	"os"
	"strings"
	"testing"
)

// The UI's export writes what read --export-hex writes: one AT block per
// connection (the same stream on two interfaces is two), and a packet the
// capture holds only part of left out of the formats that cannot mark
// it, with a message that says so.
func TestExportMarkedAsReadDoes(t *testing.T) {
	tests := []struct {
		capture, spec string
		wantMsg       string
		wantInFile    []string
		wantBlocks    int // AT+CIPSTART lines; -1: not an AT script
	}{
		{"snaplen-96.pcap", "hex out.txt", "(left out, cut short in the capture: frame 4 CONNECT: 30 of 155 bytes captured and 2 more)", nil, -1},
		{"snaplen-96.pcap", "at out.txt", "wrote 6 packets as at", []string{"# ! malformed"}, 1},
		{"multi-iface.pcapng", "at out.txt", "wrote ", []string{"# stream 0 (capture interface 1)"}, 6},
	}
	for _, tt := range tests {
		t.Run(tt.capture+"/"+tt.spec, func(t *testing.T) {
			m := testModel(t, tt.capture, 120, 40, false)
			t.Chdir(t.TempDir())
			typeKeys(m, "A", "e", "text:"+tt.spec, "enter")
			if !strings.Contains(m.msg, tt.wantMsg) {
				t.Fatalf("message %q, want it to hold %q", m.msg, tt.wantMsg)
			}
			out, err := os.ReadFile("out.txt")
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range tt.wantInFile {
				if !strings.Contains(string(out), want) {
					t.Errorf("the export lacks %q:\n%s", want, out)
				}
			}
			if n := strings.Count(string(out), "AT+CIPSTART"); tt.wantBlocks >= 0 && n != tt.wantBlocks {
				t.Errorf("%d AT+CIPSTART blocks, want %d:\n%s", n, tt.wantBlocks, out)
			}
		})
	}
}
