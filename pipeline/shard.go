package pipeline

import (
	"io"
	"sync"
)

// Sharder is a Sink that can be split across workers, so that decoding,
// the OneNET layer and the formatting of the output use every core.
//
// Each worker owns a share of the connections (all of a connection's
// records go to the same worker, in order) and a shard of the sink, which
// renders the worker's records into the pipeline's buffers; the pipeline
// then hands the rendered bytes to Output in the order the records were
// produced, so the output is byte for byte what the sink would write on
// one goroutine. After the run, Merge folds each shard's end state
// (summaries, counters) into the Sharder, in worker order; the caller then
// flushes the Sharder as usual.
type Sharder interface {
	Sink
	// NewShard returns a sink for one worker. It must write each record's
	// output to w before its Record returns, and keep only per-connection
	// state between records (any other state is merged by Merge).
	NewShard(w io.Writer) Sink
	// Output writes rendered bytes, in record order.
	Output(p []byte) error
	// Merge folds a shard's end state in.
	Merge(shard Sink)
}

// sharded is the sender of the parallel mode with several workers. The
// stream side fills batches (batcher); each full batch goes to every
// worker, which handles the items of its connections, and to the merger,
// which waits until all workers are done with it and writes their output
// in item order.
type sharded struct {
	*batcher
	p       *Pipeline
	root    Sharder
	shards  []Sink
	ins     []chan *batch
	fifo    chan *batch
	workers sync.WaitGroup
	merged  chan struct{}
}

func newSharded(p *Pipeline, root Sharder, n int) *sharded {
	s := &sharded{p: p, root: root, fifo: make(chan *batch, 2*batchQueue), merged: make(chan struct{})}
	s.batcher = &batcher{p: p, free: make(chan *batch, 2*batchQueue+2), cur: &batch{}, dispatch: s.dispatch, closeAll: s.closeAll,
		assign: s.assign}
	for k := 0; k < n; k++ {
		w := &outWriter{}
		shard := root.NewShard(w)
		s.shards = append(s.shards, shard)
		in := make(chan *batch, batchQueue)
		s.ins = append(s.ins, in)
		s.workers.Add(1)
		go s.work(k, in, w, newConsumer(p, shard, false))
	}
	go s.merge()
	return s
}

// OutputTarget is what a shard's writer (Sharder.NewShard) also offers: the
// buffer its writes append to, for a shard that renders each record in
// place rather than copying it in with Write. The buffer changes between
// records: ask for it each time; append, and store the result back.
type OutputTarget interface {
	Target() *[]byte
}

// outWriter appends to the worker's output of the batch it is handling.
type outWriter struct{ b *[]byte }

// Target implements OutputTarget.
func (w *outWriter) Target() *[]byte { return w.b }

func (w *outWriter) Write(p []byte) (int, error) {
	*w.b = append(*w.b, p...)
	return len(p), nil
}

// assign gives the batch's item i to the worker of its connection.
func (s *sharded) assign(bt *batch, i int) {
	if len(bt.parts) != len(s.ins) {
		bt.parts = make([]workerPart, len(s.ins))
	}
	k := s.workerOf(bt.items[i].st)
	bt.worker = append(bt.worker, uint16(k))
	bt.parts[k].items = append(bt.parts[k].items, int32(i))
}

func (s *sharded) dispatch(bt *batch) {
	n := len(s.ins)
	bt.done = make(chan struct{})
	bt.pending.Store(int32(n))
	s.fifo <- bt
	for _, in := range s.ins {
		in <- bt
	}
}

// work handles the worker's items of each batch.
func (s *sharded) work(k int, in chan *batch, w *outWriter, cs *consumer) {
	defer s.workers.Done()
	for bt := range in {
		if len(bt.parts) > k {
			pt := &bt.parts[k]
			w.b = &pt.out
			for _, i := range pt.items {
				cs.handle(bt, int(i))
				pt.ends = append(pt.ends, len(pt.out))
			}
		}
		if bt.pending.Add(-1) == 0 {
			close(bt.done)
		}
	}
}

// merge writes each batch's output in item order once every worker is
// done with it: a run of items of one worker is one write.
func (s *sharded) merge() {
	defer close(s.merged)
	from := make([]int, len(s.ins)) // output of each worker written so far
	next := make([]int, len(s.ins)) // each worker's next item
	for bt := range s.fifo {
		<-bt.done
		clear(from)
		clear(next)
		run, end := -1, 0 // the worker whose output is pending, up to end
		for _, k := range bt.worker {
			if int(k) != run {
				s.output(bt, run, from, end)
				run = int(k)
			}
			end = bt.parts[k].ends[next[k]]
			next[k]++
		}
		s.output(bt, run, from, end)
		s.recycle(bt)
	}
}

// output writes worker k's output of bt from where it was written up to
// end.
func (s *sharded) output(bt *batch, k int, from []int, end int) {
	if k < 0 || end <= from[k] {
		return
	}
	if !s.p.failed.Load() {
		if err := s.root.Output(bt.parts[k].out[from[k]:end]); err != nil {
			s.p.fail(err)
		}
	}
	from[k] = end
}

// closeAll waits for the workers and the merger, then merges the shards.
func (s *sharded) closeAll() {
	for _, in := range s.ins {
		close(in)
	}
	s.workers.Wait()
	close(s.fifo)
	<-s.merged
	for _, shard := range s.shards {
		s.root.Merge(shard)
	}
}

// workerOf is the worker that owns a connection's records; records of no
// connection go to the first.
func (s *sharded) workerOf(st *connState) int {
	if st == nil {
		return 0
	}
	return int(st.shard % uint32(len(s.ins)))
}
