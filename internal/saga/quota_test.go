package saga

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/clock"
)

// quotaCase is a payment quota under pressure, with latencies that let the
// board decide late and timeouts that make it decide at once.
func quotaCase(t *testing.T) FakeConfig {
	t.Helper()
	var cfg FakeConfig
	cfg.Payment.RatePerSecond, cfg.Payment.Burst = 200, 20
	for _, s := range []string{"payment=uniform(0ms,40ms)"} {
		if err := cfg.ApplyLatency(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := cfg.ApplyFault("payment.timeout=0.2"); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// quotaCalls are the calls of participant p: one every 3 ms plus p ms, so
// that participants tie at some instants (0 and 3 at every 3 ms).
func quotaCalls(p, parts int) []time.Duration {
	var at []time.Duration
	for ms := 0; ms < 2000; ms += 3 {
		at = append(at, time.Duration(ms+p%3)*time.Millisecond)
	}
	return at
}

type quotaAnswer struct {
	err string
	at  time.Duration
}

// TestSharedQuotaAnswersAsOneLimiter runs participants on their own clocks
// in their own goroutines, sharing the payment quota on a QuotaBoard, and
// checks every call's answer (error and time) against one Fakes with its
// own quota taking all the calls in (time, participant) order. Goroutines
// are made to yield at random, so the interleaving differs every round.
func TestSharedQuotaAnswersAsOneLimiter(t *testing.T) {
	const parts = 4
	cfg := quotaCase(t)
	const timeout = 10 * time.Millisecond
	order := func(p, i int) string { return fmt.Sprintf("ord_p%d_%d", p, i) }

	// The reference: one clock, calls scheduled in (time, participant)
	// order, which is the clock's order at ties.
	ref := map[string]quotaAnswer{}
	{
		f, clk := newTestFakes(cfg)
		type c struct {
			at   time.Duration
			p, i int
		}
		var all []c
		for p := range parts {
			for i, at := range quotaCalls(p, parts) {
				all = append(all, c{at, p, i})
			}
		}
		slices.SortStableFunc(all, func(a, b c) int { return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.p, b.p)) })
		for _, x := range all {
			clk.Schedule(x.at, func() {
				id := order(x.p, x.i)
				a := call(f, clk, FnPaymentCharge, id, 0, timeout)
				clk.Schedule(time.Hour, func() { ref[id] = quotaAnswer{a.errName(), a.at.Sub(clock.Epoch)} })
			})
		}
		clk.Run()
	}
	throttled := 0
	for _, a := range ref {
		if a.err == "Payment.Throttled" {
			throttled++
		}
	}
	if throttled < 100 || throttled > len(ref)-100 {
		t.Fatalf("the case does not test the quota: %d of %d throttled", throttled, len(ref))
	}

	for round := range 20 {
		board := NewQuotaBoard(cfg, clock.Epoch, parts)
		got := make([]map[string]quotaAnswer, parts)
		var wg sync.WaitGroup
		for p := range parts {
			clk := clock.NewVirtual(clock.Epoch)
			f := NewFakes(cfg, clk, 1)
			f.ShareQuotas(board, p)
			got[p] = map[string]quotaAnswer{}
			answers := map[string]*answer{}
			for i, at := range quotaCalls(p, parts) {
				clk.Schedule(at, func() { answers[order(p, i)] = call(f, clk, FnPaymentCharge, order(p, i), 0, timeout) })
			}
			rng := rand.New(rand.NewPCG(uint64(round), uint64(p)))
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer board.Done(p)
				for {
					at, ok := clk.NextDue()
					if !ok {
						break
					}
					board.Progress(p, at)
					if rng.IntN(4) == 0 {
						runtime.Gosched()
					}
					clk.Step()
				}
				for id, a := range answers {
					got[p][id] = quotaAnswer{a.errName(), a.at.Sub(clock.Epoch)}
				}
			}()
		}
		wg.Wait()
		n := 0
		for p := range parts {
			for id, a := range got[p] {
				n++
				if want := ref[id]; a != want {
					t.Fatalf("round %d: %s answered %+v, want %+v (one limiter in time order)", round, id, a, want)
				}
			}
		}
		if n != len(ref) {
			t.Fatalf("round %d: %d answers, want %d", round, n, len(ref))
		}
	}
}
