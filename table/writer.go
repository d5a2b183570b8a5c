package table

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mqttpcap/mqttpcap/pipeline"
)

// Formats the tables can be written in.
const (
	CSV     = "csv"
	Parquet = "parquet"
)

// Options configure a Writer.
type Options struct {
	// Format is CSV or Parquet.
	Format string
	// Path is where the tables go. A directory (an existing one, one ending
	// in a slash, or any path with PartitionBy) gets packets.<ext> and
	// connections.<ext>; a file name gets the packets, and the connections
	// beside it (out.parquet and out.connections.parquet).
	Path string
	// PartitionBy "date" writes Hive-style partitions by the packet's (and
	// the connection's start) UTC date: <Path>/packets/date=2026-11-01/
	// <Name>.<ext>, so that a directory of many captures' tables is queried
	// as one (DuckDB's hive_partitioning, Spark's partition discovery).
	PartitionBy string
	// Name names the files inside partitions (default "part"): give each
	// capture its own (its base name) when several write to one directory.
	Name string
	// PerInput makes Path a directory in which each table has its own
	// directory, and this input's rows a file named Name in it:
	// <Path>/packets/<Name>.<ext>, as partitions are laid out without the
	// date. Several inputs (or processes, or machines) write into one
	// directory this way, and it is read as one table.
	PerInput bool
	// File is the capture's name, the file column of every row.
	File string
	// RowGroup is how many rows a Parquet row group holds (default 65,536):
	// the rows of one group are what is held in memory.
	RowGroup int
	// Filter, when set, chooses the packets and connections written (-Y).
	Filter func(*pipeline.Record) bool
}

// Writer writes the packet and connection tables from the pipeline's
// records. It implements pipeline.Sink, and pipeline.Sharder: each of the
// pipeline's workers builds the rows of its connections (NewShard), and
// the Writer writes them in record order (Output), so the files are the
// same, byte for byte, however many workers there are. Close finishes the
// files.
type Writer struct {
	opts  Options
	ext   string
	parts map[string]*partition // by partition value ("" when none)
	enc   *rowEncoder           // the rows of Record (no workers)
	dec   *rowDecoder
	// day is the UTC day of the last partitioned row: [dayStart, dayEnd)
	// in Unix nanoseconds, and its partition value.
	dayStart, dayEnd int64
	day              string
	// Files lists the files written, in the order they were created.
	Files []string
	// Packets and Connections count the rows written.
	Packets, Connections int64
}

// partition is the open table files of one partition.
type partition struct {
	packets     rowWriter[PacketRow]
	connections rowWriter[ConnectionRow]
}

// rowWriter writes the rows of one table to one file: the row is read
// into slot, then written by commit (without copying it: rows are large).
type rowWriter[T any] interface {
	slot() *T
	commit() error
	close() error
}

// NewWriter checks the options; files are created as rows come.
func NewWriter(o Options) (*Writer, error) {
	switch o.Format {
	case CSV, Parquet:
	default:
		return nil, fmt.Errorf("table format %q: want csv or parquet", o.Format)
	}
	switch o.PartitionBy {
	case "", "date":
	default:
		return nil, fmt.Errorf("partition by %q: only date is supported", o.PartitionBy)
	}
	if o.Path == "" {
		return nil, errors.New("tables need an output path (-o)")
	}
	if o.Name == "" {
		o.Name = "part"
	}
	if o.RowGroup <= 0 {
		o.RowGroup = 65536
	}
	return &Writer{opts: o, ext: "." + o.Format, parts: map[string]*partition{}, enc: newRowEncoder(o.File, o.Filter), dec: newRowDecoder()}, nil
}

// Record implements pipeline.Sink.
func (w *Writer) Record(r *pipeline.Record) error {
	w.enc.b = w.enc.b[:0]
	if !w.enc.record(r) {
		return nil
	}
	return w.Output(w.enc.b)
}

// NewShard implements pipeline.Sharder: a sink that builds the rows of a
// worker's records and writes them to w, for Output.
func (w *Writer) NewShard(out io.Writer) pipeline.Sink {
	return &shard{enc: newRowEncoder(w.opts.File, w.opts.Filter), w: out}
}

// Merge implements pipeline.Sharder: the rows are counted as written.
func (w *Writer) Merge(pipeline.Sink) {}

