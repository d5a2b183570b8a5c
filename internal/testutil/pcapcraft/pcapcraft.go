// Package pcapcraft writes small captures packet by packet for tests: TCP
// segments with exactly the flags, sequence numbers and payloads a test
// needs (SYN retries, reused ports, an ACK written before its data, IP
// fragments), which a real network stack cannot be made to produce on
// demand. Frames are Ethernet with IPv4 or IPv6 and correct checksums, so
// tshark reads them as it reads a real capture and can serve as the oracle.
//
// A Capture collects frames with capture times; Pcap and Pcapng write them
// out. Pcapng output can be split into sections, each with its own
// interfaces (what several captures concatenated with cat give).
package pcapcraft

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// TCP flags, as in the header's flag byte.
const (
	FIN = 0x01
	SYN = 0x02
	RST = 0x04
	PSH = 0x08
	ACK = 0x10
)

// Frame is one captured frame.
type Frame struct {
	Time time.Time
	Data []byte
	// Wire is the frame's length on the wire; 0 means len(Data) (a frame
	// not cut by a snap length).
	Wire int
	// Iface is the pcapng interface (index into its section's interfaces).
	Iface int
	// Section is the pcapng section the frame belongs to.
	Section int
}

// Capture is a list of frames being built.
type Capture struct {
	Frames []Frame
	now    time.Time
	// Step is added to the clock before every frame (default 1 ms).
	Step time.Duration
	// Iface and Section are given to every new frame.
	Iface, Section int
	ipID           uint16
}

// New returns an empty capture whose clock starts at a fixed time, so the
// files it writes are the same on every run.
func New() *Capture {
	return &Capture{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Step: time.Millisecond}
}

// Advance moves the clock on by d (on top of Step).
func (c *Capture) Advance(d time.Duration) { c.now = c.now.Add(d) }

// Raw adds a link-layer frame as it is.
func (c *Capture) Raw(data []byte) {
	c.now = c.now.Add(c.Step)
	c.Frames = append(c.Frames, Frame{Time: c.now, Data: data, Iface: c.Iface, Section: c.Section})
}

// Segment is a TCP segment to write.
type Segment struct {
	Src, Dst netip.AddrPort
	Seq, Ack uint32
	Flags    uint8
	Window   uint16
	Payload  []byte
}

// TCP adds one segment in one frame.
func (c *Capture) TCP(s Segment) {
	c.Raw(Ethernet(s, c.nextID()))
}

// TCPFragments adds one segment as IP fragments of at most size bytes of
// IP payload each (a multiple of 8), in the order given by order (indexes
// of fragments; nil: in order).
func (c *Capture) TCPFragments(s Segment, size int, order []int) {
	frags := Fragments(s, c.nextID(), size)
	if order == nil {
		for i := range frags {
			order = append(order, i)
		}
	}
	for _, i := range order {
		c.Raw(frags[i])
	}
}

func (c *Capture) nextID() uint16 {
	c.ipID++
	return c.ipID
}

// Ethernet returns the frame carrying s: Ethernet, IPv4 or IPv6 (by the
// addresses), TCP with checksums.
func Ethernet(s Segment, id uint16) []byte {
	ip, ipPayload := ipPacket(s, id)
	_ = ipPayload
	return append(ethHeader(s.Src.Addr().Is4()), ip...)
}

func ethHeader(v4 bool) []byte {
	h := []byte{0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0x08, 0x00}
	if !v4 {
		h[12], h[13] = 0x86, 0xdd
	}
	return h
}

// ipPacket serialises the IP packet of s, and returns it with its IP
// payload (the TCP header and data).
func ipPacket(s Segment, id uint16) ([]byte, []byte) {
	win := s.Window
	if win == 0 {
		win = 65535
	}
	tcp := &layers.TCP{SrcPort: layers.TCPPort(s.Src.Port()), DstPort: layers.TCPPort(s.Dst.Port()),
		Seq: s.Seq, Ack: s.Ack, Window: win,
		FIN: s.Flags&FIN != 0, SYN: s.Flags&SYN != 0, RST: s.Flags&RST != 0, PSH: s.Flags&PSH != 0, ACK: s.Flags&ACK != 0}
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	var err error
	if s.Src.Addr().Is4() {
		ip := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Id: id, Flags: layers.IPv4DontFragment, Protocol: layers.IPProtocolTCP,
			SrcIP: s.Src.Addr().AsSlice(), DstIP: s.Dst.Addr().AsSlice()}
		_ = tcp.SetNetworkLayerForChecksum(ip)
		err = gopacket.SerializeLayers(buf, opts, ip, tcp, gopacket.Payload(s.Payload))
	} else {
		ip := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolTCP,
			SrcIP: s.Src.Addr().AsSlice(), DstIP: s.Dst.Addr().AsSlice()}
		_ = tcp.SetNetworkLayerForChecksum(ip)
		err = gopacket.SerializeLayers(buf, opts, ip, tcp, gopacket.Payload(s.Payload))
	}
	if err != nil {
		panic(fmt.Sprintf("pcapcraft: serialise %v: %v", s, err)) // test helper: the inputs are the test's own
	}
	pkt := buf.Bytes()
	hdr := 20
	if !s.Src.Addr().Is4() {
		hdr = 40
	}
	return pkt, pkt[hdr:]
}

// Fragments returns the Ethernet frames of s split into IP fragments of at
// most size bytes of IP payload (rounded down to a multiple of 8).
func Fragments(s Segment, id uint16, size int) [][]byte {
	size &^= 7
	if size <= 0 {
		size = 8
	}
	_, payload := ipPacket(s, id)
	v4 := s.Src.Addr().Is4()
	var out [][]byte
	for off := 0; off < len(payload); off += size {
		end := min(off+size, len(payload))
		more := end < len(payload)
		part := payload[off:end]
		var ip []byte
		if v4 {
			ip = make([]byte, 20+len(part))
			ip[0] = 0x45
			binary.BigEndian.PutUint16(ip[2:], uint16(len(ip)))
			binary.BigEndian.PutUint16(ip[4:], id)
			frag := uint16(off / 8)
			if more {
				frag |= 0x2000
			}
			binary.BigEndian.PutUint16(ip[6:], frag)
			ip[8], ip[9] = 64, 6
			src, dst := s.Src.Addr().As4(), s.Dst.Addr().As4()
			copy(ip[12:], src[:])
			copy(ip[16:], dst[:])
			binary.BigEndian.PutUint16(ip[10:], ipChecksum(ip[:20]))
			copy(ip[20:], part)
		} else {
			ip = make([]byte, 40+8+len(part))
			ip[0] = 0x60
			binary.BigEndian.PutUint16(ip[4:], uint16(8+len(part)))
			ip[6], ip[7] = 44, 64 // next header: fragment
			src, dst := s.Src.Addr().As16(), s.Dst.Addr().As16()
			copy(ip[8:], src[:])
			copy(ip[24:], dst[:])
			ip[40] = 6 // fragment header: next header TCP
			fo := uint16(off/8) << 3
			if more {
				fo |= 1
			}
			binary.BigEndian.PutUint16(ip[42:], fo)
			binary.BigEndian.PutUint32(ip[44:], uint32(id)+0x10000)
			copy(ip[48:], part)
		}
		out = append(out, append(ethHeader(v4), ip...))
	}
	return out
}

func ipChecksum(h []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(h); i += 2 {
		sum += uint32(h[i])<<8 | uint32(h[i+1])
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}
