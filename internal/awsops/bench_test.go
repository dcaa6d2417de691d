package awsops

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/awsops/awstest"
)

// The throughput benchmarks run against the SQS endpoint of yafdp local up
// (internal/local/sqsapi over the queue model), in process over real HTTP
// on 127.0.0.1 (moto manages about 14 batch calls a second, far below what
// is measured here). They measure yafdp's side:
// encoding, batching, signing, HTTP, the journal's fsyncs; a real SQS adds
// its own latency per call, which --concurrency and the redrive's workers
// hide.

const benchOrders = 2000

func BenchmarkSubmit(b *testing.B) {
	for _, conc := range []int{1, 8} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) {
			ctx := context.Background()
			local := startSQS(b)
			c := awstest.SQS(local.URL, nil)
			os := orders(benchOrders)
			var elapsed time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				name := fmt.Sprintf("orders-%d", i)
				q := Queue{URL: local.CreateQueue(name, nil), Name: name}
				b.StartTimer()
				start := time.Now()
				res, err := Submit(ctx, c, SubmitOptions{Queue: q, Orders: os, Concurrency: conc})
				elapsed += time.Since(start)
				if err != nil || res.Sent != benchOrders {
					b.Fatalf("%v %+v", err, res)
				}
			}
			b.ReportMetric(float64(benchOrders*b.N)/elapsed.Seconds(), "orders/s")
		})
	}
}

func BenchmarkRedriveCopy(b *testing.B) {
	for _, workers := range []int{1, 4} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			ctx := context.Background()
			local := startSQS(b)
			c := awstest.SQS(local.URL, nil)
			msgs := deadLetters(benchOrders, false)
			var elapsed time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				src, dlq := createPipelineQueues(b, ctx, c, fmt.Sprintf("orders-%d", i), false)
				seed(b, ctx, c, dlq, msgs)
				j, _, err := OpenJournal(journalPath(b), dlq.URL)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				res, err := Redrive(ctx, c, RedriveOptions{Source: dlq, Strategy: StrategyCopy, Journal: j, Workers: workers, Wait: -1, EmptyReceives: 2})
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
