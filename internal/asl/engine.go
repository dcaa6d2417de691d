package asl

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl/intrinsic"
	"github.com/yafdp/yafdp/internal/asl/states"
	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/clock"
)

// Status is an execution's status, as Step Functions names it.
type Status string

// The execution statuses.
const (
	StatusRunning   Status = "RUNNING"
	StatusSucceeded Status = "SUCCEEDED"
	StatusFailed    Status = "FAILED"
	StatusTimedOut  Status = "TIMED_OUT"
	StatusAborted   Status = "ABORTED"
)

// Limits that Step Functions (Standard) enforces.
const (
	// MaxPayloadBytes is the largest input, output or state result.
	MaxPayloadBytes = 256 * 1024
	// MaxHistoryEvents is the most events one execution may record.
	MaxHistoryEvents = 25000
)

// HistoryMode says what an Engine keeps of each execution's events.
type HistoryMode uint8

const (
	// HistoryFull keeps every event (the default).
	HistoryFull HistoryMode = iota
	// HistoryNone keeps none; events are still numbered, counted and passed
	// to the Observer. Without an Observer an event then costs a counter.
	HistoryNone
)

// Observer sees every event of every execution as it happens, on the
// goroutine that runs the execution. It must not block, and must not keep
// the *HistoryEvent: it is only valid during the call.
type Observer interface {
	Event(x *Execution, e *HistoryEvent)
}

// Engine runs executions of state machines.
type Engine struct {
	// Clock is the time source; clock.Real{} when nil.
	Clock clock.Clock
	// Resources holds the task handlers by Resource ARN. A running
	// execution keeps the handler it found last: set Resources before
	// starting executions.
	Resources Resources
	// Fallback runs tasks whose Resource has no handler; when nil, and no
	// mock answers it, such a task fails the state with States.Runtime,
	// which names the resource and how to mock it.
	Fallback TaskHandler
	// Callbacks lets a .waitForTaskToken Task that no mock or handler
	// answers wait for SendTaskSuccess or SendTaskFailure with its token
	// (Engine.SendTaskSuccess): local up serves them, and a person may
	// answer by hand.
	Callbacks bool
	callbacks callbacks
	// Region and Account fill ARNs; us-east-1 and 123456789012 by default.
	Region  string
	Account string
	// History says what to keep of each execution's events.
	History HistoryMode
	// Observer, when set, sees every event.
	Observer Observer
	// Seed makes jitter, States.MathRandom and States.UUID reproducible: each
	// execution draws from a source seeded by Seed and its name.
	Seed uint64
	// Objects is where Distributed Map states read their items (ItemReader)
	// and write their results (ResultWriter); nil when there is no such
	// store, and then only a mock config's answer feeds an ItemReader.
	Objects ObjectStore

	// The fast path's switches, which only a Pool turns on (pool.go).
	//
	// reuseTaskInputs lets a frame build each Task's Parameters in the
	// objects it built for its earlier Tasks, and an execution start from
	// the objects of the engine's executions that settled; it takes effect
	// only without history and Observer, which would keep inputs.
	reuseTaskInputs bool
	// solo: each execution is worked on by one goroutine at a time, with
	// every hand-over between goroutines ordered by the caller; executions
	// then take no lock.
	solo bool
	// Under reuseTaskInputs, the objects that settled executions built
	// for their Tasks' inputs and their ResultSelectors, for later ones.
	taskSpares, resultSpares intrinsic.Spares
	// free holds executions given back with recycle, for Start (solo
	// only, so no lock).
	free []*Execution
}

func (e *Engine) clock() clock.Clock {
	if e.Clock == nil {
		return clock.Real{}
	}
	return e.Clock
}

func (e *Engine) region() string {
	if e.Region == "" {
		return "us-east-1"
	}
	return e.Region
}

func (e *Engine) account() string {
	if e.Account == "" {
		return "123456789012"
	}
	return e.Account
}

