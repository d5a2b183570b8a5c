package report

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mqttpcap/mqttpcap/decode"
)

// StatsInfo is what `mqttpcap stats` knows besides the collector: the file
// and how many frames it had.
type StatsInfo struct {
	Source string
	Frames uint64
}

// StatsText writes the whole capture at a glance: packets by type, topics
// with message counts, rates and payload sizes, the connections, reply
// latencies, problems and events.
func StatsText(b []byte, c *Collector, info StatsInfo, styled bool, width int) []byte {
	st := newStyles(styled)
	head := func(s string) { b = append(b, st.group.Render(s)...); b = append(b, '\n') }
	span := c.Last.Sub(c.First)
	head("Capture")
	line := info.Source + ": " + strconv.FormatUint(info.Frames, 10) + " frames"
	if !c.First.IsZero() {
		line += ", " + seconds(span) + " (" + c.First.UTC().Format("2006-01-02 15:04:05") + " → " + c.Last.UTC().Format("15:04:05") + " UTC)"
	}
	for _, l := range wrapLines(line, width, 4) {
		b = append(b, "  "+l+"\n"...)
	}
	conns, tls := len(c.Done), 0
	for _, s := range c.Done {
		if s.Info.TLS {
			tls++
		}
	}
	b = append(b, "  "+strconv.Itoa(c.Packets)+" MQTT packets, "+strconv.FormatInt(c.Bytes, 10)+" bytes, "+
		plural(conns, "connection")+" ("+strconv.Itoa(tls)+" TLS)"+rate(c.Packets, span)+"\n"...)
	b = noMQTT(b, c, width)

	head("\nPackets by type")
	tb := &table{header: []string{"type", "packets", "share"}, right: map[int]bool{1: true, 2: true}}
	for t, n := range c.Types {
		if n > 0 {
			tb.add(decode.Type(t).String(), strconv.Itoa(n), strconv.FormatFloat(100*float64(n)/float64(c.Packets), 'f', 1, 64)+" %")
		}
	}
	b = tb.render(b, st, width, "  ")

	if topics := c.SortedTopics(); len(topics) > 0 {
		head("\nTopics (PUBLISH)")
		tb = &table{header: []string{"topic", "messages", "per s", "payload min", "avg", "max"}, right: map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true}}
		for i, t := range topics {
			if i == 50 {
				tb.add("(+"+strconv.Itoa(len(topics)-50)+" more topics)", "", "", "", "", "")
				break
			}
			tb.add(t.Topic, strconv.Itoa(t.Messages), perSecond(t.Messages, t.Last.Sub(t.First)), strconv.Itoa(t.MinPayload),
				strconv.FormatInt(t.Bytes/int64(t.Messages), 10), strconv.Itoa(t.MaxPayload))
		}
		b = tb.render(b, st, width, "  ")
	}
	b = SummaryTable(b, c, styled, width)
	if c.Replies.N > 0 {
		head("\nOneNET replies")
		replies := strconv.Itoa(c.Replies.N) + " replies"
		if c.Replies.N == 1 {
			replies = "1 reply"
		}
		b = append(b, "  "+replies+" paired with their requests; latency min "+latency(c.Replies.Min)+
			", mean "+latency(c.Replies.Mean())+", max "+latency(c.Replies.Max)+"\n"...)
	}
	verdicts := map[string]int{}
	for _, s := range c.Done {
		if s.Verdict.Status != "" {
			verdicts[s.Verdict.Status]++
		}
	}
	if len(verdicts) > 0 {
		head("\nOneNET verdicts")
		b = append(b, "  "+counts(verdicts)+"\n"...)
	}
	if len(c.Problem) > 0 {
		head("\nProblems")
		b = append(b, "  "+counts(c.Problem)+"\n"...)
	}
	if len(c.Events) > 0 {
		head("\nEvents")
		b = append(b, "  "+counts(c.Events)+"\n"...)
	}
	return b
}

func rate(n int, d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return ", " + perSecond(n, d) + " packets/s"
}

func perSecond(n int, d time.Duration) string {
	if d <= 0 || n < 2 {
		return "-"
	}
	return strconv.FormatFloat(float64(n-1)/d.Seconds(), 'f', 2, 64)
}

// counts renders "a 3, b 1", most first.
func counts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] || (m[keys[i]] == m[keys[j]] && keys[i] < keys[j]) })
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + " " + strconv.Itoa(m[k])
	}
	return strings.Join(parts, ", ")
}

