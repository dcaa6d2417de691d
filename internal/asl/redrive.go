package asl

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/clock"
)

// Limits of RedriveExecution (Standard workflows).
const (
	// MaxRedrives is how many times one execution may be redriven.
	MaxRedrives = 1000
	// RedrivablePeriod is how long after it stopped an execution may be
	// redriven.
	RedrivablePeriod = 14 * 24 * time.Hour
	// MaxOpenTime is the longest an execution may stay open, counted from
	// its start, redrives included.
	MaxOpenTime = 365 * 24 * time.Hour
)

// RedriveStatus says whether an execution can be redriven, as
// DescribeExecution's redriveStatus does.
type RedriveStatus string

// The redrive statuses of a Standard execution (a Distributed Map's Map Run
// also has REDRIVABLE_BY_MAP_RUN, which no execution here takes).
const (
	Redrivable    RedriveStatus = "REDRIVABLE"
	NotRedrivable RedriveStatus = "NOT_REDRIVABLE"
)

// The reasons DescribeExecution gives (redriveStatusReason) for an
// execution that is NOT_REDRIVABLE, worded as Step Functions words them.
// AWS lists no reason for the redrive count limit; ReasonRedriveLimit is
// this engine's wording in the same style.
const (
	ReasonRunning      = "Execution is RUNNING and cannot be redriven"
	ReasonSucceeded    = "Execution is SUCCEEDED and cannot be redriven"
	ReasonPeriod       = "Execution redrivable period exceeded"
	ReasonEventLimit   = "Execution history event limit exceeded"
	ReasonMaxOpenTime  = "Execution has exceeded the max execution time"
	ReasonRedriveLimit = "Execution redrive limit exceeded"
)

// Redrivability tells whether an execution can be redriven at now: its
// status, when it started and stopped, how many events its history holds
// and how many times it has been redriven. The reason is empty when it can.
func Redrivability(status Status, start, stop time.Time, events int, redrives int, now time.Time) (RedriveStatus, string) {
	switch {
	case status == StatusRunning:
		return NotRedrivable, ReasonRunning
	case status == StatusSucceeded:
		return NotRedrivable, ReasonSucceeded
	case now.Sub(stop) > RedrivablePeriod:
		return NotRedrivable, ReasonPeriod
	case now.Sub(start) > MaxOpenTime:
		return NotRedrivable, ReasonMaxOpenTime
	case events >= MaxHistoryEvents-1:
		// A redrive appends ExecutionRedriven and at least one more event.
		return NotRedrivable, ReasonEventLimit
	case redrives >= MaxRedrives:
		return NotRedrivable, ReasonRedriveLimit
	}
	return Redrivable, ""
}

// RedriveInfo is what an execution's history says of its redrives: how
// many there were and when the last one was made (zero when none).
func RedriveInfo(events []HistoryEvent) (count int, last time.Time) {
	for i := range events {
		if events[i].Type == types.HistoryEventTypeExecutionRedriven {
			count++
			if n := int(events[i].RedriveCount); n > count {
				count = n
			}
			last = events[i].Timestamp
		}
	}
	return count, last
}

// RedrivePoint is where a redrive resumes an execution, read from its
// history alone: the top-level state that was running when it ended (the
// one that failed, timed out or was aborted), that state's input, and the
// variables assigned before it.
type RedrivePoint struct {
	// State is the name of the state to enter again.
	State string
	// Input is that state's input, from its StateEntered event.
	Input any
	// Variables are the workflow variables in scope at the top level, each
	// encoded as JSON, from the assignedVariables of the StateExited events
	// before it.
	Variables map[string]string
	// ExecutionInput is the execution's input, from ExecutionStarted.
	ExecutionInput any
	// Start is when the execution first started.
	Start time.Time
	// Done holds, when State is a Parallel or an inline Map state, the
	// outputs of its branches or iterations (by index) that succeeded in
	// its last attempt; Resumed names, for those that ran and did not
	// succeed, the state each resumes at. A redrive runs only these again,
	// and those that never started.
	Done    map[int]any
	Resumed map[int]string

	plan *groupPlan
}

