package ui

import (
	"os"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestExportPrompt checks that the export prompt offers its default as a
// placeholder: enter on the empty line takes it, and what is typed
// replaces it rather than being appended to it.
func TestExportPrompt(t *testing.T) {
	const def = "hex mqttpcap-marked.txt"
	tests := []struct {
		name     string
		keys     []string
		wantFile string // "" when nothing is written
		wantMsg  string
	}{
		{"enter takes the default", []string{"enter"}, "mqttpcap-marked.txt", "wrote 1 packet as hex to "},
		{"typing replaces the default", []string{"text:hex-spaced out.txt", "enter"}, "out.txt", "wrote 1 packet as hex-spaced to "},
		{"esc cancels", []string{"text:hex out.txt", "esc"}, "", ""},
		{"a bad spec is reported", []string{"text:out.txt", "enter"}, "", "export: give FORMAT FILE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testModel(t, "onenet-set.pcap", 80, 24, false)
			t.Chdir(t.TempDir()) // the export writes relative to it
			typeKeys(m, "m", "e")
			if m.prompt != promptExport {
				t.Fatalf("e did not open the export prompt: %s", m.msg)
			}
			if v := m.input.Value(); v != "" {
				t.Errorf("the prompt opens with text %q, want none (the default is a placeholder)", v)
			}
			if line := ansi.Strip(m.promptLine()); !strings.Contains(line, def) {
				t.Errorf("prompt line %q does not show the default %q", line, def)
			}
			typeKeys(m, tt.keys...)
			if m.prompt != promptNone {
				t.Fatalf("the prompt is still open with %q", m.input.Value())
			}
			if !strings.HasPrefix(m.msg, tt.wantMsg) || (tt.wantMsg == "") != (m.msg == "") {
				t.Errorf("message %q, want it to start with %q", m.msg, tt.wantMsg)
			}
			files, _ := os.ReadDir(".")
			var names []string
			for _, f := range files {
				names = append(names, f.Name())
			}
			if want := tt.wantFile; (want == "" && len(names) > 0) || (want != "" && (len(names) != 1 || names[0] != want)) {
				t.Errorf("wrote %q, want %q", names, want)
			}
		})
	}
}
