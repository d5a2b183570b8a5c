package report

import "slices"

// merge folds the counts of o (a shard's collector) into c, as if c had
// observed o's records too, in record order: connections stay in the order
// they ended, and the topics kept one by one are the first distinct ones
// of the whole run (a shard that saw fewer topics may have kept some the
// run as a whole counts under "(other topics)").
func (c *Collector) merge(o *Collector) {
	for k, s := range o.open {
		c.open[k] = s
	}
	c.Done = append(c.Done, o.Done...)
	c.sortDone()
	c.Counts.merge(o.Counts)
	c.bound(false)
	for i, n := range o.Types {
		c.Types[i] += n
	}
	for k, n := range o.Events {
		c.Events[k] += n
	}
	for k, n := range o.Problem {
		c.Problem[k] += n
	}
	if o.NoMQTT != "" {
		c.NoMQTT = o.NoMQTT
	}
	c.Packets += o.Packets
	c.Bytes += o.Bytes
	if !o.First.IsZero() && (c.First.IsZero() || o.First.Before(c.First)) {
		c.First = o.First
	}
	if o.Last.After(c.Last) {
		c.Last = o.Last
	}
	c.Replies.merge(o.Replies)
	for k := range c.Latencies {
		c.Latencies[k].merge(o.Latencies[k])
		c.Unanswered[k] += o.Unanswered[k]
	}
	for name, t := range o.Topics {
		if mine := c.Topics[name]; mine != nil {
			mine.merge(t)
		} else {
			cp := *t
			c.Topics[name] = &cp
		}
	}
	c.foldTopics()
}

// foldTopics moves the topics past the limit, by first message, into
// "(other topics)".
func (c *Collector) foldTopics() {
	limit := c.topicLimit()
	var named []*TopicStats
	for name, t := range c.Topics {
		if name != otherTopics {
			named = append(named, t)
		}
	}
	if len(named) <= limit {
		return
	}
	slices.SortFunc(named, func(a, b *TopicStats) int {
		switch {
		case a.firstSeq < b.firstSeq:
			return -1
		case a.firstSeq > b.firstSeq:
			return 1
		}
		return 0
	})
	other := c.Topics[otherTopics]
	for _, t := range named[limit:] {
		delete(c.Topics, t.Topic)
		if other == nil {
			cp := *t
			cp.Topic = otherTopics
			other = &cp
			c.Topics[otherTopics] = other
			continue
		}
		other.merge(t)
	}
}

// merge adds o's messages to t.
func (t *TopicStats) merge(o *TopicStats) {
	if o.firstSeq < t.firstSeq {
		t.First, t.firstSeq = o.First, o.firstSeq
	}
	if o.lastSeq > t.lastSeq {
		t.Last, t.lastSeq = o.Last, o.lastSeq
	}
	t.Messages += o.Messages
	t.Bytes += o.Bytes
	t.MinPayload = min(t.MinPayload, o.MinPayload)
	t.MaxPayload = max(t.MaxPayload, o.MaxPayload)
}

// merge adds o's durations to l.
func (l *Latency) merge(o Latency) {
	if o.N == 0 {
		return
	}
	if l.N == 0 || o.Min < l.Min {
		l.Min = o.Min
	}
	l.Max = max(l.Max, o.Max)
	l.N += o.N
	l.Sum += o.Sum
	if o.hist != nil {
		if l.hist == nil {
			l.hist = new([histBuckets]uint32)
		}
		for i, n := range o.hist {
			l.hist[i] += n
		}
	}
}
