package asl

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl/intrinsic"
	"github.com/yafdp/yafdp/internal/asl/jsonpath"
	"github.com/yafdp/yafdp/internal/asl/states"
	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/clock"
)

// frame is one thread of control: the whole execution, one Parallel branch
// or one Map iteration. Frames are only touched from the execution's mailbox.
type frame struct {
	x       *Execution
	machine *StateMachine
	parent  *group // nil for the execution's root frame
	index   int    // branch or iteration index in parent

	state     *State
	input     any // the current state's raw input
	effective any // its effective input (after InputPath and Parameters)
	entered   int64
	// enteredPrev is the event before the current state's Entered event,
	// which an EvaluationFailed event names as its previous.
	enteredPrev int64
	prev        int64         // the last event on this thread, for previousEventId
	taskStart   time.Duration // when the current task call started (a tick)
	call        *taskCall     // the last task call, reused once it has answered
	firstCall   taskCall      // the frame's first task call, allocated with it
	mocked      *mockCall     // the answer of its last mocked call
	ctx         *frameCtx     // for a machine that reads $$ (readsContext)
	// taskMaps are the objects of the frame's Task Parameters, reused
	// from one Task to the next under Engine.reuseTaskInputs.
	taskMaps intrinsic.MapPool
	// taskRecs are the records of the Task Parameters for a handler that
	// reads records (RecordReader), reused the same way.
	taskRecs intrinsic.RecordPool

	// owned: input is an object this frame's own ResultPath (or Catch)
	// built and nothing else holds, so the next ResultPath may set its field
	// in place (State.reuseInput). Events would hold it; so ownership needs
	// an unobserved execution. Frames start owning nothing: the execution
	// input is the caller's, a branch's or iteration's is shared.
	owned bool
	dead  bool

	retryCounts []int
	retryBuf    [4]int // retryCounts' backing array for up to four retriers
	retryCount  int
	timeout     time.Duration
	heartbeat   time.Duration // the current Task's HeartbeatSeconds
	taskToken   string        // the current .waitForTaskToken call's token
	roleARN     string        // the current Task's Credentials role
	token       uint64        // bumped to invalidate pending callbacks
	timer       clock.Timer
	hbTimer     clock.Timer // the current call's heartbeat timeout
	group       *group      // the running Parallel branches or Map iterations
	run         *distRun    // the running Distributed Map's Map Run

	// vars is the scope of workflow variables the frame reads; scoped says
	// whether it is the frame's own (else its parent's, until it assigns).
	vars   *scope
	scoped bool
	// js holds $states and the bindings for the frame's JSONata fields.
	js *jstate
	// asg is the frame's last Assign's values, whose memory the next reuses.
	asg *assignment
	// arena holds the records of a Pool's JSONata Task Arguments.
	arena *recordArena
	// spare is a recycled execution's root scope, emptied, for its next
	// start.
	spare *scope
	// redrive is the plan of the Parallel or Map state a redrive resumes
	// this frame at, until that state starts its group (redrive.go).
	redrive *groupPlan
}

// frameCtx is what a frame keeps for the context object ($$).
type frameCtx struct {
	enteredAt time.Time      // when the current state was entered
	obj       map[string]any // the context object, built on first use
}

type groupKind uint8

const (
	groupParallel groupKind = iota
	groupMap
)

// group is the set of branches of a Parallel state or iterations of a Map
// state currently running for one frame.
type group struct {
	kind      groupKind
	owner     *frame
	items     []any // a Map's items
	maxConc   int   // a Map's MaxConcurrency (0: no limit)
	frames    []*frame
	results   []any
	remaining int
	running   int
	next      int
	launching bool
	failed    bool
	fail      failure
	// plan is what a redrive does with the branches or iterations: those
	// that succeeded before it do not run again (redrive.go).
	plan *groupPlan
}

type outcome uint8

const (
	outNext outcome = iota
	outEnd
	outFail
	outSuspend
)

// step is what running a state (or resuming it) leads to.
type step struct {
	kind   outcome
	next   *State
	output any
	owned  bool // output is an object the frame owns (see frame.owned)
	fail   failure
}

var suspend = step{kind: outSuspend}

func failed(f failure) step { return step{kind: outFail, fail: f} }

// moveOn is where a state goes once it has its output.
func moveOn(s *State, output any) step {
	if s.End || s.next == nil {
		return step{kind: outEnd, output: output}
	}
	return step{kind: outNext, next: s.next, output: output}
}

// drive enters s with input and runs the frame as far as it can go without
// waiting.
func (x *Execution) drive(f *frame, s *State, input any) {
	x.proceed(f, step{kind: outNext, next: s, output: input})
}

func (x *Execution) proceed(f *frame, r step) {
	for {
		if f.dead || x.isEnded() {
			return
		}
		switch r.kind {
		case outSuspend:
			return
		case outNext:
			r = x.enter(f, r.next, r.output, r.owned)
		case outEnd:
			x.frameDone(f, r.output)
			return
		case outFail:
			x.frameFailed(f, r.fail)
			return
		}
	}
}

func (x *Execution) frameDone(f *frame, output any) {
	if f.parent == nil {
		x.finish(StatusSucceeded, output, "", "", types.HistoryEventTypeExecutionSucceeded, f.prev)
		return
	}
	f.parent.childDone(f, output)
}

func (x *Execution) frameFailed(f *frame, fl failure) {
	if f.parent == nil {
		x.finish(StatusFailed, nil, fl.name, fl.cause, types.HistoryEventTypeExecutionFailed, f.prev)
		return
	}
	f.parent.childFailed(f, fl)
}

