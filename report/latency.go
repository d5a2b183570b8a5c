package report

import (
	"math"
	"math/bits"
	"strconv"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
)

// Request → response latencies for `mqttpcap stats`: each request a
// connection sends (a CONNECT, a PUBLISH at QoS 1 or 2, a SUBSCRIBE...)
// waits, per connection, for the other side's answer with the same packet
// id; the time between them goes into a Latency of its kind.

// ReqKind is a kind of request with the response that completes it.
type ReqKind uint8

// Request kinds.
const (
	ReqConnect     ReqKind = iota // CONNECT → CONNACK
	ReqPublish1                   // PUBLISH (QoS 1) → PUBACK
	ReqPublish2                   // PUBLISH (QoS 2) → PUBREC → PUBREL → PUBCOMP, to the PUBCOMP
	ReqSubscribe                  // SUBSCRIBE → SUBACK
	ReqUnsubscribe                // UNSUBSCRIBE → UNSUBACK
	ReqPing                       // PINGREQ → PINGRESP
	NumReqKinds
)

// Name is "CONNECT → CONNACK", for the stats table.
func (k ReqKind) Name() string {
	return [...]string{"CONNECT → CONNACK", "PUBLISH → PUBACK (QoS 1)", "PUBLISH → PUBCOMP (QoS 2)",
		"SUBSCRIBE → SUBACK", "UNSUBSCRIBE → UNSUBACK", "PINGREQ → PINGRESP"}[k]
}

// Key is the name in `stats --json`: "connect_connack".
func (k ReqKind) Key() string {
	return [...]string{"connect_connack", "publish_puback", "publish_pubcomp", "subscribe_suback",
		"unsubscribe_unsuback", "pingreq_pingresp"}[k]
}

// maxPending bounds the requests a connection waits answers for (a client
// publishing at QoS 1 to a broker that never answers would otherwise grow
// it without end).
const maxPending = 4096

type reqKey struct {
	kind       ReqKind
	fromClient bool
	id         uint16
}

// requests tracks one connection's requests waiting for an answer.
type requests map[reqKey]time.Time

// observe takes one packet of the connection: a request starts waiting (a
// retransmission keeps the first time), a response ends its request's
// wait and gives the latency, with ok.
func (rq *requests) observe(p *decode.Packet, fromClient bool, at time.Time) (kind ReqKind, d time.Duration, ok bool) {
	start := func(k reqKey) {
		if *rq == nil {
			*rq = make(requests)
		}
		if _, waiting := (*rq)[k]; !waiting && len(*rq) < maxPending {
			(*rq)[k] = at
		}
	}
	answer := func(k reqKey) (ReqKind, time.Duration, bool) {
		t0, waiting := (*rq)[k]
		if !waiting {
			return 0, 0, false
		}
		delete(*rq, k)
		return k.kind, max(at.Sub(t0), 0), true
	}
	id := p.PacketID
	switch p.Type {
	case decode.CONNECT:
		if fromClient {
			start(reqKey{ReqConnect, true, 0})
		}
	case decode.CONNACK:
		if !fromClient {
			return answer(reqKey{ReqConnect, true, 0})
		}
	case decode.PUBLISH:
		switch {
		case !p.HasPacketID:
		case p.QoS == 1:
			start(reqKey{ReqPublish1, fromClient, id})
		case p.QoS == 2:
			start(reqKey{ReqPublish2, fromClient, id})
		}
	case decode.PUBACK:
		return answer(reqKey{ReqPublish1, !fromClient, id})
	case decode.PUBCOMP:
		return answer(reqKey{ReqPublish2, !fromClient, id})
	case decode.SUBSCRIBE:
		start(reqKey{ReqSubscribe, fromClient, id})
	case decode.SUBACK:
		return answer(reqKey{ReqSubscribe, !fromClient, id})
	case decode.UNSUBSCRIBE:
		start(reqKey{ReqUnsubscribe, fromClient, id})
	case decode.UNSUBACK:
		return answer(reqKey{ReqUnsubscribe, !fromClient, id})
	case decode.PINGREQ:
		if fromClient {
			start(reqKey{ReqPing, true, 0})
		}
	case decode.PINGRESP:
		if !fromClient {
			return answer(reqKey{ReqPing, true, 0})
		}
	}
	return 0, 0, false
}

// Latency summarises durations: exact count, minimum, maximum and sum, and
// a log-linear histogram for percentiles (32 buckets per power of two: a
// percentile is within about 3 % of the exact one), in fixed memory
// however many there are.
type Latency struct {
	N             int
	Min, Max, Sum time.Duration
	hist          *[histBuckets]uint32
}

// histBuckets: values under 32 ns exactly, then 32 buckets for each power
// of two up to 2^63 ns.
const histBuckets = 32 + 58*32

func histIndex(v uint64) int {
	if v < 32 {
		return int(v)
	}
	e := bits.Len64(v) - 6 // keep the top 6 bits: 32..63
	return 32 + e*32 + int(v>>uint(e)) - 32
}

// histRange is the values bucket i holds.
func histRange(i int) (lo, hi uint64) {
	if i < 32 {
		return uint64(i), uint64(i)
	}
	e, m := uint((i-32)/32), uint64(32+(i-32)%32)
	return m << e, (m+1)<<e - 1
}

func (l *Latency) add(d time.Duration) {
	d = max(d, 0)
	if l.N == 0 || d < l.Min {
		l.Min = d
	}
	if d > l.Max {
		l.Max = d
	}
	l.N++
	l.Sum += d
	if l.hist == nil {
		l.hist = new([histBuckets]uint32)
	}
	l.hist[histIndex(uint64(d))]++
}

// Mean is the average, 0 when empty.
func (l Latency) Mean() time.Duration {
	if l.N == 0 {
		return 0
	}
	return l.Sum / time.Duration(l.N)
}

// Percentile is the q-quantile (0.5, 0.9, 0.99): the middle of the
// histogram bucket holding it, within [Min, Max]; 0 when empty.
func (l Latency) Percentile(q float64) time.Duration {
	if l.N == 0 || l.hist == nil {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(l.N)))
	rank = min(max(rank, 1), uint64(l.N))
	var seen uint64
	for i, n := range l.hist {
		if seen += uint64(n); seen >= rank {
			lo, hi := histRange(i)
			return min(max(time.Duration(lo+(hi-lo)/2), l.Min), l.Max)
		}
	}
	return l.Max
}

// shortDuration renders a latency with three significant digits at most:
// "388 µs", "5.31 ms", "125 ms", "1.25 s".
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return strconv.FormatInt(d.Microseconds(), 10) + " µs"
	case d < 10*time.Millisecond:
		return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) + " ms"
	case d < 100*time.Millisecond:
		return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64) + " ms"
	case d < time.Second:
		return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
	case d < 10*time.Second:
		return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + " s"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
}

// msFloat is a duration in milliseconds with microsecond precision, for
// JSON.
func msFloat(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }
