package store

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/queue"
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
