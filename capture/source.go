// Package capture reads link-layer packets from capture files (pcap and
// pcapng, gzip-compressed or not, from a path or standard input) and, on
// supported systems, from live network interfaces.
//
// It takes a path, "-" or an interface name and gives packets with their
// capture info and link type, one at a time, reusing one buffer: a packet's
// bytes are valid until the next call.
package capture

import (
	"errors"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Source is a stream of captured packets.
type Source interface {
	// Next returns the next packet. Its data is valid until the next call.
	// At the end it returns io.EOF; a damaged or cut-short capture returns
	// an error wrapping ErrCutShort or ErrDamaged after the last good packet.
	Next() (data []byte, ci gopacket.CaptureInfo, lt layers.LinkType, err error)
	// Name is the file name or interface, for messages.
	Name() string
	Close() error
}

// CaptureInfo and LinkType are gopacket's, named here so that callers of
// this package need not import gopacket.
type (
	CaptureInfo = gopacket.CaptureInfo
	LinkType    = layers.LinkType
)

var (
	// ErrCutShort means the capture ends in the middle of a record, as a
	// capture copied while it was being written, or cut by hand, does.
	ErrCutShort = errors.New("capture cut short")
	// ErrDamaged means a record is not valid (a corrupted file).
	ErrDamaged = errors.New("capture damaged")
	// ErrNotCapture means the file is not a pcap or pcapng file.
	ErrNotCapture = errors.New("not a pcap or pcapng file")
)