// StartOptions describe one execution.
type StartOptions struct {
	// Name is the execution name (for the order saga: the order id). A name
	// is generated when empty.
	Name string
	// Input is the execution input as a value.
	Input any
	// StateMachineName names the machine in ARNs and the context object.
	StateMachineName string
	// OnDone is called once when the execution ends, on the goroutine that
	// ended it.
	OnDone func(*Execution)
	// OnSettled, when set, is called once the execution has ended and every
	// task call it made has answered (right after OnDone when none is
	// outstanding). A handler lands its effects before it answers, so from
	// then on nothing the execution started can still change the world: a
	// caller that checks the effects of each execution does so here.
	OnSettled func(*Execution)
	// Mock, when set, answers the Task states it mocks in place of their
	// handlers (a mock config's test case, with its own invocation counts).
	Mock TaskMock
	// Observer, when set, sees every event of this execution, after the
	// engine's Observer (a state machine's CloudWatch Logs, say).
	Observer Observer
	// MaxDuration, when positive, ends the execution TIMED_OUT after that
	// long, as the machine's TimeoutSeconds does (whichever comes first):
	// Express workflows run for at most five minutes. MaxDurationCause is
	// the cause of its ExecutionTimedOut event.
	MaxDuration      time.Duration
	MaxDurationCause string
	// ARN, when set, is the execution's ARN ($$.Execution.Id) instead of
	// the Standard form: an Express execution's is
	// arn:...:express:MACHINE:NAME:UUID.
	ARN string

	// What Pool.Start says of the input (pool.go).
	//
	// inputSize, when positive, is the size in bytes of Input encoded as
	// compact JSON, or an upper bound of it: within the payload limit it
	// is taken on trust instead of walking Input; over the limit, Input is
	// still measured, so a generous bound never rejects an input that fits.
	inputSize int
	// giveInput hands Input's top-level object over to the execution: an
	// unobserved execution of a machine that never reads the context object
	// may then set its first ResultPath's field in Input in place instead
	// of in a copy, and Execution.Input returns nil.
	giveInput bool
	// tag is the caller's, returned by Pool.Tag.
	tag int64
	// mapRun is the Map Run whose child this execution is.
	mapRun *MapRun
}

// StateMachineARN returns the ARN of a state machine with this engine's region and account.
func (e *Engine) StateMachineARN(name string) string {
	return "arn:aws:states:" + e.region() + ":" + e.account() + ":stateMachine:" + name
}

// ExecutionARN returns the ARN of an execution.
func (e *Engine) ExecutionARN(machine, name string) string {
	return "arn:aws:states:" + e.region() + ":" + e.account() + ":execution:" + machine + ":" + name
}

// Start begins an execution and returns at once; the execution runs on the
// engine's clock. It fails only for bad options (an input over the payload
// limit).
func (e *Engine) Start(ctx context.Context, m *StateMachine, opts StartOptions) (*Execution, error) {
	if known := opts.inputSize > 0 && opts.inputSize <= MaxPayloadBytes; !known && !value.SizeAtMost(opts.Input, MaxPayloadBytes) {
		return nil, fmt.Errorf("input is %d bytes, more than the %d-byte Step Functions limit", encodedSize(opts.Input), MaxPayloadBytes)
	}
	smName := opts.StateMachineName
	if smName == "" {
		smName = "StateMachine"
	}
	name := opts.Name
	if name == "" {
		name = fmt.Sprintf("exec-%016x", rand.Uint64())
	}
	clk := e.clock()
	x := e.reuse()
	x.engine, x.machine, x.clk = e, m, clk
	x.Name, x.smName, x.tag, x.input = name, smName, opts.tag, opts.Input
	x.startTime, x.status = clk.Now(), StatusRunning
	x.onDone, x.onSettled, x.mock = opts.OnDone, opts.OnSettled, opts.Mock
	x.parentRun = opts.mapRun
	x.observer, x.maxDuration, x.maxDurationCause, x.arn = opts.Observer, opts.MaxDuration, opts.MaxDurationCause, opts.ARN
	x.unobserved = e.History == HistoryNone && e.Observer == nil && opts.Observer == nil
	x.solo = e.solo
	x.mu.solo, x.mbox.solo = e.solo, e.solo
	x.reuseTaskInputs = x.unobserved && e.reuseTaskInputs
	if x.reuseTaskInputs {
		x.root.taskMaps.Spares = &e.taskSpares
		x.root.taskRecs.Spares = &e.taskSpares
		x.resultMaps.Spares = &e.resultSpares
	}
	x.ticker, _ = clk.(clock.Ticker)
	if in, obj := opts.Input.(map[string]any); obj && opts.giveInput && x.unobserved && !m.readsContext {
		// Nothing will see the input as it was: not the caller, not an
		// event, not $$.Execution.Input.
		x.given = in
	}
	// Handlers get the caller's context: cancelling it (Ctrl-C) reaches
	// every task in flight. An execution that ends simply ignores late
	// answers, so it needs no context of its own.
	x.ctx = ctx
	x.queue = x.queueBuf[:0]
	x.postWork(beginWork{x})
	return x, nil
}

