package load

import (
	"context"
	"testing"
	"time"
)

// BenchmarkSchedulePacer is the cost of pacing one order at 20,000/s.
func BenchmarkSchedulePacer(b *testing.B) {
	sc := steady(20000, time.Hour, "constant")
	p := NewSchedulePacer(&sc, Whole)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p.Pace(0, uint64(i))
	}
}

// nopSender accepts every order at once.
type nopSender struct{ batch int }

func (s nopSender) MaxBatch() int { return s.batch }

func (nopSender) Send(_ context.Context, b []Outgoing, out []Outcome) {
	for i := range b {
		out[i] = Outcome{SentAt: b[i].Dispatched, AnsweredAt: b[i].Dispatched, Accepted: true}
	}
}

// BenchmarkRunPerOrder is a run's own cost per order, on a fake clock
// (no waiting) with a sender that accepts at once: generating, pacing,
// batching, encoding and counting, ten orders a call (sqs) or one (api).
func BenchmarkRunPerOrder(b *testing.B) {
	for _, c := range []struct {
		name  string
		batch int
	}{{"sqs", 10}, {"api", 1}} {
		b.Run(c.name, func(b *testing.B) {
			sc := steady(20000, time.Duration(float64(b.N)/20000*float64(time.Second))+time.Millisecond, "constant")
			b.ReportAllocs()
			b.ResetTimer()
			rep, err := Run(context.Background(), Options{Scenario: sc, Sender: nopSender{c.batch}, Clock: newFakeClock()})
			if err != nil || rep.Orders.Submitted < int64(b.N) {
				b.Fatal(err, rep.Orders.Submitted, b.N)
			}
		})
	}
}
