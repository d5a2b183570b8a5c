package main

import (
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

func TestGCPercent(t *testing.T) {
	const mb = 1 << 20
	for _, tc := range []struct {
		live uint64
		want int
	}{
		{0, 100},
		{10 * mb, 100},        // a long capture's bounded state: the default
		{32 * mb, 100},        // headroom 32 MB = the live heap
		{64 * mb, 50},         // 32 MB of headroom
		{100 * mb, 32},        // 32 MB
		{128 * mb, 25},        // from here a quarter of the live heap
		{220 * mb, 25},        // 50,000 open connections
		{4096 * mb, 25},       // never below a quarter
		{1 << 62, 25},         // no overflow
		{minHeadroom + 1, 99}, // just past the floor
	} {
		if got := gcPercent(tc.live); got != tc.want {
			t.Errorf("gcPercent(%d MB) = %d, want %d", tc.live/mb, got, tc.want)
		}
	}
}

// With a large live heap the tuner lowers GOGC after a collection, and
// leaves it alone when the user set GOGC.
func TestGCHeadroomFollowsTheLiveHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("holds 160 MB")
	}
	// GOGC as the runtime reports it: reading it with debug.SetGCPercent
	// would set it too, and undo the tuner's change when that came in
	// between.
	current := func() int {
		s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
		metrics.Read(s)
		return int(s[0].Value.Uint64())
	}
	if current() != defaultPercent {
		t.Skip("GOGC is set for the tests")
	}
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		stop := boundGCHeadroom(func(k string) string { return map[string]string{env: "200"}[k] })
		live := make([]byte, 64<<20)
		runtime.GC()
		time.Sleep(50 * time.Millisecond)
		if got := current(); got != defaultPercent {
			t.Errorf("%s set by the user: GOGC %d, want it left at %d", env, got, defaultPercent)
		}
		runtime.KeepAlive(live)
		stop()
	}
	stop := boundGCHeadroom(func(string) string { return "" })
	defer stop()
	live := make([][]byte, 160)
	for i := range live {
		live[i] = make([]byte, 1<<20)
	}
	deadline := time.Now().Add(5 * time.Second)
	for current() != minGCPercent && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if got := current(); got != minGCPercent {
		t.Errorf("with 160 MB live, GOGC is %d, want %d", got, minGCPercent)
	}
	runtime.KeepAlive(live)
	stop()
	if got := current(); got != defaultPercent {
		t.Errorf("after stop, GOGC is %d, want %d", got, defaultPercent)
	}
}
