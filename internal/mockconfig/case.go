package mockconfig

import (
	"fmt"
	"strings"
	"sync"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/mix"
)

// Case is one test case of one state machine, ready to answer its Task
// states. It is read-only and may be shared by concurrent executions; each
// execution counts its invocations with a Run of its own.
type Case struct {
	Machine string
	Name    string
	file    string // the config's file, for messages; may be ""
	states  map[string]mocked
}

// mocked is a state's response and its place among the case's states,
// where a Run counts its invocations.
type mocked struct {
	resp *Response
	i    int
}

// Case returns the test case testCase of the state machine machine.
func (c *Config) Case(machine, testCase string) (*Case, error) {
	sm, ok := c.StateMachines[machine]
	if !ok {
		return nil, problem(c.file, "StateMachines", fmt.Sprintf("no state machine named %q; the config has %s", machine, list(sortedKeys(c.StateMachines))))
	}
	tc, ok := sm.TestCases[testCase]
	if !ok {
		return nil, problem(c.file, "StateMachines"+key(machine)+".TestCases", fmt.Sprintf("no test case named %q; the state machine has %s", testCase, list(sortedKeys(sm.TestCases))))
	}
	k := &Case{Machine: machine, Name: testCase, file: c.file, states: make(map[string]mocked, len(tc.States))}
	for i, state := range sortedKeys(tc.States) {
		k.states[state] = mocked{resp: c.Responses[tc.States[state]], i: i}
	}
	return k, nil
}

// StateKind says what a definition has under a state name, for Check.
type StateKind uint8

// The kinds Check tells apart.
const (
	NoState StateKind = iota
	TaskState
	OtherState
)

// Check reports the first test case of machine that names a state the
// definition lacks or a state that is not a Task. kind tells what the
// definition has under a name (in any branch or Map processor).
func (c *Config) Check(machine string, kind func(state string) StateKind) error {
	sm, ok := c.StateMachines[machine]
	if !ok {
		return nil
	}
	for _, cn := range sortedKeys(sm.TestCases) {
		tc := sm.TestCases[cn]
		for _, state := range sortedKeys(tc.States) {
			at := "StateMachines" + key(machine) + ".TestCases" + key(cn) + key(state)
			switch kind(state) {
			case NoState:
				return problem(c.file, at, fmt.Sprintf("the state machine has no state named %q; name a Task state of the definition", state))
			case OtherState:
				return problem(c.file, at, fmt.Sprintf("%q is not a Task state; only Task states (and a Distributed Map's ItemReader, under the Map state's name) are mocked", state))
			}
		}
	}
	return nil
}

// Mocks reports whether the case answers state.
func (k *Case) Mocks(state string) bool {
	_, ok := k.states[state]
	return ok
}

// Run counts one execution's invocations of each mocked state. A
// Distributed Map's child executions share their parent's Run, as Step
// Functions Local counts a state's invocations across them, and may run
// at once: a mutex guards the counts.
type Run struct {
	c     *Case
	mu    sync.Mutex
	opts  RunOptions
	key   uint64 // the seed and the execution's name, hashed
	calls []int  // by mocked.i
	small [8]int // calls' backing array for up to eight states
}

// RunOptions configure the Run of one execution.
type RunOptions struct {
	// Seed and Execution (the execution's name) drive the draws of the
	// responses' Chances and Latency: each is a pure function of them, the
	// state and the invocation index, so a run does not depend on how
	// concurrent executions interleave.
	Seed      uint64
	Execution string
	// Fake returns the handler of the built-in fake a response names (see
	// Extension.Fake); nil when the runner has no fakes.
	Fake func(name string) asl.TaskHandler
}

// NewRun starts counting invocations for one execution.
func (k *Case) NewRun(opts RunOptions) *Run {
	return &Run{c: k, opts: opts, key: mix.Bits(opts.Seed ^ mix.String(opts.Execution))}
}

// Case returns the test case the run answers from.
func (r *Run) Case() *Case { return r.c }

// Next returns the answer to state's next invocation and the invocation's
// index. ok is false when the case does not mock state. An invocation past
// the last answer is an error: Step Functions Local fails the execution
// when a mocked state has no answer for an invocation. A response with an
// extension repeats its last answer instead; a response that is only a
// Fake has no answer (nil, with no error).
func (r *Run) Next(state string) (a *Answer, n int, ok bool, err error) {
	_, a, n, ok, err = r.next(state)
	return a, n, ok, err
}

func (r *Run) next(state string) (resp *Response, a *Answer, n int, ok bool, err error) {
	m, ok := r.c.states[state]
	if !ok {
		return nil, nil, 0, false, nil
	}
	r.mu.Lock()
	if r.calls == nil {
		r.calls = r.small[:0]
		if len(r.c.states) > len(r.small) {
			r.calls = make([]int, 0, len(r.c.states))
		}
		r.calls = r.calls[:len(r.c.states)]
	}
	resp, n = m.resp, r.calls[m.i]
	r.calls[m.i] = n + 1
	r.mu.Unlock()
	if len(resp.Answers) == 0 {
		return resp, nil, n, true, nil
	}
	if a = resp.answer(n); a == nil {
		last := resp.Answers[len(resp.Answers)-1]
		if resp.Ext != nil {
			return resp, last, n, true, nil
		}
		return resp, nil, n, true, fmt.Errorf("the mocked response %q of test case %q has no answer for invocation %d of state %q (it answers invocations 0 to %d); add an answer for index \"%d\"", resp.Name, r.c.Name, n, state, last.To, n)
	}
	return resp, a, n, true, nil
}

// answer finds the answer that serves invocation n, nil past the last.
func (r *Response) answer(n int) *Answer {
	for _, a := range r.Answers {
		if n <= a.To {
			return a
		}
	}
	return nil
}

func list(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// States lists the states the case mocks, sorted.
func (k *Case) States() []string { return sortedKeys(k.states) }