// event emits an event on the frame's thread.
func (x *Execution) event(f *frame, ev *HistoryEvent) int64 {
	if x.unobserved {
		return x.countEvent(f) // nobody looks at the event: count it
	}
	ev.PreviousEventID = f.prev
	f.prev = x.emit(*ev)
	return f.prev
}

// countEvent is event for an unobserved execution, which only counts
// events: the hot paths call it directly, sparing themselves the event.
func (x *Execution) countEvent(f *frame) int64 {
	x.eventCount++
	f.prev = x.eventCount
	return f.prev
}

func (x *Execution) enter(f *frame, s *State, input any, owned bool) step {
	if x.EventCount() >= MaxHistoryEvents-2 {
		return failed(failure{name: states.Runtime, cause: fmt.Sprintf("The execution reached the maximum number of history events (%d).", MaxHistoryEvents)})
	}
	f.state, f.input, f.effective, f.group = s, input, nil, nil
	f.owned = owned
	f.retryCount = 0
	if n := len(s.Retry); n > 0 {
		switch {
		case cap(f.retryCounts) >= n:
			f.retryCounts = f.retryCounts[:n]
			clear(f.retryCounts)
		case n <= len(f.retryBuf):
			f.retryCounts = f.retryBuf[:n]
			clear(f.retryCounts)
		default:
			f.retryCounts = make([]int, n)
		}
	}
	if f.ctx != nil {
		f.ctx.obj = nil // the previous state's
	}
	if x.machine.readsContext {
		if f.ctx == nil {
			f.ctx = new(frameCtx)
		}
		f.ctx.enteredAt = x.clk.Now()
	}
	f.enteredPrev = f.prev
	if x.unobserved {
		f.entered = x.countEvent(f)
	} else {
		f.entered = x.event(f, &HistoryEvent{Type: enteredType(s.Type), StateName: s.Name, Payload: input})
	}
	x.countTransition(false)
	if s.jsonata {
		return x.runJSONata(f, s)
	}
	switch s.Type {
	case TypePass:
		return x.runPass(f, s)
	case TypeTask:
		return x.runTask(f, s)
	case TypeChoice:
		return x.runChoice(f, s)
	case TypeWait:
		return x.runWait(f, s)
	case TypeSucceed:
		eff, fl := x.inputPath(f, s)
		if fl != nil {
			return failed(*fl)
		}
		out, fl := x.outputPath(f, s, eff)
		if fl != nil {
			return failed(*fl)
		}
		x.event(f, &HistoryEvent{Type: types.HistoryEventTypeSucceedStateExited, StateName: s.Name, Payload: out})
		return step{kind: outEnd, output: out}
	case TypeFail:
		return x.runFail(f, s)
	default: // Parallel, Map
		return x.runGroup(f, s)
	}
}

// runtimeError builds the States.Runtime failure Step Functions raises for a
// state that cannot process its data.
func (x *Execution) runtimeError(f *frame, msg string) *failure {
	return &failure{name: states.Runtime, cause: fmt.Sprintf("An error occurred while executing the state '%s' (entered at the event id #%d). %s", f.state.Name, f.entered, msg)}
}

// context returns the context object ($$) for the frame's current state.
func (x *Execution) context(f *frame) map[string]any {
	if f.ctx == nil {
		f.ctx = new(frameCtx) // a machine that never reads $$ (a Map's items)
	}
	if f.ctx.obj != nil {
		return f.ctx.obj
	}
	if x.ctxExec == nil {
		x.ctxExec = map[string]any{
			"Id":           x.ARN(),
			"Input":        x.input,
			"Name":         x.Name,
			"RoleArn":      "arn:aws:iam::" + x.engine.account() + ":role/yafdp-saga",
			"StartTime":    formatTime(x.startTime),
			"RedriveCount": value.IntNumber(int64(x.redriveCount)),
		}
		if x.redriveCount > 0 {
			x.ctxExec["RedriveTime"] = formatTime(x.redriveDate)
		}
		x.ctxSM = map[string]any{"Id": x.StateMachineARN(), "Name": x.smName}
	}
	st := map[string]any{"EnteredTime": formatTime(f.ctx.enteredAt), "Name": f.state.Name}
	switch f.state.Type {
	case TypeTask, TypeParallel, TypeMap:
		st["RetryCount"] = value.IntNumber(int64(f.retryCount))
	}
	f.ctx.obj = map[string]any{"Execution": x.ctxExec, "State": st, "StateMachine": x.ctxSM}
	if f.taskToken != "" && f.state.Type == TypeTask {
		f.ctx.obj["Task"] = map[string]any{"Token": f.taskToken}
	}
	return f.ctx.obj
}

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

func (x *Execution) getPath(f *frame, p *jsonpath.Path, input any) (any, error) {
	if p.IsContext() {
		return p.Get(x.context(f))
	}
	if name := p.Variable(); name != "" {
		v, ok := f.vars.get(name)
		if !ok {
			return nil, errUndefinedVariable{path: p.String(), name: name}
		}
		return p.Get(v)
	}
	return p.Get(input)
}

// errUndefinedVariable is a path that reads a variable no state assigned.
type errUndefinedVariable struct{ path, name string }

func (e errUndefinedVariable) Error() string { return intrinsic.UndefinedVariable(e.path, e.name) }

func invalidPath(p *jsonpath.Path, err error) string {
	return fmt.Sprintf("Invalid path '%s' : %v", p, err)
}

// inputPath applies InputPath to the state's input.
func (x *Execution) inputPath(f *frame, s *State) (any, *failure) {
	switch {
	case !s.inputPath.set:
		return f.input, nil
	case s.inputPath.null:
		return map[string]any{}, nil
	}
	v, err := x.getPath(f, s.inputPath.path, f.input)
	if err != nil {
		return nil, x.runtimeError(f, invalidPath(s.inputPath.path, err))
	}
	return v, nil
}

