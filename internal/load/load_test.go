package load

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/yafdp/yafdp/internal/load/track"
	"github.com/yafdp/yafdp/internal/rate"
	"github.com/yafdp/yafdp/internal/sim"
)

// fakeClock moves only when the run sleeps (plus step on every reading,
// to play a pacer that falls behind).
type fakeClock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(c.step)
	return c.t
}

func (c *fakeClock) Sleep(_ context.Context, d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.t = c.t.Add(d)
	}
}

func steady(r float64, d time.Duration, process string) sim.Scenario {
	sc := sim.Defaults()
	sc.Arrivals = sim.Arrivals{Process: process, Rate: rate.PerSecond(r), Duration: sim.Duration(d)}
	return sc
}

func TestSchedulePacerIsDeterministic(t *testing.T) {
	sc := steady(500, time.Second, "constant")
	p := NewSchedulePacer(&sc, Whole)
	wait, slot, stop := p.Pace(0, 0)
	if stop || wait != 2*time.Millisecond || slot != (Slot{Due: 2 * time.Millisecond, Index: 0}) {
		t.Fatalf("first: %v %+v %v", wait, slot, stop)
	}
	// Asked again at a later time, the same order is due sooner.
	if wait, slot, _ = p.Pace(time.Millisecond, 0); wait != time.Millisecond || slot.Index != 0 {
		t.Fatalf("again: %v %+v", wait, slot)
	}
	// A pacer that is behind gets a wait of 0: send at once.
	if wait, slot, _ = p.Pace(time.Second/2, 10); wait != 0 || slot.Due != 22*time.Millisecond {
		t.Fatalf("late: %v %+v", wait, slot)
	}
	var n uint64 = 10
	for {
		_, s, stop := p.Pace(0, n)
		if stop {
			break
		}
		if want := time.Duration(n+1) * 2 * time.Millisecond; s.Due != want || s.Index != n {
			t.Fatalf("hit %d: %+v, want due %v", n, s, want)
		}
		n++
	}
	if n != 500 || Planned(&sc, Whole) != 500 {
		t.Fatalf("%d orders, planned %d, want 500", n, Planned(&sc, Whole))
	}
}

func TestShardsSplitTheSchedule(t *testing.T) {
	sc := steady(100, 10*time.Second, "poisson")
	all := NewSchedulePacer(&sc, Whole)
	var whole []Slot
	for h := uint64(0); ; h++ {
		_, s, stop := all.Pace(0, h)
		if stop {
			break
		}
		whole = append(whole, s)
	}
	seen := map[uint64]bool{}
	for k := uint64(1); k <= 3; k++ {
		p := NewSchedulePacer(&sc, Shard{K: k, N: 3})
		for h := uint64(0); ; h++ {
			_, s, stop := p.Pace(0, h)
			if stop {
				break
			}
			if s.Index%3 != k-1 || seen[s.Index] || whole[s.Index] != s {
				t.Fatalf("shard %d hit %d: %+v", k, h, s)
			}
			seen[s.Index] = true
		}
	}
	if len(seen) != len(whole) {
		t.Fatalf("shards sent %d, the whole %d", len(seen), len(whole))
	}
	sc = steady(10, time.Second, "constant")
	if a, b, c := Planned(&sc, Shard{1, 3}), Planned(&sc, Shard{2, 3}), Planned(&sc, Shard{3, 3}); a != 4 || b != 3 || c != 3 {
		t.Fatalf("planned %d %d %d", a, b, c)
	}
}

