// Package docs embeds mqttpcap's documents so that the binary can show
// them: onenet.md is the OneNET reference whose sections the findings cite
// ("onenet.md §2.3"); `mqttpcap help onenet 2.3` prints one.
package docs

import (
	_ "embed"
	"strings"
)

//go:embed onenet.md
var onenet string

// OneNET returns onenet.md.
func OneNET() string { return onenet }

// Section returns section n ("2.3", "6", "§8") of a markdown document whose
// headings are numbered ("## 2. Access token", "### 2.3 URL encoding"):
// from its heading to the next heading of the same or a higher level. A
// section without subsection headings is cited by its numbered list items
// too: "7.2" is item 2 of §7's list when there is no heading 7.2.
func Section(doc, n string) (string, bool) {
	n = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(n), "§"), ".")
	if n == "" {
		return "", false
	}
	if s, ok := headedSection(doc, n); ok {
		return s, true
	}
	parent, item, ok := strings.Cut(n, ".")
	if !ok {
		return "", false
	}
	s, ok := headedSection(doc, parent)
	if !ok {
		return "", false
	}
	// The list item: from "item. " at the start of a line to the next
	// item, blank line or heading.
	lines := strings.SplitAfter(s, "\n")
	for i, line := range lines {
		if !strings.HasPrefix(line, item+". ") {
			continue
		}
		j := i + 1
		for j < len(lines) && strings.HasPrefix(lines[j], "   ") {
			j++
		}
		return lines[0] + "\n" + strings.Join(lines[i:j], ""), true
	}
	return "", false
}

// headedSection is the section under the heading numbered n.
func headedSection(doc, n string) (string, bool) {
	lines := strings.SplitAfter(doc, "\n")
	start, level := -1, 0
	for i, line := range lines {
		lv, num, ok := heading(line)
		switch {
		case !ok:
		case start < 0 && num == n:
			start, level = i, lv
		case start >= 0 && lv <= level:
			return strings.TrimRight(strings.Join(lines[start:i], ""), "\n-") + "\n", true
		}
	}
	if start < 0 {
		return "", false
	}
	return strings.TrimRight(strings.Join(lines[start:], ""), "\n") + "\n", true
}

// heading reads "### 2.3 URL encoding" as level 3, number "2.3".
func heading(line string) (level int, num string, ok bool) {
	for level < len(line) && line[level] == '#' {
		level++
	}
	if level == 0 || level >= len(line) || line[level] != ' ' {
		return 0, "", false
	}
	f := strings.Fields(line[level:])
	if len(f) == 0 {
		return level, "", true
	}
	return level, strings.TrimSuffix(f[0], "."), true
}
