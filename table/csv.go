package table

import (
	"bufio"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"time"
)

// csvFile writes one table as CSV: a header of the column names (the
// Parquet names), then one line per row. Null is an empty field, times are
// RFC 3339 in UTC with microseconds, payloads hex, lists and maps JSON.
// CSV has no metadata: the schema version and the columns' types are in
// <file>.schema.json beside it.
type csvFile[T any] struct {
	f      *os.File
	bw     *bufio.Writer
	w      *csv.Writer
	fields []string
	format func(*T, []string) []string
	row    T
}

func newCSVFile[T any](f *os.File, path, table string) (*csvFile[T], error) {
	c := &csvFile[T]{f: f, bw: bufio.NewWriterSize(f, 256<<10)}
	c.w = csv.NewWriter(c.bw)
	var cols []column
	switch any(new(T)).(type) {
	case *PacketRow:
		cols = packetColumns
		c.format = func(r *T, out []string) []string { return packetCSV(any(r).(*PacketRow), out) }
	case *ConnectionRow:
		cols = connectionColumns
		c.format = func(r *T, out []string) []string { return connectionCSV(any(r).(*ConnectionRow), out) }
	}
	header := make([]string, len(cols))
	for i, col := range cols {
		header[i] = col.name
	}
	if err := writeSchema(path+".schema.json", table, cols); err != nil {
		f.Close()
		return nil, err
	}
	return c, c.w.Write(header)
}

func (c *csvFile[T]) slot() *T { return &c.row }

func (c *csvFile[T]) commit() error {
	c.fields = c.format(&c.row, c.fields[:0])
	return c.w.Write(c.fields)
}

