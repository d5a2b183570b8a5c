package report

import (
	"time"

	"github.com/mqttpcap/mqttpcap/stream"
)

// liveConn is what a Collector keeps for a connection until it ends: the
// counts its ConnSummary is made of when the connection's last record
// brings the rest (its ConnInfo, verdict and ends). A capture can hold
// tens of thousands of connections open at once, so it is small: about
// 290 bytes where a ConnSummary with its topics map took 830.
type liveConn struct {
	clientID  string
	login     string
	refused   bool
	keepAlive uint16
	mqtt      [2]int
	bytes     [2]int64
	publish   [2]int
	pings     int
	maxPing   time.Duration
	maxQuiet  time.Duration
	lastPing  time.Time
	lastSent  time.Time
	// recent is the topic of the last PUBLISH each way: the next one is
	// most often on the same topic, found without hashing its name.
	recent  [2]*TopicStats
	topics  topicCounts
	pending requests
}

// summary makes the connection's ConnSummary; the caller adds what its
// last record says.
func (l *liveConn) summary(k *stream.Conn) *ConnSummary {
	return &ConnSummary{
		Conn: k, ClientID: l.clientID, Login: l.login, Refused: l.refused,
		Start: k.FirstTime, MQTT: l.mqtt, Bytes: l.bytes,
		Topics: l.topics.asMap(), OtherTopics: l.topics.other, Publish: l.publish,
		KeepAlive: l.keepAlive, Pings: l.pings, MaxPing: l.maxPing, MaxQuiet: l.maxQuiet,
	}
}

// topicCounts counts the client's PUBLISH packets per topic, up to
// maxConnTopics topics (other counts the rest). A device publishes on a
// few topics: they are counted in place, and a map takes over past them.
type topicCounts struct {
	few   [fewTopics]topicCount
	nfew  int
	more  map[string]int
	other int
}

const fewTopics = 2

type topicCount struct {
	topic string
	n     int
}

// add counts one PUBLISH on topic (a string the caller keeps: the topic
// table's).
func (t *topicCounts) add(topic string) {
	for i := range t.nfew {
		if t.few[i].topic == topic {
			t.few[i].n++
			return
		}
	}
	if t.more[topic] > 0 {
		t.more[topic]++
		return
	}
	switch {
	case t.nfew < fewTopics:
		t.few[t.nfew] = topicCount{topic, 1}
		t.nfew++
	case t.nfew+len(t.more) < maxConnTopics:
		if t.more == nil {
			t.more = map[string]int{}
		}
		t.more[topic] = 1
	default:
		t.other++
	}
}

func (t *topicCounts) asMap() map[string]int {
	m := make(map[string]int, t.nfew+len(t.more))
	for _, c := range t.few[:t.nfew] {
		m[c.topic] = c.n
	}
	for k, n := range t.more {
		m[k] = n
	}
	return m
}
