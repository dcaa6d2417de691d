package sim

import (
	"context"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"golang.org/x/time/rate"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/mockconfig"
	"github.com/yafdp/yafdp/internal/order"
	"github.com/yafdp/yafdp/internal/saga"
)

// Options are what a run needs besides the scenario.
type Options struct {
	// Machine replaces the built-in saga (Scenario.StepFunctions.Definition
	// is read by the caller and parsed into this).
	Machine *asl.StateMachine
	// Mock, when set, answers the machine's Task states it mocks in every
	// execution (Scenario.Mock reads it).
	Mock *mockconfig.Case
	// Progress is called once per simulated second with the simulated time
	// so far and the time the arrivals end.
	Progress func(simulated, arrivals time.Duration)

	// partitions overrides the number of partitions, for a benchmark that
	// wants one goroutine to do all the work. Reports are reproducible for
	// a given number, not across numbers (a small throttled scenario's
	// differ by a few tenths of a percent between one and two).
	partitions int
}

// Run simulates the scenario and returns its report. Cancelling ctx stops
// the run early; the report then covers what was simulated.
func Run(ctx context.Context, sc Scenario, opts Options) (*Report, error) {
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	m := opts.Machine
	builtIn := m == nil
	if builtIn {
		var err error
		if m, err = saga.BuiltIn(); err != nil {
			return nil, err
		}
	}
	fakeCfg, err := sc.FakeConfig()
	if err != nil {
		return nil, err
	}
	n := opts.partitions
	if n <= 0 {
		n = partitions
	}
	s := newSimulation(sc, m, opts.Mock, fakeCfg, n)
	s.builtIn = builtIn
	s.progress = opts.Progress
	s.run(ctx)
	return s.report(), nil
}

// simulation is one run of the model. The front (arrivals, API Gateway,
// the queue, the new-order function and its StartExecution quota) has its
// own virtual clock; the sagas run in partitions, each on its own goroutine
// and clock (see partition). The front never waits for a saga, so it runs
// ahead, stepped by whichever partition would otherwise wait, and
// publishes how far it has got (watermark); partitions step their events
// only up to it.
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
	machine  *asl.StateMachine
	mock     *mockconfig.Case // answers the machine's mocked Tasks; nil for none
	// builtIn: the machine is the built-in saga, whose every order the
	// checker judges; another machine's orders are judged only when they
	// called the fakes.
	builtIn  bool
	pool     []map[string]any
	poolSize []int // each pooled order's JSON size
	// poolFields are each pooled order's fields, for filling a settled
	// saga's input without walking a map.
	poolFields [][]field
	progress   func(simulated, arrivals time.Duration)

	parts    []*partition
	board    *saga.QuotaBoard
	ctx      context.Context
	deadline time.Duration
	// frontMu is held by the partition stepping the front (pumpFront);
	// frontSteps is the front's, under it.
	frontMu    sync.Mutex
	frontSteps int
	// watermark: every start before it has been delivered (ns after t0;
	// MaxInt64 once the front has stopped).
	watermark atomic.Int64

	// accepted counts the orders API Gateway accepted: order k is the k-th.
	// When it was accepted travels with its message (SentTimestamp).
	accepted int
	// started says which orders' executions were started (StartExecution
	// is idempotent by name), for the orders whose message may still be
	// delivered.
	started startedSet

	m       metrics
	arrDone bool
	// quiet: arrivals over, queue empty, function idle; nothing more will
	// start. quietAt is when.
	quiet   bool
	quietAt time.Duration
}

func newSimulation(sc Scenario, m *asl.StateMachine, mock *mockconfig.Case, fakeCfg saga.FakeConfig, partitions int) *simulation {
	clk := clock.NewVirtual(clock.Epoch)
	// The front's clock is stepped only under frontMu (or before and after
	// the partitions run).
	clk.Solo()
	s := &simulation{
		sc:      sc,
		clk:     clk,
		t0:      clk.Now(),
		rng:     rand.New(rand.NewPCG(sc.Seed, 0x51a)),
		machine: m,
		mock:    mock,
		apigw:   rate.NewLimiter(rate.Limit(sc.APIGateway.RateLimit.PerSecond()), sc.APIGateway.Burst),
		starts:  rate.NewLimiter(rate.Limit(sc.StepFunctions.StartRate.PerSecond()), sc.StepFunctions.StartBurst),
	}
	s.arrivals = newArrivals(&sc, rand.New(rand.NewPCG(sc.Seed, arrivalStream)))
	s.arrEnd = sc.ArrivalDuration()
	s.board = saga.NewQuotaBoard(fakeCfg, s.t0, partitions)
	for i := range partitions {
		s.parts = append(s.parts, newPartition(s, i, fakeCfg))
	}
	s.queue = newPipelineQueue(s)
	s.lambda = newEventSource(s)
	// A pool of realistic orders; each accepted order is a copy of one with
	// its own orderId, which keeps generation cheap at millions of orders.
	for _, o := range order.Generate(sc.Seed, 512, clock.Epoch) {
		// Room for the saga's five results: a copy of a map with room
		// copies its table as it is, and never grows.
		v := make(map[string]any, orderFields)
		maps.Copy(v, o.Value().(map[string]any))
		s.pool = append(s.pool, v)
		s.poolSize = append(s.poolSize, value.EncodedSize(v))
		fields := make([]field, 0, len(v))
		for _, k := range slices.Sorted(maps.Keys(v)) {
			fields = append(fields, field{k, v[k]})
		}
		s.poolFields = append(s.poolFields, fields)
	}
	s.m.init()
	return s
}

