package table

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/internal/testutil/pcapsplit"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/report"
)

// jsonPacket is what the comparison reads of a `read --json` packet line.
type jsonPacket struct {
	Kind     string `json:"kind"`
	Frame    int64  `json:"frame"`
	Stream   *int32 `json:"stream"`
	Src, Dst string
	Version  *int32 `json:"version"`
	Type     string `json:"type"`
	Flags    int32  `json:"flags"`
	Length   int32  `json:"length"`
	Fields   struct {
		Topic      *string        `json:"topic"`
		AliasTopic *string        `json:"alias_topic"`
		QoS        *int32         `json:"qos"`
		PacketID   *int32         `json:"packet_id"`
		PayloadHex *string        `json:"payload_hex"`
		ReasonCode *int32         `json:"reason_code"`
		ReturnCode *int32         `json:"return_code"`
		Properties map[string]any `json:"properties"`
	} `json:"fields"`
	Problems []struct {
		Code string `json:"code"`
	} `json:"problems"`
	OneNET *struct {
		Topic *struct {
			Function string `json:"function"`
		} `json:"topic"`
	} `json:"onenet"`
	Transport string `json:"transport"` // a connection's
	// With several inputs
	File           *string `json:"file"`
	FileFrame      *int64  `json:"file_frame"`
	FirstFrame     int64   `json:"first_frame"`
	FirstFile      *string `json:"first_file"`
	FirstFileFrame *int64  `json:"first_file_frame"`
	// connection lines
	Client string `json:"client"`
	Server string `json:"server"`
	Bytes  struct {
		Client, Server int64
	} `json:"bytes"`
	End string `json:"end"`
}

// The tables read back equal `read --json` of the same capture, field by
// field, for every test capture: Parquet read with parquet-go, CSV with
// encoding/csv (issue 14). Read as one of several inputs (the CLI's
// pipeline.Options.File), every row names its file as the JSON lines do.
func TestTablesEqualJSON(t *testing.T) {
	captures, _ := filepath.Glob("../testdata/pcaps/*.pcap*")
	if len(captures) == 0 {
		t.Fatal("no test captures")
	}
	for _, path := range captures {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			for _, several := range []bool{false, true} {
				in := input{open: func() (capture.Source, error) { return capture.OpenFile(path) }}
				if several {
					in.opts.File = path
				}
				compareTables(t, in, name)
			}
		})
	}
}

// The tables of a capture cut into three files and read as one (--merge:
// pipeline.Options.Origins) equal its JSON lines, each row naming the part
// its frame is in and the frame's number there, as the JSON does.
func TestTablesEqualJSONMerged(t *testing.T) {
	for _, name := range []string{"mosquitto-v311.pcap", "mosquitto-v5.pcapng", "onenet-post-reply.pcap", "gap-lost-segment.pcap"} {
		t.Run(name, func(t *testing.T) {
			parts, err := pcapsplit.Split(filepath.Join("../testdata/pcaps", name), t.TempDir(), 3)
			if err != nil {
				t.Fatal(err)
			}
			var m *capture.Merged
			in := input{open: func() (capture.Source, error) {
				var files []*capture.File
				for _, p := range parts {
					f, err := capture.OpenFile(p)
					if err != nil {
						return nil, err
					}
					files = append(files, f)
				}
				m = capture.Merge(files)
				return m, nil
			}, origins: func() pipeline.Origins { return m }}
			compareTables(t, in, "")
		})
	}
}

// input is what a test reads: a source, opened anew for each run, and the
// pipeline options that name its files.
type input struct {
	open    func() (capture.Source, error)
	origins func() pipeline.Origins
	opts    pipeline.Options
}

// compareTables writes the tables of an input in both formats and compares
// them with its JSON lines. file is the file column when records name no
// file.
func compareTables(t *testing.T, in input, file string) {
	t.Helper()
	files := in.opts.File != "" || in.origins != nil
	want := readJSON(t, in, files)
	dir := t.TempDir()
	for _, format := range []string{Parquet, CSV} {
		w, err := NewWriter(Options{Format: format, Path: dir + "/" + format + "/", File: file})
		if err != nil {
			t.Fatal(err)
		}
		run(t, in, w)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		var packets []PacketRow
		var conns []ConnectionRow
		if format == Parquet {
			packets = readParquet[PacketRow](t, filepath.Join(dir, format, "packets.parquet"))
			conns = readParquet[ConnectionRow](t, filepath.Join(dir, format, "connections.parquet"))
		} else {
			packets = readPacketsCSV(t, filepath.Join(dir, format, "packets.csv"))
			conns = readConnectionsCSV(t, filepath.Join(dir, format, "connections.csv"))
		}
		comparePackets(t, format, want, packets, file)
		compareConnections(t, format, want, conns, file)
	}
}

