package queue

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/clock"
)

// An order message is about this big.
var benchBody = `{"orderId":"ord_2vbm1gh5f8f8x","customerId":"cus_1","restaurantId":"rst_1","items":[{"sku":"pizza","qty":2,"unitPriceCents":1250}],"currency":"EUR","totalCents":2500,"deliveryAddress":{"line1":"1 Main St"},"placedAt":"2026-01-01T00:00:00Z"}` + strings.Repeat(" ", 100)

func perSecond(b *testing.B, msgs int) {
	b.ReportMetric(float64(msgs)/b.Elapsed().Seconds(), "msgs/s")
}

func benchQueue(b *testing.B, clk clock.Clock, attrs map[string]string) *Queue {
	br := New(Options{Clock: clk})
	b.Cleanup(br.Close)
	q, err := br.CreateQueue("bench", attrs, nil)
	if err != nil {
		b.Fatal(err)
	}
	return q
}

func fill(b *testing.B, q *Queue, n int) {
	for i := 0; i < n; i += 10 {
		var es []SendBatchEntry
		for j := 0; j < 10 && i+j < n; j++ {
			es = append(es, SendBatchEntry{ID: fmt.Sprint(j), SendInput: SendInput{Body: benchBody}})
		}
		if _, err := q.SendBatch(es); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSend(b *testing.B) {
	q := benchQueue(b, clock.Real{}, nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := q.Send(SendInput{Body: benchBody}); err != nil {
			b.Fatal(err)
		}
	}
	perSecond(b, b.N)
}

func BenchmarkReceiveDelete(b *testing.B) {
	q := benchQueue(b, clock.Real{}, nil)
	fill(b, q, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		ms, err := q.Receive(ReceiveInput{})
		if err != nil || len(ms) != 1 {
			b.Fatal(err, len(ms))
		}
		if err := q.Delete(ms[0].ReceiptHandle); err != nil {
			b.Fatal(err)
		}
	}
	perSecond(b, b.N)
}

func BenchmarkSendBatch10(b *testing.B) {
	q := benchQueue(b, clock.Real{}, nil)
	es := make([]SendBatchEntry, 10)
	for i := range es {
		es[i] = SendBatchEntry{ID: fmt.Sprint(i), SendInput: SendInput{Body: benchBody}}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := q.SendBatch(es); err != nil {
			b.Fatal(err)
		}
	}
	perSecond(b, 10*b.N)
}

func BenchmarkReceiveDeleteBatch10(b *testing.B) {
	q := benchQueue(b, clock.Real{}, nil)
	fill(b, q, 10*b.N)
	del := make([]DeleteBatchEntry, 10)
	for i := range del {
		del[i].ID = fmt.Sprint(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		ms, err := q.Receive(ReceiveInput{MaxNumberOfMessages: 10})
		if err != nil || len(ms) != 10 {
			b.Fatal(err, len(ms))
		}
		for i, m := range ms {
			del[i].ReceiptHandle = m.ReceiptHandle
		}
		if out, err := q.DeleteBatch(del); err != nil || len(out.Failed) > 0 {
			b.Fatal(err)
		}
	}
	perSecond(b, 10*b.N)
}

// The parallel benchmarks are the local endpoint's case: many clients on
// the real clock, one queue. Run with -cpu 2 for the 2-core target.
func BenchmarkSendParallel(b *testing.B) {
	q := benchQueue(b, clock.Real{}, nil)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := q.Send(SendInput{Body: benchBody}); err != nil {
				b.Fatal(err)
			}
		}
	})
	perSecond(b, b.N)
}

func BenchmarkReceiveDeleteParallel(b *testing.B) {
	q := benchQueue(b, clock.Real{}, nil)
	fill(b, q, b.N+1000)
	b.ReportAllocs()
	b.ResetTimer()
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			ms, err := q.Receive(ReceiveInput{})
			if err != nil {
				b.Fatal(err)
			}
			for _, m := range ms {
				if err := q.Delete(m.ReceiptHandle); err != nil {
					b.Fatal(err)
				}
				n.Add(1)
			}
		}
	})
	perSecond(b, int(n.Load()))
}

// BenchmarkVirtualLifecycle is one message's life on the virtual clock:
// sent, received in a batch by a watching consumer, deleted a little
// later; clock events included.
func BenchmarkVirtualLifecycle(b *testing.B) {
	clk := clock.NewVirtual(clock.Epoch)
	q := benchQueue(b, clk, map[string]string{"VisibilityTimeout": "30"})
	pending := false
	var consume func()
	consume = func() {
		pending = false
		ms, _ := q.Receive(ReceiveInput{MaxNumberOfMessages: 10})
		if len(ms) == 0 {
			return
		}
		clk.AfterFunc(200*time.Millisecond, func() {
			for _, m := range ms {
				_ = q.Delete(m.ReceiptHandle)
			}
		})
	}
	q.Watch(func() {
		if !pending {
			pending = true
			clk.AfterFunc(10*time.Millisecond, consume)
		}
	})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := q.Send(SendInput{Body: "ord_sim" + fmt.Sprint(i)}); err != nil {
			b.Fatal(err)
		}
		clk.Advance(2 * time.Millisecond) // 500 a second
	}
	clk.Run()
	if s := q.Stats(); s.Deleted != int64(b.N) {
		b.Fatalf("%+v", s)
	}
	perSecond(b, b.N)
}
