package sim

import (
	"context"
	"maps"
	"math"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/mockconfig"
	"github.com/yafdp/yafdp/internal/saga"
	"github.com/yafdp/yafdp/internal/spin"
)

// partitions is how many goroutines run the sagas. Orders go to partition
// k mod partitions. It is a constant, not the number of CPUs, so that a
// report does not depend on the machine: the only cross-partition
// interaction, the services' quotas, is decided in virtual-time order with
// ties by partition number. A partition ahead of the others by more than a
// payment call's latency waits for them, so more partitions than cores
// mostly add such waits; BENCHMARKS.md has the counts tried.
const partitions = 2

// partition runs the sagas of a share of the orders on its own virtual
// clock, with its own engine and fakes; the quotas they share are decided
// on a saga.QuotaBoard. It takes its starts from the front (the arrivals,
// queue and new-order function), which never waits for a saga, so it runs
// ahead and only has to say how far it has got (the watermark). The
// partitions step the front themselves, in the time they would otherwise
// wait (simulation.pumpFront).
type partition struct {
	s     *simulation
	idx   int
	clk   *clock.Virtual
	sagas *asl.Pool
	fakes *saga.Fakes

	// Starts delivered by the front, in time order, not yet taken.
	mu      sync.Mutex
	pending []start
	head    int

	// inputs are the inputs of settled sagas, for the next ones.
	inputs []map[string]any

	// wait is how the partition waits for the front and the others.
	wait spin.Waiter

	m       sagaMetrics
	running int
	// lastDone is when the partition's last saga ended: the run drained
	// at the later of this and the front going quiet.
	lastDone time.Duration
	// quiet: the front went quiet and every saga here has settled.
	quiet bool

	// Express only: the runs of each order not yet settled, and the
	// outcome of the first of an order's overlapping runs to settle.
	active       map[string]int
	firstOutcome map[string]saga.Outcome
}

// start is a StartExecution the front made for order k at time at; run
// is 0 but for an Express order's extra runs.
type start struct {
	at, acceptedAt time.Duration
	k              int
	run            uint8
}

// sagaMetrics are what a partition counts of its sagas.
type sagaMetrics struct {
	succeeded, failed, manual, timedOut, aborted int64
	errors                                       map[string]int64
	retries, transitions, taskCalls              int64
	taskTime                                     time.Duration
	expressGBs                                   float64
	e2e                                          *hdrhistogram.Histogram
	live                                         map[*asl.Execution]struct{}
	series                                       []sagaSecond
	cur                                          sagaSecond
	lastPaymentThrottles                         int64
	check                                        saga.Tally
	unchecked                                    int // orders of another machine that never called the fakes
	interrupted                                  bool
	// Express only (ExpressStats).
	dupPaymentCalls, overlapping, diverged, chargedTwice int64
}

func newPartition(s *simulation, idx int, fakeCfg saga.FakeConfig) *partition {
	clk := clock.NewVirtual(clock.Epoch)
	clk.Solo() // only the partition's goroutine touches it
	p := &partition{s: s, idx: idx, clk: clk}
	p.fakes = saga.NewFakes(fakeCfg, clk, s.sc.Seed)
	p.fakes.Solo() // like clk
	p.fakes.ShareQuotas(s.board, idx)
	// The fakes read what they need from a task's input while Invoke runs
	// and answer with objects of their own, on clk, which only this
	// partition's goroutine steps: the terms of an asl.Pool. Each saga's
	// tag is when its order was accepted.
	popts := asl.PoolOptions{
		Clock: clk, Resources: p.fakes.Resources(), Seed: s.sc.Seed,
		StateMachineName: saga.StateMachineName, OnDone: p.sagaDone, OnSettled: p.sagaSettled,
	}
	if s.sc.express() {
		popts.Resources = p.expressResources(popts.Resources)
		popts.MaxDuration, popts.MaxDurationCause = asl.ExpressMaxDuration, asl.ExpressTimeoutCause
		p.active, p.firstOutcome = map[string]int{}, map[string]saga.Outcome{}
	}
	if k := s.mock; k != nil {
		// Each execution counts its own invocations; the extensions' draws
		// depend on the seed and the execution's name only, and a Fake is
		// this partition's.
		fake := p.fakes.Fake
		popts.Mock = func(name string) asl.TaskMock {
			return k.NewRun(mockconfig.RunOptions{Seed: s.sc.Seed, Execution: name, Fake: fake})
		}
	}
	p.sagas = asl.NewPool(s.machine, popts)
	p.m.errors = map[string]int64{}
	p.m.check.Keep = violationsShown
	p.m.e2e = latencyHistogram()
	p.m.live = map[*asl.Execution]struct{}{}
	return p
}

