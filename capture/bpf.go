package capture

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gopacket/gopacket/layers"
	"golang.org/x/net/bpf"
)

// FilterSpec says which packets a live capture's kernel filter passes: TCP
// segments over IPv4 or IPv6 (without extension headers) from or to one of
// Ports, or every TCP segment with AllTCP; and the fragments of TCP
// datagrams that the ports cannot be read from (IPv4 fragments after the
// first, IPv6 fragments), for the stream layer to put back together.
// Everything else (UDP, ARP) stays in the kernel.
type FilterSpec struct {
	Ports  []uint16
	AllTCP bool
	// DropOutgoing rejects every outgoing packet: on a Linux loopback
	// interface each packet is seen twice, going out and coming in
	// (go-stack.md §3), and libpcap keeps only the incoming copy.
	DropOutgoing bool
	// DropOutgoingOn rejects the outgoing packets of these interface
	// indexes only (Linux "any": the loopback interfaces; the outgoing
	// packets of other interfaces are their only copy).
	DropOutgoingOn []int
	// Snaplen is the most of a packet kept (DefaultSnaplen when 0).
	Snaplen int
}

// MaxFilterPorts is the most ports a kernel filter checks: a classic BPF
// jump skips at most 255 instructions.
const MaxFilterPorts = 48

// String describes the filter in libpcap's syntax (for messages and the
// pcapng interface block).
func (s FilterSpec) String() string {
	if s.AllTCP {
		return "tcp"
	}
	parts := make([]string, len(s.Ports))
	for i, p := range s.Ports {
		parts[i] = "tcp port " + strconv.Itoa(int(p))
	}
	return strings.Join(parts, " or ")
}

// Linux socket filter extensions the program uses: the packet type
// (skb->pkt_type) and PACKET_OUTGOING, its value for a packet this host
// sends.
const packetOutgoing = 4

// linkOffsets gives where a link type puts its EtherType (-1 when the IP
// version nibble tells IPv4 from IPv6) and the IP header.
func linkOffsets(lt LinkType) (etherType, ip int, ok bool) {
	switch lt {
	case layers.LinkTypeEthernet:
		return 12, 14, true
	case layers.LinkTypeLinuxSLL:
		return 14, 16, true
	case layers.LinkTypeLinuxSLL2:
		return 0, 20, true
	case layers.LinkTypeNull, layers.LinkTypeLoop:
		// The address family is in host (NULL) or network (LOOP) byte
		// order, with OS-dependent values: the version nibble is simpler.
		return -1, 4, true
	case layers.LinkTypeRaw, layers.LinkTypeIPv4, layers.LinkTypeIPv6, 12, 14:
		return -1, 0, true
	}
	return 0, 0, false
}

