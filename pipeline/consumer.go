package pipeline

import (
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/onenet"
	"github.com/mqttpcap/mqttpcap/stream"
)

// sender is how the producer hands frames and events on: directly to the
// consumer (sequential mode), or in batches to a consumer goroutine.
type sender interface {
	frame(st *connState, c *stream.Conn, fromClient bool, fr decode.Frame, frame uint64, t time.Time)
	event(st *connState, c *stream.Conn, fromClient bool, frame uint64, t time.Time, e Event)
	done(st *connState, c *stream.Conn, final *stream.Conn, why string)
}

// consumer decodes frames with each connection's session and hands records
// to the sink. It implements sender for the sequential mode; in the
// parallel modes each consumer goroutine has one. A consumer and the
// connection state it uses are never shared between goroutines.
type consumer struct {
	p    *Pipeline
	sink Sink
	// rec is reused for every record (records are valid only during the
	// sink's call), so emitting allocates nothing.
	rec Record
	// seq is the sequence number of the item being handled: set by the
	// caller in the parallel modes, counted here in the sequential one.
	seq     uint64
	counted bool
	// extent is the Extent of the item being handled: set by the caller in
	// the parallel modes, read from the pipeline in the sequential one.
	extent Extent
	// scratch and onenetScratch are the working memory the sessions and
	// OneNET views of this consumer's connections share.
	scratch       decode.Scratch
	onenetScratch onenet.Scratch
}

func newConsumer(p *Pipeline, sink Sink, counted bool) *consumer {
	return &consumer{p: p, sink: sink, counted: counted}
}

// next numbers the item about to be handled in the sequential mode.
func (cs *consumer) next() {
	if cs.counted {
		cs.seq++
		cs.extent = cs.p.extent()
	}
}

// emit hands the record in cs.rec to the sink. Callers fill cs.rec in
// place: a Record is a few hundred bytes, and each copy of it on the way
// cost time on every packet.
func (cs *consumer) emit() {
	if cs.p.failed.Load() {
		return
	}
	r := &cs.rec
	r.Seq, r.Extent = cs.seq, cs.extent
	if !r.Time.IsZero() && !cs.p.start.IsZero() {
		r.Rel = r.Time.Sub(cs.p.start)
	}
	if o := &cs.p.opts; o.File != "" || o.Origins != nil {
		nameFiles(r, o)
	}
	if err := cs.sink.Record(r); err != nil {
		cs.p.fail(err)
	}
}

func (cs *consumer) frame(st *connState, c *stream.Conn, fromClient bool, fr decode.Frame, frame uint64, t time.Time) {
	cs.next()
	defer cs.guard(frame, "reading a decoded MQTT packet")
	pkt := cs.decodeSafe(st, fr, fromClient, frame)
	st.info.Version, st.info.VersionInferred = st.session.Version()
	st.info.Packets[dirIdx(fromClient)]++
	info := &st.info
	switch {
	case pkt.Type == decode.CONNECT && fromClient && !info.HasConnect:
		info.ClientID, info.Username, info.HasConnect, info.KeepAlive = string(pkt.ClientID), string(pkt.Username), true, pkt.KeepAlive
	case pkt.Type == decode.CONNACK && !fromClient && !info.HasConnack && pkt.HasReasonCode:
		info.ConnackCode, info.HasConnack = pkt.ReasonCode, true
	}
	if fromClient {
		if !info.lastClient.IsZero() && t.Sub(info.lastClient) > info.MaxQuiet {
			info.MaxQuiet = t.Sub(info.lastClient)
		}
		info.lastClient = t
	}
	var on *onenet.PacketInfo
	if cs.p.opts.OneNET {
		st.onenet.Scratch = &cs.onenetScratch
		on = st.onenet.Packet(pkt, fromClient, frame, t)
	}
	cs.rec = Record{Kind: KindPacket, Frame: frame, Time: t, Conn: c, FromClient: fromClient, Packet: pkt, Info: &st.info, OneNET: on}
	cs.emit()
}

func (cs *consumer) event(st *connState, c *stream.Conn, fromClient bool, frame uint64, t time.Time, e Event) {
	cs.next()
	defer cs.guard(frame, "reporting an event")
	var info *ConnInfo
	if st != nil {
		info = &st.info
		switch e.Type {
		case "tls":
			st.info.TLS = true
			if e.TLS != nil && e.TLS.Keys == "found" {
				st.info.Transport = "tls"
			}
		case "ws_upgrade":
			if st.info.Transport == "tls" {
				st.info.Transport = "wss"
			} else {
				st.info.Transport = "websocket"
			}
		case "protocol":
			if st.info.Protocol == "" {
				st.info.Protocol = e.Protocol
			}
		case "fin", "rst":
			st.onenet.Closed(fromClient, e.Type, frame, t)
		case "gap", "snaplen":
			if fromClient && st.info.Packets[0] == 0 {
				// The client's first bytes are lost or cut: its CONNECT
				// may be among them, so a first PUBLISH is no missing
				// CONNECT.
				st.session.StartSeen = false
			}
		}
	}
	cs.rec = Record{Kind: KindEvent, Frame: frame, Time: t, Conn: c, FromClient: fromClient, Event: e, Info: info}
	cs.emit()
}

func (cs *consumer) done(st *connState, c, final *stream.Conn, why string) {
	cs.next()
	defer cs.guard(final.LastFrame, "ending a connection")
	st.info.Why = why
	var v onenet.Verdict
	if cs.p.opts.OneNET {
		v = st.onenet.Verdict()
	}
	cs.rec = Record{Kind: KindConnDone, Conn: c, Final: final, Time: final.LastTime, Info: &st.info, Verdict: v}
	cs.emit()
}

// nameFiles names the file of a record's frames (Record.File).
func nameFiles(r *Record, o *Options) {
	frame, first := r.Frame, uint64(0)
	if r.Kind == KindConnDone && r.Final != nil {
		frame, first = r.Final.LastFrame, r.Final.FirstFrame
	}
	where := func(frame uint64) (string, uint64) {
		if o.Origins != nil {
			return o.Origins.Origin(frame)
		}
		return o.File, frame
	}
	r.File, r.FileFrame = where(frame)
	if r.Kind == KindConnDone {
		r.FirstFile, r.FirstFileFrame = where(first)
	}
}
