package saga

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/mockconfig"
	"github.com/yafdp/yafdp/internal/order"
)

// MaxBatchOrders is the most orders RunBatch takes: every order, its
// execution's outcome and its ledger stay in memory until the invariant is
// checked at the end, about 1.5 KiB each, so half a million fit in well
// under a gigabyte. (100 million would ask for 20 GB at once.)
const MaxBatchOrders = 500_000

// BatchOptions configure RunBatch.
type BatchOptions struct {
	// Machine is the state machine to run; nil runs the built-in saga.
	Machine *asl.StateMachine
	// MachineName names it in ARNs; StateMachineName by default.
	MachineName string
	// Orders is how many generated orders to run.
	Orders int
	// Seed drives the order generator, the fakes' faults and latencies, and
	// retry jitter: the same seed gives the same run.
	Seed uint64
	// Faults configure the fake services.
	Faults FakeConfig
	// Clock is the time source. A *clock.Virtual is driven by RunBatch
	// itself; nil means the real clock.
	Clock clock.Clock
	// Concurrency caps the executions in flight; 0 starts every order at
	// once.
	Concurrency int
	// KeepExecutions keeps every execution, with its history, in the result.
	KeepExecutions bool
	// Mock, when set, answers the Task states it mocks in every execution,
	// each execution counting its own invocations.
	Mock *mockconfig.Case
	// Progress, when set, is called after each execution ends with the
	// number ended so far. It runs on the execution's goroutine.
	Progress func(done int)
}

// BatchResult is what a batch of saga executions came to.
type BatchResult struct {
	Orders    int
	Started   int
	Succeeded int
	Failed    int
	TimedOut  int
	Aborted   int
	// ManualRepair counts executions that ended in Saga.CompensationFailed.
	ManualRepair int
	// Errors counts failed executions by error name.
	Errors map[string]int
	// Retries counts Task, Parallel and Map retries over all executions.
	Retries int64
	// StateTransitions counts billable transitions (states entered and
	// retries).
	StateTransitions int64
	// Compensated counts executions in which a Catch fired and compensations
	// ran; CompensationSteps counts the Task states they ran.
	Compensated       int
	CompensationSteps int64
	// Latency summarises execution durations (start to end) on the run's
	// clock.
	Latency LatencySummary
	// Check is the invariant checker's report; CheckRan is false when the
	// machine never called the fake services (a custom definition), so there
	// was nothing to check.
	Check    Report
	CheckRan bool
	// Calls counts the calls each fake function received.
	Calls map[string]CallStats
	// Elapsed is the time the batch took on its clock.
	Elapsed time.Duration
	// Interrupted is true when the context was cancelled before every order
	// ran; executions still running were stopped (ABORTED).
	Interrupted bool
	// Executions holds every execution when KeepExecutions was set, in
	// order of the generated orders.
	Executions []*asl.Execution
}

// LatencySummary summarises a latency distribution.
type LatencySummary struct {
	P50, P95, P99, Max, Mean time.Duration
}

// BuiltIn parses the embedded saga definition.
func BuiltIn() (*asl.StateMachine, error) {
	m, err := asl.Parse(Definition)
	if err != nil {
		return nil, fmt.Errorf("the embedded saga definition is invalid: %w", err)
	}
	return m, nil
}

// BuiltInJSONata parses the embedded saga written in JSONata.
func BuiltInJSONata() (*asl.StateMachine, error) {
	m, err := asl.Parse(DefinitionJSONata)
	if err != nil {
		return nil, fmt.Errorf("the embedded JSONata saga definition is invalid: %w", err)
	}
	return m, nil
}

// RunBatch runs opts.Orders generated orders through the saga with the fake
// services and checks the saga invariant over the ledger.
func RunBatch(ctx context.Context, opts BatchOptions) (*BatchResult, error) {
	if opts.Orders < 1 || opts.Orders > MaxBatchOrders {
		return nil, fmt.Errorf("orders: must be 1 to %d, not %d", MaxBatchOrders, opts.Orders)
	}
	if err := opts.Faults.Validate(); err != nil {
		return nil, err
	}
	m := opts.Machine
	builtIn := m == nil
	if builtIn {
		var err error
		if m, err = BuiltIn(); err != nil {
			return nil, err
		}
	}
	clk := opts.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	start := clk.Now()
	b := newBatch(ctx, m, clk, start, opts)
	limit := opts.Concurrency
	if limit <= 0 || limit > len(b.orders) {
		limit = len(b.orders)
	}
	b.mu.Lock()
	for i := 0; i < limit; i++ {
		b.launchLocked()
	}
	b.mu.Unlock()

	var elapsed time.Duration
	if vc, virtual := clk.(*clock.Virtual); virtual {
		elapsed = b.stepUntilSettled(vc, start)
	} else {
		elapsed = b.waitUntilSettled(start)
	}

	b.mu.Lock()
	defer b.mu.Unlock()
	res := b.res
	res.Elapsed = elapsed
	res.Latency = summarizeHistogram(b.hist)
	res.Calls = b.fakes.Stats()
	ledger := b.fakes.Ledger()
	res.CheckRan = builtIn || ledger.Len() > 0
	if res.CheckRan {
		res.Check = Check(b.outcomes, ledger)
	}
	return res, nil
}

