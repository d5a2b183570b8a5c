package capture

import (
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// ngPackets reads the plainest pcapng block, an Enhanced Packet Block
// without options, in place: its bytes are handed out where they lie in
// the file's buffer, where pcapgo copies them into a packet buffer of its
// own (pcaprecords.go says why that matters). Every other block, and an
// EPB that is not whole in the buffer, has options or names an interface
// not yet described, is left to pcapgo, which reads through the same
// buffer: only pcapgo reads section headers and interface descriptions,
// so the interfaces known here are refreshed after each of its reads.
// TestNgPacketsAsPcapgo and FuzzNgPackets compare it with pcapgo.
type ngPackets struct {
	ifaces  []ngIface // nil: to be read from pcapgo again
	inPlace int       // packets read in place (for tests)
}

// ngIface is what a packet needs of its interface: pcapgo's timestamp
// arithmetic (NgReader.convertTime) and the link type.
type ngIface struct {
	linkType                     layers.LinkType
	offset                       uint64
	secondMask, scaleUp, scaleDn uint64
}

func newNgIface(i pcapgo.NgInterface) ngIface {
	res := i.TimestampResolution
	mask := uint64(1)
	if res.Binary() {
		mask = 1 << res.Exponent()
	} else {
		for range res.Exponent() {
			mask *= 10
		}
	}
	it := ngIface{linkType: i.LinkType, offset: i.TimestampOffset, secondMask: mask, scaleUp: 1, scaleDn: 1}
	if mask < 1e9 {
		it.scaleUp = 1e9 / mask
	} else {
		it.scaleDn = mask / 1e9
	}
	return it
}

// next reads the next block if it is an EPB it can read in place; ok false
// leaves everything to pcapgo.
func (n *ngPackets) next(f *File) (data []byte, ci gopacket.CaptureInfo, lt layers.LinkType, ok bool) {
	br, order := f.sects.br, f.sects.order
	h, _ := br.Peek(28)
	if len(h) < 28 || order.Uint32(h) != ngEnhancedPacket {
		return nil, ci, 0, false
	}
	size := int(order.Uint32(h[4:]))
	capLen := int(order.Uint32(h[20:]))
	// No options: the block is its 28-byte header, the data padded to 4
	// bytes and the trailing length (which pcapgo does not check either).
	if capLen < 0 || capLen > size || size != 28+capLen+(4-capLen&3)&3+4 || size > br.Size() {
		return nil, ci, 0, false
	}
	id := int(order.Uint32(h[8:]))
	if n.ifaces == nil {
		n.ifaces = make([]ngIface, 0, f.ng.NInterfaces())
		for i := range f.ng.NInterfaces() {
			desc, _ := f.ng.Interface(i)
			n.ifaces = append(n.ifaces, newNgIface(desc))
		}
	}
	if id < 0 || id >= len(n.ifaces) {
		return nil, ci, 0, false
	}
	block, err := br.Peek(size)
	if err != nil {
		return nil, ci, 0, false
	}
	it := &n.ifaces[id]
	ts := uint64(order.Uint32(block[12:]))<<32 | uint64(order.Uint32(block[16:]))
	ci.Timestamp = time.Unix(int64(ts/it.secondMask+it.offset), int64(ts%it.secondMask*it.scaleUp/it.scaleDn)).UTC()
	ci.CaptureLength = capLen
	ci.Length = int(order.Uint32(block[24:]))
	ci.InterfaceIndex = id
	br.Discard(size)
	n.inPlace++
	return block[28 : 28+capLen], ci, it.linkType, true
}

// read reports that pcapgo read a block: it may have been a section
// header or an interface description.
func (n *ngPackets) read() { n.ifaces = nil }
