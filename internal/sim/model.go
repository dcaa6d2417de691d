package sim

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"golang.org/x/time/rate"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/order"
	"github.com/yafdp/yafdp/internal/saga"
)

// Options are what a run needs besides the scenario.
type Options struct {
	// Machine replaces the built-in saga (Scenario.StepFunctions.Definition
	// is read by the caller and parsed into this).
	Machine *asl.StateMachine
	// Progress is called once per simulated second with the simulated time
	// so far and the time the arrivals end.
	Progress func(simulated, arrivals time.Duration)
}

// Run simulates the scenario and returns its report. Cancelling ctx stops
// the run early; the report then covers what was simulated.
func Run(ctx context.Context, sc Scenario, opts Options) (*Report, error) {
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	m := opts.Machine
	if m == nil {
		var err error
		if m, err = saga.BuiltIn(); err != nil {
			return nil, err
		}
	}
	fakeCfg, err := sc.FakeConfig()
	if err != nil {
		return nil, err
	}
	s := newSimulation(sc, m, fakeCfg)
	s.progress = opts.Progress
	s.run(ctx)
	return s.report(), nil
}

// simulation is one run of the model. Everything happens on one goroutine,
// driven by the virtual clock.
type simulation struct {
	sc       Scenario
	clk      *clock.Virtual
	t0       time.Time
	rng      *rand.Rand
	arrivals *arrivalSource
	arrEnd   time.Duration
	apigw    *rate.Limiter
	starts   *rate.Limiter
	queue    *pipelineQueue
	lambda   *eventSource
	engine   *asl.Engine
	machine  *asl.StateMachine
	fakes    *saga.Fakes
	pool     []map[string]any
	progress func(simulated, arrivals time.Duration)

	// Per order, by its index: when API Gateway accepted it, and whether
	// its execution was started (StartExecution is idempotent by name).
	acceptedAt []time.Duration
	started    []bool
	// check judges each order once its saga has settled (ended, and every
	// call it made answered) and its effects are taken out of the ledger,
	// so memory holds only the orders in flight, not 1.8 million ledgers.
	check saga.Tally

	m        metrics
	running  int // sagas in flight
	arrDone  bool
	finished bool
}

func newSimulation(sc Scenario, m *asl.StateMachine, fakeCfg saga.FakeConfig) *simulation {
	clk := clock.NewVirtual(clock.Epoch)
	s := &simulation{
		sc:      sc,
		clk:     clk,
		t0:      clk.Now(),
		rng:     rand.New(rand.NewPCG(sc.Seed, 0x51a)),
		machine: m,
		apigw:   rate.NewLimiter(rate.Limit(sc.APIGateway.RateLimit), sc.APIGateway.Burst),
		starts:  rate.NewLimiter(rate.Limit(sc.StepFunctions.StartRate), sc.StepFunctions.StartBurst),
	}
	s.arrivals = newArrivals(&sc, rand.New(rand.NewPCG(sc.Seed, 0xa441)))
	s.arrEnd = sc.ArrivalDuration()
	s.fakes = saga.NewFakes(fakeCfg, clk, sc.Seed)
	s.engine = &asl.Engine{Clock: clk, Resources: s.fakes.Resources(), Seed: sc.Seed, History: asl.HistoryNone}
	s.queue = newPipelineQueue(s)
	s.lambda = newEventSource(s)
	// A pool of realistic orders; each accepted order is a copy of one with
	// its own orderId, which keeps generation cheap at millions of orders.
	for _, o := range order.Generate(sc.Seed, 512, clock.Epoch) {
		s.pool = append(s.pool, o.Value().(map[string]any))
	}
	s.m.init(s)
	return s
}

func (s *simulation) now() time.Duration { return s.clk.Now().Sub(s.t0) }

// orderID is order k's id: "ord_sim" and k in base 36, unique per run.
func orderID(k int) string { return "ord_sim" + strconv.FormatInt(int64(k), 36) }

func (s *simulation) run(ctx context.Context) {
	s.scheduleArrival()
	s.clk.Schedule(time.Second, s.tick)
	deadline := s.t0.Add(s.arrEnd + s.sc.MaxDrain.D())
	for !s.finished {
		if ctx.Err() != nil {
			s.m.interrupted = true
			break
		}
		// Step a batch of events between context checks.
		i := 0
		for ; i < 4096 && !s.finished; i++ {
			if !s.clk.StepBefore(deadline) {
				break
			}
		}
		if i < 4096 && !s.finished {
			break // nothing left before the deadline
		}
	}
	s.stopRemaining()
}

// stopRemaining aborts the sagas still running when the run ends (drain
// limit or Ctrl-C); the checker counts them as interrupted.
func (s *simulation) stopRemaining() {
	if !s.m.drained {
		s.m.endedAt = s.now()
	}
	s.finished = true
	for _, x := range s.m.live {
		x.Stop("yafdp.SimulationEnded", "the simulation ended before this saga did")
	}
}

