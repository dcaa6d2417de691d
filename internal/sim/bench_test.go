package sim

import (
	"context"
	"runtime/debug"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/rate"
	"github.com/yafdp/yafdp/internal/saga"
)

// BenchmarkSimulatedOrders runs one simulated minute at 500/s with a
// StartExecution quota that keeps up, so every order goes through the full
// saga, and reports simulated orders per second of wall time.
func BenchmarkSimulatedOrders(b *testing.B) {
	sc := Defaults()
	sc.Arrivals.Rate = rate.PerSecond(500)
	sc.Arrivals.Duration = Duration(time.Minute)
	sc.StepFunctions.StartRate = rate.PerSecond(2000)
	benchRuns(b, sc)
}

// benchRuns runs sc b.N times and reports simulated orders per second of
// wall time and the wall time per order.
func benchRuns(b *testing.B, sc Scenario) {
	b.ReportAllocs()
	var orders int64
	for i := 0; i < b.N; i++ {
		r, err := Run(context.Background(), sc, Options{})
		if err != nil {
			b.Fatal(err)
		}
		orders += r.Orders.Succeeded + r.Orders.Failed
	}
	b.ReportMetric(float64(orders)/b.Elapsed().Seconds(), "orders/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(orders), "ns/order")
}

// BenchmarkSimulatedSlice runs five simulated minutes with the settings of
// scripts/bench-sim.sh (500/s, StartExecution 800/s, payment quota 600/s)
// and the GC setting simulate uses (GOGC=800), so its profile is the hour's.
func BenchmarkSimulatedSlice(b *testing.B) {
	defer debug.SetGCPercent(debug.SetGCPercent(800))
	benchRuns(b, benchSlice(5*time.Minute))
}

// benchSlice is d of scripts/bench-sim.sh's scenario.
func benchSlice(d time.Duration) Scenario {
	sc := Defaults()
	sc.Arrivals.Rate = rate.PerSecond(500)
	sc.Arrivals.Duration = Duration(d)
	sc.StepFunctions.StartRate = rate.PerSecond(800)
	sc.Payment.TPS = rate.PerSecond(600)
	sc.Payment.Burst = 600
	return sc
}

// BenchmarkSimulatedSliceOnePartition is BenchmarkSimulatedSlice on one
// partition: one goroutine does all the work, so the instructions it
// executes do not depend on how the goroutines were scheduled, and a run
// under valgrind counts the same every time when the collector does not
// run either (GOGC=off; scripts/bench-sim-instructions.sh).
func BenchmarkSimulatedSliceOnePartition(b *testing.B) {
	sc := benchSlice(time.Minute)
	b.ReportAllocs()
	var orders int64
	for b.Loop() {
		r, err := Run(context.Background(), sc, Options{partitions: 1})
		if err != nil {
			b.Fatal(err)
		}
		orders += r.Orders.Succeeded + r.Orders.Failed
	}
	b.ReportMetric(float64(orders)/float64(b.N), "orders/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(orders), "ns/order")
}

// BenchmarkSimulatedSliceJSONata is BenchmarkSimulatedSlice with the saga
// written in JSONata (saga.DefinitionJSONata), for the comparison
// BENCHMARKS.md records.
func BenchmarkSimulatedSliceJSONata(b *testing.B) {
	defer debug.SetGCPercent(debug.SetGCPercent(800))
	m, err := saga.BuiltInJSONata()
	if err != nil {
		b.Fatal(err)
	}
	sc := benchSlice(5 * time.Minute)
	b.ReportAllocs()
	var orders int64
	for b.Loop() {
		r, err := Run(context.Background(), sc, Options{Machine: m})
		if err != nil {
			b.Fatal(err)
		}
		orders += r.Orders.Succeeded + r.Orders.Failed
	}
	b.ReportMetric(float64(orders)/b.Elapsed().Seconds(), "orders/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(orders), "ns/order")
}
