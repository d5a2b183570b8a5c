package pcapcraft

import (
	"bytes"
	"encoding/binary"
)

// Pcap returns the capture as a classic pcap file (microseconds, Ethernet).
func (c *Capture) Pcap() []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	hdr := make([]byte, 24)
	le.PutUint32(hdr[0:], 0xa1b2c3d4)
	le.PutUint16(hdr[4:], 2)
	le.PutUint16(hdr[6:], 4)
	le.PutUint32(hdr[16:], 65535)
	le.PutUint32(hdr[20:], 1) // Ethernet
	b.Write(hdr)
	for _, f := range c.Frames {
		rec := make([]byte, 16)
		le.PutUint32(rec[0:], uint32(f.Time.Unix()))
		le.PutUint32(rec[4:], uint32(f.Time.Nanosecond()/1000))
		le.PutUint32(rec[8:], uint32(len(f.Data)))
		le.PutUint32(rec[12:], uint32(wire(f)))
		b.Write(rec)
		b.Write(f.Data)
	}
	return b.Bytes()
}

func wire(f Frame) int {
	if f.Wire > 0 {
		return f.Wire
	}
	return len(f.Data)
}

// Pcapng returns the capture as pcapng. Each section (Frame.Section, from
// 0, in file order: a frame of a lower section after a higher one starts
// a new section too) gets a section header and ifaces[section] interfaces,
// all Ethernet; frames refer to an interface of their own section.
func (c *Capture) Pcapng(ifaces []int) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	block := func(typ uint32, body []byte) {
		for len(body)%4 != 0 {
			body = append(body, 0)
		}
		n := uint32(12 + len(body))
		var h [8]byte
		le.PutUint32(h[0:], typ)
		le.PutUint32(h[4:], n)
		b.Write(h[:])
		b.Write(body)
		var t [4]byte
		le.PutUint32(t[:], n)
		b.Write(t[:])
	}
	section := func(s int) {
		shb := make([]byte, 16)
		le.PutUint32(shb[0:], 0x1a2b3c4d)
		le.PutUint16(shb[4:], 1)
		le.PutUint64(shb[8:], ^uint64(0)) // section length unknown
		block(0x0a0d0d0a, shb)
		n := 1
		if s < len(ifaces) {
			n = ifaces[s]
		}
		for range n {
			idb := make([]byte, 8)
			le.PutUint16(idb[0:], 1) // Ethernet
			le.PutUint32(idb[4:], 65535)
			block(1, idb)
		}
	}
	cur := -1
	for _, f := range c.Frames {
		if f.Section != cur {
			cur = f.Section
			section(cur)
		}
		ts := uint64(f.Time.UnixMicro())
		epb := make([]byte, 20, 20+len(f.Data))
		le.PutUint32(epb[0:], uint32(f.Iface))
		le.PutUint32(epb[4:], uint32(ts>>32))
		le.PutUint32(epb[8:], uint32(ts))
		le.PutUint32(epb[12:], uint32(len(f.Data)))
		le.PutUint32(epb[16:], uint32(wire(f)))
		block(6, append(epb, f.Data...))
	}
	if cur < 0 {
		section(0)
	}
	return b.Bytes()
}
