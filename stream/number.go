package stream

import (
	"slices"

	"github.com/gopacket/gopacket/layers"
)

// Stream numbers are Wireshark's tcp.stream, by the rules of packet-tcp.c
// in Wireshark 4.0, each checked against tshark 4.0.17 on crafted captures
// (number_test.go):
//
//   - the first packet with addresses and ports never seen starts a stream;
//   - a SYN without ACK starts a new stream on the same addresses and ports
//     when the conversation knows a base sequence number for the SYN's
//     direction and the SYN's differs from it (a reused port, even while
//     the old connection is open). A SYN with the same sequence number
//     stays in the stream: a retry, even after a RST or a FIN;
//   - a direction's base sequence number is set by the first packet sent
//     that way (a SYN's sequence number, any other's less one), or before
//     that by the first packet with ACK the other way (its acknowledgement
//     number less one);
//   - nothing else starts a stream: not a SYN+ACK, not closing or idling,
//     not another capture interface (Wireshark 4.0 does not tell
//     interfaces apart; mqttpcap reassembles them apart, as views of one
//     conversation).

// conv is one TCP conversation as Wireshark numbers it, watched or not.
type conv struct {
	stream   int
	base     [2]uint32
	baseSet  [2]bool
	fin      [2]bool
	rst      bool
	lastSeen int64 // capture time of its latest packet, Unix nanoseconds
	// views are the conversation as seen on each capture interface.
	views []*view
}

// view is a conversation on one capture interface: the connection watched
// there, or the decision not to watch it.
type view struct {
	iface   int
	conn    *Conn // the latest connection watched (done or not)
	ignore  bool  // decided: not MQTT
	sniff   *sniffState
	synSeen [2]bool
	synSeq  [2]uint32
}

func (cv *conv) closed() bool { return cv.rst || (cv.fin[0] && cv.fin[1]) }

// viewOn returns the conversation's view on an interface, made on first use.
func (cv *conv) viewOn(iface int) *view {
	for _, v := range cv.views {
		if v.iface == iface {
			return v
		}
	}
	v := &view{iface: iface}
	cv.views = append(cv.views, v)
	return v
}

// open says whether a view's connection is still being reassembled.
func (v *view) open() bool { return v.conn != nil && !v.conn.done }

// convTable numbers conversations. It holds at most max of them: past
// that, the least recently seen are forgotten (closed ones first), and a
// forgotten conversation seen again gets a new number where Wireshark,
// which forgets nothing, would reuse the old one.
type convTable struct {
	v4      map[v4Key]*conv
	v6      map[tupleKey]*conv
	next    int
	max     int
	evicted uint64
}

// startsStream reports whether a segment in direction d starts a new
// stream on the conversation cv already seen (Wireshark's port reuse).
func (cv *conv) startsStream(tcp *layers.TCP, d int) bool {
	return tcp.SYN && !tcp.ACK && cv.baseSet[d] && tcp.Seq != cv.base[d]
}

// see learns the base sequence numbers from a segment in direction d, as
// Wireshark's sequence analysis does.
func (cv *conv) see(tcp *layers.TCP, d int, ts int64) {
	if !cv.baseSet[d] {
		cv.base[d], cv.baseSet[d] = tcp.Seq-1, true
		if tcp.SYN {
			cv.base[d] = tcp.Seq
		}
	}
	if !cv.baseSet[1-d] && tcp.ACK {
		cv.base[1-d], cv.baseSet[1-d] = tcp.Ack-1, true
	}
	if tcp.FIN {
		cv.fin[d] = true
	}
	if tcp.RST {
		cv.rst = true
	}
	cv.lastSeen = ts
}

// lookup returns the conversation of a segment in direction d, numbering it
// if it starts a stream. old is the conversation it replaced (a reused
// port), whose connections the caller ends.
func (n *convTable) lookup(key tupleKey, d int, tcp *layers.TCP, ts int64) (cv, old *conv) {
	cv = n.get(key)
	if cv != nil && !cv.startsStream(tcp, d) {
		cv.see(tcp, d, ts)
		return cv, nil
	}
	old = cv
	cv = &conv{stream: n.next}
	n.next++
	n.put(key, cv)
	cv.see(tcp, d, ts)
	return cv, old
}

// full reports whether the table must forget conversations before it
// numbers another.
func (n *convTable) full() bool { return n.max > 0 && n.size() >= n.max }

// victims returns the conversations to forget so that the table is down
// to three quarters of its size: closed ones whose connections are over
// first, then the least recently seen, then the oldest stream (the map's
// order is random: conversations last seen at the same time must not be
// forgotten, and their connections ended, in a different order each run).
// Forgetting in bulk keeps the cost per packet constant.
func (n *convTable) victims() []tupleKey {
	type aged struct {
		key     tupleKey
		busy    bool // closed conversations are forgotten first
		seen    int64
		stream  int
		watched bool
	}
	all := make([]aged, 0, n.size())
	add := func(k tupleKey, cv *conv) {
		a := aged{key: k, busy: !cv.closed(), seen: cv.lastSeen, stream: cv.stream}
		for _, v := range cv.views {
			a.watched = a.watched || v.open()
		}
		a.busy = a.busy || a.watched
		all = append(all, a)
	}
	for k, cv := range n.v4 {
		add(k.tuple(), cv)
	}
	for k, cv := range n.v6 {
		add(k, cv)
	}
	slices.SortFunc(all, func(x, y aged) int {
		switch {
		case x.busy != y.busy:
			if x.busy {
				return 1
			}
			return -1
		case x.seen < y.seen:
			return -1
		case x.seen > y.seen:
			return 1
		}
		return x.stream - y.stream
	})
	drop := len(all) - n.max*3/4
	keys := make([]tupleKey, 0, max(drop, 0))
	for _, a := range all[:max(drop, 0)] {
		keys = append(keys, a.key)
	}
	return keys
}
