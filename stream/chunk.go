package stream

import (
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/reassembly"
)

// Chunk is a run of reassembled bytes of one direction, with the frames
// that carried them.
type Chunk struct {
	Data []byte
	// AtStart says the chunk begins the direction's stream and the TCP
	// start was seen (so it begins at an MQTT packet boundary).
	AtStart bool
	// Missing lists byte ranges of Data that were not captured (filled with
	// zeros), in order, each with the frame it belongs to.
	Missing []Missing

	sg    reassembly.ScatterGather
	extra *packetCtx // for synthetic chunks built outside reassembly
}

// Missing is a byte range of a chunk that was not captured: cut by the snap
// length (zero-filled, in place of the real bytes), or, when Lost is set, a
// gap in the capture (zero-filled so that reassembly could go on; the
// stream continues after it).
type Missing struct {
	Off, Len int
	Frame    uint64
	Lost     bool
}

// Origin returns the frame number and capture time of the packet that
// carried the byte at offset off.
func (c *Chunk) Origin(off int) (uint64, time.Time) {
	ctx := c.ctxAt(off)
	if ctx == nil {
		return 0, time.Time{}
	}
	return ctx.frame, ctx.ci.Timestamp
}

func (c *Chunk) ctxAt(off int) *packetCtx {
	if c.sg == nil {
		return c.extra
	}
	return ctxOf(c.sg.CaptureInfo(off))
}

// packetCtx is the AssemblerContext of one TCP packet. It carries the frame
// number, which gopacket's CaptureInfo has no field for: the CaptureInfo it
// returns holds the context itself as ancillary data, so that
// ScatterGather.CaptureInfo(offset) leads back to the frame of any byte.
// One is allocated per packet: a reused context would give buffered
// (out-of-order) bytes the frame of a later packet (go-stack.md §4).
type packetCtx struct {
	ci         gopacket.CaptureInfo
	frame      uint64
	rst        bool
	fromClient bool
	conn       *Conn
	self       [1]any
}

func newPacketCtx(ci gopacket.CaptureInfo, frame uint64) *packetCtx {
	c := &packetCtx{frame: frame}
	c.ci = gopacket.CaptureInfo{Timestamp: ci.Timestamp, CaptureLength: ci.CaptureLength, Length: ci.Length, InterfaceIndex: ci.InterfaceIndex}
	c.self[0] = c
	c.ci.AncillaryData = c.self[:]
	return c
}

func (c *packetCtx) GetCaptureInfo() gopacket.CaptureInfo { return c.ci }

func ctxOf(ci gopacket.CaptureInfo) *packetCtx {
	if len(ci.AncillaryData) == 0 {
		return nil
	}
	c, _ := ci.AncillaryData[0].(*packetCtx)
	return c
}
