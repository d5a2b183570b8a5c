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
	// FlushEvery is the number of packets between flush checks.
	FlushEvery int
}

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
	Fragments   uint64 // IP fragments (not reassembled)
	SnaplenCut  uint64 // watched segments the snap length cut
	// UnsupportedLink counts packets of link types mqttpcap cannot decode.
	UnsupportedLink map[layers.LinkType]uint64
}

// Tracker numbers TCP connections as Wireshark does, picks the MQTT ones and
// reassembles them. It is not safe for concurrent use.
type Tracker struct {
	cfg       Config
	h         Handler
	layers    *layerDecoder
	convs     map[convKey]*conv
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
}

// assembler is the reassembly state of one capture interface: streams of
// different interfaces must not mix (go-stack.md §2, pitfall 2).
type assembler struct {
	pool *reassembly.StreamPool
	asm  *reassembly.Assembler
}

// NewTracker returns a Tracker that reports to h.
func NewTracker(cfg Config, h Handler) *Tracker {
	t := &Tracker{cfg: cfg, h: h, layers: newLayerDecoder(), convs: make(map[convKey]*conv),
		asms: make(map[int]*assembler), ports: make(map[uint16]bool)}
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
	// capture.
	if t.since++; t.since >= t.cfg.FlushEvery || t.now.Sub(t.lastFlush) >= time.Second {
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
	if !ok {
		if pkt.fragment {
			t.stats.Fragments++
		} else {
			t.stats.NotTCP++
		}
		return
	}
	t.stats.TCP++
	t.segment(frame, ci, pkt)
}

func (t *Tracker) segment(frame uint64, ci gopacket.CaptureInfo, pkt tcpPacket) {
	tcp := pkt.tcp
	key, d := makeKey(ci.InterfaceIndex, pkt.src, pkt.dst)
	cv := t.convs[key]
	if cv == nil || cv.reused(tcp, d) {
		if cv != nil && cv.conn != nil && !cv.conn.done {
			t.finish(cv.conn, "port reused")
		}
		cv = &conv{stream: t.stats.Streams}
		t.stats.Streams++
		t.convs[key] = cv
	}
	cv.lastSeen = ci.Timestamp
	cv.see(tcp, d)

	if cv.conn == nil && !cv.ignore {
		t.decide(cv, frame, ci, pkt, d)
	}
	c := cv.conn
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
		t.fillAckedHole(c, 1-i, pkt)
	}
	ctx := t.ctxs.get(ci, frame)
	ctx.fromClient, ctx.rst, ctx.conn = fromClient, tcp.RST, c
	if pkt.missing > 0 {
		ctx.pad = int32(pkt.missing)
		c.padded[i]++
	}
	t.assemblerFor(ci.InterfaceIndex).asm.AssembleWithContext(flowOf(pkt), tcp, ctx)
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

// maxFill bounds the hole fillAckedHole fills in.
const maxFill = 16 << 20

// fillAckedHole ends the wait for a segment the capture missed. When the
// receiver acknowledges bytes beyond a hole in direction j, it got the
// missing bytes, so they are lost from the capture, not late: rather than
// hold everything behind the hole until the hole timeout (as reassembly
// would, and out of frame order), the hole is filled with zeros marked
// lost, and the data behind it is delivered at once, after a gap. A hole
// the receiver has not acknowledged (a loss the sender will retransmit)
// still waits. Wireshark reports the same situation as "ACKed unseen
// segment".
func (t *Tracker) fillAckedHole(c *Conn, j int, ack tcpPacket) {
	if !c.minQueuedValid[j] || !c.expectValid[j] {
		return
	}
	hole := seqDiff(c.expect[j], c.minQueued[j])
	if hole <= 0 || hole > maxFill || seqDiff(c.minQueued[j], ack.tcp.Ack) < 0 {
		return
	}
	start := c.expect[j]
	fill := syntheticTCP(ack.tcp.DstPort, ack.tcp.SrcPort, start, ack.tcp.Seq, make([]byte, hole))
	ctx := t.ctxs.get(c.minQueuedCI[j], c.minQueuedFrame[j])
	ctx.fromClient, ctx.conn = j == 0, c
	ctx.pad, ctx.lost = int32(hole), true
	c.padded[j]++
	rev := tcpPacket{src: ack.dst, dst: ack.src}
	c.minQueuedValid[j] = false
	t.assemblerFor(c.Interface).asm.AssembleWithContext(flowOf(rev), fill, ctx)
}

// decide watches a connection on an MQTT port, or one that opens with a
// CONNECT.
func (t *Tracker) decide(cv *conv, frame uint64, ci gopacket.CaptureInfo, pkt tcpPacket, d int) {
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
		t.watch(cv, frame, ci, client, server, roles)
		return
	}
	sniffPort := t.sniffPort[pkt.src.Port()] || t.sniffPort[pkt.dst.Port()]
	if !t.cfg.DetectOtherPorts && !sniffPort {
		cv.ignore = true
		return
	}
	prefix, found, ok := cv.sniffConnect(tcp, d, frame, ci, t.recogniser(pkt.dst.Port()))
	if !ok {
		return
	}
	c := t.watch(cv, frame, ci, pkt.src, pkt.dst, found)
	if len(prefix.data) > 0 {
		// The first bytes of the CONNECT came in earlier segments, before the
		// connection was watched: hand them to reassembly first.
		first := syntheticTCP(tcp.SrcPort, tcp.DstPort, prefix.seq, tcp.Ack, prefix.data)
		ctx := t.ctxs.get(prefix.ci, prefix.frame)
		ctx.fromClient, ctx.conn = true, c
		c.Packets[0]++
		c.Bytes[0] += int64(len(prefix.data))
		t.assemblerFor(ci.InterfaceIndex).asm.AssembleWithContext(flowOf(pkt), first, ctx)
	}
}

