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

	sg reassembly.ScatterGather
	// single is set when every byte of the chunk came in one packet (the
	// common case): Origin needs no lookup then.
	single *packetCtx
}

// Missing is a byte range of a chunk that was not captured: cut by the snap
// length (zero-filled, in place of the real bytes), or, when Lost is set, a
// gap in the capture (zero-filled so that reassembly could go on; the
// stream continues after it). Acked says the receiver acknowledged the lost
// bytes: they were sent, only the capture lacks them; without it
// reassembly gave up waiting for them.
type Missing struct {
	Off, Len int
	Frame    uint64
	Lost     bool
	Acked    bool
}

// Origin returns the frame number and capture time of the packet that
// carried the byte at offset off.
func (c *Chunk) Origin(off int) (uint64, time.Time) {
	ctx := c.ctxAt(off)
	if ctx == nil {
		return 0, time.Time{}
	}
	return ctx.frame, time.Unix(0, ctx.ts).UTC()
}

func (c *Chunk) ctxAt(off int) *packetCtx {
	if c.single != nil {
		return c.single
	}
	if c.sg == nil {
		return nil
	}
	return ctxOf(c.sg.CaptureInfo(off))
}

// packetCtx is the AssemblerContext of one TCP packet. It carries the frame
// number, which gopacket's CaptureInfo has no field for: the CaptureInfo it
// returns holds the context itself as ancillary data, so that
// ScatterGather.CaptureInfo(offset) leads back to the frame of any byte.
// Each packet has its own context: a reused one would give buffered
// (out-of-order) bytes the frame of a later packet (go-stack.md §4).
type packetCtx struct {
	ts    int64 // capture time, Unix nanoseconds (smaller than a time.Time)
	frame uint64
	conn  *Conn
	self  [1]any
	// payload is the first byte of the packet's TCP payload while the
	// packet is being assembled (nil after): a chunk that starts there
	// and is as long is that payload alone (singleSource).
	payload *byte
	n       int32 // the payload's length
	iface   int32
	// pad is how many bytes at the end of the payload are zeros standing in
	// for bytes never captured: the snap length's cut, or all of it when
	// lost is set (a hole filled by Tracker.fillAckedHole).
	pad        int32
	lost       bool
	acked      bool // lost bytes the receiver acknowledged (sent, not captured)
	padSeen    bool // the padded bytes were delivered and reported
	rst        bool
	fromClient bool
	// release marks the RSTs that make reassembly drop a connection that
	// is over (Tracker.release): nothing of them is reported.
	release bool
	// gen is the reassembly generation of the connection the packet is
	// assembled into (see flowOf).
	gen uint64
}

func (c *packetCtx) GetCaptureInfo() gopacket.CaptureInfo {
	return gopacket.CaptureInfo{Timestamp: time.Unix(0, c.ts).UTC(), InterfaceIndex: int(c.iface), AncillaryData: c.self[:]}
}

// ctxSlab hands out packet contexts from small slabs: one allocation per
// 64 packets instead of one per packet. A slab stays alive while any of its
// contexts is referenced by buffered out-of-order data, so slabs are kept
// small (64 × 72 bytes) to bound what disorder can pin (go-stack.md §4: a
// 1024-entry slab pinned 63 MB under disorder).
type ctxSlab struct {
	free []packetCtx
}

const ctxSlabSize = 64

func (s *ctxSlab) get(ci gopacket.CaptureInfo, frame uint64) *packetCtx {
	if len(s.free) == 0 {
		s.free = make([]packetCtx, ctxSlabSize)
	}
	c := &s.free[0]
	s.free = s.free[1:]
	c.ts, c.frame, c.iface = ci.Timestamp.UnixNano(), frame, int32(ci.InterfaceIndex)
	c.pad, c.lost, c.acked, c.padSeen, c.release, c.payload = 0, false, false, false, false, nil
	c.self[0] = c
	return c
}

func ctxOf(ci gopacket.CaptureInfo) *packetCtx {
	if len(ci.AncillaryData) == 0 {
		return nil
	}
	c, _ := ci.AncillaryData[0].(*packetCtx)
	return c
}
