package stream

import (
	"net/netip"
	"strconv"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/reassembly"
)

// Config says which connections to watch and how much memory reassembly
// may use.
type Config struct {
	// Ports are the MQTT ports: every connection to or from one is watched.
	Ports []uint16
	// DetectOtherPorts watches a connection on any other port when it opens
	// with an MQTT CONNECT (Wireshark only knows 1883 and 8883: port 6002,
	// the legacy OneNET port, decodes as X11 there, anchors.md §3.7), or
	// when Sniff recognises its client's first bytes.
	DetectOtherPorts bool
	// Sniff, when set, recognises other first bytes of a client stream
	// that carry MQTT (an HTTP upgrade to WebSocket, a TLS ClientHello):
	// SniffYes watches the connection, SniffMore asks for more bytes (up
	// to 16 KB). It is asked on SniffPorts even without DetectOtherPorts.
	Sniff      func(first []byte, serverPort uint16) SniffResult
	SniffPorts []uint16
	// MaxPagesPerConn and MaxPagesTotal cap the out-of-order data reassembly
	// buffers, in 1900-byte pages. When a cap is hit the oldest hole is
	// skipped (reported as a gap).
	MaxPagesPerConn int
	MaxPagesTotal   int
	// HoleTimeout is how long (in capture time) data waits behind a missing
	// segment before the hole is given up as a gap.
	HoleTimeout time.Duration
	// IdleTimeout ends connections that carried nothing for this long.
	IdleTimeout time.Duration
	// FlushEvery is the number of packets between flush checks (at least 4
	// per open connection), besides one every second of capture time.
	FlushEvery int
	// MaxConversations bounds the TCP conversations remembered for their
	// stream numbers (watched or not); past it the least recently seen are
	// forgotten (0: the default).
	MaxConversations int
}

// DefaultMaxConversations is what the conversation table holds at most
// (about 30 MB): Wireshark remembers every conversation of a capture,
// mqttpcap as many as this.
const DefaultMaxConversations = 1 << 18

// DefaultConfig watches 1883 and 8883 and detects MQTT on other ports.
func DefaultConfig() Config {
	return Config{
		Ports:            []uint16{1883, 8883},
		DetectOtherPorts: true,
		MaxPagesPerConn:  64,   // 120 KB of out-of-order data per connection
		MaxPagesTotal:    8192, // 15 MB in all
		HoleTimeout:      10 * time.Second,
		IdleTimeout:      30 * time.Minute,
		FlushEvery:       10000,
		MaxConversations: DefaultMaxConversations,
	}
}

// Stats counts what the Tracker saw.
type Stats struct {
	Frames      uint64 // packets given to Packet
	TCP         uint64 // TCP segments
	Watched     uint64 // TCP segments of watched connections
	Streams     int    // TCP connections (tcp.stream indexes given)
	Connections int    // watched connections
	NotTCP      uint64
	Fragments   uint64 // IP fragments of TCP datagrams
	// Reassembled counts TCP datagrams put back together from fragments;
	// FragmentsDropped those given up (incomplete, cut by the snap length,
	// overlapping in disagreement, or over a bound).
	Reassembled      uint64
	FragmentsDropped uint64
	SnaplenCut       uint64 // watched segments the snap length cut
	// Forgotten counts conversations dropped from the full conversation
	// table (Config.MaxConversations).
	Forgotten uint64
	// ServerPorts counts TCP connections (streams) by their server's port
	// (at most 65,536 entries).
	ServerPorts map[uint16]int
	// UnsupportedLink counts packets of link types mqttpcap cannot decode.
	UnsupportedLink map[layers.LinkType]uint64
}

// Tracker numbers TCP connections as Wireshark does, picks the MQTT ones and
// reassembles them. It is not safe for concurrent use.
type Tracker struct {
	cfg       Config
	h         Handler
	layers    *layerDecoder
	defrag    *defragmenter
	convs     convTable
	asms      map[int]*assembler
	ports     map[uint16]bool
	sniffPort map[uint16]bool
	lastAsm   *assembler
	lastIface int
	ctxs      ctxSlab
	chunk     Chunk // reused for every delivery
	now       time.Time
	lastFlush time.Time
	since     int
	stats     Stats
	gens      uint64  // reassembly generations given out (flowOf)
	live      []*Conn // connections not done yet (checked for idleness)
	waiting   []*Conn // connections with an acknowledged hole waiting for data
	ended     []*Conn // connections to release once reassembly returns
	flushes   uint64  // Flush calls (for tests)
}

