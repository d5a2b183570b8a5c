package stream

import (
	"net/netip"
	"time"
)

// Conn is one watched TCP connection.
type Conn struct {
	// Stream is Wireshark's tcp.stream index: every TCP connection of the
	// capture counts, in the order of its first packet, from 0.
	Stream    int
	Interface int
	Client    netip.AddrPort
	Server    netip.AddrPort
	// Roles says how client and server were told apart: "syn" (the SYN's
	// sender is the client), "connect" (the CONNECT's sender), or "port"
	// (the MQTT port is the server's; a guess for mid-connection captures).
	Roles      string
	FirstFrame uint64
	FirstTime  time.Time
	LastFrame  uint64
	LastTime   time.Time
	// StartSeen says whether each direction's first byte was captured
	// (index 0 client→server, 1 server→client).
	StartSeen [2]bool
	// Bytes and Packets count TCP payload bytes and segments per direction
	// (0 client→server, 1 server→client), retransmissions included.
	Bytes   [2]int64
	Packets [2]int64
	// End says how each direction ended: "", "fin", "rst".
	End [2]string
	// EndFrame is the frame of the FIN or RST.
	EndFrame [2]uint64

	// State is for the Handler's own per-connection data.
	State any

	// The flags and small numbers are side by side, and the segments held
	// behind a hole are out of line: tens of thousands of connections may
	// be open at once, and the struct fits the 448-byte size class.
	done     bool
	waiting  bool // in Tracker.waiting
	isnValid bool
	// rstPending says a RST ended the connection before it carried a byte:
	// a retried SYN continues it (one connection for all the tries, as
	// Wireshark has one tcp.stream), anything else ends it.
	rstPending bool
	started    [2]bool
	// expect is the TCP sequence number of the next byte to deliver per
	// direction; it maps delivered bytes to sequence numbers (for bytes cut
	// by the snap length, and gaps across reassembly restarts).
	expectValid [2]bool
	expect      [2]uint32
	// isn is the client's initial sequence number, when its SYN was seen:
	// a SYN with the same number is a retry of the same connection.
	isn       uint32
	cutFrames int
	// padded counts, per direction, the packets holding zeros in place of
	// bytes never captured (cut by the snap length, or a lost hole filled
	// in) that reassembly has not delivered yet: while there are any, each
	// chunk is searched for them.
	padded [2]int
	// queued lists the segments reassembly holds behind a hole, per
	// direction (nil until there is one); ackWait is an acknowledged hole
	// waiting for its data.
	queued  *[2]queue
	ackWait [2]ackWait
	// gen names the connection's own reassembly state: a connection that
	// starts again on the same addresses and ports (a reused port, a
	// retried SYN) gets a new one (see flowOf).
	gen uint64
	// ender is the first FIN or RST reassembly took per direction.
	ender [2]ender
}

// Snapshot is a copy of the connection's identity and counts as they are
// now (its exported fields), which the stream layer will not change and
// which holds none of its reassembly state.
func (c *Conn) Snapshot() *Conn {
	return &Conn{Stream: c.Stream, Interface: c.Interface, Client: c.Client, Server: c.Server, Roles: c.Roles,
		FirstFrame: c.FirstFrame, FirstTime: c.FirstTime, LastFrame: c.LastFrame, LastTime: c.LastTime,
		StartSeen: c.StartSeen, Bytes: c.Bytes, Packets: c.Packets, End: c.End, EndFrame: c.EndFrame}
}

// ender is a packet that ended a direction.
type ender struct {
	valid bool
	rst   bool
	frame uint64
	ts    int64
}

// dirIndex is 0 for client→server and 1 for server→client.
func dirIndex(fromClient bool) int {
	if fromClient {
		return 0
	}
	return 1
}

// seqDiff is b−a in sequence space (wrap-around safe for distances < 2^31).
func seqDiff(a, b uint32) int64 { return int64(int32(b - a)) }
