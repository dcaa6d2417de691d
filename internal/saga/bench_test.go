package saga_test

import (
	"context"
	"maps"
	"strconv"
	"testing"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/order"
	"github.com/yafdp/yafdp/internal/saga"
)

// BenchmarkSagaExecution measures whole executions of the embedded saga on
// the virtual clock with zero-latency fakes and no faults: five Tasks with
// Parameters, ResultSelector, ResultPath, Retry, Catch and TimeoutSeconds,
// the fakes' ledger and idempotency. One execution at a time, so ns/op is
// the cost of one saga on one core. Run it with -cpu 1.
//
// language=jsonata runs the same saga written in JSONata with variables
// (saga.DefinitionJSONata); BENCHMARKS.md compares the two.
func BenchmarkSagaExecution(b *testing.B) {
	for _, mode := range []struct {
		name    string
		history asl.HistoryMode
		def     []byte
	}{
		{"language=jsonpath/history=full", asl.HistoryFull, saga.Definition},
		{"language=jsonpath/history=none", asl.HistoryNone, saga.Definition},
		{"language=jsonata/history=full", asl.HistoryFull, saga.DefinitionJSONata},
		{"language=jsonata/history=none", asl.HistoryNone, saga.DefinitionJSONata},
	} {
		b.Run(mode.name, func(b *testing.B) {
			m, err := asl.Parse(mode.def)
			if err != nil {
				b.Fatal(err)
			}
			clk := clock.NewVirtual(clock.Epoch)
			fakes := saga.NewFakes(saga.FakeConfig{}, clk, 1)
			eng := &asl.Engine{Clock: clk, Resources: fakes.Resources(), Seed: 1, History: mode.history}
			// Each execution gets its own order id, as the new-order Lambda
			// would start it: a copy of one generated order. Building the
			// inputs inside the loop keeps the live heap small, as it is in
			// a real run; a slice of b.N prepared inputs would make every GC
			// cycle scan them all.
			base := order.Generate(1, 1, clock.Epoch)[0].Value().(map[string]any)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				name := "ord_bench" + strconv.Itoa(i)
				input := maps.Clone(base)
				input["orderId"] = name
				x, err := eng.Start(ctx, m, asl.StartOptions{Name: name, Input: input, StateMachineName: saga.StateMachineName})
				if err != nil {
					b.Fatal(err)
				}
				clk.Run()
				if st := x.Status(); st != asl.StatusSucceeded {
					b.Fatalf("execution %d: %s", i, st)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "executions/s")
		})
	}
}
