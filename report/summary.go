package report

import (
	"sort"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
	"github.com/mqttpcap/mqttpcap/onenet"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/stream"
)

// Collector gathers what the summaries and `mqttpcap stats` show, from the
// records of a run. It keeps one small state per open connection, a
// bounded list of the connections that ended and counters per topic, so
// its memory grows with the number of open connections and topics, not
// with the capture.
type Collector struct {
	open map[*stream.Conn]*liveConn
	// Done lists connections that ended, in the order they ended: the
	// first MaxConns without a problem and the first MaxConns with one
	// (summary_bound.go); Counts counts all of them.
	Done   []*ConnSummary
	Counts ConnCounts
	// MaxConns bounds Done; 0 means DefaultMaxConns.
	MaxConns int
	Types    [16]int // MQTT packets by type
	Topics   map[string]*TopicStats
	Events   map[string]int
	Problem  map[string]int // problems by code
	Packets  int
	Bytes    int64 // MQTT packet bytes
	First    time.Time
	Last     time.Time
	Replies  Latency // OneNET request → reply
	// Latencies are the request → response times by kind; Unanswered
	// counts the requests no response followed before their connection
	// ended (or the capture did).
	Latencies  [NumReqKinds]Latency
	Unanswered [NumReqKinds]int
	// Requests turns the tracking of Latencies on (stats; the summary
	// table of read does not show them).
	Requests bool
	// MaxTopics bounds the topics counted one by one (the rest are counted
	// under "(other topics)"); 0 means 10,000.
	MaxTopics int
	// Keep, when set, chooses the records Record observes (stats -Y). It
	// must be safe for concurrent use: each shard calls it.
	Keep func(*pipeline.Record) bool
	// NoMQTT is the notice of a capture without MQTT (a no_mqtt event).
	NoMQTT string
}

// ConnSummary is one connection at a glance.
type ConnSummary struct {
	Conn     *stream.Conn // the final copy (counts, ends)
	Info     pipeline.ConnInfo
	ClientID string
	// Login is the CONNACK: "accepted", "refused (0x05 ...)", "" when none.
	Login   string
	Refused bool
	Start   time.Time
	End     time.Time
	MQTT    [2]int   // MQTT packets per direction
	Bytes   [2]int64 // MQTT bytes per direction
	// Topics counts the PUBLISH packets the client sent, per topic (up to
	// maxConnTopics topics; OtherTopics counts those to further ones).
	Topics      map[string]int
	OtherTopics int
	Publish     [2]int
	KeepAlive   uint16
	// PingGaps are the intervals between PINGREQs; MaxQuiet the longest time
	// the client sent nothing (the broker closes after 1.5 × keep alive).
	Pings    int
	MaxPing  time.Duration
	MaxQuiet time.Duration
	Verdict  onenet.Verdict
	Why      string
	seq      uint64 // the record that ended the connection (Record.Seq)
	// Hidden is set for a connection the display filter did not keep: the
	// summary table leaves it out.
	Hidden bool
}

// maxConnTopics bounds the topics counted one by one per connection.
const maxConnTopics = 64

// TopicStats counts the PUBLISH packets of one topic.
type TopicStats struct {
	Topic      string
	Messages   int
	Bytes      int64
	MinPayload int
	MaxPayload int
	First      time.Time
	Last       time.Time
	// firstSeq and lastSeq are the records of the first and last message
	// (Record.Seq), to merge shards as one collector would have counted.
	firstSeq, lastSeq uint64
}

// NewCollector returns an empty collector.
func NewCollector() *Collector {
	return &Collector{open: map[*stream.Conn]*liveConn{}, Topics: map[string]*TopicStats{},
		Events: map[string]int{}, Problem: map[string]int{}}
}

// Observe takes one record.
func (c *Collector) Observe(r *pipeline.Record) {
	if !r.Time.IsZero() {
		if c.First.IsZero() || r.Time.Before(c.First) {
			c.First = r.Time
		}
		if r.Time.After(c.Last) {
			c.Last = r.Time
		}
	}
	switch r.Kind {
	case pipeline.KindEvent:
		c.Events[r.Event.Type]++
		if r.Event.Type == "no_mqtt" {
			c.NoMQTT = r.Event.Message
		}
	case pipeline.KindPacket:
		c.packet(r)
	case pipeline.KindConnDone:
		l := c.conn(r.Conn)
		s := l.summary(r.Conn)
		s.Conn, s.Verdict, s.Why = r.Final, r.Verdict, r.Info.Why
		if r.Info != nil {
			s.Info = *r.Info
		}
		s.End = r.Final.LastTime
		if !l.lastSent.IsZero() && s.KeepAlive > 0 {
			if quiet := s.End.Sub(l.lastSent); quiet > s.MaxQuiet && s.Why != "capture end" {
				s.MaxQuiet = quiet
			}
		}
		s.seq = r.Seq
		for k := range l.pending {
			c.Unanswered[k.kind]++
		}
		delete(c.open, r.Conn)
		c.Counts.add(s)
		c.Done = append(c.Done, s)
		c.bound(true)
	}
}

