//go:build !race

package testutil

// RaceEnabled says the tests run under the race detector.
const RaceEnabled = false
