package table

import (
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"os"
	"strconv"
	"testing"
	"time"
)

// csvRows reads a CSV table as maps of column name to text, checking the
// header is the schema's columns in order.
func csvRows(t *testing.T, path string, cols []column) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 {
		t.Fatalf("%s: no header", path)
	}
	for i, c := range cols {
		if recs[0][i] != c.name {
			t.Fatalf("%s: column %d is %q, want %q", path, i, recs[0][i], c.name)
		}
	}
	var out []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, v := range rec {
			m[recs[0][i]] = v
		}
		out = append(out, m)
	}
	if _, err := os.Stat(path + ".schema.json"); err != nil {
		t.Errorf("no schema beside %s: %v", path, err)
	}
	return out
}

func readPacketsCSV(t *testing.T, path string) []PacketRow {
	var rows []PacketRow
	for _, m := range csvRows(t, path, packetColumns) {
		var r PacketRow
		r.Time = parseTime(t, m["time"])
		r.File, r.Frame, r.Stream = m["file"], atoi64(t, m["frame"]), int32(atoi64(t, m["stream"]))
		r.FileFrame = atoi64(t, m["file_frame"])
		r.Src, r.Dst, r.Direction, r.Type = m["src"], m["dst"], m["direction"], m["type"]
		r.Version, r.Flags, r.Length = optI32(t, m["version"]), int32(atoi64(t, m["flags"])), int32(atoi64(t, m["length"]))
		r.Topic, r.QoS, r.PacketID, r.ReasonCode = optS(m["topic"]), optI32(t, m["qos"]), optI32(t, m["packet_id"]), optI32(t, m["reason_code"])
		r.PayloadLength = optI32(t, m["payload_length"])
		if b, err := hex.DecodeString(m["payload"]); err == nil {
			r.Payload = b
		} else {
			t.Fatalf("payload %q: %v", m["payload"], err)
		}
		r.OneNETFunction = optS(m["onenet_function"])
		unmarshal(t, m["problems"], &r.Problems)
		unmarshal(t, m["user_properties"], &r.UserProperties)
		if m["properties"] != "" {
			unmarshal(t, m["properties"], &r.Properties)
		}
		rows = append(rows, r)
	}
	return rows
}

func readConnectionsCSV(t *testing.T, path string) []ConnectionRow {
	var rows []ConnectionRow
	for _, m := range csvRows(t, path, connectionColumns) {
		rows = append(rows, ConnectionRow{Stream: int32(atoi64(t, m["stream"])), Client: m["client"], Server: m["server"],
			BytesC2S: atoi64(t, m["bytes_client_to_server"]), BytesS2C: atoi64(t, m["bytes_server_to_client"]),
			EndReason: m["end"], Start: parseTime(t, m["start"]), File: m["file"], FirstFile: m["first_file"],
			FirstFileFrame: atoi64(t, m["first_file_frame"]), LastFileFrame: atoi64(t, m["last_file_frame"]),
			Transport: m["transport"]})
	}
	return rows
}

func parseTime(t *testing.T, s string) time.Time {
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("time %q: %v", s, err)
	}
	return tm
}

func atoi64(t *testing.T, s string) int64 {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("number %q: %v", s, err)
	}
	return v
}

func optI32(t *testing.T, s string) *int32 {
	if s == "" {
		return nil
	}
	v := int32(atoi64(t, s))
	return &v
}

func optS(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func unmarshal(t *testing.T, s string, v any) {
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("JSON %q: %v", s, err)
	}
}
