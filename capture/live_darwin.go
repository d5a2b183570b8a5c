//go:build darwin

package capture

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"strconv"
	"syscall"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// macOS live capture: a /dev/bpf device read directly (go-stack.md §3:
// gopacket's bsdbpf has no filter API and no link-type query). No cgo.
//
// It has not been run on a Mac: CI cross-compiles it, and the command's
// loop is tested with a fake Live.
type bpfLive struct {
	name   string
	fd     int
	lt     LinkType
	buf    []byte
	rest   []byte // records of the last read not yet returned
	closed bool
}

// bpfBufferSize is asked for with BIOCSBLEN; macOS caps it at
// debug.bpf_maxbufsize (512 KiB by default) and the read buffer must be
// exactly what BIOCGBLEN then says.
const bpfBufferSize = 512 << 10

// DLT values of BIOCGDLT that differ from the LINKTYPE_ values of files.
const dltRaw = 12

// OpenLive starts a capture on an interface.
func OpenLive(opts LiveOptions) (Live, error) {
	name := opts.Interface
	if name == "any" {
		return nil, fmt.Errorf("%w: %q (macOS has no \"any\" interface: capture one interface, e.g. en0 or lo0)", ErrNoInterface, name)
	}
	ifc, err := net.InterfaceByName(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %q", ErrNoInterface, name)
	}
	if ifc.Flags&net.FlagUp == 0 {
		return nil, ErrInterfaceDown
	}
	if len(name) >= unix.IFNAMSIZ {
		return nil, fmt.Errorf("%w: %q (name too long)", ErrNoInterface, name)
	}
	fd, err := openBPFDevice()
	if err != nil {
		return nil, err
	}
	l := &bpfLive{name: name, fd: fd}
	if err := l.setup(opts); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return l, nil
}

// openBPFDevice opens the first free /dev/bpfN.
func openBPFDevice() (int, error) {
	for i := 0; i < 256; i++ {
		dev := "/dev/bpf" + strconv.Itoa(i)
		fd, err := unix.Open(dev, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		switch {
		case err == nil:
			return fd, nil
		case errors.Is(err, unix.EBUSY):
			continue
		case errors.Is(err, fs.ErrPermission):
			return -1, &OpenError{Device: dev, Err: err}
		case errors.Is(err, unix.ENOENT):
			return -1, fmt.Errorf("no free /dev/bpf device (%d in use)", i)
		default:
			return -1, &OpenError{Device: dev, Err: err}
		}
	}
	return -1, errors.New("no free /dev/bpf device (256 in use)")
}

// setup configures the device. The ioctls go through the syscall package's
// BSD BPF helpers: on darwin they call libc's ioctl (golang.org/x/sys/unix
// has no ioctl taking an arbitrary struct, and a raw unix.Syscall bypasses
// libSystem, which Apple does not guarantee). They are marked deprecated in
// favour of x/net/bpf, which replaces their program builders, not the
// ioctls.
func (l *bpfLive) setup(opts LiveOptions) error {
	// The buffer size must be set before the interface.
	if _, err := syscall.SetBpfBuflen(l.fd, bpfBufferSize); err != nil {
		return fmt.Errorf("BIOCSBLEN: %w", err)
	}
	if err := syscall.SetBpfInterface(l.fd, l.name); err != nil {
		if errors.Is(err, unix.ENXIO) {
			return fmt.Errorf("%w: %q", ErrNoInterface, l.name)
		}
		return fmt.Errorf("BIOCSETIF %s: %w", l.name, err)
	}
	// Immediate mode: a read returns as soon as a packet arrives, not when
	// the buffer is full.
	if err := syscall.SetBpfImmediate(l.fd, 1); err != nil {
		return fmt.Errorf("BIOCIMMEDIATE: %w", err)
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultPollTimeout
	}
	tv := syscall.NsecToTimeval(timeout.Nanoseconds())
	if err := syscall.SetBpfTimeout(l.fd, &tv); err != nil {
		return fmt.Errorf("BIOCSRTIMEOUT: %w", err)
	}
	dlt, err := syscall.BpfDatalink(l.fd)
	if err != nil {
		return fmt.Errorf("BIOCGDLT: %w", err)
	}
	switch dlt {
	case dltRaw:
		l.lt = layers.LinkTypeRaw
	default:
		l.lt = LinkType(dlt)
	}
	prog, err := BPFFilter(l.lt, opts.Filter)
	if err != nil {
		return err
	}
	raw, err := bpf.Assemble(prog)
	if err != nil {
		return fmt.Errorf("kernel filter: %w", err)
	}
	insns := make([]syscall.BpfInsn, len(raw))
	for i, r := range raw {
		insns[i] = syscall.BpfInsn{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	if err := syscall.SetBpf(l.fd, insns); err != nil {
		return fmt.Errorf("installing the kernel filter: %w", err)
	}
	blen, err := syscall.BpfBuflen(l.fd)
	if err != nil {
		return fmt.Errorf("BIOCGBLEN: %w", err)
	}
	l.buf = make([]byte, blen)
	return nil
}

// Next implements Source: it returns the records of one read one by one.
func (l *bpfLive) Next() ([]byte, gopacket.CaptureInfo, LinkType, error) {
	for {
		if data, ci, rest, ok := nextBPFRecord(l.rest); ok {
			l.rest = rest
			return data, ci, l.lt, nil
		}
		n, err := unix.Read(l.fd, l.buf)
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case errors.Is(err, unix.EAGAIN), err == nil && n == 0:
			// The read timeout (BIOCSRTIMEOUT) passed.
			return nil, gopacket.CaptureInfo{}, l.lt, ErrNoPacket
		case errors.Is(err, unix.ENXIO):
			return nil, gopacket.CaptureInfo{}, l.lt, ErrInterfaceDown
		case err != nil:
			return nil, gopacket.CaptureInfo{}, l.lt, fmt.Errorf("reading packets: %w", err)
		}
		l.rest = l.buf[:n]
	}
}

// Name implements Source.
func (l *bpfLive) Name() string { return l.name }

// LinkType implements Live.
func (l *bpfLive) LinkType() LinkType { return l.lt }

// Stats implements Live.
func (l *bpfLive) Stats() (LiveStats, error) {
	st, err := syscall.BpfStats(l.fd)
	if err != nil {
		return LiveStats{}, fmt.Errorf("BIOCGSTATS: %w", err)
	}
	return LiveStats{Received: uint64(st.Recv), Dropped: uint64(st.Drop)}, nil
}

// Close implements Source.
func (l *bpfLive) Close() error {
	if l.closed {
		return nil
	}
	l.closed = true
	return unix.Close(l.fd)
}