// outputPath applies OutputPath to a state's output.
func (x *Execution) outputPath(f *frame, s *State, out any) (any, *failure) {
	switch {
	case !s.outputPath.set:
		return out, nil
	case s.outputPath.null:
		return map[string]any{}, nil
	}
	v, err := x.getPath(f, s.outputPath.path, out)
	if err != nil {
		return nil, x.runtimeError(f, invalidPath(s.outputPath.path, err))
	}
	return v, nil
}

// resultPath places a result into the raw input as ResultPath says; in the
// input itself when inPlace (the frame owns it), otherwise in a copy.
func (x *Execution) resultPath(f *frame, rp optPath, result any, inPlace bool) (any, *failure) {
	switch {
	case !rp.set:
		return result, nil
	case rp.null:
		return f.input, nil
	}
	set := rp.path.Set
	if inPlace {
		set = rp.path.SetOwned
	}
	v, err := set(f.input, result)
	if err != nil {
		return nil, &failure{name: states.ResultPathMatchFailure, cause: fmt.Sprintf("Unable to apply ResultPath \"%s\" to input %s: %v", rp.path, value.QuoteForMessage(f.input), err)}
	}
	return v, nil
}

// finishState applies ResultPath and OutputPath to a state's result and emits
// its Exited event.
func (x *Execution) finishState(f *frame, s *State, result any, as *assignment) step {
	out, fl := x.resultPath(f, s.resultPath, result, f.owned && s.reuseInput)
	if fl != nil {
		return failed(*fl)
	}
	owned := x.owns(s.resultPath, out) && s.outputPath.isDefault()
	out, fl = x.outputPath(f, s, out)
	if fl != nil {
		return failed(*fl)
	}
	if as != nil {
		if fl := x.applyAssign(f, as); fl != nil {
			return failed(*fl)
		}
	}
	if x.unobserved {
		x.countEvent(f)
	} else {
		x.exited(f, s, exitedType(s.Type), out, as)
	}
	r := moveOn(s, out)
	r.owned = owned
	return r
}

// owns reports whether out, what ResultPath rp made of a state's input, is
// the frame's own: an object that Set built (a copy of the input, or a new
// one) or SetOwned changed, which nothing but the frame holds once its
// events are dropped. A field path on anything else fails, and an index path
// makes a list.
func (x *Execution) owns(rp optPath, out any) bool {
	if !x.unobserved || !rp.set || rp.null || rp.path.IsRoot() {
		return false
	}
	_, ok := out.(map[string]any)
	return ok
}

func (x *Execution) evalTemplate(f *frame, tp *template, input any, ctx map[string]any) (any, *failure) {
	return x.evalTemplateIn(f, tp, input, ctx, nil, nil, nil)
}

// evalTemplateIn is evalTemplate building its objects as records from recs
// or else from maps when set, and telling held whether what it built holds
// an object or array it did not build (intrinsic.Env.Held).
func (x *Execution) evalTemplateIn(f *frame, tp *template, input any, ctx map[string]any, maps *intrinsic.MapPool, recs *intrinsic.RecordPool, held *bool) (any, *failure) {
	if tp.t.Static() {
		v, _ := tp.t.Eval(nil)
		if held != nil {
			*held = false // a literal holds nothing of the input
		}
		return v, nil
	}
	env := intrinsic.Env{Input: input, Maps: maps, Records: recs}
	if f.vars != nil {
		env.Vars = f.vars.getFn
	}
	if ctx != nil {
		env.Context = ctx
	} else if tp.usesCtx {
		env.Context = x.context(f)
	}
	if tp.usesRnd {
		env.Rand = x.rand()
	}
	v, err := tp.t.Eval(&env)
	if held != nil {
		*held = env.Held
	}
	if err != nil {
		return nil, x.templateFailure(f, err)
	}
	return v, nil
}

func (x *Execution) templateFailure(f *frame, err error) *failure {
	var se *states.Error
	if errors.As(err, &se) {
		if se.Name == states.Runtime || se.Name == states.IntrinsicFailure || se.Name == states.QueryEvaluationError {
			fl := x.runtimeError(f, se.Cause)
			fl.name = se.Name
			return fl
		}
		return &failure{name: se.Name, cause: se.Cause}
	}
	return x.runtimeError(f, err.Error())
}

// effectiveInput applies InputPath then Parameters.
func (x *Execution) effectiveInput(f *frame, s *State) (any, *failure) {
	eff, fl := x.inputPath(f, s)
	if fl != nil || s.parameters == nil {
		return eff, fl
	}
	return x.evalTemplate(f, s.parameters, eff, nil)
}

func (x *Execution) dataLimit(f *frame) failure {
	return failure{name: states.DataLimitExceeded, cause: fmt.Sprintf("The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", f.state.Name)}
}

func (x *Execution) runPass(f *frame, s *State) step {
	eff, fl := x.effectiveInput(f, s)
	if fl != nil {
		return failed(*fl)
	}
	result := eff
	if s.hasResult {
		if s.resultSizeStatic > MaxPayloadBytes {
			return failed(x.dataLimit(f))
		}
		result = s.result
	}
	as, fl := x.assignJSONPath(f, s.assign, result)
	if fl != nil {
		return failed(*fl)
	}
	return x.finishState(f, s, result, as)
}

// assignJSONPath evaluates a JSONPath Assign, where "$" is in: a state's
// result, or its input for a state without one.
func (x *Execution) assignJSONPath(f *frame, a *assign, in any) (*assignment, *failure) {
	if a == nil {
		return nil, nil
	}
	return x.evalAssign(f, a, in)
}

