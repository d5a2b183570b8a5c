// Command testsummary reads `go test -json` on standard input and prints
// what `go test` prints without -v (package results, and the output of
// failing tests), then one line per skipped test with its reason, so that
// a skip is never silent. It exits 1 when a test or a build failed.
//
// With -require (what CI sets), a skip is a failure too, unless its reason
// matches -allow: in CI everything the tests need is installed, so a test
// that skipped did not run for a reason that must be fixed.
//
//	go test -json ./... | go run ./internal/testtools/testsummary [-require] [-allow REGEXP]
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

type test struct {
	out     strings.Builder
	skipped bool
}

func main() {
	require := flag.Bool("require", false, "fail when a test skipped (unless its reason matches -allow)")
	allow := flag.String("allow", "", "a regular expression: skips whose reason matches it are allowed under -require")
	flag.Parse()
	var allowRE *regexp.Regexp
	if *allow != "" {
		allowRE = regexp.MustCompile(*allow)
	}
	tests := map[string]*test{}
	var order []string
	failed := false
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 16<<20)
	for in.Scan() {
		var e event
		if err := json.Unmarshal(in.Bytes(), &e); err != nil {
			// Not JSON: a build error printed as text. Show it.
			fmt.Println(in.Text())
			continue
		}
		if e.Test == "" {
			if e.Action == "output" || e.Action == "build-output" {
				fmt.Print(e.Output)
			}
			if e.Action == "fail" || e.Action == "build-fail" {
				failed = true
			}
			continue
		}
		key := e.Package + " " + e.Test
		t := tests[key]
		if t == nil {
			t = &test{}
			tests[key] = t
			order = append(order, key)
		}
		switch e.Action {
		case "output":
			t.out.WriteString(e.Output)
		case "fail":
			failed = true
			fmt.Print(t.out.String())
		case "skip":
			t.skipped = true
		}
	}
	var skips []string
	bad := 0
	for _, key := range order {
		t := tests[key]
		if !t.skipped {
			continue
		}
		reason := skipReason(t.out.String())
		line := key + ": " + reason
		if *require && (allowRE == nil || !allowRE.MatchString(reason)) {
			line += "  <- not allowed in CI"
			bad++
		}
		skips = append(skips, line)
	}
	sort.Strings(skips)
	if len(skips) > 0 {
		fmt.Printf("\n%d test(s) skipped:\n", len(skips))
		for _, s := range skips {
			fmt.Println("  " + s)
		}
	} else {
		fmt.Println("\nno test skipped")
	}
	if bad > 0 {
		fmt.Printf("%d skip(s) are not allowed here: everything the tests need should be installed (see .ci/run)\n", bad)
		failed = true
	}
	if failed {
		os.Exit(1)
	}
}

// skipReason is the message a test gave t.Skip, from its output.
func skipReason(out string) string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "=== ") || strings.HasPrefix(l, "--- SKIP") {
			continue
		}
		lines = append(lines, l)
	}
	if len(lines) == 0 {
		return "(no reason given)"
	}
	return strings.Join(lines, " ")
}