// Output implements pipeline.Sharder: it writes the rows of the messages
// in p.
func (w *Writer) Output(p []byte) error {
	d := w.dec
	d.b = p
	for len(d.b) > 0 {
		switch d.byte() {
		case msgPacket:
			// The partition is the packet's day: its time comes first.
			part, err := w.partition(w.dayOf(d.peekTime()))
			if err != nil {
				return err
			}
			d.packet(part.packets.slot())
			if d.bad {
				return errMessage
			}
			w.Packets++
			if err := part.packets.commit(); err != nil {
				return err
			}
		case msgConnection:
			part, err := w.partition(w.dayOf(d.peekTime()))
			if err != nil {
				return err
			}
			d.connection(part.connections.slot())
			if d.bad {
				return errMessage
			}
			w.Connections++
			if err := part.connections.commit(); err != nil {
				return err
			}
		default:
			return errMessage
		}
	}
	return nil
}

// dayOf is the partition value of a time: its UTC date when partitioning
// by date (formatted once a day of rows), else "".
func (w *Writer) dayOf(t time.Time) string {
	if w.opts.PartitionBy != "date" {
		return ""
	}
	if n := t.UnixNano(); n < w.dayStart || n >= w.dayEnd || w.day == "" {
		u := t.UTC()
		start := time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
		w.dayStart, w.dayEnd, w.day = start.UnixNano(), start.AddDate(0, 0, 1).UnixNano(), u.Format("2006-01-02")
	}
	return w.day
}

// shard builds the rows of one worker's records (Writer.NewShard).
type shard struct {
	enc *rowEncoder
	w   io.Writer
}

func (s *shard) Record(r *pipeline.Record) error {
	s.enc.b = s.enc.b[:0]
	if !s.enc.record(r) {
		return nil
	}
	_, err := s.w.Write(s.enc.b)
	return err
}

// Flush implements the CLI's sink: the files are finished by Close.
func (w *Writer) Flush() error { return w.Close() }

// Close finishes every file (a Parquet footer, buffered CSV lines). Without
// partitions, the two files are written even when no row came (a capture
// without MQTT): the tables are then empty, not missing.
func (w *Writer) Close() error {
	var errs []error
	if w.opts.PartitionBy == "" && len(w.parts) == 0 && w.Files == nil {
		if _, err := w.partition(""); err != nil {
			return err
		}
	}
	for _, key := range slices.Sorted(maps.Keys(w.parts)) {
		p := w.parts[key]
		errs = append(errs, p.packets.close(), p.connections.close())
	}
	w.parts = map[string]*partition{}
	return errors.Join(errs...)
}

// partition returns the files of a partition value (a date), creating
// them at first use.
func (w *Writer) partition(key string) (*partition, error) {
	if p := w.parts[key]; p != nil {
		return p, nil
	}
	packets, connections := w.paths(key)
	p := &partition{}
	var err error
	if p.packets, err = create[PacketRow](w, packets, "packets"); err != nil {
		return nil, err
	}
	if p.connections, err = create[ConnectionRow](w, connections, "connections"); err != nil {
		p.packets.close()
		return nil, err
	}
	w.parts[key] = p
	return p, nil
}

// paths are the files of the packet and connection tables of a partition.
func (w *Writer) paths(date string) (packets, connections string) {
	o := w.opts
	name := o.Name + w.ext
	if o.PartitionBy != "" {
		return filepath.Join(o.Path, "packets", "date="+date, name), filepath.Join(o.Path, "connections", "date="+date, name)
	}
	if o.PerInput {
		return filepath.Join(o.Path, "packets", name), filepath.Join(o.Path, "connections", name)
	}
	if st, err := os.Stat(o.Path); (err == nil && st.IsDir()) || strings.HasSuffix(o.Path, "/") {
		return filepath.Join(o.Path, "packets"+w.ext), filepath.Join(o.Path, "connections"+w.ext)
	}
	base := strings.TrimSuffix(o.Path, filepath.Ext(o.Path))
	return o.Path, base + ".connections" + w.ext
}

func create[T any](w *Writer, path, table string) (rowWriter[T], error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	w.Files = append(w.Files, path)
	if w.opts.Format == CSV {
		return newCSVFile[T](f, path, table)
	}
	return newParquetFile[T](f, table, w.opts.RowGroup), nil
}
