package report

import "sort"

// DefaultMaxConns is how many connections a Collector lists one by one
// (Collector.MaxConns), and as many again with a problem.
const DefaultMaxConns = 500

// A capture of a fleet, or of one device in a reconnect loop, holds tens
// of thousands of connections: the summary lists the first ones that
// ended and the first ones with a problem, and counts the rest, so that
// the collector's memory follows the open connections, not the capture.
// Every connection still counts in ConnCounts.

// ConnCounts counts every connection that ended, listed or not.
type ConnCounts struct {
	All      int
	TLS      int
	Verdicts map[string]int // by OneNET verdict status
	// Unlisted and UnlistedProblems count the connections left out of
	// Collector.Done (with a problem: the second count).
	Unlisted         int
	UnlistedProblems int
}

func (n *ConnCounts) add(s *ConnSummary) {
	n.All++
	if s.Info.TLS {
		n.TLS++
	}
	if s.Verdict.Status != "" {
		if n.Verdicts == nil {
			n.Verdicts = map[string]int{}
		}
		n.Verdicts[s.Verdict.Status]++
	}
}

func (n *ConnCounts) merge(o ConnCounts) {
	n.All += o.All
	n.TLS += o.TLS
	for k, v := range o.Verdicts {
		if n.Verdicts == nil {
			n.Verdicts = map[string]int{}
		}
		n.Verdicts[k] += v
	}
	n.Unlisted += o.Unlisted
	n.UnlistedProblems += o.UnlistedProblems
}

// Problem says the connection is worth listing before others: its login
// was refused or never answered, its keep alive was exceeded, or its
// OneNET verdict is not a success.
func (s *ConnSummary) Problem() bool {
	return s.Refused || (s.Login == "" && s.ClientID != "") || s.KeepAliveExceeded() ||
		(s.Verdict.Status != "" && !s.Verdict.OK())
}

func (c *Collector) maxConns() int {
	if c.MaxConns > 0 {
		return c.MaxConns
	}
	return DefaultMaxConns
}

// bound leaves in Done (sorted by the record that ended each connection)
// the first maxConns connections without a problem and the first maxConns
// with one, counting the others as unlisted. Connections a display filter
// hid are never listed: they are dropped without a count. The last
// connection is kept whatever it is, because a Text sink may still mark
// it hidden; the next call decides about it.
func (c *Collector) bound(keepLast bool) {
	max := c.maxConns()
	if len(c.Done) <= max || (keepLast && len(c.Done) <= 4*max) {
		// Nothing to leave out (hidden connections are skipped by the
		// readers), or trimmed now and then rather than at every
		// connection.
		return
	}
	end := len(c.Done)
	if keepLast {
		end--
	}
	kept := c.Done[:0]
	var ok, bad int
	for i, s := range c.Done {
		switch {
		case i >= end:
			kept = append(kept, s)
		case s.Hidden:
		case s.Problem():
			if bad < max {
				bad++
				kept = append(kept, s)
			} else {
				c.Counts.Unlisted++
				c.Counts.UnlistedProblems++
			}
		case ok < max:
			ok++
			kept = append(kept, s)
		default:
			c.Counts.Unlisted++
		}
	}
	clear(c.Done[len(kept):])
	c.Done = kept
}

// Listed is Done bounded: what the summaries list, in the order the
// connections ended. Counts.Unlisted is final once it has been called.
func (c *Collector) Listed() []*ConnSummary {
	c.bound(false)
	return c.Done
}

// sortDone puts Done in the order the connections ended.
func (c *Collector) sortDone() {
	sort.SliceStable(c.Done, func(i, j int) bool { return c.Done[i].seq < c.Done[j].seq })
}
