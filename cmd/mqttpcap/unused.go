package main

import "fmt"

// A flag that does nothing where it is given is an error that says why, not
// a silent no-op: `-o out.txt` without --export-hex would leave the user
// looking for a file that was never written.

// flagSet says which flags the command line gave (cobra's Changed).
type flagSet func(name string) bool

// unusedFlag returns a usage error for the first of names the command line
// gave: "--NAME WHY", with the hints.
func (given flagSet) unusedFlag(why string, hints []string, names ...string) error {
	if given == nil {
		return nil
	}
	for _, n := range names {
		if given(n) {
			return usageErr(fmt.Errorf("%s %s", flagDisplay(n), why), hints...)
		}
	}
	return nil
}

// flagDisplay is how messages name a flag: "-o/--output", "--json".
func flagDisplay(name string) string {
	for _, s := range [...]struct{ short, long string }{{"o", "output"}, {"V", "detail"}, {"x", "hex"}, {"Y", "filter"}, {"p", "port"}, {"c", "count"}, {"w", "write"}, {"i", "interface"}} {
		if s.long == name {
			return "-" + s.short + "/--" + s.long
		}
	}
	return "--" + name
}

// checkOutputFlags rejects the output flags that do nothing together: what
// --json carries, what -V already shows.
func (o *outputOptions) checkFlags(given flagSet) error {
	if o.json {
		if err := given.unusedFlag("does nothing with --json: JSON lines carry every value whole, laid out for no width",
			nil, "full", "width"); err != nil {
			return err
		}
		if err := given.unusedFlag(`does nothing with --json: JSON lines have no summary (each connection ends with a "connection" line)`,
			nil, "no-summary"); err != nil {
			return err
		}
	}
	if o.detail {
		return given.unusedFlag("does nothing with -V: -V prints each packet's hexdump already", nil, "hex")
	}
	return nil
}

// checkFlags rejects the export flags without --export-hex, the list's
// flags with it, and the flags of one format given for another.
func (e *exportOptions) checkFlags(given flagSet) error {
	if e.format == "" {
		if err := given.unusedFlag("only applies to --export-hex and --format: without them, read prints the packet list on stdout",
			[]string{"to save the list: mqttpcap read FILE > list.txt; to export packets: mqttpcap read FILE --export-hex [at|at-plain|hex|hex-spaced|bin|c|fixture|go] -o FILE; for tables: mqttpcap read FILE --format parquet|csv -o DIR/"},
			"output"); err != nil {
			return err
		}
		return given.unusedFlag("only applies to --export-hex: without it, read prints the packet list on stdout",
			[]string{"to export packets: mqttpcap read FILE --export-hex [at|at-plain|hex|hex-spaced|bin|c|fixture|go] -o FILE"},
			"server", "server-port", "fix-length", "refresh-token", "expires", "ttl", "go-package")
	}
	if given != nil && given("redact") {
		return usageErr(fmt.Errorf("--redact cannot be used with --export-hex: an export is the packets' exact bytes, passwords included, for sending them again"),
			"to share packets without their secrets: mqttpcap read --redact --json FILE (or --hex, -V)")
	}
	if err := given.unusedFlag("does nothing with --export-hex: the export is written instead of the packet list",
		nil, "json", "detail", "hex", "no-summary", "full", "width"); err != nil {
		return err
	}
	if !namesServer(e.format) {
		if err := given.unusedFlag("only applies to --export-hex at and at-plain (the AT+CIPSTART line): the "+e.format+" format names no server",
			nil, "server", "server-port"); err != nil {
			return err
		}
	}
	if e.format != "go" {
		if err := given.unusedFlag("only applies to --export-hex go", nil, "go-package"); err != nil {
			return err
		}
	}
	return checkRefreshFlags(given, e.refresh)
}

// checkRefreshFlags rejects --expires and --ttl without --refresh-token, and
// both together.
func checkRefreshFlags(given flagSet, refresh bool) error {
	if !refresh {
		return given.unusedFlag("only applies with --refresh-token (the expiry of the new token)", nil, "expires", "ttl")
	}
	if given != nil && given("expires") && given("ttl") {
		return usageErr(fmt.Errorf("--expires and --ttl both give the new token's expiry: choose one"))
	}
	return nil
}

// namesServer says whether an export format names the server (the AT
// scripts' AT+CIPSTART line).
func namesServer(format string) bool { return format == "at" || format == "at-plain" }