func TestParseShard(t *testing.T) {
	if s, err := ParseShard("2/4"); err != nil || s != (Shard{2, 4}) {
		t.Fatal(s, err)
	}
	for _, bad := range []string{"", "0/4", "5/4", "a/b", "2", "1/0"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// fakeSender accepts every order but those its reject function names, and
// tells the fake tracker about the accepted ones.
type fakeSender struct {
	clock  Clock
	batch  int
	reject func(Outgoing) string
	sent   chan<- Outgoing
	mu     sync.Mutex
	calls  int
	sizes  []int
}

func (s *fakeSender) MaxBatch() int { return s.batch }

func (s *fakeSender) Send(_ context.Context, b []Outgoing, out []Outcome) {
	s.mu.Lock()
	s.calls++
	s.sizes = append(s.sizes, len(b))
	s.mu.Unlock()
	for i, o := range b {
		// The fake clock runs on while this goroutine waits to be
		// scheduled: the call starts when the pacer let it go.
		out[i] = Outcome{SentAt: o.Dispatched, AnsweredAt: o.Dispatched.Add(3 * time.Millisecond)}
		if s.reject != nil {
			if why := s.reject(o); why != "" {
				out[i].Err = why
				if why == "HTTP 429" {
					out[i].Throttles = 1
				}
				continue
			}
		}
		out[i].Accepted = true
		if s.sent != nil {
			s.sent <- o
		}
	}
}

// fakeTracker turns each accepted order into events: started 10 ms after
// it was due, ended 100 ms later as end decides, and the noise a real
// source makes (events repeated, events of orders that are not the run's).
type fakeTracker struct {
	t0     func() time.Time
	in     chan Outgoing
	end    func(Outgoing) (kind track.Kind, status, errName string)
	repeat bool
	setup  bool
	down   bool
}

func (f *fakeTracker) Setup(context.Context) error { f.setup = true; return nil }

func (f *fakeTracker) Teardown(context.Context) error { f.down = true; return nil }

func (f *fakeTracker) Run(ctx context.Context, out chan<- track.Event) error {
	out <- track.Event{Kind: track.Ended, OrderID: "ord_0000000000000", Status: "SUCCEEDED"}
	out <- track.Event{Kind: track.Ended, OrderID: "not-an-order", Status: "SUCCEEDED"}
	for {
		select {
		case <-ctx.Done():
			return nil
		case o := <-f.in:
			start := f.t0().Add(o.Due + 10*time.Millisecond)
			kind, status, errName := track.Ended, "SUCCEEDED", ""
			if f.end != nil {
				kind, status, errName = f.end(o)
			}
			evs := []track.Event{{Kind: track.Started, OrderID: o.OrderID, Status: "RUNNING", Start: start}}
			if kind == track.DeadLettered {
				evs = []track.Event{{Kind: track.DeadLettered, OrderID: o.OrderID, Start: start}}
			} else {
				evs = append(evs, track.Event{Kind: track.Ended, OrderID: o.OrderID, Status: status, Error: errName,
					Start: start, Stop: start.Add(100 * time.Millisecond), HistoryRead: true, PaymentThrottles: 1,
					Steps: map[string]time.Duration{"ProcessPayment": 40 * time.Millisecond}})
			}
			if f.repeat {
				evs = append(evs, evs...)
			}
			for _, ev := range evs {
				out <- ev
			}
		}
	}
}

func TestRunCountsEveryOrderOnce(t *testing.T) {
	clk := newFakeClock()
	t0 := clk.t
	sent := make(chan Outgoing, 100000)
	snd := &fakeSender{clock: clk, batch: 10, sent: sent, reject: func(o Outgoing) string {
		if o.Index%50 == 7 {
			return "ThrottlingException"
		}
		return ""
	}}
	tr := &fakeTracker{t0: func() time.Time { return t0 }, in: sent, repeat: true, end: func(o Outgoing) (track.Kind, string, string) {
		switch o.Index % 20 {
		case 1:
			return track.Ended, "FAILED", "Payment.Declined"
		case 2:
			return track.DeadLettered, "", ""
		case 3:
			return track.Ended, "TIMED_OUT", "States.Timeout"
		}
		return track.Ended, "SUCCEEDED", ""
	}}
	sc := steady(1000, 2*time.Second, "constant")
	th, err := ParseThreshold("dlq==0")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), Options{Scenario: sc, Sender: snd, Tracker: tr, Clock: clk, RunKey: 42,
		Thresholds: []Threshold{th}, DrainTimeout: 10 * time.Second, BatchWindow: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Orders
	if c.Submitted != 2000 || c.NotAccepted != 40 || c.SendErrors["ThrottlingException"] != 40 {
		t.Fatalf("submitted %d, not accepted %d %v", c.Submitted, c.NotAccepted, c.SendErrors)
	}
	// Of the 1,960 accepted: every 20th from index 1 failed, 2 dead-lettered, 3 timed out.
	if c.Failed != 100 || c.DLQ != 100 || c.TimedOut != 100 || c.Succeeded != 1960-300 || c.StillRunning != 0 {
		t.Fatalf("%+v", c)
	}
	if !rep.Accounting.Holds || rep.Accounting.Sum != 2000 || !rep.Drained {
		t.Fatalf("accounting %+v drained %v", rep.Accounting, rep.Drained)
	}
	if rep.Events.Foreign != 2 || rep.Events.Duplicate == 0 {
		t.Fatalf("events %+v", rep.Events)
	}
	if c.Errors["Payment.Declined"] != 100 || c.Errors["States.Timeout"] != 100 || c.PaymentThrottles != 1960-100 {
		t.Fatalf("errors %v, throttles %d", c.Errors, c.PaymentThrottles)
	}
	// The fake clock moves only when the pacer sleeps: orders go ten to
	// a call, the first of each held 9 ms (within the 10 ms window) for
	// the last, and each answered 3 ms after its call.
	j, a := rep.LatencyMS.Jitter, rep.LatencyMS.Accept
	if c.Late != 0 || j.Max < 9 || j.Max > 9.01 || a.Max < 12 || a.Max > 12.02 || a.Mean-j.Mean < 2.95 || a.Mean-j.Mean > 3.1 ||
		rep.LatencyMS.QueueWait.P99 < 10 || rep.LatencyMS.QueueWait.P99 > 10.01 {
		t.Fatalf("late %d, latencies %+v", c.Late, rep.LatencyMS)
	}
	if near(rep.LatencyMS.Saga.P50, 100) || near(rep.LatencyMS.EndToEnd.P50, 110) || near(rep.StepsMS["ProcessPayment"].P50, 40) {
		t.Fatalf("latencies %+v steps %+v", rep.LatencyMS, rep.StepsMS)
	}
	if rep.Pacing.AskedPerS != 1000 || rep.Pacing.AchievedPerS < 999 || rep.Pacing.AchievedPerS > 1010 {
		t.Fatalf("pacing %+v", rep.Pacing)
	}
	if len(rep.Thresholds) != 1 || rep.Thresholds[0].Pass || rep.Thresholds[0].Value != 100 {
		t.Fatalf("thresholds %+v", rep.Thresholds)
	}
	if !tr.setup || !tr.down {
		t.Fatal("the tracker was not set up and torn down")
	}
	for _, n := range snd.sizes {
		if n != 10 {
			t.Fatalf("batch sizes %v", snd.sizes)
		}
	}
}

func TestRunCountsLateSends(t *testing.T) {
	clk := newFakeClock()
	clk.step = 2 * time.Millisecond // every reading of the clock costs 2 ms
	snd := &fakeSender{clock: clk, batch: 1}
	sc := steady(1000, time.Second, "constant")
	rep, err := Run(context.Background(), Options{Scenario: sc, Sender: snd, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	// The pacer falls behind: what it sent was late, and what it had not
	// sent when the second was over stays unsent.
	o := rep.Orders
	if o.Submitted == 0 || o.Submitted >= 1000 || o.Late == 0 || o.StillRunning != o.Submitted || o.Planned != 1000 ||
		o.Submitted+o.Unsent != 1000 || !rep.Accounting.Holds {
		t.Fatalf("%+v %+v", o, rep.Accounting)
	}
}

func TestRunBatchWindowBoundsTheWait(t *testing.T) {
	clk := newFakeClock()
	snd := &fakeSender{clock: clk, batch: 10}
	// 50/s: an order every 20 ms, so a 5 ms window never gathers two.
	sc := steady(50, time.Second, "constant")
	rep, err := Run(context.Background(), Options{Scenario: sc, Sender: snd, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Orders.Submitted != 50 || snd.calls != 50 || rep.LatencyMS.Jitter.Max != 0 {
		t.Fatalf("%d orders in %d calls, jitter %+v", rep.Orders.Submitted, snd.calls, rep.LatencyMS.Jitter)
	}
	// At 5,000/s, ten orders come within 2 ms: full batches.
	clk = newFakeClock()
	snd = &fakeSender{clock: clk, batch: 10}
	sc = steady(5000, time.Second, "constant")
	if _, err := Run(context.Background(), Options{Scenario: sc, Sender: snd, Clock: clk}); err != nil {
		t.Fatal(err)
	}
	if snd.calls != 500 {
		t.Fatalf("%d calls, want 500", snd.calls)
	}
}

func TestOrderIDsRoundTrip(t *testing.T) {
	for _, key := range []uint64{0, 42, 1 << 63} {
		for _, i := range []uint64{0, 1, 999999} {
			id := OrderID(key, i)
			if got, ok := indexOf(key, id); !ok || got != i {
				t.Fatalf("%s: %d %v", id, got, ok)
			}
		}
	}
	if OrderID(1, 0) == OrderID(2, 0) {
		t.Fatal("run keys do not separate ids")
	}
	_ = fmt.Sprint()
}

// near reports that v is NOT within HDR's 0.1% of want (for failing).
func near(v, want float64) bool { return v < want || v > want*1.001 }

// slowClock is a fake clock whose sleeps also take a little real time, so
// that a run lasts long enough for its ticker and for a cancellation.
type slowClock struct{ *fakeClock }

func (c slowClock) Sleep(ctx context.Context, d time.Duration) {
	c.fakeClock.Sleep(ctx, d)
	time.Sleep(100 * time.Microsecond)
}

func TestAbortOnFailStopsSendingOnceDecided(t *testing.T) {
	clk := slowClock{newFakeClock()}
	t0 := clk.t
	sent := make(chan Outgoing, 100000)
	snd := &fakeSender{clock: clk, batch: 1, sent: sent}
	tr := &fakeTracker{t0: func() time.Time { return t0 }, in: sent, end: func(o Outgoing) (track.Kind, string, string) {
		if o.Index == 5 {
			return track.DeadLettered, "", ""
		}
		return track.Ended, "SUCCEEDED", ""
	}}
	th, _ := ParseThreshold("dlq==0")
	keep, _ := ParseThreshold("saga.p99<1h")
	sc := steady(100, 100*time.Second, "constant")
	rep, err := Run(context.Background(), Options{Scenario: sc, Sender: snd, Tracker: tr, Clock: clk,
		Thresholds: []Threshold{keep, th}, AbortOnFail: true, TickEvery: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Aborted != "dlq==0" || rep.Orders.Submitted >= 10000 || rep.Orders.DLQ != 1 || !rep.Accounting.Holds || !rep.Drained {
		t.Fatalf("aborted %q after %d orders, %+v", rep.Aborted, rep.Orders.Submitted, rep.Accounting)
	}
	if rep.Thresholds[0].Pass != true || rep.Thresholds[1].Pass {
		t.Fatalf("%+v", rep.Thresholds)
	}
}

func TestCancelStopsSendingAndDrains(t *testing.T) {
	clk := slowClock{newFakeClock()}
	t0 := clk.t
	sent := make(chan Outgoing, 100000)
	snd := &fakeSender{clock: clk, batch: 10, sent: sent}
	tr := &fakeTracker{t0: func() time.Time { return t0 }, in: sent}
	ctx, cancel := context.WithCancel(context.Background())
	var ticks int
	sc := steady(100, 100*time.Second, "constant")
	rep, err := Run(ctx, Options{Scenario: sc, Sender: snd, Tracker: tr, Clock: clk, TickEvery: 10 * time.Millisecond,
		Tick: func(r *Report) {
			if ticks++; ticks == 3 {
				cancel()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	o := rep.Orders
	if !rep.Interrupted || o.Submitted == 0 || o.Submitted >= 10000 || o.Succeeded != o.Submitted || !rep.Drained || !rep.Accounting.Holds {
		t.Fatalf("interrupted %v, %+v", rep.Interrupted, o)
	}
}

// gateSender holds every call until gate closes, and tells calls when
// each begins.
type gateSender struct {
	gate  chan struct{}
	calls chan uint64
}

func (s *gateSender) MaxBatch() int { return 1 }

func (s *gateSender) Send(_ context.Context, b []Outgoing, out []Outcome) {
	s.calls <- b[0].Index
	<-s.gate
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	for i := range b {
		out[i] = Outcome{SentAt: now, AnsweredAt: now, Accepted: true}
	}
}

// gatedRun is a run whose sender holds every call until its gate opens,
// with room for n orders.
func gatedRun(n int, o Options) (*run, *gateSender, *fakeClock) {
	snd := &gateSender{gate: make(chan struct{}), calls: make(chan uint64, n)}
	clk := newFakeClock()
	o.Sender, o.Shard = snd, Whole
	r := &run{o: o, clock: clk, t0: clk.Now(),
		hists: map[string]*hdrhistogram.Histogram{}, settled: make(chan struct{}, 1),
		work: make(chan []Outgoing), sendCtx: context.Background()}
	r.counts.SendErrors = map[string]int64{}
	for _, n := range []string{HistAccept, HistJitter} {
		r.hists[n] = newHistogram()
	}
	for range n {
		r.add(rec{})
	}
	return r, snd, clk
}

// waitHeld waits until the pacer has held n batches for want of a sender.
func waitHeld(r *run, n int64) {
	for r.held.Load() < n {
		time.Sleep(time.Millisecond)
	}
}

// TestSendersGrowByLittlesLaw: when every sender is busy, the pacer holds
// the batch until the next sizing, which lets three times the calls per second
// times the answers' latency floor start, beyond Concurrency.
func TestSendersGrowByLittlesLaw(t *testing.T) {
	r, snd, clk := gatedRun(16, Options{Concurrency: 4, MaxInFlight: 100, SenderGrowth: 100 * time.Millisecond})
	r.startSenders(r.sendCtx, 4)
	for i := range 4 {
		r.work <- []Outgoing{{Slot: Slot{Index: uint64(i)}}}
		<-snd.calls
	}
	r.floor.add(clk.Now(), 50*time.Millisecond)
	// Ten calls handed out before, the first due at 0 and the last at
	// 90 ms; the held one is due at 100 ms: 100 calls/s asked for.
	r.calls, r.firstDue, r.lastDue = 10, 0, 90*time.Millisecond
	handed := make(chan struct{})
	go func() {
		r.hand([]Outgoing{{Slot: Slot{Index: 4, Due: 100 * time.Millisecond}}})
		close(handed)
	}()
	waitHeld(r, 1)
	if n := r.senders.Load(); n != 4 {
		t.Fatalf("%d senders started before the sizing", n)
	}
	clk.Sleep(context.Background(), 100*time.Millisecond)
	select {
	case <-handed:
	case <-time.After(10 * time.Second):
		t.Fatal("the held batch did not go at the sizing")
	}
	<-snd.calls
	// Three times 100/s × 50 ms = 15, beyond the 4 (16 where the
	// histogram's two digits round 50 ms up).
	if n := r.senders.Load(); n != 5 || r.limit < 19 || r.limit > 20 {
		t.Fatalf("senders %d, limit %d; want 5, 19", n, r.limit)
	}
	close(snd.gate)
	close(r.work)
	r.wg.Wait()
	if r.counts.Accepted != 5 || r.held.Load() != 1 {
		t.Fatalf("accepted %d, held %d; want 5, 1", r.counts.Accepted, r.held.Load())
	}
}

// TestLatencyFloorIgnoresAStall: the floor is the lower of the last two
// windows' 10th percentiles, so a few answers slowed by a stall do not
// raise it, and a whole window of slow ones does.
func TestLatencyFloorIgnoresAStall(t *testing.T) {
	var f latencyFloor
	t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	for i := range 100 {
		f.add(t0.Add(time.Duration(i)*time.Millisecond), 200*time.Microsecond)
	}
	for i := range 10 {
		f.add(t0.Add(time.Second+time.Duration(i)*time.Millisecond), 2*time.Second)
	}
	if got := f.get(); got != 200*time.Microsecond {
		t.Fatalf("floor %v with a stall in the window, want 200µs", got)
	}
	f.add(t0.Add(6*time.Second), 3*time.Second)
	if got := f.get(); got != 200*time.Microsecond {
		t.Fatalf("floor %v after the window turned, want the window before's 200µs", got)
	}
	f.add(t0.Add(11*time.Second), time.Second)
	if got := f.get(); got < 990*time.Millisecond || got > 1010*time.Millisecond {
		t.Fatalf("floor %v after two slow windows, want 1s", got)
	}
}

// TestSendersStopAtMaxInFlight: at MaxInFlight no sender starts however
// long the pacer waits; the batch goes to the first sender that is free.
func TestSendersStopAtMaxInFlight(t *testing.T) {
	r, snd, clk := gatedRun(8, Options{Concurrency: 2, MaxInFlight: 3, SenderGrowth: time.Millisecond})
	r.startSenders(r.sendCtx, 2)
	// Answers so slow, and calls asked for so fast, that Little's law
	// wants far more senders than MaxInFlight.
	r.floor.add(clk.Now(), time.Hour)
	r.calls, r.firstDue, r.lastDue = 2, 0, time.Millisecond
	for i := range 3 {
		clk.Sleep(context.Background(), time.Second)
		r.hand([]Outgoing{{Slot: Slot{Index: uint64(i), Due: time.Duration(i+2) * time.Millisecond}}})
		<-snd.calls
	}
	handed := make(chan struct{})
	go func() {
		clk.Sleep(context.Background(), time.Second)
		r.hand([]Outgoing{{Slot: Slot{Index: 3, Due: 5 * time.Millisecond}}})
		close(handed)
	}()
	waitHeld(r, 1)
	if n := r.senders.Load(); n != 3 {
		t.Fatalf("%d senders, want MaxInFlight 3", n)
	}
	snd.gate <- struct{}{}
	<-handed
	<-snd.calls
	close(snd.gate)
	close(r.work)
	r.wg.Wait()
	if r.counts.Accepted != 4 || r.senders.Load() != 3 {
		t.Fatalf("accepted %d, senders %d; want 4, 3", r.counts.Accepted, r.senders.Load())
	}
}

// TestExtraSendersStayForMoreWork: a sender started because all were
// busy does not end after its call but waits for the next batch, so an
// overload does not start a goroutine for every order that follows it.
func TestExtraSendersStayForMoreWork(t *testing.T) {
	const wave = 8
	r, snd, clk := gatedRun(2*wave, Options{MaxInFlight: 100, SenderGrowth: time.Nanosecond})
	// Answers so slow, and calls asked for so fast, that Little's law
	// lets every busy call start one.
	clk.step = time.Millisecond
	r.floor.add(clk.Now(), time.Hour)
	r.calls, r.firstDue, r.lastDue = 2, 0, time.Millisecond
	// No sender waits: each batch of the first wave starts one.
	for i := range wave {
		r.hand([]Outgoing{{Slot: Slot{Index: uint64(i), Due: time.Duration(i+2) * time.Millisecond}}})
	}
	for range wave {
		<-snd.calls
	}
	if n := r.senders.Load(); n != wave {
		t.Fatalf("%d senders started for %d busy calls", n, wave)
	}
	close(snd.gate)
	// The second wave goes to the senders of the first, waiting for work
	// (a sender that ended after its call would leave these sends blocked).
	go func() {
		for i := wave; i < 2*wave; i++ {
			r.work <- []Outgoing{{Slot: Slot{Index: uint64(i)}}}
		}
		close(r.work)
	}()
	for range wave {
		select {
		case <-snd.calls:
		case <-time.After(10 * time.Second):
			t.Fatal("the senders started for the first wave did not take the second")
		}
	}
	r.wg.Wait()
	if r.counts.Accepted != 2*wave || r.senders.Load() != wave {
		t.Fatalf("accepted %d, senders started %d", r.counts.Accepted, r.senders.Load())
	}
}
