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
	t0 := events[0].Timestamp
	var steps []Step
	owner := make(map[int64]int, len(events))                    // event id → its step
	kinds := make(map[int64]types.HistoryEventType, len(events)) // event id → its type
	open := map[int]bool{}                                       // steps entered and not exited
	last := -1
	compensating := false
	// ownerOf is the step an event belongs to: its previous event's, or,
	// for an event without one, the step entered last.
	ownerOf := func(e *asl.HistoryEvent) int {
		if idx, ok := owner[e.PreviousEventID]; ok {
			return idx
		}
		return last
	}
	// latestOpen is the open step entered last that match accepts.
	latestOpen := func(match func(*Step) bool) int {
		for idx := len(steps) - 1; idx >= 0; idx-- {
			if open[idx] && match(&steps[idx]) {
				return idx
			}
		}
		return -1
	}
	for i := range events {
		e := &events[i]
		at := e.Timestamp.Sub(t0)
		kinds[e.ID] = e.Type
		idx := ownerOf(e)
		switch {
		case e.IsEntered():
			typ := string(e.Type)
			typ = typ[:len(typ)-len("StateEntered")]
			steps = append(steps, Step{State: e.StateName, Type: typ, Compensation: compensating, Start: at, End: at, Outcome: OutcomeRunning})
			idx = len(steps) - 1
			last = idx
			open[idx] = true
		case e.IsExited():
			if idx < 0 || steps[idx].State != e.StateName || !open[idx] {
				// A Parallel or Map state's exit follows its branches'
				// events: find the state by name.
				idx = latestOpen(func(s *Step) bool { return s.State == e.StateName })
			}
			if idx < 0 {
				continue
			}
			s := &steps[idx]
			s.End = at
			if isFailure(kinds[e.PreviousEventID]) {
				s.Outcome = OutcomeCaught
				compensating = true
			} else {
				s.Outcome = OutcomeSucceeded
			}
			delete(open, idx)
		case e.Type == types.HistoryEventTypeTaskScheduled || e.Type == types.HistoryEventTypeLambdaFunctionScheduled:
			if idx >= 0 {
				steps[idx].Attempts++
			}
		case e.Type == types.HistoryEventTypeParallelStateFailed || e.Type == types.HistoryEventTypeMapStateFailed:
			typ := "Parallel"
			if e.Type == types.HistoryEventTypeMapStateFailed {
				typ = "Map"
			}
			if idx = latestOpen(func(s *Step) bool { return s.Type == typ }); idx >= 0 {
				steps[idx].Failures = append(steps[idx].Failures, StepFailure{At: at, Error: e.Error, Cause: e.Cause})
				steps[idx].End = at
			}
		case e.Type == types.HistoryEventTypeTaskFailed || e.Type == types.HistoryEventTypeLambdaFunctionFailed ||
			e.Type == types.HistoryEventTypeTaskTimedOut || e.Type == types.HistoryEventTypeLambdaFunctionTimedOut:
			if idx >= 0 {
				timedOut := e.Type == types.HistoryEventTypeTaskTimedOut || e.Type == types.HistoryEventTypeLambdaFunctionTimedOut
				steps[idx].Failures = append(steps[idx].Failures, StepFailure{At: at, Error: e.Error, Cause: e.Cause, TimedOut: timedOut})
				steps[idx].End = at
			}
		case e.Type == types.HistoryEventTypeExecutionFailed || e.Type == types.HistoryEventTypeExecutionTimedOut ||
			e.Type == types.HistoryEventTypeExecutionAborted:
			for idx := range open {
				steps[idx].Outcome = OutcomeFailed
				steps[idx].End = at
			}
		}
		owner[e.ID] = idx
	}
	return steps
}