func run(t *testing.T, in input, sink pipeline.Sink) {
	t.Helper()
	src, err := in.open()
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	opts := pipeline.DefaultOptions()
	opts.File = in.opts.File
	if in.origins != nil {
		opts.Origins = in.origins()
	}
	if err := pipeline.New(opts, sink).Run(context.Background(), src); err != nil && !isCut(err) {
		t.Fatal(err)
	}
}

func isCut(err error) bool {
	return err != nil && bytes.Contains([]byte(err.Error()), []byte("cut short"))
}

func readJSON(t *testing.T, in input, files bool) []jsonPacket {
	t.Helper()
	var buf bytes.Buffer
	j := report.NewJSONLines(&buf)
	j.Files = files
	run(t, in, j)
	j.Flush()
	var out []jsonPacket
	sc := bufio.NewScanner(&buf)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var kind struct{ Kind string }
		if err := json.Unmarshal(sc.Bytes(), &kind); err != nil {
			t.Fatal(err)
		}
		if kind.Kind != "mqtt" && kind.Kind != "connection" {
			continue
		}
		var p jsonPacket
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func readParquet[T any](t *testing.T, path string) []T {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := pf.Lookup("mqttpcap.schema_version"); !ok || v != SchemaVersion {
		t.Errorf("%s: schema version %q in the metadata, want %q", path, v, SchemaVersion)
	}
	rows, err := parquet.Read[T](f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func comparePackets(t *testing.T, format string, want []jsonPacket, got []PacketRow, file string) {
	t.Helper()
	var packets []jsonPacket
	for _, p := range want {
		if p.Kind == "mqtt" {
			packets = append(packets, p)
		}
	}
	if len(got) != len(packets) {
		t.Fatalf("%s: %d packet rows, want %d (the JSON's packets)", format, len(got), len(packets))
	}
	for i, w := range packets {
		g := got[i]
		where := fmt.Sprintf("%s packet %d (frame %d)", format, i, w.Frame)
		eq := func(field string, gotV, wantV any) {
			t.Helper()
			if fmt.Sprint(gotV) != fmt.Sprint(wantV) {
				t.Errorf("%s: %s = %v, want %v", where, field, gotV, wantV)
			}
		}
		wantFile, wantFrame := file, w.Frame
		if w.File != nil {
			wantFile, wantFrame = filepath.Base(*w.File), *w.FileFrame
		}
		eq("file", g.File, wantFile)
		eq("file_frame", g.FileFrame, wantFrame)
		eq("frame", g.Frame, w.Frame)
		eq("stream", ptr(&g.Stream), ptr(w.Stream))
		eq("src", g.Src, w.Src)
		eq("dst", g.Dst, w.Dst)
		eq("version", ptr(g.Version), ptr(w.Version))
		eq("type", g.Type, w.Type)
		eq("flags", g.Flags, w.Flags)
		eq("length", g.Length, w.Length)
		if w.Type == "PUBLISH" {
			topic := w.Fields.Topic
			if w.Fields.AliasTopic != nil && (topic == nil || *topic == "") {
				topic = w.Fields.AliasTopic // the table has the alias resolved
			}
			eq("topic", ptr(g.Topic), ptr(topic))
			eq("qos", ptr(g.QoS), ptr(w.Fields.QoS))
			var payload any = "<null>"
			if g.PayloadLength != nil {
				payload = hex.EncodeToString(g.Payload)
			}
			eq("payload", payload, ptr(w.Fields.PayloadHex))
		}
		eq("packet_id", ptr(g.PacketID), ptr(w.Fields.PacketID))
		code := w.Fields.ReasonCode
		if code == nil {
			code = w.Fields.ReturnCode
		}
		if code != nil {
			eq("reason_code", ptr(g.ReasonCode), ptr(code))
		}
		var problems []string
		for _, pr := range w.Problems {
			problems = append(problems, pr.Code)
		}
		if !slices.Equal(g.Problems, problems) {
			t.Errorf("%s: problems %v, want %v", where, g.Problems, problems)
		}
		for name, v := range w.Fields.Properties {
			switch name {
			case "user_properties":
				eq("user_properties", len(g.UserProperties), len(v.([]any)))
			case "subscription_identifiers":
				eq(name, g.Properties[name], joinNumbers(v.([]any)))
			default:
				eq("property "+name, g.Properties[name], v)
			}
		}
		var fn any = "<null>"
		if w.OneNET != nil && w.OneNET.Topic != nil {
			fn = w.OneNET.Topic.Function
		}
		eq("onenet_function", ptr(g.OneNETFunction), fn)
	}
}

func compareConnections(t *testing.T, format string, want []jsonPacket, got []ConnectionRow, file string) {
	t.Helper()
	var conns []jsonPacket
	for _, p := range want {
		if p.Kind == "connection" {
			conns = append(conns, p)
		}
	}
	if len(got) != len(conns) {
		t.Fatalf("%s: %d connection rows, want %d", format, len(got), len(conns))
	}
	for i, w := range conns {
		g := got[i]
		if g.Stream != *w.Stream || g.Client != w.Client || g.Server != w.Server || g.BytesC2S != w.Bytes.Client ||
			g.BytesS2C != w.Bytes.Server || g.EndReason != w.End {
			t.Errorf("%s connection %d: %+v, want %+v", format, i, g, w)
		}
		if wantTransport := cmp.Or(w.Transport, "tcp"); g.Transport != wantTransport {
			t.Errorf("%s connection %d: transport %q, want %q", format, i, g.Transport, wantTransport)
		}
		wantFile, wantFirst, wantFrame, wantFirstFrame := file, file, w.Frame, w.FirstFrame
		if w.File != nil {
			wantFile, wantFirst = filepath.Base(*w.File), filepath.Base(*w.FirstFile)
			wantFrame, wantFirstFrame = *w.FileFrame, *w.FirstFileFrame
		}
		if g.File != wantFile || g.FirstFile != wantFirst || g.LastFileFrame != wantFrame || g.FirstFileFrame != wantFirstFrame {
			t.Errorf("%s connection %d: file %s first_file %s frames %d %d, want %s %s %d %d", format, i,
				g.File, g.FirstFile, g.FirstFileFrame, g.LastFileFrame, wantFile, wantFirst, wantFirstFrame, wantFrame)
		}
	}
}

func ptr[T any](p *T) any {
	if p == nil {
		return "<null>"
	}
	return *p
}

func joinNumbers(v []any) string {
	var b []byte
	for i, n := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendFloat(b, n.(float64), 'f', -1, 64)
	}
	return string(b)
}

// The tables are the same, byte for byte, whether the rows are built on
// one goroutine or by four workers (Writer as a pipeline.Sharder), in
// both formats and with partitions.
func TestTablesSameOnEveryWorker(t *testing.T) {
	captures, _ := filepath.Glob("../testdata/pcaps/*.pcap*")
	for _, path := range captures {
		name := filepath.Base(path)
		for _, format := range []string{Parquet, CSV} {
			for _, part := range []string{"", "date"} {
				dirs := map[int]string{}
				for _, workers := range []int{0, 1, 4} {
					dir := t.TempDir()
					w, err := NewWriter(Options{Format: format, Path: dir + "/", PartitionBy: part, Name: name, File: name})
					if err != nil {
						t.Fatal(err)
					}
					src, err := capture.OpenFile(path)
					if err != nil {
						t.Fatal(err)
					}
					opts := pipeline.DefaultOptions()
					opts.Parallel, opts.Workers = workers > 0, workers
					if err := pipeline.New(opts, w).Run(context.Background(), src); err != nil && !isCut(err) {
						t.Fatal(err)
					}
					src.Close()
					if err := w.Close(); err != nil {
						t.Fatal(err)
					}
					dirs[workers] = dir
				}
				one := treeBytes(t, dirs[0])
				if len(one) == 0 && part == "" {
					t.Errorf("%s %s: no files written", name, format)
				}
				for _, workers := range []int{1, 4} {
					got := treeBytes(t, dirs[workers])
					if !maps.EqualFunc(one, got, bytes.Equal) {
						t.Errorf("%s %s partition %q: the files with %d workers differ from those without", name, format, part, workers)
					}
				}
			}
		}
	}
}

// treeBytes reads every file under dir, by its path relative to dir.
func treeBytes(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		out[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