// groupPlan is what a redrive does with the branches or iterations of a
// Parallel or inline Map state that did not finish: keep the outputs of
// those that succeeded, resume those that ran and did not succeed where
// each stopped, and start the others. For a Distributed Map state it names
// instead the Map Run to redrive.
type groupPlan struct {
	state  *State
	done   map[int]any
	resume map[int]*threadPlan
	run    *MapRun
}

// threadPlan is where a branch or iteration resumes: the state it was in
// when it stopped, that state's input, the variables it had assigned, and
// for a Parallel or Map state the plan of its own group.
type threadPlan struct {
	state *State
	input any
	vars  map[string]any
	sizes map[string]int // the variables' encoded sizes
	group *groupPlan
}

func (g *groupPlan) doneAt(i int) (any, bool) {
	if g == nil {
		return nil, false
	}
	out, ok := g.done[i]
	return out, ok
}

func (g *groupPlan) resumeAt(i int) *threadPlan {
	if g == nil {
		return nil
	}
	return g.resume[i]
}

// threadScan is what the events of one thread say about the states at the
// top of its machine: the last one entered and not exited (open, at
// openAt in the events), else the last one exited, and the variables they
// assigned.
type threadScan struct {
	open, exited *HistoryEvent
	openAt       int
	vars         map[string]string
}

func scanThread(m *StateMachine, events []HistoryEvent) threadScan {
	sc := threadScan{vars: map[string]string{}}
	for i := range events {
		ev := &events[i]
		if st, ok := m.States[ev.StateName]; !ok || st == nil {
			continue // a state of a nested branch or iteration, or no state
		}
		switch {
		case ev.IsEntered():
			sc.open, sc.exited, sc.openAt = ev, nil, i
		case ev.IsExited():
			for name, enc := range ev.Assigned {
				sc.vars[name] = enc
			}
			sc.open, sc.exited = nil, ev
		}
	}
	return sc
}

// FindRedrivePoint reads where a redrive of an execution of m resumes from
// the execution's history. As Step Functions does, a Parallel or inline Map
// state that failed is entered again and runs again only its branches or
// iterations that did not succeed, each from the state where it stopped
// (nested ones alike); a Distributed Map state starts a new Map Run, which
// runs every item again (Engine.Redrive, given the Map Runs, redrives the
// one that failed instead).
func FindRedrivePoint(m *StateMachine, events []HistoryEvent) (RedrivePoint, error) {
	return findRedrivePoint(m, events, nil)
}

// findRedrivePoint is FindRedrivePoint; mapRun, when not nil, finds a Map
// Run by its ARN, which a Distributed Map state that did not finish then
// redrives.
func findRedrivePoint(m *StateMachine, events []HistoryEvent, mapRun func(arn string) *MapRun) (RedrivePoint, error) {
	var pt RedrivePoint
	if len(events) == 0 || events[0].Type != types.HistoryEventTypeExecutionStarted {
		return pt, errors.New("the history does not begin with ExecutionStarted")
	}
	pt.ExecutionInput, pt.Start = events[0].Payload, events[0].Timestamp
	sc := scanThread(m, events)
	pt.Variables = sc.vars
	switch {
	case sc.open != nil:
		pt.State, pt.Input = sc.open.StateName, sc.open.Payload
		var err error
		if pt.plan, err = planGroup(m.States[pt.State], events[sc.openAt+1:], mapRun); err != nil {
			return pt, err
		}
		if pt.plan != nil {
			pt.Done, pt.Resumed = pt.plan.done, map[int]string{}
			for i, tp := range pt.plan.resume {
				pt.Resumed[i] = tp.state.Name
			}
		}
	case sc.exited != nil:
		// Stopped between two states: resume at the next one. A Choice
		// records not which branch it took, so it is entered again.
		s := m.States[sc.exited.StateName]
		switch {
		case s.Type == TypeChoice:
			return pt, fmt.Errorf("the execution stopped after the Choice state %q, whose choice the history does not record", s.Name)
		case s.End || s.next == nil:
			return pt, fmt.Errorf("the execution stopped after its last state %q", s.Name)
		}
		pt.State, pt.Input = s.next.Name, sc.exited.Payload
	default:
		pt.State, pt.Input = m.StartAt, pt.ExecutionInput
	}
	return pt, nil
}

