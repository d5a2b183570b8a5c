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
	s.direct, s.Redact, s.Filter = w, o.Redact, o.Filter
	return s
}

// Output implements pipeline.Sharder.
func (o *JSONLines) Output(p []byte) error { return o.write(p) }

// Merge implements pipeline.Sharder: JSON lines keep no end state.
func (o *JSONLines) Merge(pipeline.Sink) {}

// Record implements pipeline.Sink: a Collector is the sink of `stats`.
func (c *Collector) Record(r *pipeline.Record) error {
	c.Observe(r)
	return nil
}

// NewShard implements pipeline.Sharder.
func (c *Collector) NewShard(io.Writer) pipeline.Sink {
	s := NewCollector()
	s.MaxTopics = c.MaxTopics
	return s
}

// Output implements pipeline.Sharder: a collector writes nothing.
func (c *Collector) Output([]byte) error { return nil }

// Merge implements pipeline.Sharder.
func (c *Collector) Merge(shard pipeline.Sink) { c.merge(shard.(*Collector)) }
