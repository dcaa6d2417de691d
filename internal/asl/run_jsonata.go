package asl

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl/states"
	"github.com/yafdp/yafdp/internal/asl/value"
)

// A JSONata state reads its input as $states.input, its result (Task,
// Parallel, Map) as $states.result and, in a catcher, the error as
// $states.errorOutput. Arguments builds what a Task or the branches get
// (the input by default); Output builds what the state hands on (its
// result, or its input for a state without one, or the error output in a
// catcher); Assign sets variables. Assign and Output are evaluated with
// the same $states and the variables as they were on entry.

// runJSONata runs a JSONata state that has just been entered.
func (x *Execution) runJSONata(f *frame, s *State) step {
	x.setStates(f, 0, f.input, nil, nil, s)
	switch s.Type {
	case TypePass, TypeSucceed:
		return x.exitJ(f, s, s.output, s.assign, f.input)
	case TypeTask:
		return x.runTaskJ(f, s)
	case TypeChoice:
		return x.runChoiceJ(f, s)
	case TypeWait:
		return x.runWaitJ(f, s)
	case TypeFail:
		return x.runFailJ(f, s)
	case TypeParallel:
		eff, fl := x.argumentsJ(f, s)
		if fl != nil {
			return failed(*fl)
		}
		f.effective = eff
		return x.attempt(f, s)
	default:
		f.effective = f.input
		return x.attempt(f, s)
	}
}

// exitJ ends a JSONata state: it evaluates assign and output (def when
// there is no Output) with the frame's $states, sets the variables, and
// emits the Exited event. Succeed ends the frame; the others move on.
func (x *Execution) exitJ(f *frame, s *State, output *jfield, as *assign, def any) step {
	next := moveOn(s, nil)
	return x.leaveJ(f, s, output, as, def, exitedType(s.Type), next)
}

// leaveJ is exitJ toward next (a Choice rule's target, a catcher's).
func (x *Execution) leaveJ(f *frame, s *State, output *jfield, as *assign, def any, typ types.HistoryEventType, next step) step {
	var assigned *assignment
	if as != nil {
		var fl *failure
		if assigned, fl = x.evalAssign(f, as, nil); fl != nil {
			return failed(*fl)
		}
	}
	out := def
	if output != nil {
		var fl *failure
		if out, fl = x.fieldJ(f, output); fl != nil {
			return failed(*fl)
		}
	}
	if !value.SizeAtMost(out, MaxPayloadBytes) {
		return failed(x.dataLimit(f))
	}
	if fl := x.applyAssign(f, assigned); fl != nil {
		return failed(*fl)
	}
	x.exited(f, s, typ, out, assigned)
	if s.Type == TypeSucceed {
		return step{kind: outEnd, output: out}
	}
	next.output = out
	return next
}

// exited emits a state's Exited event, with the variables it assigned.
func (x *Execution) exited(f *frame, s *State, typ types.HistoryEventType, out any, as *assignment) {
	if x.unobserved {
		x.countEvent(f)
		return
	}
	ev := HistoryEvent{Type: typ, StateName: s.Name, Payload: out}
	if as != nil && len(as.encoded) > 0 {
		ev.Assigned = as.encoded
	}
	x.event(f, &ev)
}

// argumentsJ evaluates a Task's or Parallel's Arguments: the input when
// there are none.
func (x *Execution) argumentsJ(f *frame, s *State) (any, *failure) {
	if s.arguments == nil {
		return f.input, nil
	}
	return x.fieldJ(f, s.arguments)
}

// fieldJ evaluates a JSONata field; an evaluation that fails is the
// state's failure.
func (x *Execution) fieldJ(f *frame, jf *jfield) (any, *failure) {
	v, bad := x.evalField(f, jf)
	if bad != nil {
		return nil, x.queryFailed(f, bad)
	}
	return v, nil
}

// fieldAsJ is fieldJ for a field whose value must be a T; typ names T in
// the failure when it is not.
func fieldAsJ[T any](x *Execution, f *frame, jf *jfield, typ string) (T, *failure) {
	v, fl := x.fieldJ(f, jf)
	t, ok := v.(T)
	if fl == nil && !ok {
		fl = x.queryFailed(f, typeFailure(jf, typ, v))
	}
	return t, fl
}

func (x *Execution) runTaskJ(f *frame, s *State) step {
	x.prepareTask(f, s)
	if x.reuseTaskInputs && s.arguments != nil && x.readsRecords(s.Resource) {
		// A Pool's handler that reads records gets the Arguments as
		// records, built in the previous Task's.
		if f.arena == nil {
			f.arena = new(recordArena)
		}
		f.arena.n = 0
		f.js.records = f.arena
	}
	eff, fl := x.argumentsJ(f, s)
	f.js.records = nil
	if fl != nil {
		return failed(*fl)
	}
	f.effective = eff
	if fl := x.taskTimings(f, s); fl != nil {
		return failed(*fl)
	}
	return x.invoke(f, s)
}

// secondsJ evaluates a field that must give a whole number of seconds of
// at least min.
func (x *Execution) secondsJ(f *frame, jf *jfield, min int64) (time.Duration, *failure) {
	v, fl := x.fieldJ(f, jf)
	if fl != nil {
		return 0, fl
	}
	n, ok := value.Int(v)
	if !ok || n < min {
		bad := typeFailure(jf, "integer", v)
		if ok {
			bad = &evalFailure{field: jf.name, cause: fmt.Sprintf("The %s field must be at least %d, but was %d.", jf.name, min, n)}
		}
		return 0, x.queryFailed(f, bad)
	}
	return time.Duration(n) * time.Second, nil
}