func (t *Tracker) watch(cv *conv, frame uint64, ci gopacket.CaptureInfo, client, server netip.AddrPort, roles string) *Conn {
	c := &Conn{Stream: cv.stream, Interface: ci.InterfaceIndex, Client: client, Server: server, Roles: roles,
		FirstFrame: frame, FirstTime: ci.Timestamp, LastTime: ci.Timestamp}
	_, cd := makeKey(ci.InterfaceIndex, client, server)
	c.StartSeen = [2]bool{cv.synSeen[cd], cv.synSeen[1-cd]}
	if roles == "connect" || roles == "sniff" {
		c.StartSeen[0] = true // the sniffed bytes are the first of the client's stream
	}
	cv.conn = c
	cv.sniff = nil
	t.stats.Connections++
	t.h.Opened(c)
	return c
}

// Flush gives up holes older than the hole timeout and ends idle
// connections, as of capture time now.
func (t *Tracker) Flush(now time.Time) {
	t.since, t.lastFlush = 0, now
	for _, a := range t.asms {
		a.asm.FlushWithOptions(reassembly.FlushOptions{T: now.Add(-t.cfg.HoleTimeout), TC: now.Add(-t.cfg.IdleTimeout)})
	}
	idle := now.Add(-t.cfg.IdleTimeout)
	linger := now.Add(-2 * time.Minute)
	var ended []*Conn
	for k, cv := range t.convs {
		switch {
		case cv.lastSeen.Before(idle):
			if cv.conn != nil && !cv.conn.done {
				ended = append(ended, cv.conn)
			}
			delete(t.convs, k)
		case cv.closed() && cv.lastSeen.Before(linger) && (cv.conn == nil || cv.conn.done):
			delete(t.convs, k)
		}
	}
	// Ended in stream order, not the map's: the output must not change
	// from one run to the next.
	sortConns(ended)
	for _, c := range ended {
		t.finish(c, "idle")
	}
}

// Close flushes everything at the end of the capture: buffered data is
// delivered (holes reported as gaps) and every connection is done.
func (t *Tracker) Close() {
	for _, a := range t.asms {
		a.asm.FlushAll()
	}
	// Done in stream order, for stable output.
	var open []*Conn
	for _, cv := range t.convs {
		if cv.conn != nil && !cv.conn.done {
			open = append(open, cv.conn)
		}
	}
	sortConns(open)
	for _, c := range open {
		t.finish(c, "capture end")
	}
}

func (t *Tracker) finish(c *Conn, why string) {
	if c.done {
		return
	}
	c.done = true
	t.h.Done(c, why)
}

func flowOf(pkt tcpPacket) gopacket.Flow {
	if pkt.src.Addr().Is4() {
		src, dst := pkt.src.Addr().As4(), pkt.dst.Addr().As4()
		return gopacket.NewFlow(layers.EndpointIPv4, src[:], dst[:])
	}
	src, dst := pkt.src.Addr().As16(), pkt.dst.Addr().As16()
	return gopacket.NewFlow(layers.EndpointIPv6, src[:], dst[:])
}