// beginWork starts an execution from its mailbox. Being one pointer, it
// fits in the work interface without an allocation, as x.begin would not.
type beginWork struct{ x *Execution }

func (b beginWork) run() { b.x.begin() }

// Run starts an execution and waits for it to end. On a virtual clock
// another goroutine must step the clock meanwhile; a caller that steps it
// itself uses Start and then the clock.
func (e *Engine) Run(ctx context.Context, m *StateMachine, opts StartOptions) (*Execution, error) {
	x, err := e.Start(ctx, m, opts)
	if err != nil {
		return nil, err
	}
	if err := x.Wait(ctx); err != nil {
		return x, err
	}
	return x, nil
}

// Execution is one run of a state machine.
type Execution struct {
	engine  *Engine
	machine *StateMachine
	clk     clock.Clock
	ticker  clock.Ticker // clk, when it is one: task calls are timed with it
	ctx     context.Context
	onDone  func(*Execution)

	onSettled func(*Execution)
	// calls counts task calls that have not answered yet; settled (below)
	// is set once the execution has ended with none outstanding. Both are
	// only touched from the mailbox.
	calls int

	// Name is the execution name.
	Name string
	tag  int64 // StartOptions.tag
	// life counts the starts this Execution has served (recycle): a timer
	// of an earlier one finds it changed and does nothing.
	life      uint64
	smName    string
	input     any
	startTime time.Time
	rng       *rand.Rand
	ctxExec   map[string]any // $$.Execution, built on first use
	ctxSM     map[string]any // $$.StateMachine
	// varBytes is what the execution's variables take, encoded.
	varBytes int
	// mock answers the Tasks it mocks (StartOptions.Mock).
	mock TaskMock
	// redriveCount and redriveDate: how many times the execution has been
	// redriven, and when last (Engine.Redrive).
	redriveCount int
	redriveDate  time.Time
	// tokens counts the task tokens the execution has made; waits are its
	// calls that wait (or waited) for theirs, let go when it ends.
	tokens uint64
	waits  []*callbackWait
	// nowFn and randFn are the clock's Now and rand as func values, made
	// once, for JSONata's $now, $millis, $random, $uuid and $shuffle.
	nowFn   func() time.Time
	randFn  func() *rand.Rand
	timeout clock.Timer
	scratch *HistoryEvent // the event being shown to the Observer
	// observer, maxDuration and maxDurationCause are StartOptions'.
	observer         Observer
	maxDuration      time.Duration
	maxDurationCause string
	arn              string
	// lastResource's handler, the last one a Task looked up (handler).
	lastResource string
	lastHandler  TaskHandler
	lastRecords  bool // lastHandler is a RecordReader
	// unobserved: no history is kept and no Observer sees events, so an
	// event's payload is dropped as soon as it is emitted and frames may
	// own the values they build (see frame.owned).
	unobserved bool
	// reuseTaskInputs: Engine.reuseTaskInputs on an unobserved execution.
	reuseTaskInputs bool
	solo            bool // Engine.solo: mu and mbox are not taken
	// given: the root frame owns the input (StartOptions.giveInput), this
	// object; recycle gives it back.
	given   map[string]any
	settled bool
	running bool // the mailbox is being drained (under mbox)
	// resultMaps are the objects ResultSelectors built, under
	// reuseTaskInputs: release hands them on to other executions.
	resultMaps intrinsic.MapPool

	// mailbox: work posted by handlers and timers, run by one goroutine at a time.
	mbox     soloMutex
	queue    []work
	queueBuf [2]work // the queue's first backing array, enough for most executions

	// root is the execution's frame, allocated with it.
	root frame

	// Published state, read by other goroutines under mu.
	mu       soloMutex
	status   Status
	output   any
	errName  string
	cause    string
	stopTime time.Time
	events   []HistoryEvent
	// mapRuns are the Map Runs of the execution's Distributed Map states;
	// parentRun is the one that started it, when it is a child execution.
	mapRuns   []*MapRun
	parentRun *MapRun
	// Counters written by the mailbox alone, and final once the execution
	// has ended: another goroutine reads them after seeing it end (Done,
	// Wait, OnDone), which orders the reads after the last write. Plain
	// integers: an execution bumps them a few dozen times, and atomic adds
	// would cost more than the rest of the counting.
	eventCount  int64
	transitions int64
	retries     int64
	taskCalls   int64
	taskTime    time.Duration
	done        chan struct{}
	ended       atomic.Bool // set under mu, read without it
}

