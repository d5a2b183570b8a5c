package ui

import (
	"sync"
	"time"

	"github.com/mqttpcap/mqttpcap/filter"
)

// rowSet is the rows the list shows under a display filter and/or a
// followed connection: the matching entries, found by a job that reads
// the index in the background (each record rebuilt from the spill and
// matched by filter.Match, the -Y code) and keeps up with it while the
// capture is still being read. Without either, the list shows every entry
// and needs no rowSet.
type rowSet struct {
	filter *filter.Filter // nil: none
	stream int            // the followed connection's stream, -1: none
	expr   string

	mu      sync.Mutex
	rows    []uint32
	scanned int // entries examined
	done    bool
	err     error
	stop    chan struct{}
}

// newRowSet starts the job that fills a rowSet from ix.
func newRowSet(ix *Index, f *filter.Filter, expr string, stream int) *rowSet {
	rs := &rowSet{filter: f, stream: stream, expr: expr, stop: make(chan struct{})}
	go rs.run(ix)
	return rs
}

// cancel stops the job.
func (rs *rowSet) cancel() {
	select {
	case <-rs.stop:
	default:
		close(rs.stop)
	}
}

// snapshot returns the rows found so far (a prefix that only grows), how
// many entries were examined, and whether the job finished.
func (rs *rowSet) snapshot() ([]uint32, int, bool, error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.rows, rs.scanned, rs.done, rs.err
}

// run matches the entries in index order, in batches, waiting for more
// while the index grows.
func (rs *rowSet) run(ix *Index) {
	l := ix.loader()
	i := 0
	var batch []uint32
	for {
		ix.mu.RLock()
		n, done, grew := ix.n, ix.done, ix.grew
		ix.mu.RUnlock()
		for ; i < n; i++ {
			if i&0xfff == 0 {
				select {
				case <-rs.stop:
					return
				default:
				}
				rs.publish(batch, i, false, nil)
				batch = batch[:0]
			}
			ok, err := rs.match(l, i)
			if err != nil {
				rs.publish(batch, i, true, err)
				return
			}
			if ok {
				batch = append(batch, uint32(i))
			}
		}
		rs.publish(batch, i, done, nil)
		batch = batch[:0]
		if done {
			return
		}
		select {
		case <-rs.stop:
			return
		case <-grew:
		}
	}
}

func (rs *rowSet) publish(batch []uint32, scanned int, done bool, err error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.rows = append(rs.rows, batch...)
	rs.scanned, rs.done, rs.err = scanned, done, err
}

// match says whether entry i is shown.
func (rs *rowSet) match(l *loader, i int) (bool, error) {
	if rs.stream >= 0 {
		l.ix.mu.RLock()
		e := l.ix.at(i)
		s := -1
		if e.conn > 0 {
			s = l.ix.conns[e.conn-1].c.Stream
		}
		l.ix.mu.RUnlock()
		if s != rs.stream {
			return false, nil
		}
	}
	if rs.filter == nil {
		return true, nil
	}
	r, err := l.row(i, true)
	if err != nil {
		return false, err
	}
	return rs.filter.Match(&r.Record), nil
}

// wait blocks until the job has matched every entry of a finished index
// (Options.Sync: tests and goldens).
func (rs *rowSet) wait() {
	for {
		if _, _, done, _ := rs.snapshot(); done {
			return
		}
		time.Sleep(time.Millisecond)
	}
}