// resultJ is what a JSONata Task, Parallel or Map does with its result.
func (x *Execution) resultJ(f *frame, s *State, result any) step {
	x.setStates(f, statesResult, f.input, result, nil, s)
	return x.exitJ(f, s, s.output, s.assign, result)
}

// catchJ sends a failure to a JSONata catcher: its Assign and Output read
// $states.errorOutput, which is also its default output.
func (x *Execution) catchJ(f *frame, s *State, c *Catcher, errOut map[string]any) step {
	x.setStates(f, statesErrorOutput, f.input, nil, errOut, s)
	return x.leaveJ(f, s, c.output, c.assign, errOut, exitedType(s.Type), step{kind: outNext, next: c.next})
}

func (x *Execution) runChoiceJ(f *frame, s *State) step {
	for _, r := range s.choices {
		b, fl := fieldAsJ[bool](x, f, r.condition, "boolean")
		if fl != nil {
			return failed(*fl)
		}
		if b {
			return x.leaveJ(f, s, r.output, r.assign, f.input, types.HistoryEventTypeChoiceStateExited, step{kind: outNext, next: r.next})
		}
	}
	if s.defaultNext == nil {
		return failed(failure{name: states.NoChoiceMatched, cause: fmt.Sprintf("No choice rule of state '%s' matched the input and it has no Default.", s.Name)})
	}
	return x.leaveJ(f, s, s.output, s.assign, f.input, types.HistoryEventTypeChoiceStateExited, step{kind: outNext, next: s.defaultNext})
}

func (x *Execution) runWaitJ(f *frame, s *State) step {
	now := x.clk.Now()
	var d time.Duration
	switch {
	case s.waitSecondsJ != nil:
		var fl *failure
		if d, fl = x.secondsJ(f, s.waitSecondsJ, 0); fl != nil {
			return failed(*fl)
		}
	case s.waitTimestampJ != nil:
		v, fl := x.fieldJ(f, s.waitTimestampJ)
		if fl != nil {
			return failed(*fl)
		}
		str, _ := v.(string)
		t, err := parseTimestamp(str)
		if _, isStr := v.(string); !isStr || err != nil {
			shown := str
			if !isStr {
				shown = value.MustEncodeString(v)
			}
			return failed(x.queryFailure(f, &evalFailure{field: "Timestamp", cause: "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: " + shown}))
		}
		d = t.Sub(now)
	case s.hasWaitTimestamp:
		d = s.waitTimestamp.Sub(now)
	default:
		d = time.Duration(s.waitSeconds) * time.Second
	}
	x.after(f, max(d, 0), x.arm(f), func() step {
		return x.exitJ(f, s, s.output, s.assign, f.input)
	})
	return suspend
}

func (x *Execution) runFailJ(f *frame, s *State) step {
	fl := failure{name: s.errorName, cause: s.cause}
	for _, part := range []struct {
		jf  *jfield
		out *string
	}{{s.errorJ, &fl.name}, {s.causeJ, &fl.cause}} {
		if part.jf == nil {
			continue
		}
		str, bad := fieldAsJ[string](x, f, part.jf, "string")
		if bad != nil {
			return failed(*bad)
		}
		*part.out = str
	}
	return failed(fl)
}

// mapItemsJ reads a JSONata Map's items and MaxConcurrency.
func (x *Execution) mapItemsJ(f *frame, s *State, needItems bool) ([]any, int, *failure) {
	items := f.input
	if !needItems {
		items = []any{}
	} else if s.items != nil {
		list, fl := fieldAsJ[[]any](x, f, s.items, "array")
		if fl != nil {
			return nil, 0, fl
		}
		items = list
	}
	list, ok := items.([]any)
	if !ok {
		return nil, 0, x.queryFailed(f, &evalFailure{field: "Items", cause: "Map state input must be an array but was: " + value.MustEncodeString(items)})
	}
	for _, t := range s.tolerated {
		if t.j == nil {
			continue
		}
		v, fl := x.fieldJ(f, t.j)
		if fl != nil {
			return nil, 0, fl
		}
		if n, ok := value.Float(v); !ok || n < 0 {
			return nil, 0, x.queryFailed(f, typeFailure(t.j, "number", v))
		}
	}
	maxConc := int(s.maxConcurrency)
	if s.maxConcurrencyJ != nil {
		d, fl := x.secondsJ(f, s.maxConcurrencyJ, 0)
		if fl != nil {
			return nil, 0, fl
		}
		maxConc = int(d / time.Second)
	}
	return list, maxConc, nil
}

// itemInputJ builds one Map iteration's input with the JSONata
// ItemSelector: $states.input is the Map's input, and
// $states.context.Map.Item its index and value.
func (x *Execution) itemInputJ(f *frame, s *State, i int, item any) (any, *failure) {
	if s.itemSelectorJ == nil {
		return item, nil
	}
	ctx := x.context(f)
	itemCtx := make(map[string]any, len(ctx)+1)
	for k, v := range ctx {
		itemCtx[k] = v
	}
	itemCtx["Map"] = map[string]any{"Item": map[string]any{"Index": value.IntNumber(int64(i)), "Value": item}}
	x.setStatesCtx(f, 0, f.input, nil, nil, itemCtx)
	return x.fieldJ(f, s.itemSelectorJ)
}
