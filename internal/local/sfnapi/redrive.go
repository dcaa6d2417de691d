package sfnapi

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/mockconfig"
)

// CodeExecutionNotRedrivable is RedriveExecution's error for an execution
// that cannot be redriven.
const CodeExecutionNotRedrivable = "ExecutionNotRedrivable"

// redriveState is what an execution keeps for RedriveExecution.
type redriveState struct {
	// mu makes one redrive of an execution at a time.
	mu sync.Mutex
	// current is the latest redriven run, which exec returns in place of
	// the first one.
	current atomic.Pointer[asl.Execution]
	// testCase names the mock config's test case the execution runs ("" for
	// none); mock is its run, whose invocation counts a redrive goes on
	// with (nil for an execution restored from a store: a redrive makes one
	// from the history).
	testCase string
	mock     asl.TaskMock
	// token is the clientToken of the last redrive, made at date: the same
	// token again is the same request, answered the same.
	token string
	date  time.Time
}

func (r *redriveState) keepMock(k *mockconfig.Case, run asl.TaskMock) {
	if k != nil {
		r.testCase, r.mock = k.Name, run
	}
}

type redriveExecutionRequest struct {
	ExecutionArn *string `json:"executionArn"`
	ClientToken  *string `json:"clientToken"`
}

type redriveExecutionOutput struct {
	RedriveDate epoch `json:"redriveDate"`
}

// RedriveExecution redrives a Standard execution that ended FAILED,
// TIMED_OUT or ABORTED: it resumes from the state that did not finish
// (asl.Engine.Redrive), redriving the Map Run of a Distributed Map state
// that failed when the Map Run is still held here. It returns the
// redrive's date. Errors:
// ValidationException, InvalidArn, ExecutionDoesNotExist,
// ExecutionNotRedrivable.
func (s *Service) RedriveExecution(ctx context.Context, arn string) (time.Time, error) {
	t, err := s.redriveExecution(&redriveExecutionRequest{ExecutionArn: &arn}, false)
	if err != nil {
		return time.Time{}, err
	}
	return t, nil
}

// redriveExecution redrives an execution; durable waits until the redrive
// is saved in the store.
func (s *Service) redriveExecution(req *redriveExecutionRequest, durable bool) (time.Time, *Error) {
	var v validation
	v.required("executionArn", req.ExecutionArn != nil)
	v.length("executionArn", req.ExecutionArn, 1, maxARNLength, false)
	v.length("clientToken", req.ClientToken, 1, 64, false)
	if err := v.err(); err != nil {
		return time.Time{}, err
	}
	if a, perr := parseARN(*req.ExecutionArn); perr == nil && a.typ == "express" {
		return time.Time{}, newError(CodeExecutionNotRedrivable, "Execution '%s' cannot be redriven: RedriveExecution is not supported by EXPRESS state machines", *req.ExecutionArn)
	}
	e, x, err := s.lookupExecution(req.ExecutionArn)
	if err != nil {
		return time.Time{}, err
	}
	if e.child {
		return time.Time{}, newError(CodeExecutionNotRedrivable, "Execution '%s' cannot be redriven: it is a child execution of a Map Run; redrive its parent execution", e.arn)
	}
	s.mu.RLock()
	closed := s.closed
	s.mu.RUnlock()
	if closed {
		return time.Time{}, errClosed()
	}
	e.redrive.mu.Lock()
	defer e.redrive.mu.Unlock()
	if req.ClientToken != nil && *req.ClientToken == e.redrive.token {
		return e.redrive.date, nil
	}
	x = e.exec() // a redrive that ran meanwhile changed it
	events := x.Events()
	count, _ := asl.RedriveInfo(events)
	if st, reason := asl.Redrivability(x.Status(), x.StartTime(), x.StopTime(), len(events), count, s.clk.Now()); st != asl.Redrivable {
		return time.Time{}, newError(CodeExecutionNotRedrivable, "Execution '%s' cannot be redriven: %s", e.arn, reason)
	}
	mock, err := s.redriveMock(e, events)
	if err != nil {
		return time.Time{}, err
	}
	s.unfinish(e)
	e.saveMu.Lock()
	e.saved = false // the redrive runs: its end is saved anew
	e.saveMu.Unlock()
	s.running.Add(1)
	// The Map Runs of an execution run here (not restored from the data
	// directory, which keeps none) are redriven with it.
	var runs []*asl.MapRun
	if ax, ok := x.(*asl.Execution); ok {
		runs = ax.MapRuns()
	}
	nx, rerr := s.engine.Redrive(s.ctx, e.m.parsed, asl.RedriveOptions{
		Name: e.name, StateMachineName: e.m.name, Events: events, Mock: mock, MapRuns: runs,
		OnDone:   func(nx *asl.Execution) { e.redrive.current.Store(nx); s.done(e, nx) },
		Observer: s.logObserver(e.m, e.arn, s.clk.Now()),
	})
	if rerr != nil {
		s.running.Add(-1)
		return time.Time{}, newError(CodeExecutionNotRedrivable, "Execution '%s' cannot be redriven: %v", e.arn, rerr)
	}
	e.redrive.current.Store(nx)
	s.statusChanged(e, nx, asl.StatusRunning)
	e.redrive.token, e.redrive.date = "", nx.RedriveDate()
	if req.ClientToken != nil {
		e.redrive.token = *req.ClientToken
	}
	c := s.save(e, nx, false)
	if !durable {
		c = nil
	}
	if err := wait(c); err != nil {
		return time.Time{}, err
	}
	return nx.RedriveDate(), nil
}