// BPFFilter builds the kernel filter of spec for link type lt. The program
// keeps Snaplen bytes of a packet it passes and rejects the rest. The
// DropOutgoing prefixes use Linux extensions that bpf.NewVM cannot run.
func BPFFilter(lt LinkType, spec FilterSpec) ([]bpf.Instruction, error) {
	etherType, ip, ok := linkOffsets(lt)
	if !ok {
		return nil, fmt.Errorf("no kernel filter for link type %d (%s)", lt, lt)
	}
	if !spec.AllTCP && len(spec.Ports) == 0 {
		return nil, fmt.Errorf("kernel filter: no ports")
	}
	if len(spec.Ports) > MaxFilterPorts && !spec.AllTCP {
		return nil, fmt.Errorf("kernel filter: %d ports, at most %d", len(spec.Ports), MaxFilterPorts)
	}
	snap := spec.Snaplen
	if snap <= 0 {
		snap = DefaultSnaplen
	}
	var a assembler
	const (
		accept = iota
		reject
		v4
		v6
		v6tcp
		main
		labels
	)
	a.labels = make([]int, labels)
	ipOff := uint32(ip)

	switch {
	case spec.DropOutgoing:
		a.add(bpf.LoadExtension{Num: bpf.ExtType})
		a.jump(bpf.JumpEqual, packetOutgoing, reject, -1)
	case len(spec.DropOutgoingOn) > 0:
		a.add(bpf.LoadExtension{Num: bpf.ExtType})
		a.jump(bpf.JumpEqual, packetOutgoing, -1, main)
		a.add(bpf.LoadExtension{Num: bpf.ExtInterfaceIndex})
		for _, idx := range spec.DropOutgoingOn {
			a.jump(bpf.JumpEqual, uint32(idx), reject, -1)
		}
	}
	a.label(main)

	// IPv4 or IPv6?
	if etherType >= 0 {
		a.add(bpf.LoadAbsolute{Off: uint32(etherType), Size: 2})
		a.jump(bpf.JumpEqual, uint32(layers.EthernetTypeIPv4), v4, -1)
		a.jump(bpf.JumpEqual, uint32(layers.EthernetTypeIPv6), v6, reject)
	} else {
		a.add(bpf.LoadAbsolute{Off: ipOff, Size: 1})
		a.add(bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0xf0})
		a.jump(bpf.JumpEqual, 0x40, v4, -1)
		a.jump(bpf.JumpEqual, 0x60, v6, reject)
	}

	// IPv4: TCP; a later fragment (it has no TCP header) passes, else the
	// ports after the IHL-long header.
	a.label(v4)
	a.add(bpf.LoadAbsolute{Off: ipOff + 9, Size: 1})
	a.jump(bpf.JumpEqual, uint32(layers.IPProtocolTCP), -1, reject)
	a.add(bpf.LoadAbsolute{Off: ipOff + 6, Size: 2})
	a.jump(bpf.JumpBitsSet, 0x1fff, accept, -1)
	if spec.AllTCP {
		a.jump(bpf.JumpEqual, 0, accept, accept)
	} else {
		a.add(bpf.LoadMemShift{Off: ipOff})
		a.portsAccept(spec.Ports, accept, reject,
			bpf.LoadIndirect{Off: ipOff, Size: 2}, bpf.LoadIndirect{Off: ipOff + 2, Size: 2})
	}

	// IPv6: TCP right after the fixed header (no extension headers), or a
	// fragment header there whose datagram is TCP (it passes whole: only
	// the first fragment has the ports).
	a.label(v6)
	a.add(bpf.LoadAbsolute{Off: ipOff + 6, Size: 1})
	a.jump(bpf.JumpEqual, uint32(layers.IPProtocolTCP), v6tcp, -1)
	a.jump(bpf.JumpEqual, uint32(layers.IPProtocolIPv6Fragment), -1, reject)
	a.add(bpf.LoadAbsolute{Off: ipOff + 40, Size: 1})
	a.jump(bpf.JumpEqual, uint32(layers.IPProtocolTCP), accept, reject)
	a.label(v6tcp)
	if !spec.AllTCP {
		a.portsAccept(spec.Ports, accept, reject,
			bpf.LoadAbsolute{Off: ipOff + 40, Size: 2}, bpf.LoadAbsolute{Off: ipOff + 42, Size: 2})
	}

	a.label(accept)
	a.add(bpf.RetConstant{Val: uint32(snap)})
	a.label(reject)
	a.add(bpf.RetConstant{Val: 0})
	return a.resolve()
}

// assembler lays out a program whose conditional jumps name labels; -1
// falls through to the next instruction.
type assembler struct {
	prog   []bpf.Instruction
	jumps  []pendingJump
	labels []int
}

type pendingJump struct {
	at          int
	cond        bpf.JumpTest
	val         uint32
	true, false int
}

func (a *assembler) add(i bpf.Instruction) { a.prog = append(a.prog, i) }

func (a *assembler) label(l int) { a.labels[l] = len(a.prog) }

// portsAccept jumps to accept when the source or the destination port (as
// loaded by srcLoad and dstLoad) is one of ports, else to reject.
func (a *assembler) portsAccept(ports []uint16, accept, reject int, srcLoad, dstLoad bpf.Instruction) {
	for _, load := range [2]bpf.Instruction{srcLoad, dstLoad} {
		a.add(load)
		for _, p := range ports {
			a.jump(bpf.JumpEqual, uint32(p), accept, -1)
		}
	}
	a.jump(bpf.JumpEqual, 0, reject, reject)
}

func (a *assembler) jump(cond bpf.JumpTest, val uint32, t, f int) {
	a.jumps = append(a.jumps, pendingJump{at: len(a.prog), cond: cond, val: val, true: t, false: f})
	a.prog = append(a.prog, nil)
}

func (a *assembler) resolve() ([]bpf.Instruction, error) {
	for _, j := range a.jumps {
		skip := func(l int) (uint8, error) {
			if l < 0 {
				return 0, nil
			}
			n := a.labels[l] - j.at - 1
			if n < 0 || n > 255 {
				return 0, fmt.Errorf("kernel filter: jump of %d instructions (too many ports)", n)
			}
			return uint8(n), nil
		}
		t, err := skip(j.true)
		if err != nil {
			return nil, err
		}
		f, err := skip(j.false)
		if err != nil {
			return nil, err
		}
		a.prog[j.at] = bpf.JumpIf{Cond: j.cond, Val: j.val, SkipTrue: t, SkipFalse: f}
	}
	return a.prog, nil
}
