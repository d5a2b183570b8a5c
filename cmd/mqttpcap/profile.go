package main

import (
	"os"
	"runtime"
	"runtime/pprof"
	"time"
)

// startProfiles starts the profiles asked for in the environment, for
// performance reports; the returned function ends them.
//
//   - MQTTPCAP_CPUPROFILE=file: a CPU profile of the whole command;
//   - MQTTPCAP_HEAPPROFILE=file: a heap profile taken when the live heap
//     was largest (sampled every 20 ms), which is what peak RSS is made of;
//     a profile at exit would show a heap the flush has already emptied.
func startProfiles(getenv func(string) string) (stop func()) {
	var stops []func()
	if path := getenv("MQTTPCAP_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			if pprof.StartCPUProfile(f) == nil {
				stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
			}
		}
	}
	if path := getenv("MQTTPCAP_HEAPPROFILE"); path != "" {
		done := make(chan struct{})
		finished := make(chan struct{})
		go peakHeapProfile(path, done, finished)
		stops = append(stops, func() { close(done); <-finished })
	}
	return func() {
		for _, stop := range stops {
			stop()
		}
	}
}

// peakHeapProfile writes a heap profile to path each time the heap in use
// grows by a tenth past its largest size so far.
func peakHeapProfile(path string, done <-chan struct{}, finished chan<- struct{}) {
	defer close(finished)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var peak uint64
	for {
		select {
		case <-done:
			return
		case <-tick.C:
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse <= peak+peak/10 {
			continue
		}
		peak = ms.HeapInuse
		if f, err := os.Create(path); err == nil {
			_ = pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
}
