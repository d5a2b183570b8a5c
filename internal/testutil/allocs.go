// Package testutil holds helpers shared by the project's tests.
package testutil

import (
	"runtime"
	"runtime/debug"
	"testing"
)

// AllocsPerRun is testing.AllocsPerRun with the garbage collector held off
// while it measures. A collection empties the runtime's pools (sync.Pool,
// and so regexp's matching machines), and whether one falls inside the
// measured runs is a matter of timing: with the collector off, the count is
// what the code under test allocates, the same on every run. (Under the
// race detector sync.Pool also drops items at random: tests of code that
// relies on a pool must not promise zero there; see RaceEnabled.)
func AllocsPerRun(runs int, f func()) float64 {
	runtime.GC()
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	return testing.AllocsPerRun(runs, f)
}
