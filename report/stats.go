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
	// Files are the files of a capture merged from several (Source names
	// them in short), nil for one.
	Files  []string
	Frames uint64
	// First and Last are the capture times of the first and last frame
	// (the collector knows the MQTT records' only).
	First, Last time.Time
}

// minRateSpan is the shortest span a rate is given for: "2 messages,
// 29411.76 per s" for two packets 68 µs apart says nothing.
const minRateSpan = time.Second

// StatsText writes the whole capture at a glance: packets by type, topics
// with message counts, rates and payload sizes, the connections, reply
// latencies, problems and events.
func StatsText(b []byte, c *Collector, info StatsInfo, o TableOptions) []byte {
	st := newStyles(o.Styled)
	width := o.Width
	head := func(s string) { b = append(b, st.group.Render(s)...); b = append(b, '\n') }
	span := c.Last.Sub(c.First)
	head("Capture")
	line := info.Source + ": " + plural(int(info.Frames), "frame")
	if !info.First.IsZero() {
		line += ", " + seconds(info.Last.Sub(info.First)) + " (" + info.First.UTC().Format("2006-01-02 15:04:05") + " → " +
			info.Last.UTC().Format("15:04:05") + " UTC)"
	}
	conns, tls := c.Counts.All, c.Counts.TLS
	mqtt := plural(c.Packets, "MQTT packet") + ", " + plural(int(c.Bytes), "byte") + ", " + plural(conns, "connection") +
		" (" + strconv.Itoa(tls) + " TLS)"
	if c.Packets > 0 {
		mqtt += ", over " + seconds(span) + rate(c.Packets, span)
	}
	for _, text := range []string{line, mqtt} {
		for _, l := range wrapLines(text, width, 4) {
			b = append(b, "  "+l+"\n"...)
		}
	}
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
		tb = &table{header: []string{"topic", "messages", "per s", "payload min", "avg", "max"}, right: map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true}, capped: map[int]int{0: maxTopicCell}, full: o.Full}
		for i, t := range topics {
			if i == 50 && width > 0 && !o.Full {
				tb.add("(+"+strconv.Itoa(len(topics)-50)+" more topics)", "", "", "", "", "")
				break
			}
			tb.add(t.Topic, strconv.Itoa(t.Messages), perSecond(t.Messages, t.Last.Sub(t.First)), strconv.Itoa(t.MinPayload),
				strconv.FormatInt(t.Bytes/int64(t.Messages), 10), strconv.Itoa(t.MaxPayload))
		}
		b = tb.render(b, st, width, "  ")
		if tb.elided {
			b = elisionNote(b, st)
		}
	}
	b = SummaryTable(b, c, o)
	b = latencyTable(b, c, st, width)
	verdicts := c.Counts.Verdicts
	for _, sec := range []struct {
		name string
		m    map[string]int
	}{{"OneNET verdicts", verdicts}, {"Problems", c.Problem}, {"Events", c.Events}} {
		if len(sec.m) > 0 {
			head("\n" + sec.name)
			for _, l := range wrapLines(counts(sec.m), width, 2) {
				b = append(b, "  "+l+"\n"...)
			}
		}
	}
	return b
}

// latencyTable writes the request → response latencies, with the
// requests that got no answer, as percentiles.
func latencyTable(b []byte, c *Collector, st styles, width int) []byte {
	tb := &table{header: []string{"request → response", "count", "no answer", "min", "p50", "p90", "p99", "max"},
		right: map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true, 6: true, 7: true}}
	row := func(name string, l Latency, unanswered int) {
		if l.N == 0 && unanswered == 0 {
			return
		}
		cells := []string{name, strconv.Itoa(l.N), strconv.Itoa(unanswered), "-", "-", "-", "-", "-"}
		if l.N > 0 {
			for i, d := range []time.Duration{l.Min, l.Percentile(0.5), l.Percentile(0.9), l.Percentile(0.99), l.Max} {
				cells[3+i] = shortDuration(d)
			}
		}
		tb.add(cells...)
	}
	for k := range NumReqKinds {
		row(k.Name(), c.Latencies[k], c.Unanswered[k])
	}
	row("OneNET request → reply", c.Replies, 0)
	if len(tb.rows) == 0 {
		return b
	}
	b = append(b, '\n')
	b = append(b, st.group.Render("Latencies (request → response)")...)
	b = append(b, '\n')
	return tb.render(b, st, width, "  ")
}

// rate is ", 12.5 packets/s" over a span of at least minRateSpan, else "".
func rate(n int, d time.Duration) string {
	if r := perSecond(n, d); r != "-" {
		return ", " + r + " packets/s"
	}
	return ""
}

// perSecond is the rate of n messages over d, or "-" when d is shorter
// than minRateSpan.
func perSecond(n int, d time.Duration) string {
	if r, ok := ratePerSecond(n, d); ok {
		return strconv.FormatFloat(r, 'f', 2, 64)
	}
	return "-"
}