// field is a member of an object.
type field struct {
	name string
	v    any
}

// orderFields is room for an order's eight fields and what the saga adds:
// five results when it succeeds, a failure and compensations when it does
// not. A map made for 14 has a table of 16 slots, which a copy copies as
// it is: one for 16 would have 32, twice the bytes to copy per order.
const orderFields = 14

// now is the front's time since t0, where its clock starts.
func (s *simulation) now() time.Duration { return s.clk.Elapsed() }

// orderID is order k's id: "ord_sim" and k in base 36, unique per run.
func orderID(k int) string { return "ord_sim" + strconv.FormatInt(int64(k), 36) }

// aheadLimit is how far in virtual time the front may run ahead of the
// slowest partition, which bounds the starts waiting in memory.
const aheadLimit = 10 * time.Second

func (s *simulation) run(ctx context.Context) {
	s.ctx = ctx
	s.deadline = s.arrEnd + s.sc.MaxDrain.D()
	s.scheduleArrival()
	s.clk.Schedule(time.Second, s.tick)
	// The partitions run the front too, in the time they would otherwise
	// wait: for the front itself, or for another partition to pass a
	// quota call's time.
	s.board.Idle = s.pumpFront
	var wg sync.WaitGroup
	for _, p := range s.parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.run(ctx, s.deadline)
		}()
	}
	wg.Wait()
	s.finish()
}

// pumpBatch is how many front events a pump steps at most: a partition
// that pumps while it waits checks again that soon.
const pumpBatch = 64

// pumpFront steps some of the front's events, unless another partition is
// doing so, the front has stopped or it is aheadLimit ahead of the slowest
// partition. It reports whether it stepped any. The front's events run in
// time order whoever pumps them, so the run does not depend on which
// partition did.
func (s *simulation) pumpFront() bool {
	if s.watermark.Load() == math.MaxInt64 || !s.frontMu.TryLock() {
		return false
	}
	defer s.frontMu.Unlock()
	stepped := 0
	for ; stepped < pumpBatch && s.watermark.Load() != math.MaxInt64; stepped++ {
		s.frontSteps++
		if s.frontSteps&4095 == 0 && s.ctx.Err() != nil {
			s.m.interrupted = true
			s.stopFront()
			break
		}
		next, ok := s.clk.NextDue()
		if !ok || next > s.deadline {
			s.stopFront()
			break
		}
		s.watermark.Store(int64(next))
		if next-s.board.Slowest() > aheadLimit {
			break
		}
		s.clk.StepDue(s.deadline) // s.clk starts at s.t0
		if s.quiet {
			s.stopFront()
		}
	}
	return stepped > 0
}

// stopFront ends the front: no more starts.
func (s *simulation) stopFront() { s.watermark.Store(math.MaxInt64) }

// finish ends the run once every goroutine has stopped: the drain time,
// the sagas cut short, the last checks.
func (s *simulation) finish() {
	drained := s.quiet
	s.m.drainedAt = s.quietAt
	s.m.endedAt = s.now()
	for _, p := range s.parts {
		drained = drained && p.quiet
		s.m.drainedAt = max(s.m.drainedAt, p.lastDone)
		s.m.endedAt = max(s.m.endedAt, p.now())
		s.m.interrupted = s.m.interrupted || p.m.interrupted
	}
	s.m.drained = drained && !s.m.interrupted
	if s.m.drained {
		s.m.endedAt = s.m.drainedAt
	}
	for _, p := range s.parts {
		p.stopRemaining()
		p.finalCheck()
	}
}