// assembler is the reassembly state of one capture interface: streams of
// different interfaces must not mix (go-stack.md §2, pitfall 2).
type assembler struct {
	pool *reassembly.StreamPool
	asm  *reassembly.Assembler
}

// NewTracker returns a Tracker that reports to h.
func NewTracker(cfg Config, h Handler) *Tracker {
	t := &Tracker{cfg: cfg, h: h, layers: newLayerDecoder(), defrag: newDefragmenter(), asms: make(map[int]*assembler), ports: make(map[uint16]bool)}
	t.convs = convTable{v4: make(map[v4Key]*conv), v6: make(map[tupleKey]*conv), max: cfg.MaxConversations}
	if t.convs.max <= 0 {
		t.convs.max = DefaultMaxConversations
	}
	for _, p := range cfg.Ports {
		t.ports[p] = true
	}
	t.sniffPort = make(map[uint16]bool)
	for _, p := range cfg.SniffPorts {
		t.sniffPort[p] = true
	}
	if t.cfg.FlushEvery <= 0 {
		t.cfg.FlushEvery = 10000
	}
	t.stats.UnsupportedLink = make(map[layers.LinkType]uint64)
	return t
}

// Stats returns the counts so far.
func (t *Tracker) Stats() Stats {
	s := t.stats
	return s
}

// Streams is Stats().Streams without copying the rest (read once per
// record).
func (t *Tracker) Streams() int { return t.stats.Streams }

func (t *Tracker) assemblerFor(iface int) *assembler {
	if t.lastAsm != nil && t.lastIface == iface {
		return t.lastAsm
	}
	if a := t.asms[iface]; a != nil {
		t.lastAsm, t.lastIface = a, iface
		return a
	}
	a := &assembler{pool: reassembly.NewStreamPool(&factory{t: t})}
	a.asm = reassembly.NewAssembler(a.pool)
	a.asm.MaxBufferedPagesPerConnection = t.cfg.MaxPagesPerConn
	a.asm.MaxBufferedPagesTotal = t.cfg.MaxPagesTotal
	t.asms[iface] = a
	return a
}

// Packet processes one captured packet. frame is its 1-based number in the
// capture, counting every packet.
func (t *Tracker) Packet(frame uint64, ci gopacket.CaptureInfo, lt layers.LinkType, data []byte) {
	t.stats.Frames++
	if ci.Timestamp.After(t.now) {
		t.now = ci.Timestamp
	}
	// Flush every FlushEvery packets, and at least every second of capture
	// time, so that a hole is given up close to its timeout even in a quiet
	// capture. A flush visits every open connection (gopacket's and ours):
	// with many open, it waits for at least 4 packets per connection, so
	// that flushing costs a quarter of a visit per packet at most (with
	// 50,000 connections, flushing every 10,000 packets was a third of the
	// stream side's time).
	if t.since++; t.since >= max(t.cfg.FlushEvery, 4*len(t.live)) || t.now.Sub(t.lastFlush) >= time.Second {
		t.Flush(t.now)
	}
	if !LinkTypeSupported(lt) {
		if t.stats.UnsupportedLink[lt] == 0 {
			t.h.Event(Event{Kind: "link_type", Frame: frame, Time: ci.Timestamp,
				Message: "link type " + strconv.Itoa(int(lt)) + " (" + lt.String() + ") is not supported: its packets are skipped"})
		}
		t.stats.UnsupportedLink[lt]++
		return
	}
	pkt, ok := t.layers.decode(lt, data, ci)
	if !ok && pkt.fragment {
		t.stats.Fragments++
		payload, done := t.defrag.add(pkt.frag, ci.InterfaceIndex, ci.Timestamp.UnixNano())
		t.stats.Reassembled, t.stats.FragmentsDropped = t.defrag.reassembled, t.defrag.dropped
		if !done {
			return
		}
		pkt, ok = t.layers.datagramTCP(pkt.frag, payload)
	}
	if !ok {
		t.stats.NotTCP++
		return
	}
	t.stats.TCP++
	t.expireAckWaits(frame, ci.Timestamp.UnixNano(), false)
	t.segment(frame, ci, pkt)
	t.stats.Streams = t.convs.next
}

