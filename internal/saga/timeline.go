package saga

import (
	"encoding/json"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl"
)

// Step is one state of an execution as a person reads it: when it started
// and ended, how many attempts it took, what failed along the way and how it
// ended.
type Step struct {
	State string `json:"state"`
	// Type is the state type: Task, Pass, Choice, Wait, Succeed, Fail,
	// Parallel or Map.
	Type string `json:"type"`
	// Compensation is true for states run after a Catch fired, i.e. while
	// undoing the saga.
	Compensation bool          `json:"compensation"`
	Start        time.Duration `json:"-"`
	End          time.Duration `json:"-"`
	// Attempts counts Task invocations (1 + retries).
	Attempts int           `json:"attempts"`
	Failures []StepFailure `json:"failures,omitempty"`
	// Outcome is succeeded, caught (failed and went to a Catch), failed (and
	// failed the execution) or running.
	Outcome string `json:"outcome"`
}

// MarshalJSON writes Start and End as milliseconds (startMs, endMs).
func (s Step) MarshalJSON() ([]byte, error) {
	type plain Step
	return json.Marshal(struct {
		plain
		StartMS float64 `json:"startMs"`
		EndMS   float64 `json:"endMs"`
	}{plain(s), millis(s.Start), millis(s.End)})
}

// StepFailure is one failed attempt of a step.
type StepFailure struct {
	At       time.Duration `json:"-"`
	Error    string        `json:"error"`
	Cause    string        `json:"cause,omitempty"`
	TimedOut bool          `json:"timedOut,omitempty"`
}

// MarshalJSON writes At as milliseconds (atMs).
func (f StepFailure) MarshalJSON() ([]byte, error) {
	type plain StepFailure
	return json.Marshal(struct {
		AtMS float64 `json:"atMs"`
		plain
	}{millis(f.At), plain(f)})
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Step outcomes.
const (
	OutcomeSucceeded = "succeeded"
	OutcomeCaught    = "caught"
	OutcomeFailed    = "failed"
	OutcomeRunning   = "running"
)

// Timeline turns an execution's history into steps, in the order the states
// were entered. Times are offsets from ExecutionStarted. An event belongs
// to the step its chain of previous events leads back to, so that the
// states of concurrent Parallel branches and Map iterations, whose events
// interleave, each get their own attempts and failures.
func Timeline(events []asl.HistoryEvent) []Step {
	if len(events) == 0 {
		return nil
	}
	tl := timeline{
		t0:    events[0].Timestamp,
		owner: make(map[int64]int, len(events)),
		kinds: make(map[int64]types.HistoryEventType, len(events)),
		open:  map[int]bool{},
		last:  -1,
	}
	for i := range events {
		tl.add(&events[i])
	}
	return tl.steps
}

// timeline builds the steps of one history, an event at a time.
type timeline struct {
	t0           time.Time
	steps        []Step
	owner        map[int64]int                    // event id → its step
	kinds        map[int64]types.HistoryEventType // event id → its type
	open         map[int]bool                     // steps entered and not exited
	last         int                              // the step entered last
	compensating bool                             // a Catch has fired
}

func (tl *timeline) add(e *asl.HistoryEvent) {
	at := e.Timestamp.Sub(tl.t0)
	tl.kinds[e.ID] = e.Type
	idx := tl.ownerOf(e)
	switch {
	case e.IsEntered():
		idx = tl.enter(e, at)
	case e.IsExited():
		if idx = tl.exit(e, idx, at); idx < 0 {
			return
		}
	case e.Type == types.HistoryEventTypeTaskScheduled || e.Type == types.HistoryEventTypeLambdaFunctionScheduled:
		if idx >= 0 {
			tl.steps[idx].Attempts++
		}
	case e.Type == types.HistoryEventTypeParallelStateFailed || e.Type == types.HistoryEventTypeMapStateFailed:
		typ := "Parallel"
		if e.Type == types.HistoryEventTypeMapStateFailed {
			typ = "Map"
		}
		idx = tl.latestOpen(func(s *Step) bool { return s.Type == typ })
		tl.fail(idx, StepFailure{At: at, Error: e.Error, Cause: e.Cause})
	case e.Type == types.HistoryEventTypeTaskFailed || e.Type == types.HistoryEventTypeLambdaFunctionFailed ||
		e.Type == types.HistoryEventTypeTaskTimedOut || e.Type == types.HistoryEventTypeLambdaFunctionTimedOut:
		timedOut := e.Type == types.HistoryEventTypeTaskTimedOut || e.Type == types.HistoryEventTypeLambdaFunctionTimedOut
		tl.fail(idx, StepFailure{At: at, Error: e.Error, Cause: e.Cause, TimedOut: timedOut})
	case e.Type == types.HistoryEventTypeExecutionFailed || e.Type == types.HistoryEventTypeExecutionTimedOut ||
		e.Type == types.HistoryEventTypeExecutionAborted:
		for i := range tl.open {
			tl.steps[i].Outcome = OutcomeFailed
			tl.steps[i].End = at
		}
	}
	tl.owner[e.ID] = idx
}

// ownerOf is the step an event belongs to: its previous event's, or, for
// an event without one, the step entered last.
func (tl *timeline) ownerOf(e *asl.HistoryEvent) int {
	if idx, ok := tl.owner[e.PreviousEventID]; ok {
		return idx
	}
	return tl.last
}

// enter opens a step for a state's Entered event.
func (tl *timeline) enter(e *asl.HistoryEvent, at time.Duration) int {
	typ := string(e.Type)
	typ = typ[:len(typ)-len("StateEntered")]
	tl.steps = append(tl.steps, Step{State: e.StateName, Type: typ, Compensation: tl.compensating, Start: at, End: at, Outcome: OutcomeRunning})
	tl.last = len(tl.steps) - 1
	tl.open[tl.last] = true
	return tl.last
}

// exit closes the step of a state's Exited event (idx, the owner of its
// previous event, or the state by name), caught when a failure came
// just before; -1 when no step is open for it.
func (tl *timeline) exit(e *asl.HistoryEvent, idx int, at time.Duration) int {
	if idx < 0 || tl.steps[idx].State != e.StateName || !tl.open[idx] {
		// A Parallel or Map state's exit follows its branches' events:
		// find the state by name.
		idx = tl.latestOpen(func(s *Step) bool { return s.State == e.StateName })
	}
	if idx < 0 {
		return -1
	}
	s := &tl.steps[idx]
	s.End = at
	if isFailure(tl.kinds[e.PreviousEventID]) {
		s.Outcome = OutcomeCaught
		tl.compensating = true
	} else {
		s.Outcome = OutcomeSucceeded
	}
	delete(tl.open, idx)
	return idx
}

// fail records a failed attempt of step idx (none when idx is -1).
func (tl *timeline) fail(idx int, f StepFailure) {
	if idx >= 0 {
		tl.steps[idx].Failures = append(tl.steps[idx].Failures, f)
		tl.steps[idx].End = f.At
	}
}

// latestOpen is the open step entered last that match accepts, -1 for
// none.
func (tl *timeline) latestOpen(match func(*Step) bool) int {
	for idx := len(tl.steps) - 1; idx >= 0; idx-- {
		if tl.open[idx] && match(&tl.steps[idx]) {
			return idx
		}
	}
	return -1
}