func (s *simulation) scheduleArrival() {
	at, ok := s.arrivals.next()
	if !ok {
		s.clk.Schedule(s.arrEnd-s.now(), func() { s.arrDone = true; s.checkQuiet() })
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
	s.m.cur.arrivals++
	if !s.apigw.AllowN(now, 1) {
		s.m.rejected++
		s.m.cur.rejected++
		return
	}
	k := s.accepted
	s.accepted++
	s.m.accepted++
	s.queue.send(k)
	s.lambda.wake()
}

// startExecution is the new-order function's StartExecution for the order
// of a delivery. It reports false when the call was throttled. The saga
// itself runs in order k's partition.
func (s *simulation) startExecution(d *delivery) bool {
	k := d.k
	if !s.starts.AllowN(s.clk.Now(), 1) {
		s.m.startThrottled++
		s.m.cur.startThrottles++
		return false
	}
	express := s.sc.express()
	if s.started.has(k) {
		if !express {
			// ExecutionAlreadyExists: a redelivered message; success, no new saga.
			s.m.duplicateStarts++
			return true
		}
		// Express does not deduplicate by name: the saga runs again.
		s.m.redeliveredRuns++
		s.m.executions++
		s.parts[k%len(s.parts)].deliver(start{at: s.now(), acceptedAt: d.acceptedAt, k: k, run: 1})
		return true
	}
	s.started.set(k)
	s.m.executions++
	s.parts[k%len(s.parts)].deliver(start{at: s.now(), acceptedAt: d.acceptedAt, k: k})
	if express && s.duplicated(k) {
		// At-least-once: this start runs twice.
		s.m.duplicateRuns++
		s.m.executions++
		s.parts[k%len(s.parts)].deliver(start{at: s.now(), acceptedAt: d.acceptedAt, k: k, run: 1})
	}
	return true
}

// checkQuiet notes when arrivals are over and the queue and the function
// are empty: nothing more will start, and the front stops.
func (s *simulation) checkQuiet() {
	if s.quiet || !s.arrDone || s.lambda.scaler.Active() > 0 {
		return
	}
	if s.queue.depth()+s.queue.inFlight()+s.queue.delayed() > 0 {
		return
	}
	s.quiet = true
	s.quietAt = s.now()
	s.m.sample(s) // what happened since the last tick
}

// tick runs every simulated second: metrics, event source scaling,
// progress.
func (s *simulation) tick() {
	if s.quiet {
		return
	}
	s.m.sample(s)
	s.queue.forgetDeadLetters()
	// Orders accepted before the oldest message in the queue was sent have
	// left it (deleted or dead-lettered): nothing asks about them again.
	s.started.forget(s.now() - s.queue.oldestAge())
	s.started.mark(s.now(), s.accepted)
	s.lambda.scale()
	if s.progress != nil {
		s.progress(min(s.now(), s.board.Slowest()), s.arrEnd)
	}
	s.checkQuiet()
	s.clk.Schedule(time.Second, s.tick)
}

// latencyHistogram records microseconds up to a day with three significant
// digits in constant memory.
func latencyHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(1, int64(24*time.Hour/time.Microsecond), 3)
}

// startedSet has bit k set once order k's execution was started. Only the
// orders whose message may still be delivered are asked about, so it lets
// go of the bits of orders older than the oldest message in the queue: it
// holds one bit per order accepted within the queue's age, not one per
// order of the run (43 million, 5.4 MB, in a day at 500/s).
type startedSet struct {
	words []uint64 // words[i] holds orders 64*(base+i) to 64*(base+i)+63
	base  int
	// marks are how many orders had been accepted at each tick, oldest
	// first: an order below marks[i].accepted was accepted by marks[i].at.
	marks []acceptedMark
}

type acceptedMark struct {
	at       time.Duration
	accepted int
}

// has and set index words with a negative index, and panic, when asked
// about an order that forget let go of while its message was still in the
// queue (a bug); they are kept small enough to inline.
func (b *startedSet) has(k int) bool {
	i := k>>6 - b.base
	if i >= len(b.words) {
		return false
	}
	return b.words[i]&(1<<(k&63)) != 0
}

func (b *startedSet) set(k int) {
	i := k>>6 - b.base
	for i >= len(b.words) {
		b.words = append(b.words, 0)
	}
	b.words[i] |= 1 << (k & 63)
}

// mark notes that accepted orders had been accepted by at.
func (b *startedSet) mark(at time.Duration, accepted int) {
	b.marks = append(b.marks, acceptedMark{at, accepted})
}

// forget lets go of the orders accepted before sent: their messages have
// left the queue. Dropping from the front of a slice leaves the array's
// start unused until the next append outgrows it and copies only what is
// left, so what is held stays within twice what is kept.
func (b *startedSet) forget(sent time.Duration) {
	below := -1
	n := 0
	for n < len(b.marks) && b.marks[n].at < sent {
		below = b.marks[n].accepted
		n++
	}
	b.marks = b.marks[n:]
	if drop := min(below>>6-b.base, len(b.words)); drop > 0 {
		b.words = b.words[drop:]
		b.base += drop
	}
}
