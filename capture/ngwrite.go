package capture

import (
	"io"
	"runtime"

	"github.com/gopacket/gopacket/pcapgo"
)

// NgWriter saves a live capture in a pcapng file that mqttpcap read,
// Wireshark and tshark open: one interface block per capture interface
// (added as each interface's first packet comes), nanosecond timestamps.
type NgWriter struct {
	w      io.Writer
	ng     *pcapgo.NgWriter // created with the first interface block
	name   string
	lt     LinkType
	filter string
	err    error
}

// NewNgWriter returns a writer on w for a capture on interface name of
// link type lt (for a capture that sees no packet); filter describes the
// kernel filter (libpcap syntax, stored in each interface block).
func NewNgWriter(w io.Writer, name string, lt LinkType, filter string) *NgWriter {
	return &NgWriter{w: w, name: name, lt: lt, filter: filter}
}

// AddInterface adds an interface block and returns its id, the
// InterfaceIndex to give WritePacket for that interface's packets (ids
// count from 0 in the order interfaces are added).
func (w *NgWriter) AddInterface(name string, lt LinkType) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	intf := pcapgo.NgInterface{Name: name, OS: runtime.GOOS, LinkType: lt, SnapLength: DefaultSnaplen,
		Filter: w.filter, TimestampResolution: 9}
	if w.ng == nil {
		opts := pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{Hardware: runtime.GOARCH, OS: runtime.GOOS, Application: "mqttpcap live"}}
		w.ng, w.err = pcapgo.NewNgWriterInterface(w.w, intf, opts)
		return 0, w.err
	}
	id, err := w.ng.AddInterface(intf)
	w.err = err
	return id, err
}

// WritePacket writes one packet; ci.InterfaceIndex is an id AddInterface
// returned.
func (w *NgWriter) WritePacket(ci CaptureInfo, data []byte) error {
	if w.err != nil {
		return w.err
	}
	ci.AncillaryData = nil
	w.err = w.ng.WritePacket(ci, data)
	return w.err
}

// Flush writes out what is buffered. A capture that saw no packet still
// gives a valid file: a section header and the capture's interface block.
func (w *NgWriter) Flush() error {
	if w.ng == nil && w.err == nil {
		w.AddInterface(w.name, w.lt)
	}
	if w.err != nil {
		return w.err
	}
	return w.ng.Flush()
}