// Status returns the execution's status.
func (x *Execution) Status() Status {
	x.mu.lock()
	defer x.mu.unlock()
	return x.status
}

// Result returns status, output (SUCCEEDED), error and cause (otherwise).
func (x *Execution) Result() (Status, any, string, string) {
	x.mu.lock()
	defer x.mu.unlock()
	return x.status, x.output, x.errName, x.cause
}

// release tells the engine that the caller is done with a settled
// execution (OnSettled has run): it will not look at its output, or at
// anything in it, again. Under reuseTaskInputs, the objects the
// execution's ResultSelectors built then go to later executions. Result
// returns no output afterwards. Before the execution has settled, release
// does nothing and reports false.
func (x *Execution) release() bool {
	x.mu.lock()
	defer x.mu.unlock()
	if !x.settled {
		return false
	}
	x.output = nil
	x.resultMaps.Release()
	return true
}

// recycle is release for a caller that is done with x altogether (see
// Pool.Recycle): on a solo engine a later Start may then run in x's
// memory. It returns the input object the execution took (giveInput),
// which nothing refers to any more, and release's answer.
func (x *Execution) recycle() (given map[string]any, ok bool) {
	if !x.release() {
		return nil, false
	}
	given, x.given = x.given, nil
	if e := x.engine; x.solo && len(e.free) < maxFreeExecutions {
		e.free = append(e.free, x)
	}
	return given, true
}

// maxFreeExecutions bounds the recycled executions an engine keeps, about
// as many as run at once on one goroutine at a few hundred starts a second.
const maxFreeExecutions = 1 << 12

// reuse returns a zeroed Execution: a recycled one when there is one. What
// survives the zeroing: the life count and the root frame's token, which
// only ever grow, so that a timer armed in an earlier life never matches
// (after), and the bound done func of the root frame's first task call,
// which is x's forever.
func (e *Engine) reuse() *Execution {
	n := len(e.free)
	if !e.solo || n == 0 {
		return new(Execution)
	}
	x := e.free[n-1]
	e.free[n-1] = nil
	e.free = e.free[:n-1]
	life, tok, doneFn := x.life+1, x.root.token, x.root.firstCall.doneFn
	js, nowFn, randFn := x.root.js, x.nowFn, x.randFn
	vars, arena := x.root.vars, x.root.arena
	*x = Execution{}
	x.life, x.root.token, x.root.firstCall.doneFn = life, tok, doneFn
	// The root frame's JSONata state and the func values it holds are
	// bound to x and its root frame, which stay the same memory: keep
	// them. Every evaluation sets $states anew. Its scope and its records
	// keep their memory for the next start, emptied.
	x.root.js, x.nowFn, x.randFn, x.root.arena = js, nowFn, randFn, arena
	if vars != nil && vars.parent == nil {
		clear(vars.slots)
		vars.slots = vars.slots[:0]
		x.root.spare = vars
	}
	if js != nil {
		// The input object of the earlier start may be refilled for this
		// one: the evaluator must not trust what it saw of it.
		js.ev.Forget()
	}
	return x
}