// newBatch sets up a run of m on clk from start: the fakes, the engine and
// the orders.
func newBatch(ctx context.Context, m *asl.StateMachine, clk clock.Clock, start time.Time, opts BatchOptions) *batch {
	name := opts.MachineName
	if name == "" {
		name = StateMachineName
	}
	fakes := NewFakes(opts.Faults, clk, opts.Seed)
	orders := order.Generate(opts.Seed, opts.Orders, start)
	b := &batch{
		ctx: ctx, machine: m, name: name, clk: clk, fakes: fakes, fake: fakes.Fake, orders: orders, opts: opts,
		eng:      &asl.Engine{Clock: clk, Resources: fakes.Resources(), Seed: opts.Seed},
		res:      &BatchResult{Orders: len(orders), Errors: map[string]int{}},
		hist:     hdrhistogram.New(1, int64(24*time.Hour/time.Microsecond), 3),
		allDone:  make(chan struct{}),
		running:  map[*asl.Execution]struct{}{},
		outcomes: make([]Outcome, 0, len(orders)),
	}
	if opts.KeepExecutions {
		b.res.Executions = make([]*asl.Execution, len(orders))
	}
	return b
}

// stepUntilSettled steps the virtual clock until every execution has ended
// (or, once ctx is done, been stopped) and returns the time that took from
// start; then on until every call has answered.
func (b *batch) stepUntilSettled(vc *clock.Virtual, start time.Time) time.Duration {
	for !b.finished() {
		if b.ctx.Err() != nil {
			b.interrupt()
			// Let the stopped executions record their end.
			for i := 0; i < 1_000_000 && !b.finished() && vc.Step(); i++ {
			}
			break
		}
		if !vc.Step() {
			break
		}
	}
	elapsed := vc.Now().Sub(start)
	// A call that timed out can still land its effect after its
	// execution ended: the invariant is checked once every call has
	// answered (each execution settled).
	for !b.settledAll() && vc.Step() {
	}
	return elapsed
}

// waitUntilSettled is stepUntilSettled on the real clock: late calls
// answer in real time (an interrupted run does not wait for them).
func (b *batch) waitUntilSettled(start time.Time) time.Duration {
	select {
	case <-b.allDone:
	case <-b.ctx.Done():
		b.interrupt()
		<-b.allDone
	}
	elapsed := b.clk.Now().Sub(start)
	for !b.settledAll() && b.ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
	return elapsed
}

type batch struct {
	ctx     context.Context
	eng     *asl.Engine
	fakes   *Fakes
	fake    func(string) asl.TaskHandler // fakes.Fake, made once
	machine *asl.StateMachine
	name    string
	clk     clock.Clock
	orders  []order.Order
	opts    BatchOptions

	mu          sync.Mutex
	next        int
	ended       int
	stopping    bool
	running     map[*asl.Execution]struct{}
	res         *BatchResult
	hist        *hdrhistogram.Histogram
	outcomes    []Outcome
	allDone     chan struct{}
	closedAll   bool
	launchQueue int
	// startedOK and settled count the executions started and those whose
	// every task call has answered (OnSettled).
	startedOK, settled int
}

// settledAll reports whether every execution has ended and every call it
// made has answered, so that no effect can still land.
func (b *batch) settledAll() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closedAll && b.settled == b.startedOK
}

// settle counts an execution whose every task call has answered.
func (b *batch) settle(*asl.Execution) {
	b.mu.Lock()
	b.settled++
	b.mu.Unlock()
}