func (x *Execution) runChoice(f *frame, s *State) step {
	eff, fl := x.inputPath(f, s)
	if fl != nil {
		return failed(*fl)
	}
	env := choiceEnv{x: x, f: f}
	var next *State
	a := s.assign // the Default's
	for _, r := range s.choices {
		ok, err := r.eval(eff, &env)
		if err != nil {
			return failed(*x.runtimeError(f, err.Error()))
		}
		if ok {
			next, a = r.next, r.assign
			break
		}
	}
	if next == nil {
		next = s.defaultNext
	}
	if next == nil {
		return failed(failure{name: states.NoChoiceMatched, cause: fmt.Sprintf("No choice rule of state '%s' matched the input and it has no Default.", s.Name)})
	}
	as, fl := x.assignJSONPath(f, a, eff)
	if fl != nil {
		return failed(*fl)
	}
	out, fl := x.outputPath(f, s, eff)
	if fl != nil {
		return failed(*fl)
	}
	if fl := x.applyAssign(f, as); fl != nil {
		return failed(*fl)
	}
	x.exited(f, s, types.HistoryEventTypeChoiceStateExited, out, as)
	return step{kind: outNext, next: next, output: out}
}

func (x *Execution) runWait(f *frame, s *State) step {
	eff, fl := x.inputPath(f, s)
	if fl != nil {
		return failed(*fl)
	}
	var d time.Duration
	now := x.clk.Now()
	switch {
	case s.hasWaitSeconds:
		d = time.Duration(s.waitSeconds) * time.Second
	case s.hasWaitTimestamp:
		d = s.waitTimestamp.Sub(now)
	case s.waitSecondsPath != nil:
		v, err := x.getPath(f, s.waitSecondsPath, eff)
		if err != nil {
			return failed(*x.runtimeError(f, invalidPath(s.waitSecondsPath, err)))
		}
		n, ok := value.Int(v)
		if !ok || !value.IsNumber(v) {
			return failed(*x.runtimeError(f, fmt.Sprintf("The SecondsPath parameter cannot be parsed as a long value: %s == %s", s.waitSecondsPath, value.QuoteForMessage(v))))
		}
		if n < 0 {
			return failed(*x.runtimeError(f, fmt.Sprintf("The SecondsPath parameter references a negative value: %s == %s", s.waitSecondsPath, value.QuoteForMessage(v))))
		}
		d = time.Duration(n) * time.Second
	default:
		v, err := x.getPath(f, s.waitTimestampPath, eff)
		if err != nil {
			return failed(*x.runtimeError(f, invalidPath(s.waitTimestampPath, err)))
		}
		str, ok := v.(string)
		var t time.Time
		if ok {
			t, err = parseTimestamp(str)
			ok = err == nil
		}
		if !ok {
			return failed(*x.runtimeError(f, fmt.Sprintf("The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: %s == %s", s.waitTimestampPath, value.QuoteForMessage(v))))
		}
		d = t.Sub(now)
	}
	if d < 0 {
		d = 0
	}
	f.effective = eff
	x.after(f, d, x.arm(f), func() step {
		as, fl := x.assignJSONPath(f, s.assign, f.effective)
		if fl != nil {
			return failed(*fl)
		}
		out, fl := x.outputPath(f, s, f.effective)
		if fl != nil {
			return failed(*fl)
		}
		if fl := x.applyAssign(f, as); fl != nil {
			return failed(*fl)
		}
		x.exited(f, s, types.HistoryEventTypeWaitStateExited, out, as)
		return moveOn(s, out)
	})
	return suspend
}

// after runs then on the frame's mailbox once d has passed, unless by then
// the frame has moved past token tok (or died), and carries on with the step
// then returns.
func (x *Execution) after(f *frame, d time.Duration, tok uint64, then func() step) {
	life := x.life
	f.timer = x.clk.AfterFunc(d, func() {
		if x.life != life {
			return // x was recycled (Recycle) and serves another start
		}
		x.post(func() {
			if !x.current(f, tok) {
				return
			}
			f.timer = nil
			x.proceed(f, then())
		})
	})
}

// arm invalidates the frame's pending callbacks and returns the token for
// the next one.
func (x *Execution) arm(f *frame) uint64 {
	f.token++
	return f.token
}

// current reports whether a callback armed with tok is still wanted.
func (x *Execution) current(f *frame, tok uint64) bool {
	return !f.dead && f.token == tok && !x.isEnded()
}

func (x *Execution) runFail(f *frame, s *State) step {
	fl := failure{name: s.errorName, cause: s.cause}
	if s.errorDyn != nil {
		v, bad := x.dynString(f, s.errorDyn)
		if bad != nil {
			return failed(*bad)
		}
		fl.name = v
	}
	if s.causeDyn != nil {
		v, bad := x.dynString(f, s.causeDyn)
		if bad != nil {
			return failed(*bad)
		}
		fl.cause = v
	}
	return failed(fl)
}

func (x *Execution) dynString(f *frame, d *dynString) (string, *failure) {
	var v any
	if d.fn != nil {
		env := intrinsic.Env{Input: f.input, Vars: f.vars.lookupFn()}
		if strings.Contains(d.src, "$$") {
			env.Context = x.context(f)
		}
		var err error
		v, err = d.fn.Eval(&env)
		if err != nil {
			return "", x.templateFailure(f, err)
		}
	} else {
		var err error
		v, err = x.getPath(f, d.path, f.input)
		if err != nil {
			return "", x.runtimeError(f, fmt.Sprintf("The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'", d.src, d.field, value.MustEncodeString(f.input)))
		}
	}
	s, ok := v.(string)
	if !ok {
		return "", x.runtimeError(f, fmt.Sprintf("The %s field must refer to a string, but '%s' is %s.", d.field, d.src, value.TypeName(v)))
	}
	return s, nil
}

// ---- Task ----