// Input returns the execution input (nil once handed over to a Pool's
// execution).
func (x *Execution) Input() any { return x.input }

// StartTime returns when the execution started.
func (x *Execution) StartTime() time.Time { return x.startTime }

// StopTime returns when it ended (zero while running).
func (x *Execution) StopTime() time.Time {
	x.mu.lock()
	defer x.mu.unlock()
	return x.stopTime
}

// ARN returns the execution ARN.
func (x *Execution) ARN() string {
	if x.arn != "" {
		return x.arn
	}
	return x.engine.ExecutionARN(x.smName, x.Name)
}

// StateMachineARN returns the ARN of the machine it runs.
func (x *Execution) StateMachineARN() string { return x.engine.StateMachineARN(x.smName) }

// Events returns a copy of the history recorded so far (empty with
// HistoryNone).
func (x *Execution) Events() []HistoryEvent {
	x.mu.lock()
	defer x.mu.unlock()
	return append([]HistoryEvent(nil), x.events...)
}

// VisitEvents calls f with each event recorded so far, in order, without
// copying the history: f must not keep the event, change it, or call the
// execution's methods.
func (x *Execution) VisitEvents(f func(e *HistoryEvent)) {
	x.mu.lock()
	defer x.mu.unlock()
	for i := range x.events {
		f(&x.events[i])
	}
}

// The counters below are final once the execution has ended; call them
// after Done reports true, Wait returns, or in OnDone.

// EventCount returns how many events the execution has emitted.
func (x *Execution) EventCount() int64 { return x.eventCount }

// StateTransitions returns the billable state transitions: every state
// entered and every retry.
func (x *Execution) StateTransitions() int64 { return x.transitions }

// TaskCalls returns how many times Task states called their handler
// (every TaskStarted or LambdaFunctionStarted event).
func (x *Execution) TaskCalls() int64 { return x.taskCalls }

// TaskTime returns the time Task states spent waiting for their handlers'
// answers (from TaskStarted to TaskSucceeded, TaskFailed or TaskTimedOut),
// what task functions are billed for.
func (x *Execution) TaskTime() time.Duration { return x.taskTime }

// Retries returns how many retries (of Task, Parallel and Map states) ran.
func (x *Execution) Retries() int64 { return x.retries }

// Done reports whether the execution has ended.
func (x *Execution) Done() bool { return x.ended.Load() }

// Settled reports whether the execution has ended and every task call it
// made has answered (see StartOptions.OnSettled).
func (x *Execution) Settled() bool {
	x.mu.lock()
	defer x.mu.unlock()
	return x.settled
}

