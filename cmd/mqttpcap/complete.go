package main

import (
	"github.com/spf13/cobra"

	"github.com/mqttpcap/mqttpcap/export"
	"github.com/mqttpcap/mqttpcap/filter"
)

// Shell completion (mqttpcap completion bash|zsh|fish|powershell): flag
// values that are names complete to them, -Y to the filter's fields and
// values, and capture arguments to capture files.

// fixedValues completes a flag to the given values ("value\tdescription").
func fixedValues(values ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeFilter completes a -Y expression's last word.
func completeFilter(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	return filter.Complete(toComplete), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// captureFiles completes capture arguments to capture files (and
// folders: read and stats take several files and folders).
func captureFiles(_ *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	return []string{"pcap", "pcapng", "cap", "gz"}, cobra.ShellCompDirectiveFilterFileExt
}

var (
	exportFormatValues = exportFormatCompletions()
	mqttVersionValues  = []string{"3.1", "3.1.1", "5"}
	widthValues        = []string{"auto\tthe terminal's width", "0\tno limit", "80", "120"}
	methodValues       = []string{"md5", "sha1", "sha256"}
)

// exportFormatHelp describes each export format for the shell's
// completion menu.
var exportFormatHelp = map[string]string{
	"at":         "ESP8266 AT+CIPSEND script",
	"at-plain":   "AT commands only, to paste into a serial terminal",
	"hex":        "one packet per line",
	"hex-spaced": "one packet per line, bytes spaced",
	"bin":        "raw bytes, one file per packet",
	"c":          "C arrays with field comments",
	"fixture":    "encoder test fixtures (JSON)",
	"go":         "encoder test fixtures (a Go table)",
}

// exportFormatCompletions lists every export format (export.Formats),
// described.
func exportFormatCompletions() []string {
	var values []string
	for _, f := range export.Formats {
		values = append(values, f+"\t"+exportFormatHelp[f])
	}
	return values
}

// registerCompletions adds the completions of the flags cmd has.
func registerCompletions(cmd *cobra.Command) {
	for name, fn := range map[string]func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective){
		"export-hex":   fixedValues(exportFormatValues...),
		"format":       fixedValues(exportFormatValues...),
		"mqtt-version": fixedValues(mqttVersionValues...),
		"width":        fixedValues(widthValues...),
		"method":       fixedValues(methodValues...),
		"filter":       completeFilter,
		"partition-by": fixedValues("date\tone directory per UTC day (Hive-style: date=2026-11-01)"),
	} {
		if name == "format" && cmd.Name() == "read" {
			fn = fixedValues("parquet\tanalysis tables for DuckDB, Spark, pandas", "csv\tanalysis tables as CSV (with a .schema.json)")
		}
		if cmd.Flags().Lookup(name) != nil {
			_ = cmd.RegisterFlagCompletionFunc(name, fn)
		}
	}
}
