package report

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mqttpcap/mqttpcap/onenet"
	"github.com/mqttpcap/mqttpcap/pipeline"
	"github.com/mqttpcap/mqttpcap/stream"
)

// connDone is the "connection" record of stream n, ending at record seq;
// every third connection's OneNET login was refused.
func connDone(n int) *pipeline.Record {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c := &stream.Conn{Stream: n, FirstTime: t0, LastTime: t0.Add(time.Duration(n) * time.Millisecond)}
	v := onenet.Verdict{Status: "ok"}
	if n%3 == 0 {
		v.Status = "login_refused"
	}
	return &pipeline.Record{Kind: pipeline.KindConnDone, Conn: c, Final: c, Seq: uint64(n), Verdict: v, Info: &pipeline.ConnInfo{}}
}

// listed is what a collector lists and counts: the streams of its
// connections and its counts.
func listed(c *Collector) string {
	var streams []int
	for _, s := range c.Listed() {
		streams = append(streams, s.Conn.Stream)
	}
	return fmt.Sprint(streams, c.Counts.All, c.Counts.Unlisted, c.Counts.UnlistedProblems, c.Counts.Verdicts)
}

// The summary lists the first connections to end without a problem and
// the first with one, counts every connection, and lists the same ones
// whether one collector saw every record or shards saw some each and were
// merged (the sharded run must print what one goroutine prints).
func TestCollectorListsBoundedConnections(t *testing.T) {
	for _, tc := range []struct {
		conns, max int
		want       string
	}{
		{conns: 5, max: 10, want: "[0 1 2 3 4] 5 0 0 map[login_refused:2 ok:3]"},
		{conns: 30, max: 4, want: "[0 1 2 3 4 5 6 9] 30 22 6 map[login_refused:10 ok:20]"},
		{conns: 1000, max: 3, want: "[0 1 2 3 4 6] 1000 994 331 map[login_refused:334 ok:666]"},
	} {
		t.Run(fmt.Sprint(tc.conns, "/", tc.max), func(t *testing.T) {
			one := NewCollector()
			one.MaxConns = tc.max
			for n := range tc.conns {
				one.Observe(connDone(n))
			}
			if got := listed(one); got != tc.want {
				t.Errorf("one collector lists %s, want %s", got, tc.want)
			}
			for _, shards := range []int{2, 3} {
				root := NewCollector()
				root.MaxConns = tc.max
				parts := make([]*Collector, shards)
				for k := range parts {
					parts[k] = NewCollector()
					parts[k].MaxConns = tc.max
				}
				for n := range tc.conns {
					parts[(n*7)%shards].Observe(connDone(n))
				}
				for _, p := range parts {
					root.merge(p)
				}
				if got := listed(root); got != tc.want {
					t.Errorf("%d shards merged list %s, want %s", shards, got, tc.want)
				}
			}
			if len(one.Done) > 4*tc.max+1 {
				t.Errorf("the collector holds %d connections, more than 4×%d+1", len(one.Done), tc.max)
			}
		})
	}
}

// The summary table says how many connections it left out, and how many
// of them had a problem.
func TestSummaryTableNamesUnlistedConnections(t *testing.T) {
	c := NewCollector()
	c.MaxConns = 2
	for n := range 9 {
		c.Observe(connDone(n))
	}
	out := string(SummaryTable(nil, c, TableOptions{}))
	if rows := strings.Count(out, "\n    "); rows != 4 {
		t.Errorf("the summary table has %d rows, want 4 (2 without a problem, 2 with one):\n%s", rows, out)
	}
	for _, want := range []string{"(5 more connections not listed, 1 of them with a problem", "first 2 to end and the first 2 with a problem"} {
		if !strings.Contains(out, want) {
			t.Errorf("the summary table lacks %q:\n%s", want, out)
		}
	}
	if !reflect.DeepEqual(c.Counts.Verdicts, map[string]int{"ok": 6, "login_refused": 3}) {
		t.Errorf("verdict counts %v", c.Counts.Verdicts)
	}
}

// The note of the connections left out is laid out for the width, as
// every line of the summary is.
func TestUnlistedNoteFitsTheWidth(t *testing.T) {
	c := NewCollector()
	c.MaxConns = 2
	for n := range 9 {
		c.Observe(connDone(n))
	}
	c.Listed()
	for _, width := range []int{80, 120} {
		out := string(unlistedNote(nil, c, newStyles(false), width))
		if !strings.Contains(out, "5 more connections") {
			t.Fatalf("no note:\n%s", out)
		}
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			if w := cellWidth(line); w > width {
				t.Errorf("width %d: a line of %d columns: %q", width, w, line)
			}
		}
	}
}