// Wait blocks until the execution ends or ctx is done. Do not call it on a
// virtual clock from the goroutine that drives the clock.
func (x *Execution) Wait(ctx context.Context) error {
	x.mu.lock()
	if x.ended.Load() {
		x.mu.unlock()
		return nil
	}
	if x.done == nil {
		x.done = make(chan struct{})
	}
	ch := x.done
	x.mu.unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stop aborts a running execution (StopExecution). It reports whether the
// execution was still running.
func (x *Execution) Stop(errName, cause string) bool {
	if x.Done() {
		return false
	}
	x.post(func() {
		if x.isEnded() {
			return
		}
		x.finish(StatusAborted, nil, errName, cause, types.HistoryEventTypeExecutionAborted, 0)
	})
	return true
}

// post runs f on the execution's mailbox: one function at a time, in order.
// A function posted from inside another runs after it returns, so handlers
// that complete synchronously never recurse into the engine.
func (x *Execution) post(f func()) { x.postWork(workFunc(f)) }

// work is one item of an execution's mailbox. Types that are already on the
// heap (a task call) implement it themselves, so posting them costs nothing.
type work interface{ run() }

type workFunc func()

func (f workFunc) run() { f() }

func (x *Execution) postWork(w work) {
	x.mbox.lock()
	x.queue = append(x.queue, w)
	if x.running {
		x.mbox.unlock()
		return
	}
	x.running = true
	// Drain by index and keep the slice's capacity, so a busy execution
	// does not reallocate its mailbox on every message.
	for i := 0; i < len(x.queue); i++ {
		next := x.queue[i]
		x.queue[i] = nil
		x.mbox.unlock()
		next.run()
		x.mbox.lock()
	}
	x.queue = x.queue[:0]
	x.running = false
	x.mbox.unlock()
}

// soloMutex is a mutex that a solo execution does not take.
type soloMutex struct {
	mu   sync.Mutex
	solo bool
}

func (m *soloMutex) lock() {
	if !m.solo {
		m.mu.Lock()
	}
}

func (m *soloMutex) unlock() {
	if !m.solo {
		m.mu.Unlock()
	}
}

func (x *Execution) isEnded() bool { return x.ended.Load() }

func (x *Execution) rand() *rand.Rand {
	if x.rng == nil {
		h := fnv.New64a()
		h.Write([]byte(x.Name))
		x.rng = rand.New(rand.NewPCG(x.engine.Seed, h.Sum64()))
	}
	return x.rng
}

// emit records an event and returns its id.
func (x *Execution) emit(ev HistoryEvent) int64 {
	if x.unobserved {
		// Nobody looks at the event: count it, nothing more.
		x.eventCount++
		return x.eventCount
	}
	return x.record(ev, x.clk.Now())
}

// record keeps an event that happened at t (emit, for an execution whose
// events are kept or observed) and returns its id.
func (x *Execution) record(ev HistoryEvent, t time.Time) int64 {
	x.mu.lock()
	x.eventCount++
	ev.ID = x.eventCount
	ev.Timestamp = t
	if x.engine.History == HistoryFull {
		x.events = append(x.events, ev)
	}
	id := ev.ID
	x.mu.unlock()
	if x.engine.Observer != nil || x.observer != nil {
		x.notify(ev)
	}
	return id
}

// notify hands the event to the Observer through the execution's scratch
// record, so observing costs one allocation an execution, not one an event.
func (x *Execution) notify(ev HistoryEvent) {
	if x.scratch == nil {
		x.scratch = new(HistoryEvent) // only observed executions need one
	}
	*x.scratch = ev
	if x.engine.Observer != nil {
		x.engine.Observer.Event(x, x.scratch)
	}
	if x.observer != nil {
		*x.scratch = ev
		x.observer.Event(x, x.scratch)
	}
}

func (x *Execution) begin() {
	if x.engine.History == HistoryFull {
		// Enough for a five-step saga that succeeds without retries.
		x.events = make([]HistoryEvent, 0, 32)
	}
	started := HistoryEvent{Type: types.HistoryEventTypeExecutionStarted, Payload: x.input}
	if x.engine.History != HistoryNone || x.engine.Observer != nil || x.observer != nil {
		started.Resource = "arn:aws:iam::" + x.engine.account() + ":role/yafdp-saga"
	}
	// ExecutionStarted is timestamped with the execution's start date, as
	// in AWS's histories, however late its goroutine runs: a redrive
	// reads the start date back from it.
	if x.unobserved {
		x.eventCount++
	} else {
		x.record(started, x.startTime)
	}
	x.armTimeout()
	root := &x.root
	root.x, root.machine = x, x.machine
	if x.machine.usesVars {
		root.vars, root.scoped = root.spare, true
		if root.vars == nil {
			root.vars = newScope(nil, x.machine.varCount)
		}
		root.spare = nil
	}
	input := x.input
	owned := x.given != nil
	if owned {
		x.input = nil
	}
	x.proceed(root, step{kind: outNext, next: x.machine.start, output: input, owned: owned})
}

// armTimeout starts the machine's TimeoutSeconds, or StartOptions'
// MaxDuration when that is shorter, from now: the start, or a redrive.
func (x *Execution) armTimeout() {
	limit, cause := time.Duration(0), ""
	if t := x.machine.TimeoutSeconds; t > 0 {
		limit, cause = time.Duration(t)*time.Second, fmt.Sprintf("The execution exceeded its TimeoutSeconds of %d.", t)
	}
	if d := x.maxDuration; d > 0 && (limit == 0 || d < limit) {
		limit, cause = d, x.maxDurationCause
	}
	if limit <= 0 {
		return
	}
	life := x.life
	x.timeout = x.clk.AfterFunc(limit, func() {
		if x.life != life {
			return // x was recycled (Recycle) and serves another start
		}
		x.post(func() {
			if !x.isEnded() {
				x.finish(StatusTimedOut, nil, states.Timeout, cause, types.HistoryEventTypeExecutionTimedOut, 0)
			}
		})
	})
}

// finish ends the execution with a terminal event.
func (x *Execution) finish(status Status, output any, errName, cause string, typ types.HistoryEventType, prev int64) {
	ev := HistoryEvent{Type: typ, PreviousEventID: prev}
	switch status {
	case StatusSucceeded:
		ev.Payload = output
	default:
		ev.Error, ev.Cause = errName, cause
	}
	x.emit(ev)
	x.mu.lock()
	x.status, x.output, x.errName, x.cause = status, output, errName, cause
	x.stopTime = x.clk.Now()
	x.ended.Store(true)
	if x.done != nil {
		close(x.done)
	}
	x.mu.unlock()
	if x.timeout != nil {
		x.timeout.Stop()
	}
	x.abortMapRuns()
	x.releaseWaits()
	if x.reuseTaskInputs {
		// Handlers are done with every Task input (reuseTaskInputs), so
		// other executions may build theirs in these objects.
		x.root.taskMaps.Release()
		x.root.taskRecs.Release()
	}
	if x.onDone != nil {
		x.onDone(x)
	}
	x.checkSettled()
}

// checkSettled calls OnSettled once the execution has ended and its last task
// call has answered.
func (x *Execution) checkSettled() {
	if x.settled || x.calls > 0 || !x.ended.Load() {
		return
	}
	x.mu.lock()
	x.settled = true
	x.mu.unlock()
	if x.onSettled != nil {
		x.onSettled(x)
	}
}

// taskStarted counts a handler call.
func (x *Execution) taskStarted() { x.taskCalls++ }

// tick reads the clock for timing an interval (clock.Ticker).
func (x *Execution) tick() time.Duration {
	if x.ticker != nil {
		return x.ticker.Elapsed()
	}
	return x.clk.Now().Sub(x.startTime)
}

// taskEnded adds the time a task waited for its answer since start, a
// tick.
func (x *Execution) taskEnded(start time.Duration) {
	x.taskTime += x.tick() - start
}

// countTransition adds one billable state transition.
func (x *Execution) countTransition(retry bool) {
	x.transitions++
	if retry {
		x.retries++
	}
}

// failure is a named error raised inside an execution.
type failure struct {
	name  string
	cause string
	// task: a Task's call failed (a TaskFailed, LambdaFunctionFailed or
	// TimedOut event). A result over the payload limit then fails the call
	// with States.DataLimitExceeded, which States.ALL does catch, and a
	// timeout's error output carries an empty Cause, as Step Functions
	// records them.
	task bool
}

// matches reports whether a retrier's or catcher's ErrorEquals takes fl.
func (fl failure) matches(errorEquals []string) bool {
	if states.Matches(errorEquals, fl.name) {
		return true
	}
	return fl.task && fl.name == states.DataLimitExceeded && slices.Contains(errorEquals, states.ALL)
}

func asFailure(err error) failure {
	// Handlers mostly answer a *states.Error itself; errors.As would move
	// se to the heap on every failed task.
	if se, ok := err.(*states.Error); ok && se != nil {
		return failure{name: se.Name, cause: se.Cause}
	}
	var se *states.Error
	if errors.As(err, &se) {
		return failure{name: se.Name, cause: se.Cause}
	}
	return failure{name: states.TaskFailed, cause: err.Error()}
}