// latencyJSON is the OneNET reply latency of `stats --json`.
type latencyJSON struct {
	N      int   `json:"replies"`
	MinMS  int64 `json:"min_ms"`
	MeanMS int64 `json:"mean_ms"`
	MaxMS  int64 `json:"max_ms"`
}

// StatsJSON is the `stats --json` document (docs/json.md).
func StatsJSON(c *Collector, info StatsInfo) ([]byte, error) {
	type topic struct {
		Topic      string  `json:"topic"`
		Messages   int     `json:"messages"`
		PerSecond  float64 `json:"per_second"`
		MinPayload int     `json:"min_payload"`
		AvgPayload int64   `json:"avg_payload"`
		MaxPayload int     `json:"max_payload"`
	}
	type conn struct {
		Stream          int            `json:"stream"`
		Client          string         `json:"client"`
		Server          string         `json:"server"`
		ClientID        string         `json:"client_id"`
		Version         int            `json:"version"`
		TLS             bool           `json:"tls"`
		Login           string         `json:"login"`
		DurationMS      int64          `json:"duration_ms"`
		MQTTPackets     [2]int         `json:"mqtt_packets"`
		Bytes           [2]int64       `json:"bytes"`
		KeepAlive       int            `json:"keep_alive"`
		MaxSilenceMS    int64          `json:"max_client_silence_ms"`
		KeepAliveExceed bool           `json:"keep_alive_exceeded"`
		Pings           int            `json:"pingreqs"`
		Ended           string         `json:"ended"`
		Topics          map[string]int `json:"publishes_by_topic"`
		OneNET          string         `json:"onenet,omitempty"`
	}
	doc := struct {
		Source       string         `json:"source"`
		Frames       uint64         `json:"frames"`
		Start        *time.Time     `json:"start"`
		End          *time.Time     `json:"end"`
		Packets      int            `json:"mqtt_packets"`
		Bytes        int64          `json:"mqtt_bytes"`
		Types        map[string]int `json:"packets_by_type"`
		Topics       []topic        `json:"topics"`
		Connections  []conn         `json:"connections"`
		ReplyLatency *latencyJSON   `json:"onenet_reply_latency,omitempty"`
		Problems     map[string]int `json:"problems"`
		Events       map[string]int `json:"events"`
		NoMQTT       string         `json:"no_mqtt,omitempty"`
	}{NoMQTT: c.NoMQTT, Source: info.Source, Frames: info.Frames, Packets: c.Packets, Bytes: c.Bytes, Types: map[string]int{},
		Problems: c.Problem, Events: c.Events, Topics: []topic{}, Connections: []conn{}}
	if !c.First.IsZero() {
		first, last := c.First.UTC(), c.Last.UTC()
		doc.Start, doc.End = &first, &last
	}
	for t, n := range c.Types {
		if n > 0 {
			doc.Types[decode.Type(t).String()] = n
		}
	}
	for _, t := range c.SortedTopics() {
		ps := 0.0
		if d := t.Last.Sub(t.First); d > 0 && t.Messages > 1 {
			ps = float64(t.Messages-1) / d.Seconds()
		}
		doc.Topics = append(doc.Topics, topic{t.Topic, t.Messages, ps, t.MinPayload, t.Bytes / int64(t.Messages), t.MaxPayload})
	}
	for _, s := range c.Done {
		doc.Connections = append(doc.Connections, conn{Stream: s.Conn.Stream, Client: s.Conn.Client.String(), Server: s.Conn.Server.String(),
			ClientID: s.ClientID, Version: int(s.Info.Version), TLS: s.Info.TLS, Login: s.Login, DurationMS: s.Duration().Milliseconds(),
			MQTTPackets: s.MQTT, Bytes: s.Conn.Bytes, KeepAlive: int(s.KeepAlive), MaxSilenceMS: s.MaxQuiet.Milliseconds(),
			KeepAliveExceed: s.KeepAliveExceeded(), Pings: s.Pings, Ended: s.HowEnded(), Topics: s.Topics, OneNET: s.Verdict.Status})
	}
	if c.Replies.N > 0 {
		doc.ReplyLatency = &latencyJSON{c.Replies.N, c.Replies.Min.Milliseconds(), c.Replies.Mean().Milliseconds(), c.Replies.Max.Milliseconds()}
	}
	return json.MarshalIndent(doc, "", "  ")
}