// now is the partition's time since t0, where its clock starts.
func (p *partition) now() time.Duration { return p.clk.Elapsed() }

// deliver hands the partition a start; the front calls it in time order.
func (p *partition) deliver(st start) {
	p.mu.Lock()
	p.pending = append(p.pending, st)
	p.mu.Unlock()
}

// nextStart is the earliest start not yet taken.
func (p *partition) nextStart() (start, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.head == len(p.pending) {
		if p.head > 0 {
			p.pending, p.head = p.pending[:0], 0
		}
		return start{}, false
	}
	return p.pending[p.head], true
}

func (p *partition) takeStart() {
	p.mu.Lock()
	p.head++
	if p.head >= 1024 && 2*p.head >= len(p.pending) {
		// The front keeps delivering, so the slice is rarely empty:
		// move what is left to the front rather than grow it forever.
		n := copy(p.pending, p.pending[p.head:])
		p.pending, p.head = p.pending[:n], 0
	}
	p.mu.Unlock()
}

// run steps the partition's events and the front's starts in time order
// (a start first at a tie) until the front is quiet and every saga here
// has settled, or the deadline, or ctx ends.
func (p *partition) run(ctx context.Context, deadline time.Duration) {
	defer p.s.board.Done(p.idx)
	p.clk.Schedule(time.Second, p.tick)
	for i := 0; ; i++ {
		if i&63 == 0 && ctx.Err() != nil {
			p.m.interrupted = true
			return
		}
		own, ok := p.clk.NextDue()
		if !ok {
			own = math.MaxInt64
		}
		// The watermark first: every start before it is then among the
		// pending ones, and any delivered later is at or after it.
		front := time.Duration(p.s.watermark.Load())
		st, haveStart := p.nextStart()
		if front == math.MaxInt64 && !haveStart && (own > deadline || p.settled()) {
			// Nothing more will start here, and what is left either
			// does not matter (ticks) or is past the deadline.
			p.quiet = p.settled()
			// What happened since the last tick, for the next second:
			// the merged series has it if the run lasts to that tick.
			p.sample()
			return
		}
		// Own events before limit come before any start.
		limit := front
		if haveStart {
			limit = st.at
		}
		if own < limit && own <= deadline {
			// No call from here on is earlier than own: step a batch of
			// own events without looking at the starts again.
			for n := 0; own < limit && own <= deadline && n < 4096; n++ {
				p.s.board.Progress(p.idx, own)
				p.clk.StepDue(deadline) // p.clk starts at s.t0
				if own, ok = p.clk.NextDue(); !ok {
					own = math.MaxInt64
				}
			}
			p.wait.Reset()
			continue
		}
		p.s.board.Progress(p.idx, min(own, limit))
		switch {
		case haveStart && st.at <= own:
			if !p.clk.Jump(p.s.t0.Add(st.at)) {
				panic("sim: a start arrived after the partition's clock passed it")
			}
			p.takeStart()
			p.startExecution(st)
			p.wait.Reset()
		default:
			// The front has to move on first.
			if p.s.pumpFront() {
				p.wait.Reset()
			} else {
				p.wait.Wait()
			}
		}
	}
}

// settled: no saga running and none waiting for a late answer.
func (p *partition) settled() bool { return p.running == 0 && len(p.m.live) == 0 }

func (p *partition) startExecution(st start) {
	k := st.k
	id := orderID(k)
	o := k % len(p.s.pool)
	var input map[string]any
	if n := len(p.inputs); n > 0 {
		// A settled saga's input: its table has room for the fields
		// the saga adds, like the pooled order's.
		input = p.inputs[n-1]
		p.inputs = p.inputs[:n-1]
		clear(input)
		for _, f := range p.s.poolFields[o] {
			input[f.name] = f.v
		}
	} else {
		input = maps.Clone(p.s.pool[o])
	}
	input["orderId"] = id
	p.running++
	// The size is an upper bound: the pooled order's with a new orderId
	// (and its quotes) instead of the old one. The tag is for the latency
	// when the saga ends.
	name := id
	if p.active != nil {
		name = runName(id, st.run)
		if p.active[id]++; p.active[id] == 2 {
			p.m.overlapping++
		}
	}
	x, err := p.sagas.Start(context.Background(), name, input, p.s.poolSize[o]+len(id)+2, int64(st.acceptedAt))
	if err != nil {
		panic("sim: start " + id + ": " + err.Error())
	}
	if !x.Settled() {
		p.m.live[x] = struct{}{}
	}
}

