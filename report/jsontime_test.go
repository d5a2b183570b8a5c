package report

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestAppendTimeAsRFC3339Nano compares the JSON output's time formatting
// with time.RFC3339Nano on times in and out of order, within and across
// seconds, with every number of trailing zeros, and in other zones.
func TestAppendTimeAsRFC3339Nano(t *testing.T) {
	var j jsonBuf
	check := func(tm time.Time) {
		t.Helper()
		want := tm.UTC().AppendFormat(nil, time.RFC3339Nano)
		if got := j.appendTime(nil, tm); string(got) != string(want) {
			t.Fatalf("%v: got %s, want %s", tm, got, want)
		}
	}
	base := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	for _, ns := range []int{0, 1, 10, 100, 717000, 999999999, 500000000, 120000} {
		check(base.Add(time.Duration(ns)))
		check(base.Add(time.Second + time.Duration(ns)))
	}
	check(time.Time{})
	check(time.Unix(0, 0))
	check(time.Unix(-1, 5))
	check(time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC))
	check(time.Date(2026, 3, 29, 2, 30, 0, 1, time.FixedZone("CST", 8*3600)))
	check(time.Date(10000, 1, 1, 0, 0, 0, 1, time.UTC))
	rng := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		check(base.Add(time.Duration(rng.Int64N(int64(10 * time.Second)))))
		check(time.Unix(rng.Int64N(1<<40)-1<<39, rng.Int64N(1e9)))
	}
}