func (c *csvFile[T]) close() error {
	c.w.Flush()
	err := c.w.Error()
	if ferr := c.bw.Flush(); err == nil {
		err = ferr
	}
	if cerr := c.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// column is a table column as docs/tables.md and the .schema.json give it.
type column struct {
	name, typ string
}

var packetColumns = []column{
	{"time", "timestamp"}, {"file", "string"}, {"frame", "int64"}, {"stream", "int32"}, {"interface", "int32"},
	{"src", "string"}, {"dst", "string"}, {"direction", "string"}, {"version", "int32?"}, {"version_inferred", "bool"},
	{"type", "string"}, {"flags", "int32"}, {"length", "int32"}, {"truncated", "bool"}, {"client_id", "string?"},
	{"username", "string?"}, {"topic", "string?"}, {"qos", "int32?"}, {"retain", "bool?"}, {"dup", "bool?"},
	{"packet_id", "int32?"}, {"payload_length", "int32?"}, {"payload", "bytes? (hex)"}, {"reason_code", "int32?"},
	{"reason_name", "string?"}, {"reason_codes", "list<int32> (JSON)"}, {"properties", "map<string,string>? (JSON)"},
	{"user_properties", "list<{key,value}> (JSON)"}, {"problems", "list<string> (JSON)"}, {"onenet_function", "string?"},
	{"onenet_id", "string?"}, {"onenet_code", "int32?"}, {"onenet_latency_ms", "double?"}, {"file_frame", "int64"},
}

var connectionColumns = []column{
	{"file", "string"}, {"stream", "int32"}, {"interface", "int32"}, {"client", "string"}, {"server", "string"},
	{"start", "timestamp"}, {"time", "timestamp"}, {"duration_ms", "double"}, {"first_frame", "int64"},
	{"last_frame", "int64"}, {"version", "int32?"}, {"tls", "bool"}, {"client_id", "string?"}, {"username", "string?"},
	{"keep_alive", "int32?"}, {"max_client_silence_ms", "double?"}, {"connack_code", "int32?"},
	{"login_refused", "bool?"}, {"packets_client_to_server", "int64"}, {"packets_server_to_client", "int64"},
	{"bytes_client_to_server", "int64"}, {"bytes_server_to_client", "int64"}, {"end", "string"},
	{"closed_client", "string"}, {"closed_server", "string"}, {"onenet_verdict", "string?"},
	{"onenet_reasons", "list<string> (JSON)"}, {"first_file", "string"}, {"first_file_frame", "int64"}, {"last_file_frame", "int64"},
	{"transport", "string"},
}

func packetCSV(r *PacketRow, out []string) []string {
	return append(out, csvTime(r.Time), r.File, itoa(r.Frame), itoa(int64(r.Stream)), itoa(int64(r.Interface)),
		r.Src, r.Dst, r.Direction, optInt(r.Version), strconv.FormatBool(r.VersionInferred),
		r.Type, itoa(int64(r.Flags)), itoa(int64(r.Length)), strconv.FormatBool(r.Truncated), optStr(r.ClientID),
		optStr(r.Username), optStr(r.Topic), optInt(r.QoS), optBool(r.Retain), optBool(r.Dup),
		optInt(r.PacketID), optInt(r.PayloadLength), optBytes(r.Payload, r.PayloadLength != nil), optInt(r.ReasonCode),
		optStr(r.ReasonName), jsonText(r.ReasonCodes), jsonMap(r.Properties),
		jsonText(r.UserProperties), jsonText(r.Problems), optStr(r.OneNETFunction),
		optStr(r.OneNETID), optInt(r.OneNETCode), optFloat(r.OneNETLatencyMS), itoa(r.FileFrame))
}

func connectionCSV(r *ConnectionRow, out []string) []string {
	return append(out, r.File, itoa(int64(r.Stream)), itoa(int64(r.Interface)), r.Client, r.Server,
		csvTime(r.Start), csvTime(r.Time), ftoa(r.DurationMS), itoa(r.FirstFrame),
		itoa(r.LastFrame), optInt(r.Version), strconv.FormatBool(r.TLS), optStr(r.ClientID), optStr(r.Username),
		optInt(r.KeepAlive), optFloat(r.MaxSilenceMS), optInt(r.ConnackCode),
		optBool(r.LoginRefused), itoa(r.PacketsC2S), itoa(r.PacketsS2C),
		itoa(r.BytesC2S), itoa(r.BytesS2C), r.EndReason,
		r.ClosedByClient, r.ClosedByServer, optStr(r.Verdict),
		jsonText(r.VerdictReasons), r.FirstFile, itoa(r.FirstFileFrame), itoa(r.LastFileFrame),
		r.Transport)
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

func itoa(v int64) string     { return strconv.FormatInt(v, 10) }
func ftoa(v float64) string   { return strconv.FormatFloat(v, 'f', -1, 64) }
func optStr(s *string) string { return deref(s, func(v string) string { return v }) }
func optInt(v *int32) string  { return deref(v, func(v int32) string { return itoa(int64(v)) }) }
func optBool(v *bool) string  { return deref(v, strconv.FormatBool) }
func optFloat(v *float64) string {
	return deref(v, ftoa)
}

func deref[T any](p *T, f func(T) string) string {
	if p == nil {
		return ""
	}
	return f(*p)
}

// optBytes is the payload as hex; an empty payload is empty, as null is:
// payload_length tells them apart.
func optBytes(b []byte, present bool) string {
	if !present {
		return ""
	}
	return hex.EncodeToString(b)
}

// jsonText is a list as JSON ("[]" when empty, so that DuckDB reads a
// list, not null).
func jsonText[T any](v []T) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func jsonMap(m map[string]string) string {
	if m == nil {
		return ""
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// writeSchema writes the .schema.json of a CSV file.
func writeSchema(path, table string, cols []column) error {
	type col struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	doc := struct {
		SchemaVersion string `json:"schema_version"`
		Table         string `json:"table"`
		Columns       []col  `json:"columns"`
		Notes         string `json:"notes"`
	}{SchemaVersion: SchemaVersion, Table: table,
		Notes: "written by mqttpcap; a ? marks a nullable column (empty in CSV); docs/tables.md describes every column"}
	for _, c := range cols {
		doc.Columns = append(doc.Columns, col{c.name, strings.TrimSpace(c.typ)})
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
