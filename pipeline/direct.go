package pipeline

import (
	"context"
	"net/netip"
	"strconv"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/detect"
	"github.com/mqttpcap/mqttpcap/stream"
)

// Direct is an input without TCP: hex, a serial log, raw bytes
// (`mqttpcap decode`). Its bytes go straight to the framer of their
// connection's direction, and come out as the same records a capture gives,
// so every sink works unchanged.
type Direct struct {
	Conns    []DirectConn
	Segments []Segment
}

// DirectConn is a connection of a Direct input.
type DirectConn struct {
	// Client and Server are the addresses when the input has them (frames
	// copied from Wireshark); zero otherwise.
	Client, Server netip.AddrPort
	// ServerName is the server as the input names it ("host:port" of an
	// AT+CIPSTART), shown where a capture shows the address.
	ServerName string
	// ClosedByServer says the server closed the connection (the module
	// printed CLOSED): after the segment of frame CloseFrame. ClosedByClient
	// says the client did (AT+CIPCLOSE).
	ClosedByServer, ClosedByClient bool
	CloseFrame                     uint64
}

// Segment is a run of bytes of one direction of a connection, in input
// order. Frame numbers the input's unit the bytes end in (a line of text);
// Time is when they were sent, as far as the input knows.
type Segment struct {
	Conn       int
	FromClient bool
	Data       []byte
	Frame      uint64
	Time       time.Time
}

// RunDirect decodes a Direct input: it frames each connection's
// directions as the segments come, hands the packets to the sink in
// segment order, and ends each connection after its last segment (with a
// [fin] for a connection the input says was closed), so that OneNET
// verdicts and summaries are those of a capture of the same bytes.
func (p *Pipeline) RunDirect(ctx context.Context, in Direct) error {
	last := make([]int, len(in.Conns))
	for i := range last {
		last[i] = -1
	}
	for i, s := range in.Segments {
		if s.Conn >= 0 && s.Conn < len(last) {
			last[s.Conn] = i
		}
	}
	conns := make([]*stream.Conn, len(in.Conns))
	open := func(i int, s Segment) *stream.Conn {
		dc := in.Conns[i]
		c := &stream.Conn{Stream: i, Client: dc.Client, Server: dc.Server, Roles: "input", FirstFrame: s.Frame, FirstTime: s.Time,
			StartSeen: [2]bool{true, true}}
		p.handler.Opened(c)
		st := p.handler.state(c)
		st.info.ServerName = dc.ServerName
		if dc.ServerName == "" && dc.Server.IsValid() {
			st.info.ServerName = dc.Server.String()
		}
		conns[i] = c
		return c
	}
	for i, s := range in.Segments {
		if i&0xff == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if s.Conn < 0 || s.Conn >= len(conns) {
			continue
		}
		p.frames = s.Frame
		if p.start.IsZero() {
			p.start = s.Time
		}
		p.lastTime = s.Time
		c := conns[s.Conn]
		if c == nil {
			c = open(s.Conn, s)
		}
		p.directSegment(c, s)
		if last[s.Conn] == i {
			p.directEnd(c, in.Conns[s.Conn], s)
		}
		if p.failed.Load() {
			return p.firstErr()
		}
	}
	return p.firstErr()
}

// directSegment frames one segment and hands its packets on.
func (p *Pipeline) directSegment(c *stream.Conn, s Segment) {
	defer p.recoverStream()
	h := p.handler
	st := h.state(c)
	i := dirIdx(s.FromClient)
	d := &st.dirs[i]
	c.Bytes[i] += int64(len(s.Data))
	c.Packets[i]++
	c.LastFrame, c.LastTime = s.Frame, s.Time
	atStart := !d.classified
	if !d.classified {
		d.classified = true
		// Only TLS is told apart here: the input was given as MQTT's
		// bytes, so anything else is decoded as such.
		side := detect.Client
		if !s.FromClient {
			side = detect.Server
		}
		if r := detect.Classify(s.Data, side, true); r.Protocol == detect.TLS && !p.opts.ForceMQTT {
			st.tls = true
			h.out.event(st, c, s.FromClient, s.Frame, s.Time, Event{Type: "tls",
				Message: "TLS (" + r.Detail + "): the connection is encrypted, its MQTT packets cannot be decoded"})
		}
	}
	if st.tls {
		return
	}
	d.framer.Feed(s.Data, atStart)
	for {
		fr, ok := d.framer.Next()
		if !ok {
			break
		}
		h.out.frame(st, c, s.FromClient, fr, s.Frame, s.Time)
	}
	p.directEvents(c, st, s)
}

// directEvents reports what the framer skipped or dropped.
func (p *Pipeline) directEvents(c *stream.Conn, st *connState, s Segment) {
	d := &st.dirs[dirIdx(s.FromClient)]
	if !d.framer.HasEvents() {
		return
	}
	for _, ev := range d.framer.Events() {
		e := Event{Bytes: ev.Len}
		switch ev.Kind {
		case decode.EventSkipped:
			e.Type = "not_mqtt"
			e.Message = strconv.FormatInt(ev.Len, 10) + " bytes skipped that are not MQTT (looking for the next fixed header)"
		case decode.EventCapDropped:
			e.Type = "cap"
			e.Message = strconv.FormatInt(ev.Len, 10) + " bytes of an MQTT packet larger than the buffer cap were counted but not kept"
		default:
			continue
		}
		p.handler.out.event(st, c, s.FromClient, s.Frame, s.Time, e)
	}
}

// directEnd ends a connection after its last segment: what is left in a
// framer is a packet cut short, then the close the input recorded, then
// the connection's end.
func (p *Pipeline) directEnd(c *stream.Conn, dc DirectConn, s Segment) {
	defer p.recoverStream()
	h := p.handler
	st := h.state(c)
	for _, fromClient := range [2]bool{true, false} {
		if st.tls {
			break
		}
		fr, ok := st.dirs[dirIdx(fromClient)].framer.End()
		if ok {
			h.out.frame(st, c, fromClient, fr, s.Frame, s.Time)
		}
		p.directEvents(c, st, Segment{FromClient: fromClient, Frame: s.Frame, Time: s.Time})
	}
	frame := max(dc.CloseFrame, s.Frame)
	why := "capture end"
	switch {
	case dc.ClosedByServer:
		c.End[1], c.EndFrame[1] = "fin", frame
		h.out.event(st, c, false, frame, s.Time, Event{Type: "fin", Message: "the server closed the connection (the module printed CLOSED)"})
		why = "closed"
	case dc.ClosedByClient:
		c.End[0], c.EndFrame[0] = "fin", frame
		h.out.event(st, c, true, frame, s.Time, Event{Type: "fin", Message: "the client closed the connection (AT+CIPCLOSE)"})
		why = "closed"
	}
	h.out.done(st, c, c.Snapshot(), why)
}
