package mockconfig

import (
	"fmt"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/states"
	"github.com/yafdp/yafdp/internal/mix"
)

// Answer gives the engine the answer to state's next invocation
// (asl.TaskMock): a Return is the task's output, a Throw its error, after
// the response's Latency; a Chance may replace it; a Fake hands the call to
// that fake. A mocked state whose answers are used up fails the execution
// with States.Runtime, which no Retry or Catch on States.ALL takes for a
// business error, naming the response and the index to add.
func (r *Run) Answer(state string) (asl.MockAnswer, bool) {
	resp, a, n, ok, err := r.next(state)
	switch {
	case !ok:
		return asl.MockAnswer{}, false
	case err != nil:
		return asl.MockAnswer{Err: states.New(states.Runtime, err.Error())}, true
	}
	ext := resp.Ext
	if ext == nil {
		return a.mockAnswer(), true
	}
	if ext.Fake != "" {
		var h asl.TaskHandler
		if r.opts.Fake != nil {
			h = r.opts.Fake(ext.Fake)
		}
		if h == nil {
			return asl.MockAnswer{Err: states.New(states.Runtime, fmt.Sprintf("the mocked response %q answers from the built-in fake %q, which this runner does not have", resp.Name, ext.Fake))}, true
		}
		return asl.MockAnswer{Handler: h}, true
	}
	d := draws{s: r.key ^ mix.String(state) ^ uint64(n)*0x9e3779b97f4a7c15}
	u := d.float()
	sampler := &ext.sampler
	for i := range ext.Chances {
		c := &ext.Chances[i]
		if u < c.Probability {
			a = &c.Answer
			if c.HasLatency {
				sampler = &c.sampler
			}
			break
		}
		u -= c.Probability
	}
	out := a.mockAnswer()
	out.Delay = sampler.Sample(d.float(), d.float())
	return out, true
}

// mockAnswer is the engine's form of a: its Return, or its Throw's error
// (made once: an execution never changes an error value, so every
// invocation shares it).
func (a *Answer) mockAnswer() asl.MockAnswer {
	if a.Throw != nil {
		return asl.MockAnswer{Err: a.err}
	}
	return asl.MockAnswer{Output: a.Return}
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
		case s.Type == asl.TypeTask, s.ReadsItems():
			return TaskState
		}
		return OtherState
	}
}

// draws is a SplitMix64 stream of uniform draws in [0, 1).
type draws struct{ s uint64 }

func (d *draws) float() float64 {
	d.s += 0x9e3779b97f4a7c15
	return float64(mix.Bits(d.s)>>11) * 0x1p-53
}
