package docs

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestSection(t *testing.T) {
	for _, tt := range []struct{ n, first, notIn string }{
		{"2.3", "### 2.3 URL encoding", "### 2.4"},
		{"§2.6", "### 2.6 `res` forms", "### 2.7"},
		{"2", "## 2. Access token", "## 3."},
		{"8", "## 8. Unverified points", ""},
		{"7.2", "## 7. Decoder checklist", "3. OneJSON"},
	} {
		s, ok := Section(OneNET(), tt.n)
		if !ok || !strings.HasPrefix(s, tt.first) || tt.notIn != "" && strings.Contains(s, tt.notIn) {
			t.Errorf("Section(%q) = %v, starts %q", tt.n, ok, s[:min(len(s), 60)])
		}
	}
	if _, ok := Section(OneNET(), "9.9"); ok {
		t.Error("a section that does not exist was found")
	}
}

// Every section the module cites ("onenet.md §2.3" in a finding, a
// message or a comment) is in the shipped document: users read the
// citations in mqttpcap's output.
func TestCitedSectionsExist(t *testing.T) {
	cite := regexp.MustCompile(`onenet\.md §([0-9]+(\.[0-9]+)?)`)
	seen := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, ".md") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range cite.FindAllStringSubmatch(string(b), -1) {
			seen++
			if _, ok := Section(OneNET(), m[1]); !ok {
				t.Errorf("%s cites onenet.md §%s, which docs/onenet.md does not have", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 20 {
		t.Errorf("only %d citations found", seen)
	}
}
