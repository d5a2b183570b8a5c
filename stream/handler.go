package stream

import "time"

// Handler receives what the Tracker reassembles. All calls come from the
// goroutine that calls Tracker.Packet, Flush and Close, in capture order.
type Handler interface {
	// Opened is called when a connection starts being watched.
	Opened(c *Conn)
	// Data delivers the next bytes of one direction, in stream order.
	// The chunk is valid only during the call.
	Data(c *Conn, fromClient bool, chunk *Chunk)
	// Gap says n bytes of one direction are missing: reassembly gave up
	// waiting for them (after the hole timeout, or when a buffer cap was
	// reached); the next Data continues after them. Frame and Time are those
	// of the first packet after the hole. (Bytes the receiver acknowledged
	// but the capture lacks come as a Lost range of a Chunk instead.)
	Gap(c *Conn, fromClient bool, n int64, frame uint64, t time.Time)
	// Closed says one direction ended (FIN or RST, see c.End).
	Closed(c *Conn, fromClient bool, frame uint64, t time.Time)
	// Done is called once per connection when nothing more will come:
	// both directions closed, idle past the timeout, or the capture ended.
	Done(c *Conn, why string)
	// Event reports something about the capture that is not a connection's
	// data (a frame cut by the snap length, an unsupported link type).
	Event(e Event)
}

// Event is a capture-level notice.
type Event struct {
	Kind  string // "snaplen", "link_type", "cap", "fragment"
	Frame uint64
	Time  time.Time
	Conn  *Conn // nil when not about one connection
	// FromClient says which direction of Conn the event is about.
	FromClient bool
	Message    string
}