// launchLocked starts the next order. An execution that ends schedules the
// next start on the clock rather than starting it in place, so thousands of
// instant executions never nest on the stack.
func (b *batch) launchLocked() {
	if b.stopping || b.next >= len(b.orders) {
		return
	}
	i := b.next
	b.next++
	o := b.orders[i]
	b.res.Started++
	b.launchQueue++
	b.clk.AfterFunc(0, func() {
		x, err := b.eng.Start(b.ctx, b.machine, asl.StartOptions{
			Name:             o.OrderID,
			Input:            o.Value(),
			StateMachineName: b.name,
			OnDone:           b.done,
			OnSettled:        b.settle,
			Mock:             mockRun(b.opts.Mock, b.opts.Seed, o.OrderID, b.fake),
		})
		b.mu.Lock()
		b.launchQueue--
		stop := false
		switch {
		case err != nil:
			// Generated orders always fit; count it as a failure to be safe.
			b.res.Failed++
			b.res.Errors["yafdp.StartFailed"]++
			b.ended++
		default:
			b.startedOK++
			if b.opts.KeepExecutions {
				b.res.Executions[i] = x
			}
			if !x.Done() {
				b.running[x] = struct{}{}
				stop = b.stopping
			}
		}
		b.maybeCloseLocked()
		b.mu.Unlock()
		if stop {
			x.Stop("yafdp.Interrupted", "the run was interrupted")
		}
	})
}

func (b *batch) done(x *asl.Execution) {
	status, _, errName, cause := x.Result()
	dur := x.StopTime().Sub(x.StartTime())
	retries, transitions := x.Retries(), x.StateTransitions()
	compensated, steps := compensation(x)

	b.mu.Lock()
	delete(b.running, x)
	r := b.res
	switch status {
	case asl.StatusSucceeded:
		r.Succeeded++
	case asl.StatusFailed:
		r.Failed++
		r.Errors[errName]++
		if errName == ErrCompensationFailed {
			r.ManualRepair++
		}
	case asl.StatusTimedOut:
		r.TimedOut++
	case asl.StatusAborted:
		r.Aborted++
	}
	r.Retries += retries
	r.StateTransitions += transitions
	if compensated {
		r.Compensated++
		r.CompensationSteps += steps
	}
	us := dur.Microseconds()
	if us < 1 {
		us = 1
	}
	_ = b.hist.RecordValue(us)
	b.outcomes = append(b.outcomes, Outcome{OrderID: x.Name, Status: string(status), Error: errName, Cause: cause})
	b.ended++
	ended := b.ended
	b.launchLocked()
	b.maybeCloseLocked()
	b.mu.Unlock()
	if b.opts.Progress != nil {
		b.opts.Progress(ended)
	}
}

func (b *batch) maybeCloseLocked() {
	if b.closedAll || b.launchQueue > 0 || len(b.running) > 0 {
		return
	}
	if b.ended == b.res.Started && (b.stopping || b.next >= len(b.orders)) {
		b.closedAll = true
		close(b.allDone)
	}
}

func (b *batch) finished() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closedAll
}

// interrupt stops launching and aborts what is running.
func (b *batch) interrupt() {
	b.mu.Lock()
	b.stopping = true
	b.res.Interrupted = true
	running := make([]*asl.Execution, 0, len(b.running))
	for x := range b.running {
		running = append(running, x)
	}
	b.maybeCloseLocked()
	b.mu.Unlock()
	for _, x := range running {
		x.Stop("yafdp.Interrupted", "the run was interrupted")
	}
}

// compensation reports whether a Catch fired in the execution (its Task,
// Parallel or Map state failed and moved on through a catcher), and how many
// Task states ran after that first catch.
func compensation(x *asl.Execution) (bool, int64) {
	caught, lastFailed := false, false
	var steps int64
	x.VisitEvents(func(e *asl.HistoryEvent) {
		switch {
		case !caught && lastFailed && e.IsExited():
			caught = true
		case caught && e.Type == types.HistoryEventTypeTaskStateEntered:
			steps++
		}
		lastFailed = isFailure(e.Type)
	})
	return caught, steps
}

func isFailure(t types.HistoryEventType) bool {
	switch t {
	case "TaskFailed", "TaskTimedOut", "LambdaFunctionFailed", "LambdaFunctionTimedOut", "ParallelStateFailed", "MapStateFailed":
		return true
	}
	return false
}

func summarizeHistogram(h *hdrhistogram.Histogram) LatencySummary {
	if h.TotalCount() == 0 {
		return LatencySummary{}
	}
	us := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
	return LatencySummary{
		P50:  us(h.ValueAtQuantile(50)),
		P95:  us(h.ValueAtQuantile(95)),
		P99:  us(h.ValueAtQuantile(99)),
		Max:  us(h.Max()),
		Mean: time.Duration(h.Mean() * float64(time.Microsecond)),
	}
}

// ErrorNames returns the keys of Errors sorted by count, then name.
func (r *BatchResult) ErrorNames() []string {
	names := make([]string, 0, len(r.Errors))
	for n := range r.Errors {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if r.Errors[names[i]] != r.Errors[names[j]] {
			return r.Errors[names[i]] > r.Errors[names[j]]
		}
		return names[i] < names[j]
	})
	return names
}
