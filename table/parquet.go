package table

import (
	"os"

	"github.com/parquet-go/parquet-go"
)

// parquetFile writes one table as Parquet: rows are buffered a few
// thousand at a time and handed to parquet-go, which closes a row group
// every rowGroup rows, so memory holds one row group, whatever the
// capture's length. Columns are Snappy-compressed (what DuckDB, Spark and
// pandas read without options); the schema version and the table's name
// are in the file's key-value metadata.
type parquetFile[T any] struct {
	f   *os.File
	w   *parquet.GenericWriter[T]
	buf []T
}

// writeBatch is how many rows are handed to parquet-go at once.
const writeBatch = 1024

func newParquetFile[T any](f *os.File, table string, rowGroup int) *parquetFile[T] {
	w := parquet.NewGenericWriter[T](f,
		parquet.Compression(&parquet.Snappy),
		parquet.MaxRowsPerRowGroup(int64(rowGroup)),
		// A payload's min and max say nothing (binary data) and cost a
		// comparison of every payload: no bounds for that column.
		parquet.SkipPageBounds("payload"),
		parquet.CreatedBy("mqttpcap", "", ""),
		parquet.KeyValueMetadata("mqttpcap.schema_version", SchemaVersion),
		parquet.KeyValueMetadata("mqttpcap.table", table))
	return &parquetFile[T]{f: f, w: w, buf: make([]T, 0, writeBatch)}
}

// slot is where the next row is read: the batch's next row (a row read
// there is reset first).
func (p *parquetFile[T]) slot() *T {
	return &p.buf[:len(p.buf)+1][len(p.buf)]
}

func (p *parquetFile[T]) commit() error {
	p.buf = p.buf[:len(p.buf)+1]
	if len(p.buf) < writeBatch {
		return nil
	}
	return p.flush()
}

// flush hands the batch to parquet-go, which copies the values: the rows
// are read over by the next batch.
func (p *parquetFile[T]) flush() error {
	_, err := p.w.Write(p.buf)
	p.buf = p.buf[:0]
	return err
}

func (p *parquetFile[T]) close() error {
	err := p.flush()
	if cerr := p.w.Close(); err == nil {
		err = cerr
	}
	if cerr := p.f.Close(); err == nil {
		err = cerr
	}
	return err
}
