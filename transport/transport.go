// Package transport holds what the layers between TCP and MQTT share:
// WebSocket (transport/ws) and TLS decrypted with a key log (transport/tls).
//
// A layer is a byte-stream transformer of one connection: it takes the
// bytes of each direction in stream order (what stream reassembles, or what
// a layer below it decoded) and gives the bytes of the layer above (the
// payload of WebSocket frames, the plaintext of TLS records), for the
// direction they belong to, and events (an upgrade, a close frame, a key
// log without the connection's keys, a protocol problem).
//
// Every output byte keeps the frame that made it available: a WebSocket
// payload byte the frame that carried it, a TLS plaintext byte the frame
// that completed its record. A packet above then completes at the latest
// frame among its bytes, as it does straight over TCP, and the MQTT framer
// never learns what carried its bytes.
//
// Layers are single-threaded values owned by one connection: nothing here
// starts a goroutine or keeps global state.
package transport

import (
	"sort"
	"time"

	"github.com/mqttpcap/mqttpcap/stream"
)

// Dir is a direction of a connection.
type Dir uint8

// Directions, numbered as stream.Conn numbers them.
const (
	ClientToServer Dir = 0
	ServerToClient Dir = 1
)

// Name is "client" or "server", the direction's sender.
func (d Dir) Name() string {
	if d == ClientToServer {
		return "client"
	}
	return "server"
}

// Arrow is "client→server" or "server→client".
func (d Dir) Arrow() string {
	if d == ClientToServer {
		return "client→server"
	}
	return "server→client"
}

// Origins gives the frame that carried (or completed) the byte at an offset
// of some bytes, and its capture time. *stream.Chunk and *Bytes have it.
type Origins interface {
	Origin(off int) (uint64, time.Time)
}

// Input is the next bytes of one direction given to a layer: Data, the
// ranges of it that were not captured (zero-filled, as stream.Chunk's), and
// where each byte came from.
type Input struct {
	Data    []byte
	Missing []stream.Missing
	Origins Origins
}

// Layer is one transport of a connection (see the package doc).
type Layer interface {
	// Feed decodes the next bytes of direction d. What it decodes is
	// appended to out[dir] (for either direction: a TLS layer may release
	// the other direction's records once the keys are known) and what it
	// has to say to ev.
	Feed(d Dir, in Input, out *[2]Bytes, ev *[]Event)
	// Gap says n bytes of direction d were lost before the next Feed.
	Gap(d Dir, n int64, frame uint64, t time.Time, out *[2]Bytes, ev *[]Event)
	// End says nothing more will come: the layer hands on what it still
	// holds and reports what never completed.
	End(out *[2]Bytes, ev *[]Event)
}

// Bytes is decoded bytes of one direction with the frame of every byte. It
// is a layer's output and the next layer's (or the MQTT framer's) input.
// Reset empties it for reuse without freeing its memory.
type Bytes struct {
	Data []byte
	// Missing lists ranges of Data that stand for bytes never captured
	// (zero-filled), as stream.Chunk's Missing does.
	Missing []stream.Missing
	runs    []run
}

// run says that the bytes before end, back to the previous run's end, came
// from frame at time t.
type run struct {
	end   int
	frame uint64
	t     time.Time
}

// Len is len(b.Data).
func (b *Bytes) Len() int { return len(b.Data) }

// Reset empties b.
func (b *Bytes) Reset() {
	b.Data, b.Missing, b.runs = b.Data[:0], b.Missing[:0], b.runs[:0]
}

// Origin implements Origins.
func (b *Bytes) Origin(off int) (uint64, time.Time) {
	i := sort.Search(len(b.runs), func(i int) bool { return b.runs[i].end > off })
	if i == len(b.runs) {
		if len(b.runs) == 0 {
			return 0, time.Time{}
		}
		i--
	}
	return b.runs[i].frame, b.runs[i].t
}

// Mark says that the last n bytes of Data came from frame at time t.
func (b *Bytes) Mark(n int, frame uint64, t time.Time) {
	if n <= 0 {
		return
	}
	b.markEnd(len(b.Data), frame, t)
}

// MarkFrom says that the last n bytes of Data came from where the bytes
// src[off:off+n] came from (a WebSocket payload keeps its input's frames).
// The bytes of one frame are contiguous in a stream, so a range whose ends
// share a frame is all of that frame: each run is found by bisection, and
// a range from one frame costs two lookups.
func (b *Bytes) MarkFrom(n int, src Origins, off int) {
	if n <= 0 {
		return
	}
	base := len(b.Data) - n
	for i := 0; i < n; {
		f, t := src.Origin(off + i)
		// The last byte of the run that starts at i: the largest j with
		// the same frame.
		last := n - 1
		if lf, _ := src.Origin(off + last); lf != f {
			lo, hi := i, last-1
			for lo < hi {
				mid := lo + (hi-lo+1)/2
				if mf, _ := src.Origin(off + mid); mf == f {
					lo = mid
				} else {
					hi = mid - 1
				}
			}
			last = lo
		}
		b.markEnd(base+last+1, f, t)
		i = last + 1
	}
}

func (b *Bytes) markEnd(end int, frame uint64, t time.Time) {
	if k := len(b.runs); k > 0 && b.runs[k-1].frame == frame && b.runs[k-1].t.Equal(t) {
		b.runs[k-1].end = end
		return
	}
	b.runs = append(b.runs, run{end: end, frame: frame, t: t})
}

// Lose appends n zero bytes standing for bytes lost before frame (a gap the
// layer could carry through, such as lost bytes inside a WebSocket frame's
// payload).
func (b *Bytes) Lose(n int, frame uint64, t time.Time) {
	if n <= 0 {
		return
	}
	off := len(b.Data)
	b.Data = append(b.Data, make([]byte, n)...)
	b.Missing = append(b.Missing, stream.Missing{Off: off, Len: n, Frame: frame, Lost: true})
	b.Mark(n, frame, t)
}

// Cut records that the last n bytes of Data are zeros standing for bytes
// the snap length cut from frame.
func (b *Bytes) Cut(n int, frame uint64) {
	if n <= 0 {
		return
	}
	off := len(b.Data) - n
	if k := len(b.Missing); k > 0 && !b.Missing[k-1].Lost && b.Missing[k-1].Off+b.Missing[k-1].Len == off && b.Missing[k-1].Frame == frame {
		b.Missing[k-1].Len += n
		return
	}
	b.Missing = append(b.Missing, stream.Missing{Off: off, Len: n, Frame: frame})
}
