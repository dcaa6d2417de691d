package sim

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/rate"
	"github.com/yafdp/yafdp/internal/saga"
)

// deadLetterScenario sends more orders than StartExecution's quota takes,
// so that a steady stream lands in the dead-letter queue (about 200/s).
func deadLetterScenario(d time.Duration) Scenario {
	sc := Defaults()
	sc.Arrivals.Rate = rate.PerSecond(500)
	sc.Arrivals.Duration = Duration(d)
	return sc
}

// The dead-letter queue is counted, not kept: the model holds at most a
// minute of dead letters, and the report counts every one.
func TestDeadLettersAreCountedNotKept(t *testing.T) {
	sc := deadLetterScenario(5 * time.Minute)
	fakes, err := sc.FakeConfig()
	if err != nil {
		t.Fatal(err)
	}
	s := newSimulation(sc, passMachine(t), nil, fakes, partitions)
	s.run(context.Background())
	r := s.report()
	st := s.queue.dlq.Stats()
	if r.Orders.InDLQ < 30_000 || r.Orders.InDLQ != st.DeadLettersIn || int64(r.Queue.DLQ) != r.Orders.InDLQ {
		t.Fatalf("the report counts %d dead letters (queue.dlq %d), %d arrived in the DLQ; want them equal, and at least 30,000",
			r.Orders.InDLQ, r.Queue.DLQ, st.DeadLettersIn)
	}
	if held := st.Visible + st.InFlight + st.Delayed; held > 60*300 {
		t.Fatalf("the model's DLQ holds %d dead letters, more than a minute of them", held)
	}
}

// A run that may last as long as a dead letter's retention keeps its dead
// letters: one purged could not expire, and the count would differ.
func TestLongRunsKeepTheirDeadLetters(t *testing.T) {
	for _, c := range []struct {
		arrivals, drain time.Duration
		forget          bool
	}{
		{24 * time.Hour, time.Hour, true},
		{time.Hour, dlqRetention - time.Hour, false},
		{15 * 24 * time.Hour, 0, false},
	} {
		sc := deadLetterScenario(c.arrivals)
		sc.MaxDrain = Duration(c.drain)
		s := newSimulation(sc, passMachine(t), nil, saga.FakeConfig{}, partitions)
		if s.queue.forgetDead != c.forget {
			t.Errorf("arrivals %v, max drain %v: forgetDead %v, want %v", c.arrivals, c.drain, s.queue.forgetDead, c.forget)
		}
	}
}

// What the model keeps alive does not grow with the orders it has seen:
// between the 2nd and the 12th simulated minute at 500/s, with 200 dead
// letters a second, the live heap grows by less than 8 MB (it grew by
// about 50 MB when the DLQ kept every dead letter and the model a time
// per order).
func TestLiveHeapIsFlatInDuration(t *testing.T) {
	if testing.Short() {
		t.Skip("12 simulated minutes")
	}
	sc := deadLetterScenario(13 * time.Minute)
	var at [2]uint64
	marks := [2]time.Duration{2 * time.Minute, 12 * time.Minute}
	next := 0
	_, err := Run(context.Background(), sc, Options{Machine: passMachine(t), Progress: func(simulated, _ time.Duration) {
		if next < len(marks) && simulated >= marks[next] {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			at[next] = ms.HeapAlloc
			next++
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if next != len(marks) {
		t.Fatalf("progress reached %d of %d marks", next, len(marks))
	}
	grew := int64(at[1]) - int64(at[0])
	t.Logf("live heap at %v: %.1f MB, at %v: %.1f MB", marks[0], float64(at[0])/1e6, marks[1], float64(at[1])/1e6)
	if grew > 8e6 {
		t.Fatalf("the live heap grew by %.1f MB in ten simulated minutes", float64(grew)/1e6)
	}
}

// startedSet lets go of the orders accepted before a time, and only of
// whole words of them; asking about one of them is a bug, and panics.
func TestStartedSetForgetsOrdersThatLeftTheQueue(t *testing.T) {
	var b startedSet
	for k := range 1000 {
		if k%3 == 0 {
			b.set(k)
		}
		if k%100 == 99 {
			b.mark(time.Duration(k/100+1)*time.Second, k+1)
		}
	}
	b.forget(3 * time.Second) // marks at 1s and 2s: orders below 200 went
	if b.base != 200/64 || len(b.marks) != 8 {
		t.Fatalf("base %d, %d marks; want %d and 8", b.base, len(b.marks), 200/64)
	}
	for k := 192; k < 1000; k++ {
		if b.has(k) != (k%3 == 0) {
			t.Fatalf("order %d: has %v", k, b.has(k))
		}
	}
	b.forget(time.Hour)
	if b.base != 1000/64 || len(b.marks) != 0 || len(b.words) != 1 {
		t.Fatalf("after every mark: base %d, %d marks, %d words", b.base, len(b.marks), len(b.words))
	}
	defer func() {
		if recover() == nil {
			t.Fatal("asking about a forgotten order did not panic")
		}
	}()
	b.has(10)
}

// A run keeps the started bits of the orders within the queue's age, not
// of every order: with the keep-up quotas the queue is seconds deep, and
// with the default ones (a backlog that dead-letters) minutes.
func TestStartedSetHoldsTheQueuesAge(t *testing.T) {
	for _, c := range []struct {
		name     string
		keepUp   bool
		maxWords int
	}{
		{"keep-up quotas", true, 500 * 60 / 64},
		{"default quotas", false, 500 * 5 * 60 / 64},
	} {
		sc := deadLetterScenario(10 * time.Minute)
		if c.keepUp {
			sc.StepFunctions.StartRate = rate.PerSecond(800)
			sc.Payment.TPS = rate.PerSecond(600)
		}
		s := newSimulation(sc, passMachine(t), nil, saga.FakeConfig{}, partitions)
		most := 0
		// progress runs on the goroutine that changes started.
		s.progress = func(time.Duration, time.Duration) { most = max(most, len(s.started.words)) }
		s.run(context.Background())
		t.Logf("%s: at most %d words for %d orders", c.name, most, s.accepted)
		if most > c.maxWords || s.started.base == 0 {
			t.Errorf("%s: at most %d words (%d bits) for %d orders; want at most %d", c.name, most, 64*most, s.accepted, c.maxWords)
		}
	}
}
