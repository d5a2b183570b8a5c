package report

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
)

// Percentiles come from a histogram: each is within ~3 % of the exact one,
// min and max are exact, whatever the number of samples.
func TestLatencyPercentiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var l Latency
	var all []time.Duration
	for range 100000 {
		d := time.Duration(rng.ExpFloat64() * float64(5*time.Millisecond))
		l.add(d)
		all = append(all, d)
	}
	slices.Sort(all)
	if l.N != len(all) || l.Min != all[0] || l.Max != all[len(all)-1] {
		t.Errorf("N %d min %v max %v, want %d %v %v", l.N, l.Min, l.Max, len(all), all[0], all[len(all)-1])
	}
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
		exact := all[int(q*float64(len(all)))-1]
		got := l.Percentile(q)
		if diff := float64(got-exact) / float64(exact); diff > 0.035 || diff < -0.035 {
			t.Errorf("p%v = %v, exact %v (%.1f %%)", q*100, got, exact, diff*100)
		}
	}
	var one Latency
	one.add(388 * time.Microsecond)
	if one.Percentile(0.5) != 388*time.Microsecond || one.Percentile(0.99) != 388*time.Microsecond {
		t.Errorf("one sample: p50 %v p99 %v", one.Percentile(0.5), one.Percentile(0.99))
	}
	if (Latency{}).Percentile(0.5) != 0 {
		t.Error("empty latency has a percentile")
	}
	for _, v := range []uint64{0, 1, 31, 32, 33, 63, 64, 1000, 1 << 40, 1<<63 - 1} {
		lo, hi := histRange(histIndex(v))
		if v < lo || v > hi || histIndex(v) >= histBuckets {
			t.Errorf("%d in bucket %d [%d, %d]", v, histIndex(v), lo, hi)
		}
	}
}

// Each request waits for its own answer: by kind, direction and packet id;
// a retransmission keeps the first time; an answer without a request is
// no latency.
func TestRequestLatencies(t *testing.T) {
	at := func(ms int) time.Time { return time.Unix(1700000000, 0).Add(time.Duration(ms) * time.Millisecond) }
	pkt := func(ty decode.Type, qos uint8, id uint16) *decode.Packet {
		return &decode.Packet{Type: ty, QoS: qos, PacketID: id, HasPacketID: id > 0}
	}
	var rq requests
	steps := []struct {
		p          *decode.Packet
		fromClient bool
		ms         int
		kind       ReqKind
		want       time.Duration // -1: no latency
	}{
		{pkt(decode.CONNECT, 0, 0), true, 0, 0, -1},
		{pkt(decode.CONNACK, 0, 0), false, 3, ReqConnect, 3 * time.Millisecond},
		{pkt(decode.PUBLISH, 1, 7), true, 10, 0, -1},
		{pkt(decode.PUBLISH, 1, 7), true, 15, 0, -1},  // DUP: the first time counts
		{pkt(decode.PUBLISH, 1, 7), false, 16, 0, -1}, // the broker's own id 7
		{pkt(decode.PUBACK, 0, 7), false, 20, ReqPublish1, 10 * time.Millisecond},
		{pkt(decode.PUBACK, 0, 7), true, 21, ReqPublish1, 5 * time.Millisecond},
		{pkt(decode.PUBACK, 0, 7), false, 22, 0, -1},
		{pkt(decode.PUBLISH, 2, 8), true, 30, 0, -1},
		{pkt(decode.PUBREC, 0, 8), false, 31, 0, -1},
		{pkt(decode.PUBREL, 0, 8), true, 32, 0, -1},
		{pkt(decode.PUBCOMP, 0, 8), false, 34, ReqPublish2, 4 * time.Millisecond},
		{pkt(decode.PUBLISH, 0, 0), true, 40, 0, -1},
		{pkt(decode.SUBSCRIBE, 0, 1), true, 50, 0, -1},
		{pkt(decode.SUBACK, 0, 1), false, 52, ReqSubscribe, 2 * time.Millisecond},
		{pkt(decode.PINGREQ, 0, 0), true, 60, 0, -1},
		{pkt(decode.PINGRESP, 0, 0), false, 61, ReqPing, time.Millisecond},
		{pkt(decode.UNSUBSCRIBE, 0, 2), true, 70, 0, -1},
	}
	for i, s := range steps {
		kind, d, ok := rq.observe(s.p, s.fromClient, at(s.ms))
		if ok != (s.want >= 0) || ok && (kind != s.kind || d != s.want) {
			t.Errorf("step %d (%v): %v %v %v, want %v %v", i, s.p.Type, kind, d, ok, s.kind, s.want)
		}
	}
	if len(rq) != 1 {
		t.Errorf("%d requests still waiting, want the UNSUBSCRIBE: %v", len(rq), rq)
	}
}