func (x *Execution) runTask(f *frame, s *State) step {
	x.prepareTask(f, s)
	eff, fl := x.inputPath(f, s)
	if fl == nil && s.parameters != nil {
		var maps *intrinsic.MapPool
		var recs *intrinsic.RecordPool
		if x.reuseTaskInputs {
			// The previous Task's effective input is dead: rebuild in
			// its objects (Engine.reuseTaskInputs), as records for a
			// handler that reads them: nothing else sees the input of
			// an unobserved execution's Task.
			if x.readsRecords(s.Resource) {
				f.taskRecs.Recycle()
				recs = &f.taskRecs
			} else {
				f.taskMaps.Recycle()
				maps = &f.taskMaps
			}
		}
		eff, fl = x.evalTemplateIn(f, s.parameters, eff, nil, maps, recs, nil)
	}
	if fl != nil {
		return failed(*fl)
	}
	f.effective = eff
	if fl := x.taskTimings(f, s); fl != nil {
		return failed(*fl)
	}
	return x.invoke(f, s)
}

// splitResource gives the resourceType and resource of a service
// integration ARN as TaskScheduled reports them ("lambda", "invoke").
func splitResource(arn string) (string, string) {
	const prefix = "arn:aws:states:::"
	if strings.HasPrefix(arn, prefix) {
		rest := arn[len(prefix):]
		i := strings.IndexByte(rest, ':')
		if i < 0 {
			return rest, ""
		}
		// An AWS SDK integration names its service in the type, as AWS
		// records it: "aws-sdk:dynamodb" and "putItem" (Step Functions
		// Local writes "aws-sdk" and "dynamodb:putItem").
		if rest[:i] == "aws-sdk" {
			if j := strings.IndexByte(rest[i+1:], ':'); j >= 0 {
				i += 1 + j
			}
		}
		return rest[:i], rest[i+1:]
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 {
		return parts[2], parts[5]
	}
	return "", arn
}

func isLambdaARN(arn string) bool { return strings.HasPrefix(arn, "arn:aws:lambda:") }

// taskCall is one invocation of a handler. done may be called on any
// goroutine, before or after Invoke returns.
type taskCall struct {
	x     *Execution
	f     *frame
	token uint64
	// state: 0 while Invoke runs, 1 once it returned, 2 when done was called
	// before that (out and err are then read by the invoking goroutine).
	// Changed atomically (setState) unless the execution is Solo.
	state int32
	out   any
	err   error
	req   TaskRequest
	// doneFn is done as a func value, made once per taskCall; answered is
	// set once the answer has been taken, after which the frame may reuse
	// the call for its next task.
	doneFn   func(any, error)
	answered bool
	h        TaskHandler // the handler called
}

func (c *taskCall) done(out any, err error) {
	c.out, c.err = out, err
	if c.setState(0, 2) {
		return
	}
	c.x.postWork(c)
}

// setState moves state from old to new and reports whether it was old.
func (c *taskCall) setState(old, new int32) bool {
	if c.x.solo {
		if c.state != old {
			return false
		}
		c.state = new
		return true
	}
	return atomic.CompareAndSwapInt32(&c.state, old, new)
}

// run handles an answer that came after Invoke returned, on the mailbox.
func (c *taskCall) run() {
	x, f := c.x, c.f
	x.calls--
	if !x.current(f, c.token) {
		// A late answer: the execution may have been waiting only for it.
		x.checkSettled()
		return
	}
	if f.timer != nil {
		f.timer.Stop()
		f.timer = nil
	}
	out, err := c.out, c.err
	c.answered = true
	x.proceed(f, x.taskResult(f, f.state, out, err))
}

func (x *Execution) invoke(f *frame, s *State) step {
	var h TaskHandler
	var function string
	if x.mock == nil {
		h = x.handler(s.Resource) // the common case: a handler by Resource
	}
	mocked := false
	if h == nil {
		var fl *failure
		if h, function, fl = x.answerer(f, s); fl != nil {
			return x.handleError(f, s, *fl)
		}
		_, mocked = h.(*mockCall)
	}
	if submitted := waitsLonger(s) && (mocked || h == nil); x.unobserved && !submitted {
		x.countEvent(f)
		x.countEvent(f)
	} else {
		x.scheduled(f, s, submitted)
	}
	x.taskStarted()
	f.taskStart = x.tick()
	tok := x.arm(f)
	if h == nil {
		h = x.engine.callbackFor(x, f, s)
	}
	call := x.newCall(f)
	call.token, call.out, call.err, call.answered, call.h = tok, nil, nil, false, h
	call.state = 0 // the previous call has answered: no goroutine is at it
	call.req = TaskRequest{Resource: s.Resource, State: s.Name, Input: f.effective, Execution: x.Name, Attempt: f.retryCount, Timeout: f.timeout, Function: function}
	h.Invoke(x.ctx, &call.req, call.doneFn)
	if !call.setState(0, 1) {
		// done ran before Invoke returned: no timeout to arm.
		out, err := call.out, call.err
		call.answered = true
		return x.taskResult(f, s, out, err)
	}
	x.calls++
	// The timeout is armed once Invoke has returned without an answer. On
	// the virtual clock no time passed meanwhile; on the real clock an
	// answer arriving now waits in the mailbox until this returns, and then
	// finds the timer to stop.
	if f.timeout > 0 && !(call.req.knowsAnswer && call.req.answerIn < f.timeout) {
		x.after(f, f.timeout, tok, func() step {
			x.arm(f) // the call's late answer is ignored
			return x.taskTimedOut(f, s, states.Timeout)
		})
	}
	x.armHeartbeat(f, s, tok)
	return suspend
}

// newCall returns the record of the frame's next task call. A frame runs
// one task at a time: the previous call's record (and its done func) is
// reused once its answer has been taken, which saves two allocations a
// task. A call still outstanding (it timed out) keeps its own, and its late
// answer finds its token stale.
func (x *Execution) newCall(f *frame) *taskCall {
	call := f.call
	switch {
	case call == nil:
		call = &f.firstCall
		call.x, call.f = x, f
		if call.doneFn == nil { // a recycled execution's is bound already
			call.doneFn = call.done
		}
		f.call = call
	case !call.answered:
		call = &taskCall{x: x, f: f}
		call.doneFn = call.done
		f.call = call
	}
	return call
}

// handler is the engine's handler for resource, or its Fallback. The last
// one found is kept: a machine's Tasks mostly share one Resource (every
// lambda:invoke), which the parser keeps as one string, so that the next
// Task finds it by comparing pointers instead of hashing the ARN.
func (x *Execution) handler(resource string) TaskHandler {
	if resource == x.lastResource && x.lastHandler != nil {
		return x.lastHandler
	}
	h := x.engine.Resources[resource]
	if h == nil {
		h = x.engine.Fallback
	}
	_, records := h.(RecordReader)
	x.lastResource, x.lastHandler, x.lastRecords = resource, h, records
	return h
}

// readsRecords reports whether resource's handler is a RecordReader, by
// the handler lookup's cache.
func (x *Execution) readsRecords(resource string) bool {
	x.handler(resource)
	return x.lastRecords
}

func (x *Execution) taskTimedOut(f *frame, s *State, name string) step {
	x.taskEnded(f.taskStart)
	x.stopHeartbeat(f)
	fl := failure{name: name, task: true}
	x.taskFailedEvent(f, s, fl)
	return x.handleError(f, s, fl)
}

func (x *Execution) taskResult(f *frame, s *State, out any, err error) step {
	x.taskEnded(f.taskStart)
	x.stopHeartbeat(f)
	lambda := s.lambda
	if err != nil {
		fl := asFailure(err)
		fl.task = true
		x.taskFailedEvent(f, s, fl)
		return x.handleError(f, s, fl)
	}
	out, nerr := value.Normalize(out)
	if nerr != nil {
		return failed(failure{name: states.Runtime, cause: fmt.Sprintf("the handler for '%s' returned a value that is not JSON: %v", s.Resource, nerr)})
	}
	// The answering call is the frame's latest (a stale one never gets
	// here); its handler may have vouched for the answer's size.
	vouched := f.call != nil && f.call.req.answerMax > 0 && f.call.req.answerMax <= MaxPayloadBytes
	if !vouched && !value.SizeAtMost(out, MaxPayloadBytes) {
		return x.resultTooLarge(f, s)
	}
	switch {
	case x.unobserved:
		x.countEvent(f)
	case lambda:
		x.event(f, &HistoryEvent{Type: types.HistoryEventTypeLambdaFunctionSucceeded, Resource: s.Resource, Payload: out})
	default:
		x.event(f, &HistoryEvent{Type: types.HistoryEventTypeTaskSucceeded, Resource: s.Resource, Payload: out})
	}
	// A handler that takes its answers back gets this one once the
	// ResultSelector has taken what it needs, if nothing can see it then.
	var rec AnswerRecycler
	if x.unobserved && s.selector != nil && f.call != nil {
		rec, _ = f.call.h.(AnswerRecycler)
	}
	return x.processResult(f, s, out, rec)
}

// processResult applies ResultSelector, ResultPath and OutputPath. A
// handler that takes its answers back (rec) gets the raw result once the
// ResultSelector is done with it, when no path or function of the selector
// kept an object or array (which might be part of the raw result).
func (x *Execution) processResult(f *frame, s *State, result any, rec AnswerRecycler) step {
	if s.jsonata {
		return x.resultJ(f, s, result)
	}
	// A JSONPath Assign reads the raw result, before the ResultSelector.
	var as *assignment
	if s.assign != nil {
		var fl *failure
		if as, fl = x.evalAssign(f, s.assign, result); fl != nil {
			return failed(*fl)
		}
	}
	if s.selector != nil {
		raw := result
		var fl *failure
		held := true
		var maps *intrinsic.MapPool
		if x.reuseTaskInputs {
			maps = &x.resultMaps // handed on by Release
		}
		result, fl = x.evalTemplateIn(f, s.selector, result, nil, maps, nil, &held)
		if fl != nil {
			return failed(*fl)
		}
		if rec != nil && !held && as == nil {
			rec.RecycleAnswer(raw)
		}
	}
	return x.finishState(f, s, result, as)
}

// handleError applies the state's Retry, then Catch, to a failure: the first
// retrier that matches decides (an exhausted one does not fall through to
// later retriers), then the first catcher that matches.
func (x *Execution) handleError(f *frame, s *State, fl failure) step {
	if r, ok := x.tryRetry(f, s, fl); ok {
		return r
	}
	return x.catchOrFail(f, s, fl)
}

// tryRetry schedules a retry when a retrier matches and has attempts left.
func (x *Execution) tryRetry(f *frame, s *State, fl failure) (step, bool) {
	for i, r := range s.Retry {
		if !fl.matches(r.ErrorEquals) {
			continue
		}
		if f.retryCounts[i] >= r.MaxAttempts {
			return step{}, false
		}
		f.retryCounts[i]++
		f.retryCount++
		d := r.Delay(f.retryCounts[i])
		if r.JitterFull && d > 0 {
			d = time.Duration(x.rand().Int64N(int64(d) + 1))
		}
		x.countTransition(true)
		x.after(f, d, x.arm(f), func() step {
			if f.ctx != nil {
				f.ctx.obj = nil // RetryCount changed
			}
			return x.attempt(f, s)
		})
		return suspend, true
	}
	return step{}, false
}

// catchOrFail sends a failure to the first matching catcher, or fails the
// frame.
func (x *Execution) catchOrFail(f *frame, s *State, fl failure) step {
	for _, c := range s.Catch {
		if !fl.matches(c.ErrorEquals) {
			continue
		}
		errOut := errorOutput(fl)
		if s.jsonata {
			return x.catchJ(f, s, c, errOut)
		}
		as, bad := x.assignJSONPath(f, c.assign, errOut)
		if bad != nil {
			return failed(*bad)
		}
		// Always a copy: a Parallel or Map state shares its input with its
		// branches, and this is the rare path.
		out, bad := x.resultPath(f, c.resultPath, errOut, false)
		if bad != nil {
			return failed(*bad)
		}
		if bad := x.applyAssign(f, as); bad != nil {
			return failed(*bad)
		}
		x.exited(f, s, exitedType(s.Type), out, as)
		return step{kind: outNext, next: c.next, output: out, owned: x.owns(c.resultPath, out)}
	}
	return failed(fl)
}

// errorOutput is what a catcher hands on: {"Error", "Cause"}, without a
// Cause when there is none. A failure that names no error (SendTaskFailure
// without one) gives null for both, as Step Functions records it.
func errorOutput(fl failure) map[string]any {
	if fl.name == "" {
		var cause any
		if fl.cause != "" {
			cause = fl.cause
		}
		return map[string]any{"Error": nil, "Cause": cause}
	}
	out := map[string]any{"Error": fl.name}
	if fl.cause != "" || fl.task && (fl.name == states.Timeout || fl.name == states.HeartbeatTimeout) {
		out["Cause"] = fl.cause
	}
	return out
}

// attempt runs a Task, Parallel or Map state's work: on entering a
// Parallel or Map state, and again for each retry.
func (x *Execution) attempt(f *frame, s *State) step {
	switch s.Type {
	case TypeTask:
		return x.invoke(f, s)
	case TypeParallel:
		return x.startParallel(f, s)
	default:
		return x.startMap(f, s)
	}
}

// ---- Parallel and Map ----

// runGroup enters a Parallel state, whose branches get its effective input
// (after InputPath and Parameters), or a Map state, whose items come from
// its input after InputPath.
func (x *Execution) runGroup(f *frame, s *State) step {
	var eff any
	var fl *failure
	if s.Type == TypeParallel {
		eff, fl = x.effectiveInput(f, s)
	} else {
		eff, fl = x.inputPath(f, s)
	}
	if fl != nil {
		return failed(*fl)
	}
	f.effective = eff
	return x.attempt(f, s)
}

func (x *Execution) startParallel(f *frame, s *State) step {
	started := x.event(f, &HistoryEvent{Type: types.HistoryEventTypeParallelStateStarted})
	g := &group{kind: groupParallel, owner: f, results: make([]any, len(s.Branches)), remaining: len(s.Branches)}
	f.group = g
	g.plan = x.redrivenGroup(f, s)
	g.launching = true
	for i, b := range s.Branches {
		if g.failed {
			break
		}
		if out, ok := g.plan.doneAt(i); ok {
			g.results[i] = out
			g.remaining--
			continue
		}
		child := &frame{x: x, machine: b, parent: g, index: i, prev: started, vars: f.vars}
		g.frames = append(g.frames, child)
		g.running++
		if tp := g.plan.resumeAt(i); tp != nil {
			x.resumeThread(child, tp)
			continue
		}
		x.drive(child, b.start, f.effective)
	}
	g.launching = false
	return x.settle(f, s, g)
}

// mapItems reads a Map state's items and MaxConcurrency from its effective
// input, on the first attempt and on each retry alike.
func (x *Execution) mapItems(f *frame, s *State, needItems bool) ([]any, int, *failure) {
	eff := f.effective
	items := eff
	if !needItems {
		items = []any{}
	} else if s.itemsPath.set && !s.itemsPath.null {
		v, err := x.getPath(f, s.itemsPath.path, eff)
		if err != nil {
			return nil, 0, x.runtimeError(f, invalidPath(s.itemsPath.path, err))
		}
		items = v
	}
	list, ok := items.([]any)
	if !ok {
		return nil, 0, x.runtimeError(f, fmt.Sprintf("Items of the Map state must be a JSON array, not %s: %s", value.TypeName(items), value.QuoteForMessage(items)))
	}
	maxConc := int(s.maxConcurrency)
	if s.maxConcurrencyPath != nil {
		v, err := x.getPath(f, s.maxConcurrencyPath, eff)
		if err != nil {
			return nil, 0, x.runtimeError(f, invalidPath(s.maxConcurrencyPath, err))
		}
		n, ok := value.Int(v)
		if str, isStr := v.(string); isStr {
			// AWS reads the value as text: "1" will do.
			parsed, err := strconv.ParseInt(str, 10, 32)
			n, ok = parsed, err == nil
		}
		if !ok || n < 0 {
			return nil, 0, x.runtimeError(f, fmt.Sprintf("The MaxConcurrencyPath field refers to value \"%s\" which is not a valid integer: %s", value.QuoteForMessage(v), s.maxConcurrencyPath))
		}
		maxConc = int(n)
	}
	return list, maxConc, nil
}

func (x *Execution) startMap(f *frame, s *State) step {
	if s.dist != nil {
		return x.startDistributed(f, s)
	}
	var items []any
	var maxConc int
	var fl *failure
	if s.jsonata {
		items, maxConc, fl = x.mapItemsJ(f, s, true)
	} else {
		items, maxConc, fl = x.mapItems(f, s, true)
	}
	if fl != nil && s.jsonata {
		// The Map state fails before it starts, and may catch it.
		x.event(f, &HistoryEvent{Type: types.HistoryEventTypeMapStateFailed})
		return x.catchOrFail(f, s, *fl)
	}
	if fl != nil {
		return failed(*fl)
	}
	started := x.event(f, &HistoryEvent{Type: types.HistoryEventTypeMapStateStarted, Length: int32(len(items))})
	g := &group{kind: groupMap, owner: f, items: items, maxConc: maxConc, results: make([]any, len(items)), remaining: len(items)}
	f.group = g
	g.plan = x.redrivenGroup(f, s)
	_ = started
	x.launch(f, s, g)
	return x.settle(f, s, g)
}

// launch starts Map iterations up to MaxConcurrency. Iterations that finish
// while it runs only record their result; launch keeps going, so a long list
// of instant iterations never deepens the stack.
func (x *Execution) launch(f *frame, s *State, g *group) {
	g.launching = true
	defer func() { g.launching = false }()
	for !g.failed && g.next < len(g.items) && (g.maxConc == 0 || g.running < g.maxConc) {
		if f.dead || x.isEnded() {
			return
		}
		i := g.next
		g.next++
		if out, ok := g.plan.doneAt(i); ok {
			g.results[i] = out
			g.remaining--
			continue
		}
		item := g.items[i]
		input := item
		if s.jsonata {
			v, fl := x.itemInputJ(f, s, i, item)
			if fl != nil {
				g.failed, g.fail = true, *fl
				return
			}
			input = v
		} else if s.itemSelector != nil {
			ctx := x.context(f)
			itemCtx := make(map[string]any, len(ctx)+1)
			for k, v := range ctx {
				itemCtx[k] = v
			}
			itemCtx["Map"] = map[string]any{"Item": map[string]any{"Index": value.IntNumber(int64(i)), "Value": item}}
			v, fl := x.evalTemplate(f, s.itemSelector, f.effective, itemCtx)
			if fl != nil {
				g.failed, g.fail = true, *fl
				return
			}
			input = v
		}
		id := x.emit(HistoryEvent{Type: types.HistoryEventTypeMapIterationStarted, PreviousEventID: f.prev, StateName: s.Name, Index: int32(i)})
		child := &frame{x: x, machine: s.Processor, parent: g, index: i, prev: id, vars: f.vars}
		g.frames = append(g.frames, child)
		g.running++
		if tp := g.plan.resumeAt(i); tp != nil {
			x.resumeThread(child, tp)
			continue
		}
		x.drive(child, s.Processor.start, input)
	}
}

func (g *group) childDone(child *frame, output any) {
	f := g.owner
	x := f.x
	if g.failed || f.dead || child.dead {
		return
	}
	g.results[child.index] = output
	g.running--
	g.remaining--
	child.dead = true
	if g.kind == groupMap {
		x.emit(HistoryEvent{Type: types.HistoryEventTypeMapIterationSucceeded, PreviousEventID: child.prev, StateName: f.state.Name, Index: int32(child.index)})
	}
	if g.launching {
		return
	}
	if g.kind == groupMap {
		x.launch(f, f.state, g)
	}
	if r := x.settle(f, f.state, g); r.kind != outSuspend {
		x.proceed(f, r)
	}
}

func (g *group) childFailed(child *frame, fl failure) {
	f := g.owner
	x := f.x
	if g.failed || f.dead || child.dead {
		return
	}
	child.dead = true
	g.running--
	g.failed, g.fail = true, fl
	if g.kind == groupMap {
		x.emit(HistoryEvent{Type: types.HistoryEventTypeMapIterationFailed, PreviousEventID: child.prev, StateName: f.state.Name, Index: int32(child.index)})
	}
	for _, other := range g.frames {
		if other.dead {
			continue
		}
		if g.kind == groupMap {
			x.emit(HistoryEvent{Type: types.HistoryEventTypeMapIterationAborted, PreviousEventID: other.prev, StateName: f.state.Name, Index: int32(other.index)})
		}
		kill(other)
	}
	if g.launching {
		return
	}
	if r := x.settle(f, f.state, g); r.kind != outSuspend {
		x.proceed(f, r)
	}
}

// kill stops a frame and everything under it.
func kill(f *frame) {
	f.dead = true
	f.token++
	if f.timer != nil {
		f.timer.Stop()
		f.timer = nil
	}
	if f.hbTimer != nil {
		f.hbTimer.Stop()
		f.hbTimer = nil
	}
	if f.group != nil {
		for _, c := range f.group.frames {
			if !c.dead {
				kill(c)
			}
		}
	}
	if f.run != nil {
		f.x.abortRun(f, f.run, true)
	}
}

// settle decides what a Parallel or Map state does once its group has
// failed or finished; while branches still run it suspends.
func (x *Execution) settle(f *frame, s *State, g *group) step {
	if f.group != g {
		return suspend
	}
	if g.failed {
		f.group = nil
		// Step Functions starts the branches again on a retry with no
		// Failed event in between; <Type>StateFailed marks the final failure.
		if r, ok := x.tryRetry(f, s, g.fail); ok {
			return r
		}
		typ := types.HistoryEventTypeParallelStateFailed
		if g.kind == groupMap {
			typ = types.HistoryEventTypeMapStateFailed
		}
		x.event(f, &HistoryEvent{Type: typ, Error: g.fail.name, Cause: g.fail.cause})
		return x.catchOrFail(f, s, g.fail)
	}
	if g.remaining > 0 {
		return suspend
	}
	f.group = nil
	typ := types.HistoryEventTypeParallelStateSucceeded
	if g.kind == groupMap {
		typ = types.HistoryEventTypeMapStateSucceeded
	}
	x.event(f, &HistoryEvent{Type: typ})
	results := g.results
	if !value.SizeAtMost(results, MaxPayloadBytes) {
		return failed(x.dataLimit(f))
	}
	return x.processResult(f, s, results, nil)
}
