package capture

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// File reads a pcap or pcapng capture.
type File struct {
	name   string
	closer io.Closer
	count  *countingReader
	pcap   *pcapgo.Reader
	ng     *pcapgo.NgReader
	// pcapIn counts the bytes pcapgo read of a gzipped classic pcap, and records
	// the bytes of the file header and the records it returned: pcapgo
	// reports a file that ends right after a record header as a clean end
	// (its io.ReadFull of the record's data reads nothing, hence io.EOF),
	// so at the end bytes read beyond the records mean a capture cut short.
	pcapIn  *countingReader
	records int64
	// recs reads an uncompressed classic pcap instead of pcap (and pcapIn):
	// in place, where pcapgo copies every byte twice (pcaprecords.go).
	recs *pcapRecords
	// ngInPlace reads a pcapng's plain packets in place (ngrecords.go);
	// nil for pcapgo alone.
	ngInPlace *ngPackets
	sects     *sections // pcapng: interfaces numbered across sections
	format    string
	frames    uint64
	// secrets are the TLS key log lines of a pcapng file's Decryption
	// Secrets Blocks not handed out yet (secrets.go).
	secrets []byte
}

// Magic numbers of the formats mqttpcap reads, and of those it names when
// it cannot (go-stack.md §2: zstd and lz4 are not supported by pcapgo).
var (
	magicPcapLE   = []byte{0xd4, 0xc3, 0xb2, 0xa1}
	magicPcapBE   = []byte{0xa1, 0xb2, 0xc3, 0xd4}
	magicPcapNsLE = []byte{0x4d, 0x3c, 0xb2, 0xa1}
	magicPcapNsBE = []byte{0xa1, 0xb2, 0x3c, 0x4d}
	magicPcapng   = []byte{0x0a, 0x0d, 0x0d, 0x0a}
	magicGzip     = []byte{0x1f, 0x8b}
	magicZstd     = []byte{0x28, 0xb5, 0x2f, 0xfd}
	magicLz4      = []byte{0x04, 0x22, 0x4d, 0x18}
)

// OpenFile opens a capture file; "-" reads standard input.
func OpenFile(path string) (*File, error) {
	var r io.Reader
	var closer io.Closer
	name := path
	if path == "-" {
		r, closer, name = os.Stdin, io.NopCloser(nil), "standard input"
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		if st, err := f.Stat(); err == nil && st.IsDir() {
			f.Close()
			return nil, errors.New("is a directory, not a capture file")
		}
		r, closer = f, f
	}
	cf, err := NewReader(r, name)
	if err != nil {
		closer.Close()
		return nil, err
	}
	cf.closer = closer
	return cf, nil
}

// NewReader reads a capture from r; name is used in messages.
func NewReader(r io.Reader, name string) (*File, error) {
	return newReader(r, name, true)
}

// newReader is NewReader; with inPlace false it reads a classic pcap with
// pcapgo, as the tests of pcapRecords do to compare.
func newReader(r io.Reader, name string, inPlace bool) (*File, error) {
	count := &countingReader{r: r}
	br := bufio.NewReaderSize(count, 1<<20)
	magic, err := br.Peek(4)
	if err != nil && len(magic) == 0 {
		return nil, fmt.Errorf("%w (the file is empty)", ErrNotCapture)
	}
	var in io.Reader = br // a *bufio.Reader, for sections
	compressed := ""
	if hasMagic(magic, magicGzip) {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		gzbr := bufio.NewReaderSize(gz, 1<<20)
		if magic, err = gzbr.Peek(4); err != nil && len(magic) == 0 {
			return nil, fmt.Errorf("%w (the gzip file is empty)", ErrNotCapture)
		}
		in, compressed = gzbr, " (gzip)"
	}
	f := &File{name: name, count: count}
	switch {
	case hasMagic(magic, magicPcapng):
		// The section's byte order, from its header before pcapgo reads it;
		// the blocks before the first interface (editcap puts its secrets
		// there) are read as the reader opens.
		order := byteOrder(peekMagic(in.(*bufio.Reader)))
		f.secrets = peekSecrets(in.(*bufio.Reader), order, nil, true)
		ng, err := pcapgo.NewNgReader(in, pcapgo.NgReaderOptions{WantMixedLinkType: true})
		if err != nil {
			return nil, headerError(err)
		}
		f.ng, f.format = ng, "pcapng"+compressed
		if inPlace {
			f.ngInPlace = &ngPackets{}
		}
		// in is a *bufio.Reader, which pcapgo reads through as it is.
		f.sects = newSections(in.(*bufio.Reader))
		// newSections peeks after the section header pcapgo has read.
		f.sects.order = order
	case hasMagic(magic, magicPcapLE), hasMagic(magic, magicPcapBE), hasMagic(magic, magicPcapNsLE), hasMagic(magic, magicPcapNsBE):
		f.format = "pcap" + compressed
		if compressed == "" && inPlace {
			recs, err := newPcapRecords(br)
			if err != nil {
				return nil, headerError(err)
			}
			f.recs = recs
			break
		}
		f.pcapIn = &countingReader{r: in}
		pr, err := pcapgo.NewReader(f.pcapIn)
		if err != nil {
			return nil, headerError(err)
		}
		f.pcap, f.records = pr, 24
	case hasMagic(magic, magicZstd):
		return nil, fmt.Errorf("%w: compressed with zstd, which is not supported (decompress it first: zstd -d)", ErrNotCapture)
	case hasMagic(magic, magicLz4):
		return nil, fmt.Errorf("%w: compressed with lz4, which is not supported (decompress it first: lz4 -d)", ErrNotCapture)
	default:
		return nil, fmt.Errorf("%w (starts with %q)", ErrNotCapture, printable(magic))
	}
	return f, nil
}