func (c *Collector) conn(k *stream.Conn) *liveConn {
	s := c.open[k]
	if s == nil {
		s = new(liveConn)
		c.open[k] = s
	}
	return s
}

func (c *Collector) packet(r *pipeline.Record) {
	p := r.Packet
	c.Packets++
	c.Bytes += int64(len(p.Raw))
	c.Types[p.Type&0x0f]++
	for _, pr := range p.Problems {
		c.Problem[pr.Code]++
	}
	s := c.conn(r.Conn)
	i := 1
	if r.FromClient {
		i = 0
		if !s.lastSent.IsZero() {
			if gap := r.Time.Sub(s.lastSent); gap > s.maxQuiet {
				s.maxQuiet = gap
			}
		}
		s.lastSent = r.Time
	}
	s.mqtt[i]++
	s.bytes[i] += int64(len(p.Raw))
	if c.Requests {
		if kind, d, ok := s.pending.observe(p, r.FromClient, r.Time); ok {
			c.Latencies[kind].add(d)
		}
	}
	switch p.Type {
	case decode.CONNECT:
		if r.FromClient {
			s.clientID, s.keepAlive = string(p.ClientID), p.KeepAlive
		}
	case decode.CONNACK:
		if s.login == "" && p.HasReasonCode {
			s.refused = decode.IsFailure(decode.CONNACK, p.Version, p.ReasonCode)
			s.login = "accepted"
			if s.refused {
				s.login = "refused: " + codeString(p.ReasonCode) + " " + p.ReasonName()
			}
		}
	case decode.PINGREQ:
		if !s.lastPing.IsZero() {
			if gap := r.Time.Sub(s.lastPing); gap > s.maxPing {
				s.maxPing = gap
			}
		}
		s.pings++
		s.lastPing = r.Time
	case decode.PUBLISH:
		s.publish[i]++
		// The topic's string is made once, by c.topic: this runs for every
		// PUBLISH of the capture.
		topic := c.topic(&s.recent[i], p.TopicName(), len(p.Payload), r.Time, r.Seq).Topic
		// The broker's PUBLISHes are what the client receives: the
		// summary's "publishes" are the client's own.
		if r.FromClient {
			s.topics.add(topic)
		}
	}
	if r.OneNET != nil && r.OneNET.ReplyTo != nil {
		c.Replies.add(r.OneNET.ReplyTo.Latency)
	}
}

// otherTopics names the topics counted together past the limit.
const otherTopics = "(other topics)"

func (c *Collector) topicLimit() int {
	if c.MaxTopics == 0 {
		return 10000
	}
	return c.MaxTopics
}

// topic counts a PUBLISH on name; recent is a guess at its TopicStats,
// updated.
func (c *Collector) topic(recent **TopicStats, name []byte, size int, at time.Time, seq uint64) *TopicStats {
	t := *recent
	if t == nil || t.Topic != string(name) {
		t = c.Topics[string(name)]
	}
	if t == nil {
		topic := string(name)
		if len(c.Topics) >= c.topicLimit() {
			topic = otherTopics
			t = c.Topics[topic]
		}
		if t == nil {
			t = &TopicStats{Topic: topic, MinPayload: size, First: at, firstSeq: seq}
			c.Topics[topic] = t
		}
	}
	t.Messages++
	t.Bytes += int64(size)
	t.MinPayload = min(t.MinPayload, size)
	t.MaxPayload = max(t.MaxPayload, size)
	t.Last, t.lastSeq = at, seq
	*recent = t
	return t
}

// SortedTopics lists the topics, most messages first.
func (c *Collector) SortedTopics() []*TopicStats {
	out := make([]*TopicStats, 0, len(c.Topics))
	for _, t := range c.Topics {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Messages != out[j].Messages {
			return out[i].Messages > out[j].Messages
		}
		return out[i].Topic < out[j].Topic
	})
	return out
}

// KeepAliveExceeded reports whether the client was quiet longer than the
// 1.5 × keep alive after which a broker closes the connection (MQTT
// 3.1.1 §3.1.2.10).
func (s *ConnSummary) KeepAliveExceeded() bool {
	return s.KeepAlive > 0 && s.MaxQuiet > time.Duration(s.KeepAlive)*1500*time.Millisecond
}

// Duration is how long the connection was seen.
func (s *ConnSummary) Duration() time.Duration { return s.End.Sub(s.Start) }

// HowEnded says how the connection ended, in words.
func (s *ConnSummary) HowEnded() string {
	c := s.Conn
	switch {
	case c.End[0] == "rst" || c.End[1] == "rst":
		who := "client"
		if c.End[1] == "rst" {
			who = "server"
		}
		return "RST from the " + who
	case c.End[0] == "fin" && c.End[1] == "fin":
		if c.EndFrame[0] <= c.EndFrame[1] {
			return "FIN, client first"
		}
		return "FIN, server first"
	case s.Why == "capture end":
		return "open at capture end"
	case s.Why == "idle":
		return "idle timeout"
	}
	return s.Why
}

func codeString(c uint8) string {
	return "0x" + string([]byte{hexDigit[c>>4], hexDigit[c&0xf]})
}
