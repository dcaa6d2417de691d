package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/local/sfnapi"
	"github.com/yafdp/yafdp/internal/order"
	"github.com/yafdp/yafdp/internal/queue"
	"github.com/yafdp/yafdp/internal/saga"
)

// BenchmarkSendBatchDurable is SendMessageBatch of ten 256-byte messages
// from 64 goroutines on a broker kept in a data directory: every batch is
// on disk (fsync) before it returns, commits shared by whatever arrived
// meanwhile. Compare with the same load in memory (-bench SendBatch).
func BenchmarkSendBatchDurable(b *testing.B) { benchSendBatch(b, true) }

// BenchmarkSendBatchMemory is the same load on a broker in memory.
func BenchmarkSendBatchMemory(b *testing.B) { benchSendBatch(b, false) }

func benchSendBatch(b *testing.B, durable bool) {
	opts := queue.Options{Clock: clock.Real{}}
	if durable {
		db, err := Open(b.TempDir(), 0)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		opts.Store = db.Queues()
	}
	br := queue.New(opts)
	defer br.Close()
	q, err := br.CreateQueue("bench", nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	body := strings.Repeat("x", 256)
	var n atomic.Int64
	b.SetParallelism(32) // 64 senders on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		entries := make([]queue.SendBatchEntry, 10)
		for i := range entries {
			entries[i] = queue.SendBatchEntry{ID: fmt.Sprint(i), SendInput: queue.SendInput{Body: body}}
		}
		for pb.Next() {
			out, err := q.SendBatch(entries)
			if err != nil || len(out.Successful) != 10 {
				b.Error(err, out.Failed)
				return
			}
			n.Add(10)
		}
	})
	b.ReportMetric(float64(n.Load())/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkSagaDurable runs order sagas (fakes without latency) on a
// service kept in a data directory: every event of every execution is
// saved. Compare with BenchmarkSagaMemory.
func BenchmarkSagaDurable(b *testing.B) { benchSaga(b, true) }

// BenchmarkSagaMemory is the same without a store.
func BenchmarkSagaMemory(b *testing.B) { benchSaga(b, false) }

func benchSaga(b *testing.B, durable bool) {
	clk := clock.Real{}
	fakes := saga.NewFakes(saga.FakeConfig{}, clk, 1)
	eng := &asl.Engine{Clock: clk, Resources: fakes.Resources()}
	opts := sfnapi.Options{}
	var db *DB
	if durable {
		var err error
		if db, err = Open(b.TempDir(), 0); err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		opts.Store = db.SFN()
	}
	svc := sfnapi.New(eng, opts)
	defer svc.Close()
	sm, err := svc.CreateStateMachine(sfnapi.StateMachineSpec{Name: saga.StateMachineName, Definition: string(saga.Definition), RoleARN: "arn:aws:iam::123456789012:role/r"})
	if err != nil {
		b.Fatal(err)
	}
	orders := order.Generate(1, b.N, time.Unix(0, 0))
	ctx := context.Background()
	b.ResetTimer()
	for i, o := range orders {
		in, _ := json.Marshal(o)
		arn, _, err := svc.StartExecution(ctx, sm.ARN, fmt.Sprint("ord_", i), string(in))
		if err != nil {
			b.Fatal(err)
		}
		x, err := svc.Execution(arn)
		if err != nil {
			b.Fatal(err)
		}
		if err := x.Wait(ctx); err != nil {
			b.Fatal(err)
		}
	}
	if db != nil {
		if err := db.Sync(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sagas/s")
}
