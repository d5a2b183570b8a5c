package capture

import (
	"errors"
	"time"
)

// Live is a capture from a network interface, as the packets arrive.
//
// Next blocks until a packet arrives or until the poll timeout passes, when
// it returns ErrNoPacket: the caller gets a chance to check its context and
// timers on a quiet interface. It never returns io.EOF (a test double may,
// to end the capture).
type Live interface {
	Source
	// LinkType is the link type of every packet (a cooked capture such as
	// Linux "any" gives LinkTypeRaw).
	LinkType() LinkType
	// Stats are the kernel's counts since the capture started.
	Stats() (LiveStats, error)
}

// LiveStats are the kernel's counts of a live capture.
type LiveStats struct {
	// Received counts the packets the kernel filter passed to the capture
	// (including those dropped).
	Received uint64
	// Dropped counts the packets that passed the filter but were lost
	// because the capture buffer was full.
	Dropped uint64
}

// LiveOptions say what to capture.
type LiveOptions struct {
	// Interface is the interface name; "any" captures on all interfaces
	// (Linux only).
	Interface string
	// Filter is what the kernel passes to the capture (BPFFilter builds
	// the program for the interface's link type).
	Filter FilterSpec
	// BufferSize is the kernel capture buffer, in bytes (DefaultBufferSize
	// when 0).
	BufferSize int
	// Timeout is how long Next waits for a packet before returning
	// ErrNoPacket (DefaultPollTimeout when 0).
	Timeout time.Duration
}

// Defaults of LiveOptions.
const (
	DefaultBufferSize  = 16 << 20
	DefaultPollTimeout = 200 * time.Millisecond
	// DefaultSnaplen is the most of a packet a live capture keeps (what
	// libpcap keeps by default).
	DefaultSnaplen = 262144
)

var (
	// ErrNoPacket is what a Live source's Next returns when no packet
	// arrived within the poll timeout.
	ErrNoPacket = errors.New("no packet within the poll timeout")
	// ErrNoInterface means the interface does not exist.
	ErrNoInterface = errors.New("no such interface")
	// ErrInterfaceDown means the interface is not up (or went down).
	ErrInterfaceDown = errors.New("the interface is down")
	// ErrLiveUnsupported means live capture is not implemented on this
	// system.
	ErrLiveUnsupported = errors.New("live capture is not supported on this system")
)

// OpenError is a failure to open the capture device. Err is the system's
// error: errors.Is(err, fs.ErrPermission) tells missing privileges, for
// which callers give their platform's hint.
type OpenError struct {
	Device string // "a raw socket", "/dev/bpf0"
	Err    error
}

func (e *OpenError) Error() string { return "opening " + e.Device + ": " + e.Err.Error() }
func (e *OpenError) Unwrap() error { return e.Err }
