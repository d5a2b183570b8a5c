package ui

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden/ui")

// golden compares got with testdata/golden/ui/name (or rewrites it with
// -update), as cmd/mqttpcap's goldens do.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("..", "testdata", "golden", "ui", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./ui -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test ./ui -update rewrites it); got:\n%s", name, got)
	}
}

// testModel opens a test capture, read to its end, in a model of the
// given size.
func testModel(t *testing.T, capture string, w, h int, color bool) *model {
	t.Helper()
	ix := indexOf(t, capture)
	m := newModel(ix, Options{Name: capture, Source: capture, Color: color, Sync: true, Width: w, Height: h})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.refresh()
	return m
}

// keyMsg turns a key name ("j", "enter", "tab", "ctrl+c") into a key press.
func keyMsg(k string) tea.KeyPressMsg {
	special := map[string]rune{"enter": tea.KeyEnter, "tab": tea.KeyTab, "esc": tea.KeyEscape, "up": tea.KeyUp, "down": tea.KeyDown,
		"left": tea.KeyLeft, "right": tea.KeyRight, "backspace": tea.KeyBackspace, "pgdown": tea.KeyPgDown, "pgup": tea.KeyPgUp,
		"home": tea.KeyHome, "end": tea.KeyEnd, "space": tea.KeySpace}
	if c, ok := special[k]; ok {
		return tea.KeyPressMsg{Code: c}
	}
	if r, ok := strings.CutPrefix(k, "ctrl+"); ok {
		return tea.KeyPressMsg{Code: rune(r[0]), Mod: tea.ModCtrl}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// typeKeys sends each key name of keys; a "text:..." element types text.
func typeKeys(m *model, keys ...string) {
	for _, k := range keys {
		if text, ok := strings.CutPrefix(k, "text:"); ok {
			for _, r := range text {
				m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
			}
			continue
		}
		m.Update(keyMsg(k))
	}
}

// screen is the model's view, checked to fill the terminal exactly.
func screen(t *testing.T, m *model) string {
	t.Helper()
	s := m.View().Content
	lines := strings.Split(s, "\n")
	if len(lines) != m.h {
		t.Errorf("%d lines, want %d", len(lines), m.h)
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > m.w {
			t.Errorf("line %d is %d columns wide, over %d: %q", i+1, w, m.w, ansi.Strip(l))
		}
	}
	return s
}

// TestGoldenScreens checks the screens of the main views at 80×24 and
// 120×40, with and without colour.
func TestGoldenScreens(t *testing.T) {
	scenes := []struct {
		name, capture string
		keys          []string
	}{
		{"start", "onenet-esp8266.pcapng", nil},
		// A filter typed with a completion, then a field chosen in the tree
		// (its bytes highlighted), then the hexdump's cursor moved.
		{"filter", "onenet-esp8266.pcapng", []string{"f", "text:type == PUB", "tab", "enter", "tab", "j", "j"}},
		{"hex", "onenet-esp8266.pcapng", []string{"tab", "tab", "down", "right", "right"}},
		{"filter-error", "onenet-esp8266.pcapng", []string{"f", "text:type == && qos > 0"}},
		{"conns", "onenet-refused.pcap", []string{"c"}},
		{"flow", "onenet-post-reply.pcap", []string{"w"}},
		{"token", "onenet-expired.pcap", []string{"t"}},
		{"help", "onenet-esp8266.pcapng", []string{"?"}},
		// The help's last page (on 80×24 it does not fit one screen).
		{"help-end", "onenet-esp8266.pcapng", []string{"?", "G"}},
		{"marks", "onenet-esp8266.pcapng", []string{"m", "m", "j", "m", "p"}},
	}
	for _, sc := range scenes {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			for _, color := range []bool{false, true} {
				name := sc.name + "." + itoa(size[0]) + "x" + itoa(size[1])
				if color {
					name += ".color"
				}
				t.Run(name, func(t *testing.T) {
					m := testModel(t, sc.capture, size[0], size[1], color)
					typeKeys(m, sc.keys...)
					s := screen(t, m)
					if !color && strings.Contains(ansi.Strip(s), "\x1b") {
						t.Error("escape codes left")
					}
					if !color {
						// Without colour only attributes (reverse, bold)
						// remain: the golden is the text.
						if strings.Contains(s, "38;") || strings.Contains(s, "48;") {
							t.Error("colour codes without colour")
						}
						s = ansi.Strip(s)
					}
					golden(t, name+".txt", s)
				})
			}
		}
	}
}

func itoa(n int) string {
	b := []byte{}
	for n > 0 || len(b) == 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// TestTreeAndHexLinked checks the link both ways: a field selected in the
// tree highlights its bytes, and the hexdump's cursor selects the field of
// the byte under it.
func TestTreeAndHexLinked(t *testing.T) {
	m := testModel(t, "onenet-esp8266.pcapng", 120, 40, false)
	p := m.det.row.Packet
	typeKeys(m, "tab") // the tree
	for range 12 {
		typeKeys(m, "j")
	}
	f := p.Fields[m.det.field]
	if hl := m.det.highlight(); hl != f.Span && !(f.Span.Len == 0 && hl.Off == f.Span.Off) {
		t.Errorf("field %s: highlight %+v, want %+v", f.Name, hl, f.Span)
	}
	typeKeys(m, "tab") // the hexdump
	for range 4 {
		typeKeys(m, "right")
	}
	want := f.Span.Off + 4
	if m.det.hexOff != want {
		t.Fatalf("hex cursor at %d, want %d", m.det.hexOff, want)
	}
	if got := p.Fields[m.det.field]; want < got.Span.Off || want >= got.Span.Off+max(got.Span.Len, 1) {
		t.Errorf("byte %d selects %s %+v, which does not hold it", want, got.Name, got.Span)
	}
}

// TestLiveFollows checks that the list follows new rows in live mode, and
// stops following once the user moves off the last row.
func TestLiveFollows(t *testing.T) {
	full := indexOf(t, "onenet-esp8266.pcapng")
	ix, err := NewIndex(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	m := newModel(ix, Options{Live: true, Sync: true, Width: 80, Height: 24})
	feed := func(n int) {
		l := full.loader()
		for i := ix.Len(); i < n; i++ {
			r, err := l.row(i, false)
			if err != nil {
				t.Fatal(err)
			}
			ix.Record(&r.Record)
		}
		m.Update(tickMsg{})
	}
	feed(3)
	if m.sel != 2 {
		t.Fatalf("selected row %d, want the last (2)", m.sel)
	}
	feed(5)
	if m.sel != 4 {
		t.Fatalf("after more rows selected %d, want 4", m.sel)
	}
	typeKeys(m, "k")
	feed(7)
	if m.sel != 3 {
		t.Fatalf("scrolled away, yet the selection moved to %d", m.sel)
	}
	typeKeys(m, "G")
	feed(8)
	if m.sel != 7 {
		t.Fatalf("G did not follow again: selected %d", m.sel)
	}
}