// planGroup reads, in the events after a Parallel or inline Map state was
// entered, what became of its branches or iterations in its last attempt
// (after its last <Type>StateStarted). For a Distributed Map state it
// names the Map Run of its last attempt (its last MapRunStarted), when
// mapRun finds it. Nil for any other state.
func planGroup(s *State, tail []HistoryEvent, mapRun func(arn string) *MapRun) (*groupPlan, error) {
	var startType types.HistoryEventType
	switch {
	case s.Type == TypeMap && s.dist != nil:
		return planMapRun(s, tail, mapRun), nil
	case s.Type == TypeParallel:
		startType = types.HistoryEventTypeParallelStateStarted
	case s.Type == TypeMap && s.dist == nil:
		startType = types.HistoryEventTypeMapStateStarted
	default:
		return nil, nil
	}
	from := -1
	for i := range tail {
		if tail[i].Type == startType {
			from = i
		}
	}
	if from < 0 {
		return nil, nil
	}
	tail = tail[from+1:]
	g := &groupPlan{state: s, done: map[int]any{}, resume: map[int]*threadPlan{}}
	children := attribute(s, tail)
	var succeeded map[int]any
	if s.Type == TypeMap {
		succeeded = succeededIterations(s, tail)
	}
	for i, evs := range children {
		m := s.Processor
		if s.Type == TypeParallel {
			m = s.Branches[i]
		}
		sc := scanThread(m, evs)
		if s.Type == TypeMap {
			if out, ok := succeeded[i]; ok {
				g.done[i] = out
				continue
			}
		} else if sc.open == nil && sc.exited != nil {
			if st := m.States[sc.exited.StateName]; st.End || st.Type == TypeSucceed {
				g.done[i] = sc.exited.Payload
				continue
			}
		}
		if sc.open == nil {
			continue // it starts again
		}
		tp := &threadPlan{state: m.States[sc.open.StateName], input: sc.open.Payload, vars: map[string]any{}, sizes: map[string]int{}}
		for name, enc := range sc.vars {
			v, err := value.DecodeString(enc)
			if err != nil {
				return nil, fmt.Errorf("the variable %q in the history is not JSON: %v", name, err)
			}
			tp.vars[name], tp.sizes[name] = v, len(enc)
		}
		var err error
		if tp.group, err = planGroup(tp.state, evs[sc.openAt+1:], mapRun); err != nil {
			return nil, err
		}
		g.resume[i] = tp
	}
	return g, nil
}

// planMapRun plans the redrive of a Distributed Map: its latest Map Run,
// which reruns the children that did not succeed; nil when there is none
// to redrive.
func planMapRun(s *State, tail []HistoryEvent, mapRun func(arn string) *MapRun) *groupPlan {
	if mapRun == nil {
		return nil
	}
	for i := len(tail) - 1; i >= 0; i-- {
		if tail[i].Type == types.HistoryEventTypeMapRunStarted {
			if run := mapRun(tail[i].Resource); run != nil {
				return &groupPlan{state: s, run: run}
			}
			return nil
		}
	}
	return nil
}

// succeededIterations are the outputs of the iterations of inline Map s
// that succeeded, by index: the payload of the state each one exited
// last.
func succeededIterations(s *State, tail []HistoryEvent) map[int]any {
	byID := make(map[int64]*HistoryEvent, len(tail))
	for i := range tail {
		byID[tail[i].ID] = &tail[i]
	}
	succeeded := map[int]any{}
	for i := range tail {
		ev := &tail[i]
		if ev.Type != types.HistoryEventTypeMapIterationSucceeded || ev.StateName != s.Name {
			continue
		}
		if last, ok := byID[ev.PreviousEventID]; ok && last.IsExited() {
			succeeded[int(ev.Index)] = last.Payload
		}
	}
	return succeeded
}

