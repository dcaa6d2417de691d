package asl

import (
	"context"
	"time"

	"github.com/yafdp/yafdp/internal/clock"
)

// Pool is the engine's fast path, for a caller that starts a great many
// executions of one state machine from one goroutine and has no use for an
// execution once it has settled: a load model that runs one goroutine per
// engine, on a virtual clock that only that goroutine steps. It saves most
// of an execution's allocations and every lock, on these terms:
//
//   - One goroutine at a time works on the pool's executions, and the
//     caller orders every hand-over between goroutines: handlers answer,
//     and the clock's timers fire, on the goroutine that steps the clock,
//     and nothing reads an execution from elsewhere meanwhile. Executions
//     take no lock.
//   - No history is kept and there is no Observer: an event is a counter.
//   - Every handler is done with TaskRequest.Input once Invoke returns: it
//     keeps none of it, and its answer holds none of it, even for a call
//     that times out. A frame then builds each Task's Parameters in the
//     objects of its earlier Tasks, and an execution in those of settled
//     ones; for a RecordReader, as records.
//   - Start takes the input object over (see Start).
//   - Recycle hands a settled execution back, with its memory, the objects
//     its ResultSelectors built and its input, to later starts.
//
// Executions started otherwise behave as Engine.Start's do.
type Pool struct {
	engine  Engine
	machine *StateMachine
	opts    StartOptions // what every start shares
	mock    func(name string) TaskMock
}

// PoolOptions configure a Pool.
type PoolOptions struct {
	// Clock is the time source, stepped by the pool's goroutine.
	Clock clock.Clock
	// Resources and Seed are the Engine's.
	Resources Resources
	Seed      uint64
	// StateMachineName, OnDone and OnSettled are StartOptions' for every
	// execution: one func serves them all, and Tag tells them apart.
	StateMachineName string
	OnDone           func(*Execution)
	OnSettled        func(*Execution)
	// Mock, when set, gives each execution (by name) the mock that answers
	// its Task states (StartOptions.Mock).
	Mock func(name string) TaskMock
	// MaxDuration and MaxDurationCause are StartOptions' for every
	// execution (Express workflows: ExpressMaxDuration).
	MaxDuration      time.Duration
	MaxDurationCause string
}

// NewPool returns a pool that runs executions of m.
func NewPool(m *StateMachine, opts PoolOptions) *Pool {
	return &Pool{
		engine: Engine{
			Clock: opts.Clock, Resources: opts.Resources, Seed: opts.Seed, History: HistoryNone,
			reuseTaskInputs: true, solo: true,
		},
		machine: m,
		mock:    opts.Mock,
		opts: StartOptions{StateMachineName: opts.StateMachineName, OnDone: opts.OnDone, OnSettled: opts.OnSettled, giveInput: true,
			MaxDuration: opts.MaxDuration, MaxDurationCause: opts.MaxDurationCause},
	}
}

// Start begins an execution named name and returns at once, as
// Engine.Start does. It takes input over: the caller will neither read nor
// change that object afterwards (a shallow copy made for the execution
// qualifies: nothing below the top level is ever changed), so the execution
// sets its first ResultPath's field in it in place instead of in a copy,
// unless the machine reads the context object ($$.Execution.Input must
// stay as it was). size is the input's size encoded as compact JSON, or an
// upper bound of it (0 when unknown): within the payload limit it is taken
// on trust instead of walking input; over it, input is measured. tag is the
// caller's, for Tag.
func (p *Pool) Start(ctx context.Context, name string, input map[string]any, size int, tag int64) (*Execution, error) {
	opts := p.opts
	opts.Name, opts.Input, opts.inputSize, opts.tag = name, input, size, tag
	if p.mock != nil {
		opts.Mock = p.mock(name)
	}
	return p.engine.Start(ctx, p.machine, opts)
}

// Tag returns the tag x was started with.
func (p *Pool) Tag(x *Execution) int64 { return x.tag }

// Recycle hands back an execution of the pool that has settled (OnSettled
// has run): the caller will not call any of x's methods again, nor keep x,
// nor look at its output or anything in it. A later Start may then run in
// x's memory and build in its objects. It returns the input object x took
// over, when it did, for the caller to empty and fill for a later Start;
// nil otherwise, and for an execution that has not settled, which Recycle
// leaves alone.
func (p *Pool) Recycle(x *Execution) map[string]any {
	given, _ := x.recycle()
	return given
}

// RecordReader is a TaskHandler that reads objects in TaskRequest.Input
// given as *value.Record as well as map[string]any (value.Field reads
// both). In a Pool's executions the engine then builds a Task's Parameters
// as records, which costs less than maps. The handler must not keep a
// record or put it in its answer.
type RecordReader interface {
	TaskHandler
	ReadsRecords()
}