// ratePerSecond is n-1 intervals over d, when d is at least minRateSpan.
func ratePerSecond(n int, d time.Duration) (float64, bool) {
	if d < minRateSpan || n < 2 {
		return 0, false
	}
	return float64(n-1) / d.Seconds(), true
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

// latencyJSON is the OneNET reply latency of `stats --json` (its first
// members, in whole milliseconds, are kept as they were).
type latencyJSON struct {
	N      int     `json:"replies"`
	MinMS  int64   `json:"min_ms"`
	MeanMS int64   `json:"mean_ms"`
	MaxMS  int64   `json:"max_ms"`
	P50MS  float64 `json:"p50_ms"`
	P90MS  float64 `json:"p90_ms"`
	P99MS  float64 `json:"p99_ms"`
}

// requestLatencyJSON is one kind of request → response of `stats --json`,
// in milliseconds with microsecond precision.
type requestLatencyJSON struct {
	Count      int     `json:"count"`
	Unanswered int     `json:"unanswered"`
	MinMS      float64 `json:"min_ms"`
	P50MS      float64 `json:"p50_ms"`
	P90MS      float64 `json:"p90_ms"`
	P99MS      float64 `json:"p99_ms"`
	MaxMS      float64 `json:"max_ms"`
	MeanMS     float64 `json:"mean_ms"`
}

func requestLatency(l Latency, unanswered int) requestLatencyJSON {
	return requestLatencyJSON{Count: l.N, Unanswered: unanswered, MinMS: msFloat(l.Min), P50MS: msFloat(l.Percentile(0.5)),
		P90MS: msFloat(l.Percentile(0.9)), P99MS: msFloat(l.Percentile(0.99)), MaxMS: msFloat(l.Max), MeanMS: msFloat(l.Mean())}
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
		Transport       string         `json:"transport,omitempty"`
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
		Source       string                        `json:"source"`
		Files        []string                      `json:"files,omitempty"`
		Frames       uint64                        `json:"frames"`
		CaptureStart *time.Time                    `json:"capture_start"`
		CaptureEnd   *time.Time                    `json:"capture_end"`
		Start        *time.Time                    `json:"start"`
		End          *time.Time                    `json:"end"`
		Latencies    map[string]requestLatencyJSON `json:"latencies"`
		Packets      int                           `json:"mqtt_packets"`
		Bytes        int64                         `json:"mqtt_bytes"`
		Types        map[string]int                `json:"packets_by_type"`
		Topics       []topic                       `json:"topics"`
		Connections  []conn                        `json:"connections"`
		ConnsTotal   int                           `json:"connections_total"`
		ConnsUnlist  int                           `json:"connections_unlisted"`
		ReplyLatency *latencyJSON                  `json:"onenet_reply_latency,omitempty"`
		Problems     map[string]int                `json:"problems"`
		Events       map[string]int                `json:"events"`
		NoMQTT       string                        `json:"no_mqtt,omitempty"`
	}{NoMQTT: c.NoMQTT, Source: info.Source, Files: info.Files, Frames: info.Frames, Packets: c.Packets, Bytes: c.Bytes, Types: map[string]int{},
		Problems: c.Problem, Events: c.Events, Topics: []topic{}, Connections: []conn{}, Latencies: map[string]requestLatencyJSON{}}
	if !info.First.IsZero() {
		first, last := info.First.UTC(), info.Last.UTC()
		doc.CaptureStart, doc.CaptureEnd = &first, &last
	}
	for k := range NumReqKinds {
		if c.Latencies[k].N > 0 || c.Unanswered[k] > 0 {
			doc.Latencies[k.Key()] = requestLatency(c.Latencies[k], c.Unanswered[k])
		}
	}
	if c.Replies.N > 0 {
		doc.Latencies["onenet_request_reply"] = requestLatency(c.Replies, 0)
	}
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
		ps, _ := ratePerSecond(t.Messages, t.Last.Sub(t.First))
		doc.Topics = append(doc.Topics, topic{t.Topic, t.Messages, ps, t.MinPayload, t.Bytes / int64(t.Messages), t.MaxPayload})
	}
	doc.ConnsTotal = c.Counts.All
	for _, s := range c.Listed() {
		client, server := connAddrs(s.Conn, &s.Info, "")
		doc.Connections = append(doc.Connections, conn{Stream: s.Conn.Stream, Client: client, Server: server,
			ClientID: s.ClientID, Version: int(s.Info.Version), TLS: s.Info.TLS, Transport: s.Info.Transport, Login: s.Login, DurationMS: s.Duration().Milliseconds(),
			MQTTPackets: s.MQTT, Bytes: s.Conn.Bytes, KeepAlive: int(s.KeepAlive), MaxSilenceMS: s.MaxQuiet.Milliseconds(),
			KeepAliveExceed: s.KeepAliveExceeded(), Pings: s.Pings, Ended: s.HowEnded(), Topics: s.Topics, OneNET: s.Verdict.Status})
	}
	doc.ConnsUnlist = c.Counts.Unlisted
	if c.Replies.N > 0 {
		doc.ReplyLatency = &latencyJSON{c.Replies.N, c.Replies.Min.Milliseconds(), c.Replies.Mean().Milliseconds(), c.Replies.Max.Milliseconds(),
			msFloat(c.Replies.Percentile(0.5)), msFloat(c.Replies.Percentile(0.9)), msFloat(c.Replies.Percentile(0.99))}
	}
	return json.MarshalIndent(doc, "", "  ")
}