// attribute sorts the events of a group's attempt by the branch or
// iteration they belong to. A Parallel branch's states have names of their
// own; a Map iteration's events go back, along previousEventId, to its
// MapIterationStarted; every other event follows the event before it.
func attribute(s *State, tail []HistoryEvent) map[int][]HistoryEvent {
	owner := make(map[int64]int, len(tail))
	children := map[int][]HistoryEvent{}
	for i := range tail {
		ev := &tail[i]
		idx, ok := -1, false
		switch {
		case s.Type == TypeParallel && ev.StateName != "":
			for b, branch := range s.Branches {
				if _, found := branch.Find(ev.StateName); found {
					idx, ok = b, true
					break
				}
			}
		case s.Type == TypeMap && ev.Type == types.HistoryEventTypeMapIterationStarted && ev.StateName == s.Name:
			idx, ok = int(ev.Index), true
		}
		if !ok {
			idx, ok = owner[ev.PreviousEventID]
		}
		if !ok {
			continue
		}
		owner[ev.ID] = idx
		children[idx] = append(children[idx], *ev)
	}
	return children
}

// redrivenGroup hands a frame that a redrive resumes the plan of the
// Parallel or Map state it resumes at, the first time that state starts
// its group; nil otherwise (a retry runs every branch or iteration).
func (x *Execution) redrivenGroup(f *frame, s *State) *groupPlan {
	g := f.redrive
	if g == nil || g.state != s {
		return nil
	}
	f.redrive = nil
	return g
}

// resumeThread starts a branch or iteration where a redrive resumes it:
// with the variables it had assigned, at the state where it stopped.
func (x *Execution) resumeThread(f *frame, tp *threadPlan) {
	if len(tp.vars) > 0 {
		sc := f.ownScope()
		for name, v := range tp.vars {
			n := tp.sizes[name]
			x.varBytes += n - sc.set(name, v, n)
		}
	}
	f.redrive = tp.group
	x.drive(f, tp.state, tp.input)
}

// RedriveOptions describe the redrive of one ended execution.
type RedriveOptions struct {
	// Name and StateMachineName are the execution's, as it was started.
	Name             string
	StateMachineName string
	// Events is the execution's whole history so far; the redrive keeps it
	// and appends its own events.
	Events []HistoryEvent
	// OnDone and OnSettled are as for Start.
	OnDone    func(*Execution)
	OnSettled func(*Execution)
	// Mock is the test case the execution ran with, if any: pass the same
	// run so that its invocation counts go on.
	Mock TaskMock
	// Observer, when set, sees the redrive's events, as StartOptions'.
	Observer Observer
	// MapRuns are the Map Runs the execution's Distributed Map states
	// started before (Execution.MapRuns), which the redriven execution
	// keeps. A Distributed Map state that did not finish redrives its Map
	// Run when it is one of these: only its children that did not succeed
	// run again. Without it, the state starts a new Map Run.
	MapRuns []*MapRun

	mapRun *MapRun // the Map Run whose child the execution is
}

