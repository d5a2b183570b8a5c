package report

import (
	"io"

	"github.com/mqttpcap/mqttpcap/pipeline"
)

// The outputs can be split across the pipeline's workers
// (pipeline.Sharder): each worker formats the records of its connections
// with its own shard, the pipeline writes the shards' output in record
// order through Output, and Merge folds the shards' summaries in at the
// end. The output is the same, byte for byte, as on one goroutine.

var (
	_ pipeline.Sharder = (*Text)(nil)
	_ pipeline.Sharder = (*JSONLines)(nil)
	_ pipeline.Sharder = (*Collector)(nil)
)

// NewShard implements pipeline.Sharder: a Text with the same options that
// writes each record to w at once. The column header and the summary are
// the root's.
func (t *Text) NewShard(w io.Writer) pipeline.Sink {
	o := t.opts
	o.Header, o.FlushEach = false, false
	s := NewText(nil, o)
	s.direct = w
	return s
}

// Output implements pipeline.Sharder.
func (t *Text) Output(p []byte) error { return t.write(p) }

// Merge implements pipeline.Sharder.
func (t *Text) Merge(shard pipeline.Sink) {
	s := shard.(*Text)
	t.elided = t.elided || s.elided
	if t.collect != nil && s.collect != nil {
		t.collect.Merge(s.collect)
	}
}

// NewShard implements pipeline.Sharder.
func (o *JSONLines) NewShard(w io.Writer) pipeline.Sink {
	s := NewJSONLines(nil)
	s.direct, s.Redact, s.Filter, s.Files = w, o.Redact, o.Filter, o.Files
	s.target, _ = w.(pipeline.OutputTarget)
	return s
}

// Output implements pipeline.Sharder.
func (o *JSONLines) Output(p []byte) error { return o.write(p) }

// Merge implements pipeline.Sharder: JSON lines keep no end state.
func (o *JSONLines) Merge(pipeline.Sink) {}

// Record implements pipeline.Sink: a Collector is the sink of `stats`.
// It observes the records Keep keeps (all without Keep).
func (c *Collector) Record(r *pipeline.Record) error {
	if c.Keep == nil || c.Keep(r) {
		c.Observe(r)
	}
	return nil
}

// NewShard implements pipeline.Sharder.
func (c *Collector) NewShard(io.Writer) pipeline.Sink {
	s := NewCollector()
	s.MaxTopics, s.Requests, s.Keep = c.MaxTopics, c.Requests, c.Keep
	return s
}

// Output implements pipeline.Sharder: a collector writes nothing.
func (c *Collector) Output([]byte) error { return nil }

// Merge implements pipeline.Sharder.
func (c *Collector) Merge(shard pipeline.Sink) { c.merge(shard.(*Collector)) }

// NewRedactor returns a Redactor in front of next: one that can be split
// across the pipeline's workers when next can (its secrets are per
// connection, and a connection's records all go to one worker).
func NewRedactor(next pipeline.Sink, keys []string) pipeline.Sink {
	x := &Redactor{Next: next, Keys: keys}
	if _, ok := next.(pipeline.Sharder); ok {
		return shardedRedactor{x}
	}
	return x
}

// shardedRedactor is a Redactor whose Next is a pipeline.Sharder.
type shardedRedactor struct{ *Redactor }

func (x shardedRedactor) NewShard(w io.Writer) pipeline.Sink {
	return &Redactor{Next: x.Next.(pipeline.Sharder).NewShard(w), Keys: x.Keys}
}

func (x shardedRedactor) Output(p []byte) error { return x.Next.(pipeline.Sharder).Output(p) }

func (x shardedRedactor) Merge(shard pipeline.Sink) {
	x.Next.(pipeline.Sharder).Merge(shard.(*Redactor).Next)
}
