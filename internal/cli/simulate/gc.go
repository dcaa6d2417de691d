package simulate

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
)

// The garbage collector's settings for a simulation. A run allocates
// quickly (payloads, timers, answers for every state of every saga) but
// keeps little alive: the orders in flight and the counters. With GOGC's
// default of 100 the collector runs every few tens of megabytes and takes
// a large share of the CPU; at 800 it runs an eighth as often, for a heap
// a few times the live one (BENCHMARKS.md has the settings tried and what
// they cost). What a run keeps does grow a little with its length (the
// per-second series, 100 bytes a simulated second), and eight times that
// would be most of a long run's memory: so the collector is given a
// constant headroom instead, simGCHeadroom above the live heap, which is
// GOGC=800 until the live heap passes an eighth of it and less after.
// The soft limit keeps a scenario that does hold a lot (a backlog of
// millions of messages) under 1 GiB in all: near it the collector works
// harder instead of letting the heap grow.
const (
	simGCPercent   = 800
	simGCHeadroom  = 64 << 20
	simMemoryLimit = 768 << 20
)

// gcTuning is the simulation's GC settings while a run lasts.
type gcTuning struct {
	// percent is the GOGC in force; 0 when GOGC is the user's.
	percent int
	live    []metrics.Sample
	undo    []func()
}

// tuneGC applies the simulation's GC settings unless GOGC or GOMEMLIMIT
// say otherwise. Call retune now and then while the run lasts, and
// restore after it.
func tuneGC() *gcTuning {
	g := &gcTuning{live: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	if os.Getenv("GOGC") == "" {
		g.percent = simGCPercent
		prev := debug.SetGCPercent(simGCPercent)
		g.undo = append(g.undo, func() { debug.SetGCPercent(prev) })
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		prev := debug.SetMemoryLimit(simMemoryLimit)
		g.undo = append(g.undo, func() { debug.SetMemoryLimit(prev) })
	}
	return g
}

// retune sets GOGC so that the heap may grow simGCHeadroom past what the
// last collection found live, between 100 and simGCPercent.
func (g *gcTuning) retune() {
	if g.percent == 0 {
		return
	}
	metrics.Read(g.live)
	if g.live[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	p := gcPercentFor(g.live[0].Value.Uint64())
	// Within a tenth of the current setting is close enough: each change
	// recomputes the collector's pacing.
	if d := p - g.percent; 10*d > g.percent || -10*d > g.percent {
		debug.SetGCPercent(p)
		g.percent = p
	}
}

// gcPercentFor is the GOGC that gives a heap of live bytes simGCHeadroom
// to grow, within 100 and simGCPercent.
func gcPercentFor(live uint64) int {
	if live == 0 {
		return simGCPercent
	}
	return int(min(simGCPercent, max(100, simGCHeadroom*100/live)))
}

// restore puts back the settings tuneGC found.
func (g *gcTuning) restore() {
	for _, f := range g.undo {
		f()
	}
	g.percent = 0
}
