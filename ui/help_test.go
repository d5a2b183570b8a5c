package ui

import (
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// helpScreens opens the help and scrolls it a row at a time to its end,
// returning every screen shown (without colour).
func helpScreens(t *testing.T, m *model) []string {
	t.Helper()
	typeKeys(m, "?")
	var screens []string
	for range 200 {
		s := ansi.Strip(screen(t, m))
		if !m.help {
			t.Fatalf("the help closed while scrolling; the screen:\n%s", s)
		}
		screens = append(screens, s)
		if !strings.Contains(s, "more below") {
			return screens
		}
		typeKeys(m, "down")
	}
	t.Fatal("the help never reaches its end")
	return nil
}

// TestHelpReachesEveryKey checks that every key of the help can be read
// at the usual terminal sizes: each key is on some screen with the start
// of its description, nothing is cut short with "…", and where the help is
// one column each description is there whole.
func TestHelpReachesEveryKey(t *testing.T) {
	sizes := []struct {
		w, h      int
		oneColumn bool
	}{
		{80, 24, true},
		{100, 30, true},
		{120, 40, false},
		{200, 50, false},
		{60, 20, true},
	}
	keys := newKeyMap()
	for _, sz := range sizes {
		t.Run(itoa(sz.w)+"x"+itoa(sz.h), func(t *testing.T) {
			m := testModel(t, "onenet-esp8266.pcapng", sz.w, sz.h, false)
			screens := helpScreens(t, m)
			var bodies, flat []string
			for _, s := range screens {
				lines := strings.Split(s, "\n")
				body := lines[1 : len(lines)-2] // not the title bar, the prompt and the footer
				bodies = append(bodies, strings.Join(body, "\n"))
				for _, l := range body {
					if strings.Contains(l, "…") {
						t.Errorf("a line is cut short: %q", l)
					}
				}
				flat = append(flat, strings.Join(strings.Fields(strings.Join(body, " ")), " "))
			}
			for _, g := range keys.groups() {
				for _, b := range g.keys {
					k, desc := b.Help().Key, b.Help().Desc
					first := strings.Fields(desc)[0]
					start := regexp.MustCompile(`(^|\s)` + regexp.QuoteMeta(k) + ` +` + regexp.QuoteMeta(first))
					found := false
					for _, s := range bodies {
						found = found || start.MatchString(s)
					}
					if !found {
						t.Errorf("key %s (%s) is on no screen of the help", k, desc)
						continue
					}
					if !sz.oneColumn {
						continue
					}
					whole := false
					for _, s := range flat {
						whole = whole || strings.Contains(s, k+" "+desc)
					}
					if !whole {
						t.Errorf("key %s: %q is not whole on any screen", k, desc)
					}
				}
			}
		})
	}
}

// TestHelpKeys checks the keys of the help: the moving keys scroll it and
// leave it open, ?, esc and q close it (q without quitting), and ctrl+c
// quits.
func TestHelpKeys(t *testing.T) {
	tests := []struct {
		keys     []string
		open     bool
		top      int // the first row shown, -1: the last page
		wantQuit bool
	}{
		{[]string{"?"}, false, 0, false},
		{[]string{"esc"}, false, 0, false},
		{[]string{"q"}, false, 0, false},
		{[]string{"j", "j"}, true, 2, false},
		{[]string{"down", "up"}, true, 0, false},
		{[]string{"space"}, true, 19, false},
		{[]string{"pgdown", "pgup", "pgdown"}, true, 19, false},
		{[]string{"G"}, true, -1, false},
		{[]string{"G", "g"}, true, 0, false},
		{[]string{"f"}, true, 0, false}, // not the filter bar under the help
		{[]string{"ctrl+c"}, true, 0, true},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.keys, ","), func(t *testing.T) {
			m := testModel(t, "onenet-esp8266.pcapng", 80, 24, false)
			typeKeys(m, "?")
			var quit bool
			for _, k := range tt.keys {
				_, cmd := m.Update(keyMsg(k))
				if cmd != nil {
					_, quit = cmd().(tea.QuitMsg)
				}
			}
			if m.help != tt.open || quit != tt.wantQuit {
				t.Fatalf("help open %v, quit %v; want %v, %v", m.help, quit, tt.open, tt.wantQuit)
			}
			if m.prompt != promptNone {
				t.Error("a prompt opened under the help")
			}
			want := tt.top
			if want < 0 {
				want = len(m.helpRows()) - m.helpPage()
			}
			if tt.open && m.helpTop != want {
				t.Errorf("help scrolled to row %d, want %d", m.helpTop, want)
			}
		})
	}
}

// TestHelpWheel checks that the mouse wheel scrolls the help.
func TestHelpWheel(t *testing.T) {
	m := testModel(t, "onenet-esp8266.pcapng", 80, 24, false)
	typeKeys(m, "?")
	m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if !m.help || m.helpTop != 3 {
		t.Errorf("after the wheel: help open %v at row %d, want open at row 3", m.help, m.helpTop)
	}
}