func (t *Tracker) segment(frame uint64, ci gopacket.CaptureInfo, pkt tcpPacket) {
	tcp := pkt.tcp
	ts := ci.Timestamp.UnixNano()
	key, d := makeKey(pkt.src, pkt.dst)
	if t.convs.full() && t.convs.get(key) == nil {
		t.forget(frame, ci)
	}
	streams := t.convs.next
	cv, old := t.convs.lookup(key, d, tcp, ts)
	if t.convs.next != streams {
		t.countServerPort(pkt)
	}
	if old != nil {
		// A reused port: the connections of the old stream are over.
		for _, v := range old.views {
			if v.open() {
				t.giveUp(v.conn, "port reused")
			}
		}
	}
	v := cv.viewOn(ci.InterfaceIndex)
	if tcp.SYN && !tcp.ACK && v.conn != nil && v.conn.rstPending {
		t.retry(v.conn, d, tcp)
	}
	if v.conn != nil && v.conn.rstPending {
		t.finish(v.conn, "rst")
		t.release(v.conn, v.conn.gen)
	}
	if tcp.SYN && !tcp.ACK && (v.ignore || (v.conn != nil && v.conn.done)) {
		// A new connection on the same stream (its SYN has the sequence
		// number of the old one: Wireshark keeps the number). Decide and
		// reassemble it afresh.
		*v = view{iface: v.iface}
	}
	if tcp.SYN && !v.synSeen[d] {
		v.synSeen[d], v.synSeq[d] = true, tcp.Seq
	}
	if v.conn == nil && !v.ignore {
		t.decide(cv, v, frame, ci, pkt, d)
	}
	c := v.conn
	if c == nil || c.done {
		return
	}
	fromClient := pkt.src == c.Client
	i := dirIndex(fromClient)
	c.LastFrame, c.LastTime = frame, ci.Timestamp
	c.Packets[i]++
	c.Bytes[i] += int64(len(tcp.Payload) + pkt.missing)
	t.stats.Watched++
	if pkt.missing > 0 {
		t.snaplenCut(c, i, frame, ci, pkt)
	}
	if tcp.ACK {
		t.noteAck(c, 1-i, tcp.Ack, frame, ts)
	}
	ctx := t.ctxs.get(ci, frame)
	ctx.fromClient, ctx.rst, ctx.conn, ctx.gen = fromClient, tcp.RST, c, c.gen
	if pkt.missing > 0 {
		ctx.pad = int32(pkt.missing)
		c.padded[i]++
	}
	if len(tcp.Payload) > 0 {
		ctx.payload, ctx.n = &tcp.Payload[0], int32(len(tcp.Payload))
	}
	t.assemble(c, pkt, tcp, ctx)
	// Past this call the payload's memory is the reader's again; any of
	// it reassembly keeps is a copy.
	ctx.payload = nil
	if c.ackWait[i].lostValid {
		t.fillLost(c, i)
	}
	if tcp.RST && c.End[i] == "fin" && !c.done && c.EndFrame[i] != frame && t.rstInWindow(c, i, tcp.Seq) {
		t.resetAfterFin(c, fromClient, frame, ci.Timestamp)
	}
}

// rstInWindow says whether a RST's sequence number is where the
// direction's stream ended: at its FIN or just past it.
func (t *Tracker) rstInWindow(c *Conn, i int, seq uint32) bool {
	if !c.expectValid[i] {
		return true
	}
	d := seqDiff(c.expect[i], seq)
	return d >= 0 && d <= 1
}

// resetAfterFin ends a connection a RST reset after the same side's FIN
// (a server that closes, then aborts when the client writes on): gopacket
// closed the direction at the FIN and drops the RST, but the connection is
// over there, as tshark's stream is, and says how: RST from that side.
func (t *Tracker) resetAfterFin(c *Conn, fromClient bool, frame uint64, ts time.Time) {
	i := dirIndex(fromClient)
	c.End[i], c.EndFrame[i] = "rst", frame
	t.h.Closed(c, fromClient, frame, ts)
	t.giveUp(c, "rst")
}

// countServerPort counts a new TCP connection under its server's port:
// the SYN's destination, the SYN+ACK's source, else an MQTT port, else
// the lower port (servers listen on low, well-known ports).
func (t *Tracker) countServerPort(pkt tcpPacket) {
	src, dst := pkt.src.Port(), pkt.dst.Port()
	port := min(src, dst)
	switch {
	case pkt.tcp.SYN && !pkt.tcp.ACK:
		port = dst
	case pkt.tcp.SYN:
		port = src
	case t.ports[dst]:
		port = dst
	case t.ports[src]:
		port = src
	}
	if t.stats.ServerPorts == nil {
		t.stats.ServerPorts = make(map[uint16]int)
	}
	t.stats.ServerPorts[port]++
}

