package simulate

import (
	"os"
	"runtime/debug"
)

// The garbage collector's settings for a simulation. A run allocates
// quickly (payloads, timers, answers for every state of every saga) but
// keeps little alive: the orders in flight and the counters. With GOGC's
// default of 100 the collector runs every few tens of megabytes and takes
// a large share of the CPU; at 800 it runs an eighth as often, for a heap
// a few times the live one (BENCHMARKS.md has the settings tried and what
// they cost). The soft limit keeps a scenario that does hold a lot (a
// backlog of millions of messages) under 1 GiB in all: near it the
// collector works harder instead of letting the heap grow.
const (
	simGCPercent   = 800
	simMemoryLimit = 768 << 20
)

// tuneGC applies the simulation's GC settings unless GOGC or GOMEMLIMIT
// say otherwise, and returns a function that restores the previous ones.
func tuneGC() (restore func()) {
	var undo []func()
	if os.Getenv("GOGC") == "" {
		prev := debug.SetGCPercent(simGCPercent)
		undo = append(undo, func() { debug.SetGCPercent(prev) })
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		prev := debug.SetMemoryLimit(simMemoryLimit)
		undo = append(undo, func() { debug.SetMemoryLimit(prev) })
	}
	return func() {
		for _, f := range undo {
			f()
		}
	}
}
