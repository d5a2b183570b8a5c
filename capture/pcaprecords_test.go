package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// readAll reads every record of a capture in data, the way File.Next hands
// them out, with pcapRecords (inPlace) or pcapgo, into a transcript of the
// frames and the error that ended the reading.
func readAll(data []byte, inPlace bool) string {
	f, err := newReader(bytes.NewReader(data), "x.pcap", inPlace)
	if err != nil {
		return "open: " + err.Error()
	}
	var b strings.Builder
	for {
		d, ci, lt, err := f.Next()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				fmt.Fprintf(&b, "error: %v\n", err)
			}
			return b.String()
		}
		fmt.Fprintf(&b, "%s %d/%d if%d lt%d %x\n", ci.Timestamp.Format("2006-01-02T15:04:05.999999999Z07:00"),
			ci.CaptureLength, ci.Length, ci.InterfaceIndex, lt, d)
		if ci.Timestamp.Location() != time.UTC {
			b.WriteString("not UTC\n")
		}
	}
}

// The classic pcaps of the test data and the shared corpus, and every
// prefix of one: pcapRecords reads each as pcapgo does (frames, times,
// link types, and where and how a file cut short ends).
func TestPcapRecordsAsPcapgo(t *testing.T) {
	readsAsPcapgo(t, "pcap", 20, "onenet-esp8266-split.pcap")
}

// readsAsPcapgo reads the test data's and the shared corpus's captures
// named *.ext (at least least of them), and the first 3,000 prefixes of
// the test data's files named prefixesOf, in place and with pcapgo alone,
// and fails on the first difference.
func readsAsPcapgo(t *testing.T, ext string, least int, prefixesOf ...string) {
	t.Helper()
	paths, _ := filepath.Glob("../testdata/pcaps/*." + ext)
	corpus, _ := filepath.Glob("../../shared/corpus/pcaps/*." + ext)
	paths = append(paths, corpus...)
	if len(paths) < least {
		t.Fatalf("found %d captures", len(paths))
	}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if want, got := readAll(data, false), readAll(data, true); got != want {
			t.Errorf("%s: read\n%.2000s\nwant (pcapgo)\n%.2000s", path, got, want)
		}
	}
	for _, name := range prefixesOf {
		data, err := os.ReadFile("../testdata/pcaps/" + name)
		if err != nil {
			t.Fatal(err)
		}
		for n := range min(len(data), 3000) {
			if want, got := readAll(data[:n], false), readAll(data[:n], true); got != want {
				t.Fatalf("%s, the first %d bytes: read\n%s\nwant (pcapgo)\n%s", name, n, got, want)
			}
		}
	}
}

// Headers and records pcapgo refuses, in each byte order and resolution.
func TestPcapRecordsRefuseAsPcapgo(t *testing.T) {
	for _, magic := range [][]byte{magicPcapLE, magicPcapBE, magicPcapNsLE, magicPcapNsBE} {
		var order binary.AppendByteOrder = binary.LittleEndian
		if bytes.Equal(magic, magicPcapBE) || bytes.Equal(magic, magicPcapNsBE) {
			order = binary.BigEndian
		}
		header := func(major, minor uint16, snap, link uint32) []byte {
			h := append([]byte{}, magic...)
			h = order.AppendUint16(h, major)
			h = order.AppendUint16(h, minor)
			h = append(h, make([]byte, 8)...)
			h = order.AppendUint32(h, snap)
			return order.AppendUint32(h, link)
		}
		record := func(sec, frac, capLen, origLen uint32, data []byte) []byte {
			r := order.AppendUint32(nil, sec)
			r = order.AppendUint32(r, frac)
			r = order.AppendUint32(r, capLen)
			r = order.AppendUint32(r, origLen)
			return append(r, data...)
		}
		cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
		for name, file := range map[string][]byte{
			"major version":      header(3, 4, 65535, 1),
			"minor version":      header(2, 2, 65535, 1),
			"short header":       header(2, 4, 65535, 1)[:20],
			"ok":                 cat(header(2, 4, 65535, 1), record(1, 2, 3, 3, []byte("abc")), record(1<<31, 999999, 1, 60, []byte("d"))),
			"fcs link type":      cat(header(2, 4, 65535, 1|1<<28|1<<26), record(1, 2, 1, 1, []byte("a"))),
			"µs wrap":            cat(header(2, 4, 65535, 1), record(1, 4294967295, 1, 1, []byte("a"))),
			"over snap length":   cat(header(2, 4, 100, 1), record(1, 2, 262145, 262145, nil)),
			"over snap 2":        cat(header(2, 4, 300000, 1), record(1, 2, 300001, 300001, nil)),
			"big snap":           cat(header(2, 4, 3000000, 1), record(1, 2, 2000000, 2000000, bytes.Repeat([]byte{7}, 2000000))),
			"big snap cut":       cat(header(2, 4, 3000000, 1), record(1, 2, 2000000, 2000000, bytes.Repeat([]byte{7}, 1500000))),
			"over orig length":   cat(header(2, 4, 65535, 1), record(1, 2, 10, 9, make([]byte, 10))),
			"header only":        cat(header(2, 4, 65535, 1), record(1, 2, 10, 10, nil)),
			"half a header":      cat(header(2, 4, 65535, 1), record(1, 2, 10, 10, nil)[:7]),
			"data cut":           cat(header(2, 4, 65535, 1), record(1, 2, 10, 10, make([]byte, 4))),
			"empty record":       cat(header(2, 4, 65535, 1), record(1, 2, 0, 0, nil), record(3, 4, 1, 1, []byte{9})),
			"max length no snap": cat(header(2, 4, 0, 1), record(1, 2, 262144, 262144, make([]byte, 262144))),
		} {
			if want, got := readAll(file, false), readAll(file, true); got != want {
				t.Errorf("%x %s: read\n%.500s\nwant (pcapgo)\n%.500s", magic, name, got, want)
			}
		}
	}
}

// FuzzPcapRecords: any bytes after a pcap magic read as pcapgo reads them.
func FuzzPcapRecords(f *testing.F) {
	for _, name := range []string{"onenet-esp8266-split.pcap", "out-of-order.pcap", "cut-short.pcap"} {
		if data, err := os.ReadFile("../testdata/pcaps/" + name); err == nil {
			f.Add(data[:min(len(data), 4000)])
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 4 || !(bytes.HasPrefix(data, magicPcapLE) || bytes.HasPrefix(data, magicPcapBE) ||
			bytes.HasPrefix(data, magicPcapNsLE) || bytes.HasPrefix(data, magicPcapNsBE)) {
			return
		}
		if want, got := readAll(data, false), readAll(data, true); got != want {
			t.Fatalf("read\n%.2000s\nwant (pcapgo)\n%.2000s", got, want)
		}
	})
}