// snaplenCut pads a segment the snap length cut with zeros, so the stream
// keeps its length and the framer its sync, and records the range so that
// packets spanning it are reported as not captured, not as malformed.
func (t *Tracker) snaplenCut(c *Conn, i int, frame uint64, ci gopacket.CaptureInfo, pkt tcpPacket) {
	t.stats.SnaplenCut++
	tcp := pkt.tcp
	captured := len(tcp.Payload)
	padded := make([]byte, captured+pkt.missing)
	copy(padded, tcp.Payload)
	tcp.Payload = padded
	if c.cutFrames++; c.cutFrames == 1 {
		t.h.Event(Event{Kind: "snaplen", Frame: frame, Time: ci.Timestamp, Conn: c, FromClient: i == 0,
			Message: "the snap length cut frame " + strconv.FormatUint(frame, 10) + ": " + strconv.Itoa(pkt.missing) + " of " +
				strconv.Itoa(captured+pkt.missing) + " TCP payload bytes were not captured; MQTT packets that include them are marked incomplete"})
	}
}

// decide watches a connection on an MQTT port, or one that opens with a
// CONNECT.
func (t *Tracker) decide(cv *conv, v *view, frame uint64, ci gopacket.CaptureInfo, pkt tcpPacket, d int) {
	tcp := pkt.tcp
	srcMQTT, dstMQTT := t.ports[pkt.src.Port()], t.ports[pkt.dst.Port()]
	if srcMQTT || dstMQTT {
		client, server, roles := pkt.src, pkt.dst, "port"
		switch {
		case tcp.SYN && !tcp.ACK:
			roles = "syn"
		case tcp.SYN && tcp.ACK:
			client, server, roles = pkt.dst, pkt.src, "syn"
		case srcMQTT && !dstMQTT:
			client, server = pkt.dst, pkt.src
		case srcMQTT && dstMQTT && pkt.src.Port() < pkt.dst.Port():
			client, server = pkt.dst, pkt.src
		}
		t.watch(cv, v, frame, ci, client, server, roles)
		return
	}
	sniffPort := t.sniffPort[pkt.src.Port()] || t.sniffPort[pkt.dst.Port()]
	if !t.cfg.DetectOtherPorts && !sniffPort {
		v.ignore = true
		return
	}
	prefix, found, ok := v.sniffConnect(tcp, d, frame, ci, t.recogniser(pkt.dst.Port()))
	if !ok {
		return
	}
	c := t.watch(cv, v, frame, ci, pkt.src, pkt.dst, found)
	if len(prefix.data) > 0 {
		// The first bytes of the CONNECT came in earlier segments, before the
		// connection was watched: hand them to reassembly first.
		first := syntheticTCP(tcp.SrcPort, tcp.DstPort, prefix.seq, tcp.Ack, false, prefix.data)
		ctx := t.ctxs.get(prefix.ci, prefix.frame)
		ctx.fromClient, ctx.conn, ctx.gen = true, c, c.gen
		c.Packets[0]++
		c.Bytes[0] += int64(len(prefix.data))
		t.assemble(c, pkt, first, ctx)
	}
}

func (t *Tracker) watch(cv *conv, v *view, frame uint64, ci gopacket.CaptureInfo, client, server netip.AddrPort, roles string) *Conn {
	c := &Conn{Stream: cv.stream, Interface: ci.InterfaceIndex, Client: client, Server: server, Roles: roles,
		FirstFrame: frame, FirstTime: ci.Timestamp, LastTime: ci.Timestamp, gen: t.nextGen()}
	_, cd := makeKey(client, server)
	c.StartSeen = [2]bool{v.synSeen[cd], v.synSeen[1-cd]}
	c.isn, c.isnValid = v.synSeq[cd], v.synSeen[cd]
	if roles == "connect" || roles == "sniff" {
		c.StartSeen[0] = true // the sniffed bytes are the first of the client's stream
	}
	v.conn = c
	v.sniff = nil
	t.stats.Connections++
	t.live = append(t.live, c)
	t.h.Opened(c)
	return c
}
