package redrive

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/awsops/opstest"
)

// The throughput benchmarks run against the SQS endpoint of yafdp local up
// (internal/local/sqsapi over the queue model), in process over real HTTP
// on 127.0.0.1 (moto manages about 14 batch calls a second, far below what
// is measured here). They measure yafdp's side:
// encoding, batching, signing, HTTP, the journal's fsyncs; a real SQS adds
// its own latency per call, which --concurrency and the redrive's workers
// hide.

const benchOrders = 2000

func BenchmarkRedriveCopy(b *testing.B) {
	for _, workers := range []int{1, 4} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			ctx := context.Background()
			local := opstest.StartSQS(b)
			c := awstest.SQS(local.URL, nil)
			msgs := opstest.DeadLetters(benchOrders, false)
			var elapsed time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				src, dlq := opstest.CreatePipelineQueues(b, ctx, c, fmt.Sprintf("orders-%d", i), false)
				opstest.Seed(b, ctx, c, dlq, msgs)
				j, _, err := OpenJournal(opstest.JournalPath(b), dlq.URL)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				res, err := Redrive(ctx, c, Options{Source: dlq, Strategy: StrategyCopy, Journal: j, Workers: workers, Wait: -1, EmptyReceives: 2})
				elapsed += time.Since(start)
				b.StopTimer()
				j.Close(true)
				if err != nil || res.Moved != benchOrders {
					b.Fatalf("%v %+v", err, res)
				}
				if n := local.Count(src.Name); n != benchOrders {
					b.Fatalf("target holds %d", n)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(benchOrders*b.N)/elapsed.Seconds(), "messages/s")
		})
	}
}
