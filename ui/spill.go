package ui

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"sync"
)

// spill is the append-only file of record blobs (codec.go) behind the
// index: each blob is written once, prefixed with its length, by the
// goroutine that indexes, and read back by the views through spillReaders.
// It is a temporary file, removed by Close.
type spill struct {
	mu      sync.Mutex
	f       *os.File
	w       *bufio.Writer
	size    int64 // bytes appended (written or buffered)
	flushed int64 // bytes written to the file
	err     error
}

func newSpill(dir string) (*spill, error) {
	f, err := os.CreateTemp(dir, "mqttpcap-ui-*.spill")
	if err != nil {
		return nil, err
	}
	// The file is only ours: unlinked at once where the system allows it,
	// so that nothing is left behind even when the process is killed.
	if os.Remove(f.Name()) != nil {
		f.Close()
		return nil, errors.New("ui: cannot unlink the spill file")
	}
	return &spill{f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

// append writes a blob and returns its offset.
func (s *spill) append(b []byte) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	off := s.size
	var n [binary.MaxVarintLen64]byte
	k := binary.PutUvarint(n[:], uint64(len(b)))
	if s.err == nil {
		if _, err := s.w.Write(n[:k]); err != nil {
			s.err = err
		} else if _, err := s.w.Write(b); err != nil {
			s.err = err
		}
	}
	s.size += int64(k + len(b))
	return off
}

// readableTo makes the bytes up to end readable from the file.
func (s *spill) readableTo(end int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	if end > s.flushed {
		if err := s.w.Flush(); err != nil {
			s.err = err
			return err
		}
		s.flushed = s.size
	}
	return nil
}

// Size is how many bytes the spill holds.
func (s *spill) Size() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.size
}

func (s *spill) Close() error { return s.f.Close() }

// spillReader reads blobs through a window of the file, so that reading
// records in order (a filter over the whole capture) costs one read per
// window and reading the rows on screen a read or two. Not safe for
// concurrent use: each reader of the spill has its own.
type spillReader struct {
	s     *spill
	buf   []byte
	start int64 // file offset of buf[0]
}

const spillWindow = 1 << 20

func (s *spill) reader() *spillReader { return &spillReader{s: s, start: -1} }

// blob returns the blob at off; it is valid until the next call.
func (r *spillReader) blob(off int64) ([]byte, error) {
	b, err := r.window(off, binary.MaxVarintLen64)
	if err != nil {
		return nil, err
	}
	n, k := binary.Uvarint(b)
	if k <= 0 {
		return nil, errBlob
	}
	b, err = r.window(off, k+int(n))
	if err != nil {
		return nil, err
	}
	return b[k : k+int(n)], nil
}

// window returns at least n bytes from off (fewer at the end of the file).
func (r *spillReader) window(off int64, n int) ([]byte, error) {
	if r.start >= 0 && off >= r.start && off+int64(n) <= r.start+int64(len(r.buf)) {
		return r.buf[off-r.start:], nil
	}
	size := max(n, spillWindow)
	if err := r.s.readableTo(off + int64(n)); err != nil {
		return nil, err
	}
	if cap(r.buf) < size {
		r.buf = make([]byte, size)
	}
	r.buf = r.buf[:size]
	m, err := r.s.f.ReadAt(r.buf, off)
	if err != nil && err != io.EOF {
		return nil, err
	}
	r.buf, r.start = r.buf[:m], off
	if m < n && m < binary.MaxVarintLen64 {
		// A short blob at the end of the file is still whole.
		return r.buf, nil
	}
	return r.buf, nil
}
