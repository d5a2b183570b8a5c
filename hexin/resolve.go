package hexin

import (
	"github.com/mqttpcap/mqttpcap/decode"
)

// serverTypes are the packet types only a server sends. A PUBLISH, a PUBACK
// or a DISCONNECT may come from either side: without more to go on they
// are taken as the client's (the device is what users write hex for).
var serverTypes = map[decode.Type]bool{decode.CONNACK: true, decode.SUBACK: true, decode.UNSUBACK: true, decode.PINGRESP: true}

// resolve gives the runs of unknown direction theirs: each run is cut
// into packets, each packet goes to the side that sends its type, and a
// CONNECT after the client's first packet opens a new connection (so an
// export of several connections reads back as several).
func (in *Input) resolve() {
	remap := map[int]int{} // original connection → the one it continues as
	sent := map[int]bool{} // the client of a connection sent a packet
	var out []Segment
	for i := 0; i < len(in.Segments); {
		s := in.Segments[i]
		if cur, ok := remap[s.Conn]; ok {
			s.Conn = cur
		}
		if s.Dir != DirUnknown {
			if s.Dir == DirClient {
				sent[s.Conn] = true
			}
			out = append(out, s)
			i++
			continue
		}
		// A run of unknown direction on one connection.
		orig := in.Segments[i].Conn
		var buf []byte
		var ends []lineEnd
		for ; i < len(in.Segments) && in.Segments[i].Dir == DirUnknown && in.Segments[i].Conn == orig; i++ {
			buf = append(buf, in.Segments[i].Data...)
			ends = append(ends, lineEnd{len(buf), in.Segments[i].Line})
		}
		conn := s.Conn
		emit := func(d Dir, from, to int) {
			if from >= to {
				return
			}
			out = append(out, Segment{Conn: conn, Dir: d, Data: buf[from:to:to], Line: lineOf(ends, to)})
		}
		var f decode.Framer
		f.Feed(buf, true)
		pos := 0
		for {
			fr, ok := f.Next()
			if !ok {
				break
			}
			start, end := int(fr.Start), int(fr.Start)+len(fr.Raw)
			emit(DirClient, pos, start) // bytes the framer skipped: the pipeline reports them
			typ := decode.Type(buf[start] >> 4)
			d := DirClient
			if serverTypes[typ] {
				d = DirServer
			}
			if typ == decode.CONNECT && sent[conn] {
				in.Conns = append(in.Conns, in.Conns[conn])
				conn = len(in.Conns) - 1
				remap[orig] = conn
			}
			if d == DirClient {
				sent[conn] = true
			}
			emit(d, start, end)
			pos = end
		}
		emit(DirClient, pos, len(buf))
	}
	in.Segments = out
}

type lineEnd struct{ end, line int }

// lineOf is the line of the byte before offset to.
func lineOf(ends []lineEnd, to int) int {
	for _, e := range ends {
		if to <= e.end {
			return e.line
		}
	}
	if len(ends) > 0 {
		return ends[len(ends)-1].line
	}
	return 0
}
