package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// readPathDeadline is how long one fuzz input may take through the read
// path (inputs are at most a few hundred KB: milliseconds).
const readPathDeadline = 10 * time.Second

// readPathModes are the command lines FuzzReadPath runs a capture through:
// every output of the read path.
var readPathModes = [][]string{
	{"read", "-"},
	{"read", "-V", "-"},
	{"read", "--hex", "--width", "80", "-"},
	{"read", "--json", "-"},
	{"read", "--redact", "--full", "-"},
	{"stats", "-"},
	{"stats", "--json", "-"},
	{"read", "--export-hex", "at", "-"},
	{"read", "--export-hex", "fixture", "--fix-length", "-"},
}

// FuzzReadPath feeds arbitrary bytes through the whole read path (capture
// reader, link layers, TCP reassembly, framing, decoding, OneNET, every
// output) in-process, as the CLI runs it: no panic may reach the top (run
// turns one into exit 1 and "internal error"), the exit code is one a
// capture can give (0, 3 not a capture, 4 damaged), and JSON output is one
// valid object per line with frame numbers in the file's range. The input
// is either a whole file or records behind a pcap or pcapng header, so the
// fuzzer need not find the magic. Seeded with every test capture.
func FuzzReadPath(f *testing.F) {
	captures, _ := filepath.Glob("../../testdata/pcaps/*.pcap*")
	repro, _ := filepath.Glob("testdata/fuzz-seeds/*.pcap")
	// One mode per capture, rotating: every mode is seeded, and the
	// baseline the fuzzer replays before it starts stays within its time.
	for i, path := range append(captures, repro...) {
		b, err := os.ReadFile(path)
		if err != nil || len(b) > 64<<10 {
			continue
		}
		f.Add(b, uint8(i%len(readPathModes)), uint8(0))
		if len(b) > 24 && binary.LittleEndian.Uint32(b) == 0xa1b2c3d4 {
			f.Add(b[24:], uint8(0), uint8(1+b[20]%2))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, mode, header uint8) {
		args := readPathModes[int(mode)%len(readPathModes)]
		input := withHeader(data, header)
		var out, errOut bytes.Buffer
		ios := &ioStreams{In: bytes.NewReader(input), Out: &out, ErrOut: &errOut}
		// A small input that takes seconds is a hang: crash with every
		// goroutine's stack, so that the fuzzer keeps the input and says
		// where it was.
		watchdog := time.AfterFunc(readPathDeadline, func() {
			buf := make([]byte, 1<<20)
			panic(fmt.Sprintf("%v took over %v on a %d-byte input:\n%s", args, readPathDeadline, len(input), buf[:runtime.Stack(buf, true)]))
		})
		code := run(args, ios)
		watchdog.Stop()
		if strings.Contains(errOut.String(), "internal error") || strings.Contains(out.String(), "internal_error") {
			t.Fatalf("%v: internal error (exit %d):\n%s", args, code, errOut.String())
		}
		switch {
		case code == exitOK, code == exitInput, code == exitDamaged:
		case code == exitError && strings.Contains(errOut.String(), "nothing to export"):
		default:
			t.Fatalf("%v: exit %d:\n%s", args, code, errOut.String())
		}
		if args[0] == "read" && args[1] == "--json" && code != exitInput {
			checkJSONLines(t, out.Bytes(), len(input))
		}
	})
}

// withHeader puts data behind a capture file header: 0 as it is, 1 a pcap
// header (Ethernet), 2 pcap with LINKTYPE_RAW, 3 a pcapng section and an
// Ethernet interface with data as one enhanced packet block per 1500 bytes.
func withHeader(data []byte, header uint8) []byte {
	le := binary.LittleEndian
	switch header % 4 {
	case 1, 2:
		link := uint32(1)
		if header%4 == 2 {
			link = 101
		}
		h := make([]byte, 24)
		le.PutUint32(h, 0xa1b2c3d4)
		le.PutUint16(h[4:], 2)
		le.PutUint16(h[6:], 4)
		le.PutUint32(h[16:], 65535)
		le.PutUint32(h[20:], link)
		return append(h, data...)
	case 3:
		var b []byte
		block := func(typ uint32, body []byte) {
			n := 12 + (len(body)+3)&^3
			blk := make([]byte, n)
			le.PutUint32(blk, typ)
			le.PutUint32(blk[4:], uint32(n))
			copy(blk[8:], body)
			le.PutUint32(blk[n-4:], uint32(n))
			b = append(b, blk...)
		}
		shb := make([]byte, 16)
		le.PutUint32(shb, 0x1a2b3c4d)
		le.PutUint16(shb[4:], 1)
		binary.LittleEndian.PutUint64(shb[8:], ^uint64(0))
		block(0x0a0d0d0a, shb)
		idb := make([]byte, 8)
		le.PutUint16(idb, 1)
		le.PutUint32(idb[4:], 65535)
		block(1, idb)
		for i := 0; i < len(data); i += 1500 {
			pkt := data[i:min(i+1500, len(data))]
			epb := make([]byte, 20+len(pkt))
			le.PutUint32(epb[12:], uint32(len(pkt)))
			le.PutUint32(epb[16:], uint32(len(pkt)))
			copy(epb[20:], pkt)
			block(6, epb)
		}
		return b
	}
	return data
}

// checkJSONLines checks that every line is one JSON object with a known
// kind, and that frame numbers are not above what the file could hold.
func checkJSONLines(t *testing.T, out []byte, size int) {
	t.Helper()
	for i, line := range bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var rec struct {
			Kind  string  `json:"kind"`
			Frame *uint64 `json:"frame"`
		}
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", i+1, err, line)
		}
		if rec.Kind == "" {
			t.Fatalf("line %d has no kind: %s", i+1, line)
		}
		// A record is at least 16 bytes: no file holds more frames.
		if rec.Frame != nil && *rec.Frame > uint64(size/16+1) {
			t.Fatalf("line %d: frame %d in a %d-byte file", i+1, *rec.Frame, size)
		}
	}
}
