package capture

import (
	"bufio"
	"encoding/binary"
)

// pcapng files can have several sections (captures concatenated with cat,
// or written by tools that restart), each with its own interfaces numbered
// from 0. pcapgo starts each section's interface list afresh and reports
// the section's own numbers, so interface 0 of the second section would
// pass for interface 0 of the first: the same traffic in two sections would
// be reassembled as one connection with every segment twice. sections
// numbers interfaces across the file in order: section 1's interface 0
// gets the number after section 0's last interface. (Wireshark 4.0 shows
// frame.interface_id per section, but keeps the interfaces apart too.)
//
// pcapgo does not say where a section starts. The NgReader reads through
// the same bufio.Reader as the File (bufio.NewReader returns a large
// enough *bufio.Reader as it is), so before each packet sections peeks at
// the blocks between the reader's position and the next packet: a section
// header among them starts a new section.
type sections struct {
	br    *bufio.Reader
	order binary.ByteOrder // of the current section
	base  int              // file-wide number of the current section's interface 0
	// next is the file-wide number the next section's interface 0 gets:
	// past every interface of this one seen so far.
	next int
}

// pcapng block types and magic numbers.
const (
	ngSectionHeader  = 0x0a0d0d0a
	ngPacket         = 2
	ngSimplePacket   = 3
	ngEnhancedPacket = 6
	ngByteOrderMagic = 0x1a2b3c4d
)

// newSections starts at the file's first section header.
func newSections(br *bufio.Reader) *sections {
	s := &sections{br: br, order: binary.LittleEndian, next: 1}
	if h, err := br.Peek(12); err == nil {
		s.order = byteOrder(h[8:12])
	}
	return s
}

func byteOrder(magic []byte) binary.ByteOrder {
	if binary.BigEndian.Uint32(magic) == ngByteOrderMagic {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// beforePacket looks at the blocks before the next packet and moves to a
// new section when one starts there. interfaces is how many interfaces
// the reader knows in the current section.
func (s *sections) beforePacket(interfaces int) {
	s.next = max(s.next, s.base+interfaces)
	order := s.order
	newSection := false
	for off := 0; off+12 <= s.br.Size(); {
		h, _ := s.br.Peek(off + 12)
		if len(h) < off+8 {
			break // the end of the file, or a block cut short: pcapgo says so
		}
		typ := order.Uint32(h[off:])
		if typ == ngSectionHeader {
			if len(h) < off+12 {
				break
			}
			order, newSection = byteOrder(h[off+8:off+12]), true
		}
		if typ == ngPacket || typ == ngSimplePacket || typ == ngEnhancedPacket {
			break
		}
		n := int(order.Uint32(h[off+4:]))
		if n < 12 || n%4 != 0 {
			break // damaged: pcapgo says so
		}
		off += n
	}
	if newSection {
		s.order, s.base = order, s.next
		s.next = s.base + 1
	}
}

// global is the file-wide number of the current section's interface id.
func (s *sections) global(id int) int {
	g := s.base + id
	s.next = max(s.next, g+1)
	return g
}
