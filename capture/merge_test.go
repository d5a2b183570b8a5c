package capture_test

import (
	"errors"
	"io"
	"testing"

	"github.com/mqttpcap/mqttpcap/capture"
	"github.com/mqttpcap/mqttpcap/internal/testutil/pcapsplit"
)

func open(t *testing.T, paths ...string) []*capture.File {
	t.Helper()
	var files []*capture.File
	for _, p := range paths {
		f, err := capture.OpenFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// The parts of a capture merge back into it, frame for frame, and Origin
// says which part each frame came from and its number there.
func TestMergeParts(t *testing.T) {
	const whole = "../testdata/pcaps/mosquitto-v311.pcap"
	parts, err := pcapsplit.Split(whole, t.TempDir(), 3)
	if err != nil {
		t.Fatal(err)
	}
	w := open(t, whole)[0]
	defer w.Close()
	m := capture.Merge(open(t, parts...))
	defer m.Close()
	var n uint64
	local := map[string]uint64{}
	for {
		wd, wci, _, werr := w.Next()
		md, mci, _, merr := m.Next()
		if werr == io.EOF && merr == io.EOF {
			break
		}
		if werr != nil || merr != nil {
			t.Fatalf("frame %d: %v, merged %v", n+1, werr, merr)
		}
		n++
		if string(wd) != string(md) || !wci.Timestamp.Equal(mci.Timestamp) {
			t.Fatalf("frame %d differs", n)
		}
		file, frame := m.Origin(n)
		local[file]++
		if frame != local[file] {
			t.Errorf("frame %d: Origin says %s frame %d, want frame %d", n, file, frame, local[file])
		}
	}
	if len(local) != 3 || n < 100 {
		t.Errorf("%d frames from %d files", n, len(local))
	}
	if file, _ := m.Origin(n + 1); file != "" {
		t.Errorf("a frame not read yet has origin %q", file)
	}
}

// Packets of the same time come in the order the files were given.
func TestMergeTies(t *testing.T) {
	const path = "../testdata/pcaps/onenet-esp8266.pcapng"
	m := capture.Merge(open(t, path, path))
	defer m.Close()
	for n := uint64(1); ; n++ {
		if _, _, _, err := m.Next(); err != nil {
			break
		}
		if _, frame := m.Origin(n); frame != (n+1)/2 {
			t.Fatalf("frame %d is frame %d of its file, want %d: equal times alternate, first file first", n, frame, (n+1)/2)
		}
	}
}

// A file cut short ends there; the others are read to their end, and the
// merge ends with an error naming the file.
func TestMergeCutShort(t *testing.T) {
	const cut, good = "../testdata/pcaps/cut-short.pcap", "../testdata/pcaps/onenet-esp8266.pcapng"
	m := capture.Merge(open(t, cut, good))
	defer m.Close()
	n := 0
	var err error
	for {
		if _, _, _, err = m.Next(); err != nil {
			break
		}
		n++
	}
	if n != 43+17 {
		t.Errorf("%d frames, want the 43 of %s and the 17 of %s", n, cut, good)
	}
	var me *capture.MergeError
	if !errors.As(err, &me) || !errors.Is(err, capture.ErrCutShort) || len(me.Errs) != 1 {
		t.Fatalf("the merge ended with %v", err)
	}
	if name, cause := capture.FileError(me.Errs[0]); name != cut || !errors.Is(cause, capture.ErrCutShort) {
		t.Errorf("FileError = %q, %v", name, cause)
	}
}
