package capture

import (
	"errors"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Merged reads several captures as one, in time order, the way mergecap
// joins them: files that continue each other (a ring buffer written by
// dumpcap -b or tcpdump -C/-G, one link's capture split by time) read as
// the capture they were cut from, so connections continue across files.
//
// Frames are numbered across the files in the order they are returned, as
// in mergecap's output: the packet with the earliest time next, and of
// packets with the same time, the one of the earlier file (the order the
// files were given in). Origin says which file a frame came from and its
// number there. Interface N of every file is taken as the same interface
// (what mergecap does when the files describe the same interfaces, as the
// files of a ring buffer do).
//
// A file that turns out damaged or cut short ends there; the others are
// read on, and Next returns the errors at the end (a MergeError).
type Merged struct {
	files []*File
	// heads are the packets each file would give next, not yet returned;
	// live says a file has one (it has not ended).
	heads []head
	cur   int // the file whose head was returned last (-1: none)
	n     uint64
	errs  []error
	mu    sync.Mutex
	runs  []frameRun // guarded by mu: which file each frame came from
	// secrets are the TLS key log lines the files' Decryption Secrets
	// Blocks gave since the last TLSSecrets.
	secrets []byte
}

type head struct {
	data []byte
	ci   gopacket.CaptureInfo
	lt   layers.LinkType
	live bool
}

// frameRun is a stretch of frames, from first on, that came from one file, the
// first of them being that file's frame local.
type frameRun struct {
	first, local uint64
	file         int
}

// Merge reads files as one capture. It owns them: Close closes them all.
func Merge(files []*File) *Merged {
	m := &Merged{files: files, heads: make([]head, len(files)), cur: -1}
	for i := range files {
		m.advance(i)
	}
	return m
}

// advance reads file i's next packet into its head. Reading file i again
// invalidates the data of its last head, which the caller has done with.
func (m *Merged) advance(i int) {
	data, ci, lt, err := m.files[i].Next()
	if err != nil {
		m.heads[i] = head{}
		if err != io.EOF {
			m.errs = append(m.errs, fileError{name: m.files[i].Name(), err: err})
		}
		return
	}
	m.heads[i] = head{data: data, ci: ci, lt: lt, live: true}
	if lines := m.files[i].TLSSecrets(); lines != nil {
		m.secrets = append(m.secrets, lines...)
	}
}

// TLSSecrets returns the TLS key log lines of the files' Decryption
// Secrets Blocks read since the last call (nil when none): those of a
// file's block come before the packets after it in that file.
func (m *Merged) TLSSecrets() []byte {
	s := m.secrets
	m.secrets = nil
	return s
}

// Next implements Source: the earliest packet of any file.
func (m *Merged) Next() ([]byte, gopacket.CaptureInfo, layers.LinkType, error) {
	if m.cur >= 0 {
		m.advance(m.cur)
		m.cur = -1
	}
	best := -1
	for i := range m.heads {
		h := &m.heads[i]
		if h.live && (best < 0 || h.ci.Timestamp.Before(m.heads[best].ci.Timestamp)) {
			best = i
		}
	}
	if best < 0 {
		if len(m.errs) > 0 {
			return nil, gopacket.CaptureInfo{}, 0, &MergeError{Errs: m.errs}
		}
		return nil, gopacket.CaptureInfo{}, 0, io.EOF
	}
	m.cur = best
	m.n++
	local := m.files[best].frames
	m.mu.Lock()
	if k := len(m.runs); k == 0 || m.runs[k-1].file != best {
		m.runs = append(m.runs, frameRun{first: m.n, local: local, file: best})
	}
	m.mu.Unlock()
	h := &m.heads[best]
	return h.data, h.ci, h.lt, nil
}

// Origin is the file frame (numbered across the merged files) came from,
// and its number in that file; "" for a frame not read yet. It is safe to
// call while another goroutine reads.
func (m *Merged) Origin(frame uint64) (file string, fileFrame uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := sort.Search(len(m.runs), func(i int) bool { return m.runs[i].first > frame }) - 1
	if i < 0 || frame > m.n {
		return "", 0
	}
	r := m.runs[i]
	return m.files[r.file].Name(), r.local + frame - r.first
}

// Name implements Source: the files' names, the first and last of many
// ("a.pcap, b.pcap and c.pcap", "ring_1.pcapng … ring_40.pcapng (40
// files)").
func (m *Merged) Name() string {
	names := m.Names()
	switch n := len(names); {
	case n == 1:
		return names[0]
	case n <= 3:
		return strings.Join(names[:n-1], ", ") + " and " + names[n-1]
	default:
		return names[0] + " … " + names[n-1] + " (" + strconv.Itoa(n) + " files)"
	}
}

// Names are the names of the files merged, in the order given.
func (m *Merged) Names() []string {
	names := make([]string, len(m.files))
	for i, f := range m.files {
		names[i] = f.Name()
	}
	return names
}

// Close implements Source: it closes every file.
func (m *Merged) Close() error {
	var errs []error
	for _, f := range m.files {
		errs = append(errs, f.Close())
	}
	return errors.Join(errs...)
}

// BytesRead is how much of the files was read so far (for progress).
func (m *Merged) BytesRead() int64 {
	var n int64
	for _, f := range m.files {
		n += f.BytesRead()
	}
	return n
}

// MergeError is the end of a merge where files ended damaged or cut short:
// each error names its file. errors.Is finds ErrCutShort and ErrDamaged in
// it.
type MergeError struct {
	Errs []error
}

func (e *MergeError) Error() string {
	msgs := make([]string, len(e.Errs))
	for i, err := range e.Errs {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}

func (e *MergeError) Unwrap() []error { return e.Errs }

// fileError is an error of one of the merged files, named.
type fileError struct {
	name string
	err  error
}

func (e fileError) Error() string { return e.name + ": " + e.err.Error() }
func (e fileError) Unwrap() error { return e.err }

// FileError names the file of an error of a merged capture ("" when the
// error is not one file's).
func FileError(err error) (name string, cause error) {
	var fe fileError
	if errors.As(err, &fe) {
		return fe.name, fe.err
	}
	return "", err
}