// Redrive resumes an execution of m that ended FAILED, TIMED_OUT or
// ABORTED, as RedriveExecution does: from the state that did not finish,
// with that state's input and the variables then in scope, its retry
// counters reset. It returns a new Execution that keeps the history given,
// records ExecutionRedriven with the new redrive count and goes on from
// there; the execution keeps its start time and its TimeoutSeconds counts
// again from the redrive. A Distributed Map state that did not finish
// redrives its Map Run when opts.MapRuns holds it (see redriveRun). It
// fails for a history it cannot resume, never
// for the execution's status: the caller checks Redrivability first.
func (e *Engine) Redrive(ctx context.Context, m *StateMachine, opts RedriveOptions) (*Execution, error) {
	var lookup func(string) *MapRun
	if len(opts.MapRuns) > 0 {
		lookup = func(arn string) *MapRun {
			for _, r := range opts.MapRuns {
				if r.arn == arn {
					return r
				}
			}
			return nil
		}
	}
	pt, err := findRedrivePoint(m, opts.Events, lookup)
	if err != nil {
		return nil, err
	}
	s, ok := m.States[pt.State]
	if !ok || s == nil {
		return nil, fmt.Errorf("the history names the state %q, which the state machine does not have", pt.State)
	}
	vars := make(map[string]any, len(pt.Variables))
	for name, enc := range pt.Variables {
		v, err := value.DecodeString(enc)
		if err != nil {
			return nil, fmt.Errorf("the variable %q in the history is not JSON: %v", name, err)
		}
		vars[name] = v
	}
	count, _ := RedriveInfo(opts.Events)
	smName := opts.StateMachineName
	if smName == "" {
		smName = "StateMachine"
	}
	clk := e.clock()
	x := new(Execution)
	x.engine, x.machine, x.clk, x.ctx = e, m, clk, ctx
	x.Name, x.smName, x.input = opts.Name, smName, pt.ExecutionInput
	x.startTime, x.status = pt.Start, StatusRunning
	x.onDone, x.onSettled, x.mock = opts.OnDone, opts.OnSettled, opts.Mock
	x.redriveCount, x.redriveDate = count+1, clk.Now()
	x.observer = opts.Observer
	x.mapRuns, x.parentRun = append([]*MapRun(nil), opts.MapRuns...), opts.mapRun
	x.unobserved = e.History == HistoryNone && e.Observer == nil && opts.Observer == nil
	x.ticker, _ = clk.(clock.Ticker)
	last := opts.Events[len(opts.Events)-1].ID
	x.eventCount = last
	if e.History == HistoryFull {
		x.events = make([]HistoryEvent, len(opts.Events), len(opts.Events)+32)
		copy(x.events, opts.Events)
	}
	x.queue = x.queueBuf[:0]
	x.postWork(redriveWork{x: x, state: s, input: pt.Input, vars: vars, sizes: pt.Variables, prev: last, plan: pt.plan})
	return x, nil
}

// redriveWork resumes a redriven execution from its mailbox.
type redriveWork struct {
	x     *Execution
	state *State
	input any
	vars  map[string]any
	sizes map[string]string // the variables as encoded, for their sizes
	prev  int64
	plan  *groupPlan
}

func (w redriveWork) run() { w.x.resume(w) }

// resume records ExecutionRedriven and enters the state again.
func (x *Execution) resume(w redriveWork) {
	ev := HistoryEvent{Type: types.HistoryEventTypeExecutionRedriven, PreviousEventID: w.prev, RedriveCount: int32(x.redriveCount)}
	var id int64
	if x.unobserved {
		x.eventCount++
		id = x.eventCount
	} else {
		// The event is dated when RedriveDate says, as RedriveInfo reads it.
		id = x.record(ev, x.redriveDate)
	}
	x.countTransition(false) // Step Functions bills a redrive as a state transition
	x.armTimeout()
	root := &x.root
	root.x, root.machine, root.prev, root.redrive = x, x.machine, id, w.plan
	if x.machine.usesVars {
		root.vars, root.scoped = newScope(nil, x.machine.varCount), true
		for name, v := range w.vars {
			n := len(w.sizes[name])
			x.varBytes += n - root.vars.set(name, v, n)
		}
	}
	x.proceed(root, step{kind: outNext, next: w.state, output: w.input})
}

// RedriveCount returns how many times the execution has been redriven.
func (x *Execution) RedriveCount() int { return x.redriveCount }

// RedriveDate returns when the execution was last redriven (zero when
// never).
func (x *Execution) RedriveDate() time.Time { return x.redriveDate }
