package mockconfig

import (
	"fmt"

	"github.com/yafdp/yafdp/internal/asl/integration"
)

// StarterTask is what Starter needs to know of one Task state of a
// definition. The caller reads it from the parsed definition, so that
// this package does not depend on the engine.
type StarterTask struct {
	State    string
	Resource string
	// Retry lists the state's retriers in order; Catch the ErrorEquals of
	// its catchers in order.
	Retry []StarterRetrier
	Catch [][]string
	// InMap: the state runs inside a Map state, once per item.
	InMap bool
	// ItemReader: the state is a Distributed Map whose ItemReader the
	// test case answers (its items, or the object's body).
	ItemReader bool
}

// StarterRetrier is one retrier of a Task state.
type StarterRetrier struct {
	ErrorEquals []string
	MaxAttempts int
}

// Note is something a user should know about a generated response, such
// as a result that is the function's own and must be filled in.
type Note struct {
	State   string
	Message string
}

// Starter is a generated mock config: the document and its notes.
type Starter struct {
	// Machine and TestCase name the state machine and its one test case.
	Machine, TestCase string
	// Document is the mock config, ready to encode as JSON: StateMachines
	// first, then MockedResponses.
	Document StarterDocument
	Notes    []Note
}

// StarterDocument is a mock config in the Step Functions Local format.
type StarterDocument struct {
	StateMachines   map[string]StarterMachine            `json:"StateMachines"`
	MockedResponses map[string]map[string]map[string]any `json:"MockedResponses"`
}

// StarterMachine holds a state machine's test cases.
type StarterMachine struct {
	TestCases map[string]map[string]string `json:"TestCases"`
}

// MapInvocations is how many invocations the success response of a Task
// inside a Map state answers: one per item, so that a Map over up to
// that many items runs without editing.
const MapInvocations = 1000

// StarterCause is the Cause of the generated failures.
const StarterCause = "a mocked failure written by yafdp saga mock-config"

// NewStarter writes a starter mock config for a state machine: one test
// case, testCase, that maps every Task state to a response <State>Success
// returning the example result of its integration, and for every Task with
// a Retry or Catch a response <State>Failure to swap in, which throws on
// every attempt the Retry makes so that its Catch runs.
func NewStarter(machine, testCase string, tasks []StarterTask) (*Starter, error) {
	if len(tasks) == 0 {
		return nil, fmt.Errorf("the definition has no Task state; a mock config answers Task states only")
	}
	st := &Starter{Machine: machine, TestCase: testCase, Document: StarterDocument{
		StateMachines:   map[string]StarterMachine{machine: {TestCases: map[string]map[string]string{testCase: {}}}},
		MockedResponses: map[string]map[string]map[string]any{},
	}}
	cases := st.Document.StateMachines[machine].TestCases[testCase]
	for _, task := range tasks {
		if task.ItemReader {
			items := task.State + "Items"
			cases[task.State] = items
			st.Document.MockedResponses[items] = map[string]map[string]any{invocations(1, task.InMap): {"Return": []any{}}}
			st.Notes = append(st.Notes, Note{State: task.State, Message: "the Distributed Map's ItemReader: Return its items (an array) or the object's body (a string, e.g. CSV text); [] maps over no item"})
			continue
		}
		r, err := integration.Parse(task.Resource)
		if err != nil {
			return nil, fmt.Errorf("state %q: %w", task.State, err)
		}
		result, note := integration.Example(r)
		if note != "" {
			st.Notes = append(st.Notes, Note{State: task.State, Message: note})
		}
		success := task.State + "Success"
		cases[task.State] = success
		st.Document.MockedResponses[success] = map[string]map[string]any{
			invocations(1, task.InMap): {"Return": result},
		}
		if len(task.Retry) > 0 || len(task.Catch) > 0 {
			errName := failureError(task)
			st.Document.MockedResponses[task.State+"Failure"] = map[string]map[string]any{
				invocations(1+retries(task.Retry, errName), false): {"Throw": map[string]any{"Error": errName, "Cause": StarterCause}},
			}
		}
	}
	return st, nil
}

// invocations is the index range of n invocations from 0: "0", "0-3".
func invocations(n int, inMap bool) string {
	if inMap {
		n = MapInvocations
	}
	if n <= 1 {
		return "0"
	}
	return fmt.Sprintf("0-%d", n-1)
}

// failureError is the error a <State>Failure throws: the first error a
// catcher names, else the first a retrier names, else States.TaskFailed.
// States.ALL names no error of its own.
func failureError(task StarterTask) string {
	lists := append([][]string{}, task.Catch...)
	for _, r := range task.Retry {
		lists = append(lists, r.ErrorEquals)
	}
	for _, l := range lists {
		for _, e := range l {
			if e != "States.ALL" {
				return e
			}
		}
	}
	return "States.TaskFailed"
}

// retries is how often the state's Retry retries err: the MaxAttempts of
// the first retrier that matches it (retriers match in order).
func retries(rs []StarterRetrier, err string) int {
	for _, r := range rs {
		for _, e := range r.ErrorEquals {
			// States.TaskFailed matches every error but States.Timeout.
			if e == err || e == "States.ALL" || e == "States.TaskFailed" && err != "States.Timeout" {
				return r.MaxAttempts
			}
		}
	}
	return 0
}

// UnmockedError is the failure of a Task state that neither the mock
// config's test case nor a built-in fake answers.
type UnmockedError struct {
	State, Resource  string
	Machine, Case    string
	File, Definition string // the mock config and definition files, for the fix; may be ""
}

func (e *UnmockedError) Error() string {
	file := e.File
	if file == "" {
		file = "the mock config"
	}
	def := e.Definition
	if def == "" {
		def = "FILE"
	}
	return fmt.Sprintf("state %q (%s) has no mocked response in test case %q of state machine %q and yafdp has no built-in fake for it; "+
		"map it to a response in %s (StateMachines%s.TestCases%s), or write a starter with 'yafdp saga mock-config --definition %s'",
		e.State, e.Resource, e.Case, e.Machine, file, key(e.Machine), key(e.Case), def)
}
