package mockconfig

import (
	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/states"
)

// Answer gives the engine the answer to state's next invocation
// (asl.TaskMock): a Return is the task's output, a Throw its error. A
// mocked state whose answers are used up fails the execution with
// States.Runtime, which no Retry or Catch on States.ALL takes for a
// business error, naming the response and the index to add.
func (r *Run) Answer(state string) (asl.MockAnswer, bool) {
	a, _, ok, err := r.Next(state)
	switch {
	case !ok:
		return asl.MockAnswer{}, false
	case err != nil:
		return asl.MockAnswer{Err: states.New(states.Runtime, err.Error())}, true
	case a.Throw != nil:
		return asl.MockAnswer{Err: states.New(a.Throw.Error, a.Throw.Cause)}, true
	}
	return asl.MockAnswer{Output: a.Return}, true
}

// Unanswered words the failure of a Task state the test case does not
// mock and no handler answers (asl.UnansweredExplainer).
func (r *Run) Unanswered(state, resource string) string {
	return (&UnmockedError{State: state, Resource: resource, Machine: r.c.Machine, Case: r.c.Name, File: r.c.file}).Error()
}

var (
	_ asl.TaskMock            = (*Run)(nil)
	_ asl.UnansweredExplainer = (*Run)(nil)
)

// KindsOf tells Check what m has under a state name: a Task, another
// state, or none (in any branch or item processor).
func KindsOf(m *asl.StateMachine) func(string) StateKind {
	return func(name string) StateKind {
		s, ok := m.Find(name)
		switch {
		case !ok:
			return NoState
		case s.Type == asl.TypeTask:
			return TaskState
		}
		return OtherState
	}
}
