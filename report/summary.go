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
// records of a run. It keeps one small state per open connection and
// counters per topic, so its memory grows with the number of connections
// and topics, not with the capture.
type Collector struct {
	open    map[*stream.Conn]*ConnSummary
	Done    []*ConnSummary // connections that ended, in the order they ended
	Types   [16]int        // MQTT packets by type
	Topics  map[string]*TopicStats
	Events  map[string]int
	Problem map[string]int // problems by code
	Packets int
	Bytes   int64 // MQTT packet bytes
	First   time.Time
	Last    time.Time
	Replies Latency // OneNET request → reply
	// MaxTopics bounds the topics counted one by one (the rest are counted
	// under "(other topics)"); 0 means 10,000.
	MaxTopics int
	// NoMQTT is the notice of a capture without MQTT (a no_mqtt event).
	NoMQTT string
}

// ConnSummary is one connection at a glance.
type ConnSummary struct {
	Conn     *stream.Conn // the final copy (counts, ends)
	Info     pipeline.ConnInfo
	ClientID string
	// Login is the CONNACK: "accepted", "refused (0x05 ...)", "" when none.
	Login     string
	Refused   bool
	Start     time.Time
	End       time.Time
	MQTT      [2]int   // MQTT packets per direction
	Bytes     [2]int64 // MQTT bytes per direction
	Topics    map[string]int
	Publish   [2]int
	KeepAlive uint16
	// PingGaps are the intervals between PINGREQs; MaxQuiet the longest time
	// the client sent nothing (the broker closes after 1.5 × keep alive).
	Pings    int
	MaxPing  time.Duration
	MaxQuiet time.Duration
	lastPing time.Time
	lastSent time.Time
	Verdict  onenet.Verdict
	Why      string
}

// TopicStats counts the PUBLISH packets of one topic.
type TopicStats struct {
	Topic      string
	Messages   int
	Bytes      int64
	MinPayload int
	MaxPayload int
	First      time.Time
	Last       time.Time
}

// Latency summarises durations.
type Latency struct {
	N             int
	Min, Max, Sum time.Duration
}

func (l *Latency) add(d time.Duration) {
	if l.N == 0 || d < l.Min {
		l.Min = d
	}
	if d > l.Max {
		l.Max = d
	}
	l.N++
	l.Sum += d
}

// Mean is the average, 0 when empty.
func (l Latency) Mean() time.Duration {
	if l.N == 0 {
		return 0
	}
	return l.Sum / time.Duration(l.N)
}

// NewCollector returns an empty collector.
func NewCollector() *Collector {
	return &Collector{open: map[*stream.Conn]*ConnSummary{}, Topics: map[string]*TopicStats{},
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
		s := c.conn(r.Conn)
		s.Conn, s.Verdict, s.Why = r.Final, r.Verdict, r.Info.Why
		if r.Info != nil {
			s.Info = *r.Info
		}
		s.End = r.Final.LastTime
		if !s.lastSent.IsZero() && s.KeepAlive > 0 {
			if quiet := s.End.Sub(s.lastSent); quiet > s.MaxQuiet && s.Why != "capture end" {
				s.MaxQuiet = quiet
			}
		}
		delete(c.open, r.Conn)
		c.Done = append(c.Done, s)
	}
}

func (c *Collector) conn(k *stream.Conn) *ConnSummary {
	s := c.open[k]
	if s == nil {
		s = &ConnSummary{Conn: k, Start: k.FirstTime, Topics: map[string]int{}}
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
			if gap := r.Time.Sub(s.lastSent); gap > s.MaxQuiet {
				s.MaxQuiet = gap
			}
		}
		s.lastSent = r.Time
	}
	s.MQTT[i]++
	s.Bytes[i] += int64(len(p.Raw))
	switch p.Type {
	case decode.CONNECT:
		if r.FromClient {
			s.ClientID, s.KeepAlive = string(p.ClientID), p.KeepAlive
		}
	case decode.CONNACK:
		if s.Login == "" && p.HasReasonCode {
			s.Refused = decode.IsFailure(decode.CONNACK, p.Version, p.ReasonCode)
			s.Login = "accepted"
			if s.Refused {
				s.Login = "refused: " + codeString(p.ReasonCode) + " " + p.ReasonName()
			}
		}
	case decode.PINGREQ:
		if !s.lastPing.IsZero() {
			if gap := r.Time.Sub(s.lastPing); gap > s.MaxPing {
				s.MaxPing = gap
			}
		}
		s.Pings++
		s.lastPing = r.Time
	case decode.PUBLISH:
		s.Publish[i]++
		// The topic's string is made once, by c.topic: this runs for every
		// PUBLISH of the capture.
		topic := c.topic(p.TopicName(), len(p.Payload), r.Time).Topic
		if len(s.Topics) < 64 || s.Topics[topic] > 0 {
			s.Topics[topic]++
		}
	}
	if r.OneNET != nil && r.OneNET.ReplyTo != nil {
		c.Replies.add(r.OneNET.ReplyTo.Latency)
	}
}

func (c *Collector) topic(name []byte, size int, at time.Time) *TopicStats {
	limit := c.MaxTopics
	if limit == 0 {
		limit = 10000
	}
	t := c.Topics[string(name)]
	if t == nil {
		topic := string(name)
		if len(c.Topics) >= limit {
			topic = "(other topics)"
			t = c.Topics[topic]
		}
		if t == nil {
			t = &TopicStats{Topic: topic, MinPayload: size, First: at}
			c.Topics[topic] = t
		}
	}
	t.Messages++
	t.Bytes += int64(size)
	t.MinPayload = min(t.MinPayload, size)
	t.MaxPayload = max(t.MaxPayload, size)
	t.Last = at
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