func headerError(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: the file header is incomplete", ErrCutShort)
	}
	return fmt.Errorf("%w: %v", ErrNotCapture, lowerFirst(err.Error()))
}

// Next implements Source.
func (f *File) Next() ([]byte, gopacket.CaptureInfo, layers.LinkType, error) {
	var data []byte
	var ci gopacket.CaptureInfo
	var err error
	var lt layers.LinkType
	if f.ng != nil {
		f.sects.beforePacket(f.ng.NInterfaces())
		f.secrets = peekSecrets(f.sects.br, f.sects.order, f.secrets, false)
		var inPlace bool
		if f.ngInPlace != nil {
			data, ci, lt, inPlace = f.ngInPlace.next(f)
		}
		if !inPlace {
			data, ci, err = f.ng.ZeroCopyReadPacketData()
			if err == nil && len(ci.AncillaryData) > 0 {
				lt, _ = ci.AncillaryData[0].(layers.LinkType)
			}
			if f.ngInPlace != nil {
				f.ngInPlace.read()
			}
		}
		ci.InterfaceIndex = f.sects.global(ci.InterfaceIndex)
	} else if f.recs != nil {
		data, ci, err = f.recs.next()
		lt = f.recs.linkType
	} else {
		data, ci, err = f.pcap.ZeroCopyReadPacketData()
		lt = f.pcap.LinkType()
		switch {
		case err == nil:
			f.records += 16 + int64(ci.CaptureLength)
		case err == io.EOF && f.pcapIn.n > f.records:
			err = io.ErrUnexpectedEOF
		}
	}
	if err != nil {
		return nil, ci, 0, f.readError(err)
	}
	f.frames++
	return data, ci, lt, nil
}

func (f *File) readError(err error) error {
	if err == io.EOF {
		return io.EOF
	}
	where := "after frame " + strconv.FormatUint(f.frames, 10) + ", at byte " + strconv.FormatInt(f.count.n, 10)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: the file ends inside frame %d (%d bytes read); frames before it were read",
			ErrCutShort, f.frames+1, f.count.n)
	}
	return fmt.Errorf("%w %s: %s", ErrDamaged, where, lowerFirst(err.Error()))
}

// Name implements Source.
func (f *File) Name() string { return f.name }

// Format is "pcap" or "pcapng", with " (gzip)" when compressed.
func (f *File) Format() string { return f.format }

// Close implements Source.
func (f *File) Close() error {
	if f.closer == nil {
		return nil
	}
	return f.closer.Close()
}

// BytesRead is how much of the underlying file was read so far (for
// progress).
func (f *File) BytesRead() int64 { return f.count.n }

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func hasMagic(b, magic []byte) bool {
	return len(b) >= len(magic) && string(b[:len(magic)]) == string(magic)
}

func printable(b []byte) string {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c >= 0x20 && c < 0x7f {
			out = append(out, c)
		} else {
			out = append(out, '.')
		}
	}
	return string(out)
}

func lowerFirst(s string) string {
	if s != "" && s[0] >= 'A' && s[0] <= 'Z' {
		return string(s[0]+'a'-'A') + s[1:]
	}
	return s
}

// LooksLikeCapture says whether the file at path starts as a pcap or
// pcapng file does (also inside gzip): how a folder's capture files are
// told from the rest when their names do not say (tcpdump -C writes
// dump, dump1, dump2...).
func LooksLikeCapture(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 4096)
	magic, _ := br.Peek(4)
	if hasMagic(magic, magicGzip) {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return false
		}
		magic = make([]byte, 4)
		if _, err := io.ReadFull(gz, magic); err != nil {
			return false
		}
	}
	for _, m := range [][]byte{magicPcapLE, magicPcapBE, magicPcapNsLE, magicPcapNsBE, magicPcapng} {
		if hasMagic(magic, m) {
			return true
		}
	}
	return false
}