// redriveMock returns the test case run a redrive goes on with: the
// execution's own, or, for one restored from a store, a new run of its
// test case that counts the invocations its history records as made.
func (s *Service) redriveMock(e *execution, events []asl.HistoryEvent) (asl.TaskMock, *Error) {
	if e.redrive.mock != nil || e.redrive.testCase == "" {
		return e.redrive.mock, nil
	}
	if s.opts.Mock == nil {
		return nil, newError(CodeExecutionNotRedrivable, "Execution '%s' cannot be redriven here: it ran the mock config's test case %q and local up has no mock config (--mock-config, or SFN_MOCK_CONFIG)", e.arn, e.redrive.testCase)
	}
	k, kerr := s.opts.Mock.Case(e.m.name, e.redrive.testCase)
	if kerr != nil {
		return nil, newError(CodeExecutionNotRedrivable, "Execution '%s' cannot be redriven here: %v", e.arn, kerr)
	}
	run := k.NewRun(mockconfig.RunOptions{Seed: s.opts.Seed, Execution: e.name, Fake: s.opts.Fake})
	for state, n := range invocations(events) {
		run.Skip(state, n)
	}
	e.redrive.mock = run
	return run, nil
}

// invocations counts the task invocations of each state a history
// records: its TaskScheduled and LambdaFunctionScheduled events, each
// traced back along previousEventId to the StateEntered of its state (the
// events of concurrent branches and iterations interleave).
func invocations(events []asl.HistoryEvent) map[string]int {
	state := make(map[int64]string, len(events))
	counts := map[string]int{}
	for i := range events {
		ev := &events[i]
		name := state[ev.PreviousEventID]
		if ev.IsEntered() {
			name = ev.StateName
		}
		state[ev.ID] = name
		switch ev.Type {
		case types.HistoryEventTypeTaskScheduled, types.HistoryEventTypeLambdaFunctionScheduled:
			if name != "" {
				counts[name]++
			}
		}
	}
	return counts
}

// unfinish takes a redriven execution off the finished ones that
// MaxFinishedExecutions forgets first: it runs again, and is counted again
// when it ends.
func (s *Service) unfinish(e *execution) {
	if s.opts.MaxFinishedExecutions <= 0 {
		return
	}
	s.finMu.Lock()
	defer s.finMu.Unlock()
	for i, f := range s.finished {
		if f == e {
			s.finished = append(s.finished[:i], s.finished[i+1:]...)
			return
		}
	}
}

// redriveInfo is what DescribeExecution and ListExecutions say of an
// execution's redrives.
type redriveInfo struct {
	count  int
	date   time.Time
	status asl.RedriveStatus
	reason string
}

func (s *Service) redriveOf(e *execution, x run) redriveInfo {
	var r redriveInfo
	r.count, r.date = redriveCounts(x)
	if e.child {
		// A Map Run's child is redriven with its parent.
		r.status = asl.NotRedrivable
		if st := x.Status(); st != asl.StatusSucceeded && st != asl.StatusRunning {
			r.status = asl.RedriveStatus(types.ExecutionRedriveStatusRedrivableByMapRun)
		}
		return r
	}
	r.status, r.reason = asl.Redrivability(x.Status(), x.StartTime(), x.StopTime(), eventCount(x), r.count, s.clk.Now())
	return r
}

// eventCount is how many events x's history holds once it has ended (0
// while it runs, which Redrivability does not ask about), without copying
// them.
func eventCount(x run) int {
	if ax, ok := x.(*asl.Execution); ok {
		if ax.Done() {
			return int(ax.EventCount())
		}
		return 0
	}
	return len(x.Events()) // restored: its events are not copied
}

// redriveCounts is how many times x has been redriven, and when last.
func redriveCounts(x run) (int, time.Time) {
	if ax, ok := x.(*asl.Execution); ok {
		return ax.RedriveCount(), ax.RedriveDate()
	}
	return asl.RedriveInfo(x.Events()) // restored: its events are not copied
}

// redriveFilter tells whether ListExecutions' redriveFilter (REDRIVEN,
// NOT_REDRIVEN, or "" for none) takes x.
func redriveFilter(filter string, x run) bool {
	if filter == "" {
		return true
	}
	n, _ := redriveCounts(x)
	return (n > 0) == (filter == "REDRIVEN")
}
