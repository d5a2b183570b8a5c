//go:build linux

package capture

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/afpacket"
	"github.com/gopacket/gopacket/layers"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Linux live capture: an AF_PACKET socket with a TPACKET_V3 ring
// (afpacket, pure Go), with a kernel filter from BPFFilter.
//
// Ethernet and loopback interfaces are opened raw (their frames, link type
// Ethernet); every other interface, and "any" (all interfaces, bound to
// interface index 0), is opened cooked (SOCK_DGRAM): the kernel strips the
// link header and the packet starts at its IP header, link type RAW. The
// interface index of every packet is in its CaptureInfo.
type afpacketLive struct {
	name string
	tp   *afpacket.TPacket
	lt   LinkType
	// filtered is when the kernel filter was attached; until the first
	// packet after it, older packets are skipped (and not counted).
	filtered time.Time
	skipped  uint64
}

// Ring layout: blocks of 256 KiB (a block holds whole packets: 64 KiB GSO
// segments on loopback fit) retired after at most blockTimeout, so that a
// packet reaches the reader within that time even on a quiet interface.
const (
	ringBlockSize = 256 << 10
	blockTimeout  = 10 * time.Millisecond
	// Hardware types (ARPHRD_*) read raw, as Ethernet frames: Ethernet
	// (and Wi-Fi, veth, bridges) and the loopback device.
	arphrdEther    = 1
	arphrdLoopback = 772
)

// OpenLive starts a capture on an interface.
func OpenLive(opts LiveOptions) (Live, error) {
	name := opts.Interface
	spec := opts.Filter
	var ifname string
	sock, lt := afpacket.SocketDgram, LinkType(layers.LinkTypeRaw)
	if name == "any" {
		// Loopback traffic is seen twice on "any" too: drop the outgoing
		// copies of the loopback interfaces only.
		ifs, _ := net.Interfaces()
		for _, ifc := range ifs {
			if ifc.Flags&net.FlagLoopback != 0 {
				spec.DropOutgoingOn = append(spec.DropOutgoingOn, ifc.Index)
			}
		}
	} else {
		ifc, err := net.InterfaceByName(name)
		if err != nil {
			return nil, fmt.Errorf("%w: %q", ErrNoInterface, name)
		}
		if ifc.Flags&net.FlagUp == 0 {
			return nil, ErrInterfaceDown
		}
		ifname = ifc.Name
		switch hardwareType(ifc) {
		case arphrdLoopback:
			sock, lt = afpacket.SocketRaw, layers.LinkTypeEthernet
			spec.DropOutgoing = true
		case arphrdEther:
			sock, lt = afpacket.SocketRaw, layers.LinkTypeEthernet
		}
	}
	prog, err := BPFFilter(lt, spec)
	if err != nil {
		return nil, err
	}
	raw, err := bpf.Assemble(prog)
	if err != nil {
		return nil, fmt.Errorf("kernel filter: %w", err)
	}
	size := opts.BufferSize
	if size <= 0 {
		size = DefaultBufferSize
	}
	blocks := max(size/ringBlockSize, 4)
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultPollTimeout
	}
	tp, err := afpacket.NewTPacket(
		afpacket.OptInterface(ifname),
		sock,
		afpacket.TPacketVersion3,
		afpacket.OptFrameSize(ringBlockSize/64),
		afpacket.OptBlockSize(ringBlockSize),
		afpacket.OptNumBlocks(blocks),
		afpacket.OptBlockTimeout(blockTimeout),
		afpacket.OptPollTimeout(timeout),
	)
	if err != nil {
		return nil, &OpenError{Device: "a raw socket", Err: err}
	}
	// The socket receives every packet from its bind until the filter is
	// attached (afpacket binds in NewTPacket and does not expose the socket
	// to attach the filter first): Next skips what arrived before.
	before := time.Now()
	if err := tp.SetBPF(raw); err != nil {
		tp.Close()
		return nil, fmt.Errorf("installing the kernel filter: %w", err)
	}
	return &afpacketLive{name: name, tp: tp, lt: lt, filtered: before}, nil
}

// hardwareType is the ARPHRD_ type of an interface (0 when unknown).
func hardwareType(ifc *net.Interface) int {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err == nil {
		defer unix.Close(fd)
		if ifr, err := unix.NewIfreq(ifc.Name); err == nil {
			if err := unix.IoctlIfreq(fd, unix.SIOCGIFHWADDR, ifr); err == nil {
				return int(ifr.Uint16())
			}
		}
	}
	// Without the ioctl: guess from what net knows.
	switch {
	case ifc.Flags&net.FlagLoopback != 0:
		return arphrdLoopback
	case len(ifc.HardwareAddr) == 6:
		return arphrdEther
	}
	return 0
}

// Next implements Source.
func (l *afpacketLive) Next() ([]byte, gopacket.CaptureInfo, LinkType, error) {
	for {
		data, ci, err := l.tp.ZeroCopyReadPacketData()
		if err != nil {
			if errors.Is(err, afpacket.ErrTimeout) {
				l.filtered = time.Time{}
				return nil, ci, l.lt, ErrNoPacket
			}
			if ifc, ierr := net.InterfaceByName(l.name); l.name != "any" && (ierr != nil || ifc.Flags&net.FlagUp == 0) {
				return nil, ci, l.lt, ErrInterfaceDown
			}
			return nil, ci, l.lt, fmt.Errorf("reading packets: %w", err)
		}
		if !l.filtered.IsZero() {
			if ci.Timestamp.Before(l.filtered) {
				l.skipped++
				continue
			}
			l.filtered = time.Time{}
		}
		ci.AncillaryData = nil // VLAN tags: not used
		return data, ci, l.lt, nil
	}
}

// Name implements Source.
func (l *afpacketLive) Name() string { return l.name }

// LinkType implements Live.
func (l *afpacketLive) LinkType() LinkType { return l.lt }

// Stats implements Live.
func (l *afpacketLive) Stats() (LiveStats, error) {
	// The kernel resets its counters when they are read; afpacket adds
	// them up.
	_, v3, err := l.tp.SocketStats()
	if err != nil {
		return LiveStats{}, err
	}
	return LiveStats{Received: uint64(v3.Packets()) - min(l.skipped, uint64(v3.Packets())), Dropped: uint64(v3.Drops())}, nil
}

// Close implements Source.
func (l *afpacketLive) Close() error {
	l.tp.Close()
	return nil
}
