package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/table"
)

// tableOptions are the flags of `read --format csv|parquet -o PATH`: the
// analysis tables (docs/tables.md) instead of the packet list. -o is the
// export's flag (exportOptions.output), shared: it says where either goes.
type tableOptions struct {
	format      string // csv, parquet; "" = no tables
	partitionBy string
}

var tableFormats = []string{table.CSV, table.Parquet}

func (t *tableOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&t.format, "format", "", "write the packets and connections as analysis tables instead of the list: csv or parquet, to -o PATH (docs/tables.md)")
	f.StringVar(&t.partitionBy, "partition-by", "", `with --format: write the tables in Hive-style partitions by UTC day ("date"): PATH/packets/date=2026-11-01/...`)
}

// checkFlags validates the table flags against the others: --format
// needs -o and excludes --export-hex and the list's flags; --partition-by
// needs --format.
func (t *tableOptions) checkFlags(given flagSet, export *exportOptions) error {
	if t.format == "" {
		return given.unusedFlag("only applies to --format (the analysis tables)", nil, "partition-by")
	}
	if !slices.Contains(tableFormats, t.format) {
		var hints []string
		if slices.Contains(exportFormats, t.format) {
			hints = append(hints, "to export packets as "+t.format+": mqttpcap read FILE --export-hex "+t.format)
		}
		return usageErr(fmt.Errorf("--format: %q is not a table format (csv, parquet)", t.format), hints...)
	}
	if t.partitionBy != "" && t.partitionBy != "date" {
		return usageErr(fmt.Errorf("--partition-by: %q is not a partitioning (date)", t.partitionBy))
	}
	if export.format != "" {
		return usageErr(errors.New("--format and --export-hex cannot be used together: --format writes analysis tables, --export-hex the packets' bytes"))
	}
	if export.output == "" || export.output == "-" {
		return usageErr(fmt.Errorf("--format %s writes files (a packets and a connections table): give where with -o PATH", t.format),
			"-o tables/ writes tables/packets."+t.format+" and tables/connections."+t.format+"; -o out."+t.format+" writes out."+t.format+" and out.connections."+t.format)
	}
	if err := given.unusedFlag("does nothing with --format: the tables are written instead of the packet list",
		nil, "json", "detail", "hex", "no-summary", "full", "width"); err != nil {
		return err
	}
	return given.unusedFlag("only applies to --export-hex", nil, "server", "server-port", "fix-length", "refresh-token", "expires", "ttl", "go-package")
}

// tableWriter is the sink of --format: the tables of one run (one input,
// or several merged). name is the input's base name, which names its
// files in a partitioned or per-input layout; perInput puts each table in
// its own directory (several independent inputs writing into one).
func (t *tableOptions) writer(path, name, file string, perInput bool, match func(*pipeline.Record) bool) (*table.Writer, error) {
	w, err := table.NewWriter(table.Options{Format: t.format, Path: path, PartitionBy: t.partitionBy, Name: name,
		PerInput: perInput, File: file, Filter: match})
	if err != nil {
		return nil, usageErr(fmt.Errorf("--format: %w", err))
	}
	return w, nil
}

// tableSink is a table writer as the CLI's sink: Flush finishes the files
// and says what was written on stderr.
type tableSink struct {
	*table.Writer
	ios    *ioStreams
	prefix string // "mqttpcap: " or "mqttpcap: a.pcap: "
}

func (s *tableSink) Flush() error {
	if err := s.Writer.Close(); err != nil {
		return withCode(exitError, fmt.Errorf("writing the tables: %w", err))
	}
	files := s.Writer.Files
	if len(files) == 0 {
		fmt.Fprintf(s.ios.ErrOut, "%sno MQTT packet or connection: no table written\n", s.prefix)
		return nil
	}
	list := strings.Join(files, ", ")
	if len(files) > 4 {
		list = fmt.Sprintf("%d files in %s", len(files), filepath.Clean(commonDir(files)))
	}
	fmt.Fprintf(s.ios.ErrOut, "%swrote %s and %s: %s\n", s.prefix, plural(int(s.Writer.Packets), "packet"), plural(int(s.Writer.Connections), "connection"), list)
	return nil
}

// commonDir is the longest directory all paths are in.
func commonDir(paths []string) string {
	dir := filepath.Dir(paths[0])
	for _, p := range paths[1:] {
		for !strings.HasPrefix(p, dir+string(filepath.Separator)) && dir != "." && dir != string(filepath.Separator) {
			dir = filepath.Dir(dir)
		}
	}
	return dir
}
