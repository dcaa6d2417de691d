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
// were entered. Times are offsets from ExecutionStarted.
func Timeline(events []asl.HistoryEvent) []Step {
	if len(events) == 0 {
		return nil
	}
	t0 := events[0].Timestamp
	var steps []Step
	open := map[string]int{} // state name → index of its open step
	var last = -1
	compensating := false
	for i := range events {
		e := &events[i]
		at := e.Timestamp.Sub(t0)
		switch {
		case e.IsEntered():
			typ := string(e.Type)
			typ = typ[:len(typ)-len("StateEntered")]
			steps = append(steps, Step{State: e.StateName, Type: typ, Compensation: compensating, Start: at, End: at, Outcome: OutcomeRunning})
			last = len(steps) - 1
			open[e.StateName] = last
		case e.IsExited():
			idx, ok := open[e.StateName]
			if !ok {
				continue
			}
			s := &steps[idx]
			s.End = at
			if i > 0 && isFailure(events[i-1].Type) {
				s.Outcome = OutcomeCaught
				compensating = true
			} else {
				s.Outcome = OutcomeSucceeded
			}
			delete(open, e.StateName)
		case e.Type == types.HistoryEventTypeTaskScheduled || e.Type == types.HistoryEventTypeLambdaFunctionScheduled:
			if last >= 0 {
				steps[last].Attempts++
			}
		case e.Type == types.HistoryEventTypeTaskFailed || e.Type == types.HistoryEventTypeLambdaFunctionFailed ||
			e.Type == types.HistoryEventTypeTaskTimedOut || e.Type == types.HistoryEventTypeLambdaFunctionTimedOut ||
			e.Type == types.HistoryEventTypeParallelStateFailed || e.Type == types.HistoryEventTypeMapStateFailed:
			if last >= 0 {
				timedOut := e.Type == types.HistoryEventTypeTaskTimedOut || e.Type == types.HistoryEventTypeLambdaFunctionTimedOut
				steps[last].Failures = append(steps[last].Failures, StepFailure{At: at, Error: e.Error, Cause: e.Cause, TimedOut: timedOut})
				steps[last].End = at
			}
		case e.Type == types.HistoryEventTypeExecutionFailed || e.Type == types.HistoryEventTypeExecutionTimedOut ||
			e.Type == types.HistoryEventTypeExecutionAborted:
			for _, idx := range open {
				steps[idx].Outcome = OutcomeFailed
				steps[idx].End = at
			}
		}
	}
	return steps
}
