package capture

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// pcapRecords reads the records of a classic pcap file straight out of the
// file's buffer: a record's bytes are handed out where they lie, where
// pcapgo.Reader copies each through a buffer of its own and then into the
// packet's (two copies of every byte, and an interface call for each
// number; the stream side, which reads them, is what a run waits on). It
// reads what pcapgo reads and fails where pcapgo fails, with the same
// errors (TestPcapRecordsAsPcapgo, FuzzPcapRecords).
type pcapRecords struct {
	br        *bufio.Reader
	bigEndian bool
	nsFactor  uint32 // 1000 for microsecond timestamps, 1 for nanoseconds
	snaplen   uint32
	linkType  layers.LinkType
	big       []byte // a record longer than br's buffer
}

// pcapgo's limits: the largest capture length read without a check is
// libpcap's MAXIMUM_SNAPLEN, and the file format version it reads.
const (
	eagerReadMax     = 262144
	pcapVersionMajor = 2
	pcapVersionMinor = 4
)

// newPcapRecords reads the file header from br (its magic was checked).
func newPcapRecords(br *bufio.Reader) (*pcapRecords, error) {
	h := make([]byte, 24)
	if _, err := io.ReadFull(br, h); err != nil {
		return nil, err
	}
	p := &pcapRecords{br: br, nsFactor: 1000}
	switch binary.LittleEndian.Uint32(h) {
	case 0xa1b23c4d:
		p.nsFactor = 1
	case 0x4d3cb2a1:
		p.bigEndian, p.nsFactor = true, 1
	case 0xd4c3b2a1:
		p.bigEndian = true
	}
	if v := p.u16(h[4:]); v != pcapVersionMajor {
		return nil, fmt.Errorf("Unknown major version %d", v)
	}
	if v := p.u16(h[6:]); v != pcapVersionMinor {
		return nil, fmt.Errorf("Unknown minor version %d", v)
	}
	p.snaplen = p.u32(h[16:])
	p.linkType = layers.LinkType(p.u32(h[20:]))
	return p, nil
}

func (p *pcapRecords) u16(b []byte) uint16 {
	if p.bigEndian {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func (p *pcapRecords) u32(b []byte) uint32 {
	if p.bigEndian {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

func (p *pcapRecords) maxCaptureLength() int {
	return max(int(p.snaplen), eagerReadMax)
}

// next reads a record. Its bytes are valid until the next call. The file
// ending at a record's end is io.EOF; inside one, io.ErrUnexpectedEOF.
func (p *pcapRecords) next() (data []byte, ci gopacket.CaptureInfo, err error) {
	h, err := p.br.Peek(16)
	if err != nil {
		return nil, ci, shortRead(len(h), err)
	}
	// The microseconds are multiplied in 32 bits, as pcapgo does (a value
	// past 4,294,967 µs wraps the same way there).
	ci.Timestamp = time.Unix(int64(p.u32(h[0:])), int64(p.u32(h[4:])*p.nsFactor)).UTC()
	ci.CaptureLength = int(p.u32(h[8:]))
	ci.Length = int(p.u32(h[12:]))
	if ci.CaptureLength > p.maxCaptureLength() {
		return nil, ci, fmt.Errorf("capture length exceeds snap length: %d > %d", ci.CaptureLength, p.snaplen)
	}
	if ci.CaptureLength > ci.Length {
		return nil, ci, fmt.Errorf("capture length exceeds original packet length: %d > %d", ci.CaptureLength, ci.Length)
	}
	n := 16 + ci.CaptureLength
	if n < 16 {
		// A length past 2^31 on a 32-bit int.
		return nil, ci, errLengthOverflow
	}
	if n <= p.br.Size() {
		rec, err := p.br.Peek(n)
		if err != nil {
			p.br.Discard(len(rec))
			return nil, ci, shortRead(max(len(rec), 1), err)
		}
		p.br.Discard(n)
		return rec[16:], ci, nil
	}
	// Longer than the buffer: read into a slice that grows with what the
	// file holds (a bogus length cannot make it allocate 4 GiB up front).
	p.br.Discard(16)
	if cap(p.big) < min(ci.CaptureLength, eagerReadMax) {
		p.big = make([]byte, 0, min(ci.CaptureLength, eagerReadMax))
	}
	buf := bytes.NewBuffer(p.big[:0])
	m, err := io.CopyN(buf, p.br, int64(ci.CaptureLength))
	p.big = buf.Bytes()
	if err != nil {
		return nil, ci, shortRead(int(m)+1, err)
	}
	return p.big, ci, nil
}

// errLengthOverflow is pcapgo's error for the same.
var errLengthOverflow = errors.New("length from file does not fit in int")

// shortRead is the error of a read that got n bytes of what it needed
// before err: io.EOF with nothing read (the file ends between records),
// io.ErrUnexpectedEOF past that, any other error as it is.
func shortRead(n int, err error) error {
	if err == io.EOF && n > 0 {
		return io.ErrUnexpectedEOF
	}
	return err
}
