package saga_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/saga"
)

// BenchmarkMockedBatch measures what `saga run --definition
// testdata/five-tasks.asl.json --mock-config testdata/five-tasks.mock.json
// --virtual --orders 2000` does after parsing its flags: 2,000 executions
// of a five-Task machine (lambda:invoke, dynamodb:putItem, a Lambda ARN,
// sns:publish, sqs:sendMessage), every Task answered by the mock config,
// with the run's history and report. Run it with -cpu 1; exec/s is the
// figure BENCHMARKS.md records.
func BenchmarkMockedBatch(b *testing.B) {
	def, err := saga.LoadDefinition("testdata/five-tasks.asl.json")
	if err != nil {
		b.Fatal(err)
	}
	k, err := saga.LoadMock(saga.MockOptions{File: "testdata/five-tasks.mock.json", TestCase: "HappyPath"}, def.Machine, def.Name)
	if err != nil {
		b.Fatal(err)
	}
	const n = 2000
	b.ReportAllocs()
	cpu0 := cpuTime(b)
	for b.Loop() {
		res, err := saga.RunBatch(context.Background(), saga.BatchOptions{
			Machine: def.Machine, MachineName: def.Name, Orders: n, Seed: 1,
			Clock: clock.NewVirtual(clock.Epoch), Concurrency: 1000, Mock: k,
		})
		if err != nil {
			b.Fatal(err)
		}
		if res.Succeeded != n {
			b.Fatalf("%d of %d executions succeeded: %+v", res.Succeeded, n, res.Errors)
		}
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "exec/s")
	// On a machine other work shares, the process's CPU time says what
	// one core does better than the wall clock.
	b.ReportMetric(float64(b.N*n)/(cpuTime(b)-cpu0).Seconds(), "exec/cpu-s")
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