func (p *partition) sagaDone(x *asl.Execution) {
	acceptedAt := time.Duration(p.sagas.Tag(x))
	p.running--
	p.lastDone = p.now()
	status, _, errName, _ := x.Result()
	m := &p.m
	lat := p.now() - acceptedAt
	_ = m.e2e.RecordValue(micros(lat))
	m.cur.completions++
	m.cur.latencySum += lat
	m.cur.latencyMax = max(m.cur.latencyMax, lat)
	switch status {
	case asl.StatusSucceeded:
		m.succeeded++
	case asl.StatusFailed:
		m.failed++
		m.cur.failures++
		m.errors[errName]++
		if errName == saga.ErrCompensationFailed {
			m.manual++
		}
	case asl.StatusTimedOut:
		m.timedOut++
	case asl.StatusAborted:
		m.aborted++
	}
	m.retries += x.Retries()
	m.transitions += x.StateTransitions()
	m.taskCalls += x.TaskCalls()
	m.taskTime += x.TaskTime()
	billed := USEast1.expressBilled(x.StopTime().Sub(x.StartTime()))
	m.expressGBs += gbSeconds(p.s.sc.StepFunctions.ExpressMemoryMB, billed)
}

// maxSpareInputs bounds the settled sagas' inputs a partition keeps, about
// as many sagas as run at once at 500 orders/s and more.
const maxSpareInputs = 1 << 12

// sagaSettled judges x's order: its saga has ended and no call it made can
// still land an effect.
func (p *partition) sagaSettled(x *asl.Execution) {
	delete(p.m.live, x)
	p.judge(x)
	// x is forgotten: later sagas run in it, its objects and its input.
	if in := p.sagas.Recycle(x); in != nil && len(p.inputs) < maxSpareInputs {
		p.inputs = append(p.inputs, in)
	}
}

func (p *partition) judge(x *asl.Execution) {
	status, _, errName, cause := x.Result()
	id := x.Name
	if p.active != nil {
		if !p.expressJudge(x) {
			return
		}
		id = orderOf(x.Name)
	}
	sum, called := p.fakes.Ledger().Take(id)
	if p.active != nil && sum.Charges > 1 {
		p.m.chargedTwice++
	}
	if !called && !p.s.builtIn {
		// Another machine's order that never called the fakes: the saga's
		// invariant says nothing about it.
		p.m.unchecked++
		return
	}
	p.m.check.Add(saga.Outcome{OrderID: id, Status: string(status), Error: errName, Cause: cause}, sum)
}

// tick closes a second of the partition's part of the time series.
func (p *partition) tick() {
	p.sample()
	p.clk.Schedule(time.Second, p.tick)
}

func (p *partition) sample() {
	c := p.m.cur
	c.inFlightSagas = int32(p.running)
	stats := p.fakes.Stats()
	pt := stats[saga.FnPaymentCharge].Throttled + stats[saga.FnPaymentRefund].Throttled
	c.paymentThrottles = int32(pt - p.m.lastPaymentThrottles)
	p.m.lastPaymentThrottles = pt
	p.m.series = append(p.m.series, c)
	p.m.cur = sagaSecond{}
}

// stopRemaining aborts the sagas still running when the run ends (drain
// limit or Ctrl-C); the checker counts them as interrupted.
func (p *partition) stopRemaining() {
	for x := range p.m.live {
		x.Stop("yafdp.SimulationEnded", "the simulation ended before this saga did")
	}
}

// finalCheck judges the sagas that ended with calls still outstanding when
// the run stopped, on the effects landed so far, then counts whatever is
// left in the ledger as effects without an outcome.
func (p *partition) finalCheck() {
	for x := range p.m.live {
		if x.Done() {
			delete(p.m.live, x)
			p.judge(x)
		}
	}
	for id, sum := range p.fakes.Ledger().All() {
		p.m.check.AddOrphan(id, sum)
	}
}