func (s *simulation) scheduleArrival() {
	at, ok := s.arrivals.next()
	if !ok {
		s.clk.Schedule(s.arrEnd-s.now(), func() { s.arrDone = true; s.checkDone() })
		return
	}
	s.clk.Schedule(at-s.now(), func() {
		s.arrive()
		s.scheduleArrival()
	})
}

// arrive is one POST /orders: API Gateway's token bucket, then the queue.
func (s *simulation) arrive() {
	now := s.clk.Now()
	s.m.offered++
	s.m.cur.Arrivals++
	if !s.apigw.AllowN(now, 1) {
		s.m.rejected++
		s.m.cur.Rejected++
		return
	}
	k := len(s.acceptedAt)
	s.acceptedAt = append(s.acceptedAt, s.now())
	s.started = append(s.started, false)
	s.m.accepted++
	s.queue.send(k)
	s.lambda.wake()
}

// startExecution is the new-order function's StartExecution for order k. It
// reports false when the call was throttled.
func (s *simulation) startExecution(k int) bool {
	if !s.starts.AllowN(s.clk.Now(), 1) {
		s.m.startThrottled++
		s.m.cur.StartThrottles++
		return false
	}
	if s.started[k] {
		// ExecutionAlreadyExists: a redelivered message; success, no new saga.
		s.m.duplicateStarts++
		return true
	}
	s.started[k] = true
	id := orderID(k)
	input := maps.Clone(s.pool[k%len(s.pool)])
	input["orderId"] = id
	s.running++
	s.m.executions++
	x, err := s.engine.Start(context.Background(), s.machine, asl.StartOptions{
		Name: id, Input: input, StateMachineName: saga.StateMachineName,
		OnDone:    func(x *asl.Execution) { s.sagaDone(k, x) },
		OnSettled: func(x *asl.Execution) { s.sagaSettled(k, x) },
	})
	if err != nil {
		panic(fmt.Sprintf("sim: start %s: %v", orderID(k), err))
	}
	if !x.Settled() {
		s.m.live[k] = x
	}
	return true
}

func (s *simulation) sagaDone(k int, x *asl.Execution) {
	s.running--
	status, _, errName, _ := x.Result()
	s.m.sagaEnded(s, k, x, status, errName)
	s.checkDone()
}

// sagaSettled judges order k: its saga has ended and no call it made can
// still land an effect.
func (s *simulation) sagaSettled(k int, x *asl.Execution) {
	delete(s.m.live, k)
	s.judge(x)
	s.finishOnceSettled()
}

func (s *simulation) judge(x *asl.Execution) {
	status, _, errName, cause := x.Result()
	sum, _ := s.fakes.Ledger().Take(x.Name)
	s.check.Add(saga.Outcome{OrderID: x.Name, Status: string(status), Error: errName, Cause: cause}, sum)
}

// finalCheck judges the sagas that ended with calls still outstanding when
// the run stopped, on the effects landed so far, then counts whatever is
// left in the ledger as effects without an outcome.
func (s *simulation) finalCheck() saga.Report {
	for k, x := range s.m.live {
		if x.Done() {
			delete(s.m.live, k)
			s.judge(x)
		}
	}
	for id, sum := range s.fakes.Ledger().All() {
		s.check.AddOrphan(id, sum)
	}
	return s.check.Report()
}

// checkDone notes when arrivals are over and nothing is left in the
// pipeline; the run ends then, or once the last late call has landed.
func (s *simulation) checkDone() {
	if s.m.drained || !s.arrDone || s.running > 0 || s.lambda.active > 0 {
		return
	}
	if s.queue.depth()+s.queue.inFlight()+s.queue.delayed() > 0 {
		return
	}
	s.m.drained = true
	s.m.drainedAt = s.now()
	s.m.endedAt = s.m.drainedAt
	s.finishOnceSettled()
}

// finishOnceSettled ends a drained run when no saga is waiting for a call
// that timed out: such a call may still land an effect (a booking after
// the saga cancelled, say), and the invariant must see it. Only the clock
// moves meanwhile; the report's times stop at the drain.
func (s *simulation) finishOnceSettled() {
	if s.m.drained && len(s.m.live) == 0 {
		s.finished = true
	}
}

// tick runs every simulated second: metrics, event source scaling,
// progress.
func (s *simulation) tick() {
	if s.finished || s.m.drained {
		return
	}
	s.m.sample(s)
	s.lambda.scale()
	if s.progress != nil {
		s.progress(s.now(), s.arrEnd)
	}
	s.checkDone()
	s.clk.Schedule(time.Second, s.tick)
}

// latencyHistogram records microseconds up to a day with three significant
// digits in constant memory.
func latencyHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(1, int64(24*time.Hour/time.Microsecond), 3)
}
