package asl

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/yafdp/yafdp/internal/asl/integration"
	"github.com/yafdp/yafdp/internal/asl/jsonpath"
	"github.com/yafdp/yafdp/internal/asl/states"
	"github.com/yafdp/yafdp/internal/asl/value"
)

// TestState runs one state on its own, as Step Functions' TestState API
// does: the state's input processing, its work (a mocked result or error,
// or a handler's answer, for a Task; a mocked result for a Map or
// Parallel), its error handling and its output, each stage kept for the
// inspection. Nothing goes on to the next state: the result names it.
//
// It differs from an execution where TestState does: a Retry that would
// retry ends the test RETRIABLE with the back-off it would wait, a Catch
// that catches ends it CAUGHT_ERROR, a Wait state does not wait, and a Map
// or Parallel state never runs its branches (its result is the mock).

// TestStatus is how a tested state ended.
type TestStatus string

// The TestState statuses.
const (
	TestSucceeded   TestStatus = "SUCCEEDED"
	TestFailed      TestStatus = "FAILED"
	TestRetriable   TestStatus = "RETRIABLE"
	TestCaughtError TestStatus = "CAUGHT_ERROR"
)

// The inspection's data stages, in the order a state goes through them.
const (
	StageInput               = "input"
	StageAfterInputPath      = "afterInputPath"
	StageAfterParameters     = "afterParameters"
	StageAfterArguments      = "afterArguments"
	StageAfterItemsPath      = "afterItemsPath"
	StageAfterItemSelector   = "afterItemSelector"
	StageResult              = "result"
	StageAfterResultSelector = "afterResultSelector"
	StageAfterResultPath     = "afterResultPath"
	StageVariables           = "variables"
)

// Stages lists the data stages in order.
var Stages = []string{StageInput, StageAfterInputPath, StageAfterParameters, StageAfterArguments,
	StageAfterItemsPath, StageAfterItemSelector, StageResult, StageAfterResultSelector, StageAfterResultPath, StageVariables}

// StateTest is one TestState call on a parsed StateUnderTest.
type StateTest struct {
	// Input is the state's input.
	Input any
	// Variables are the workflow variables in scope on entry (nil: none).
	Variables map[string]any
	// Context, when set, is the context object ($$, $states.context)
	// itself; otherwise one is built for an execution of ExecutionName.
	Context map[string]any
	// Mock answers the state's work: a Task's call, a Map's or Parallel's
	// branches. Nil: a Task calls Handler.
	Mock *TestMock
	// RetrierRetryCount is how many times the state has been retried
	// already (the retrier that matches decides with it).
	RetrierRetryCount int
	// MapIterationFailureCount is how many of a Map's iterations failed,
	// checked against its tolerated failure threshold, when
	// HasMapIterationFailureCount.
	MapIterationFailureCount    int
	HasMapIterationFailureCount bool
	// MapItemReaderData stands for what a Map's ItemReader reads, when
	// HasMapItemReaderData.
	MapItemReaderData    any
	HasMapItemReaderData bool
	// Handler answers an unmocked Task.
	Handler TaskHandler
	// ExecutionName, StateMachineName and RoleARN fill the default context
	// object.
	ExecutionName, StateMachineName, RoleARN string
}

// TestMock is a mocked answer: a result, or an error and cause.
type TestMock struct {
	Result    any
	HasResult bool
	Error     string
	Cause     string
}

// StateTestResult is what TestState answers.
type StateTestResult struct {
	Status    TestStatus
	Output    any
	HasOutput bool
	NextState string
	Error     string
	Cause     string
	// Inspection holds what the state did, stage by stage.
	Inspection Inspection
}

// Inspection is the state's data at each stage it went through, with a
// Map's settings and what its error handling decided.
type Inspection struct {
	// Data holds the stages the state went through, by name (Stages).
	Data map[string]any
	// A Map's MaxConcurrency and tolerated failure threshold.
	MaxConcurrency             *int
	ToleratedFailureCount      *int
	ToleratedFailurePercentage *float64
	// ErrorDetails says which retrier or catcher took the error.
	ErrorDetails *TestErrorDetails
}

// TestErrorDetails says which retrier would retry (and after how many
// seconds) or which catcher caught.
type TestErrorDetails struct {
	RetryIndex                  *int
	RetryBackoffIntervalSeconds *int
	CatchIndex                  *int
}

func (in *Inspection) set(stage string, v any) {
	if in.Data == nil {
		in.Data = map[string]any{}
	}
	in.Data[stage] = v
}

// StateUnderTest is a state parsed for TestState, with the machine it
// belongs to and the Distributed Map fields the engine does not run but
// TestState reads.
type StateUnderTest struct {
	// State is the state tested; Machine the top of its definition.
	State   *State
	Machine *StateMachine
	// Single: the definition was the state alone.
	Single bool
	// owner is the machine (or branch, or item processor) holding State.
	owner *StateMachine
	// dist holds the Distributed Map fields of the tested state.
	dist map[string]any
	// distCompiled holds its tolerated failure thresholds, compiled.
	tolerance []testTolerance
}

type testTolerance struct {
	field string // ToleratedFailureCount or ToleratedFailurePercentage
	lit   any
	j     *jfield
	path  *jsonpath.Path
}

// SingleStateName is the name a state tested alone has, in its context
// object and in definition errors.
const SingleStateName = "StateName"

// distributedFields are the fields of a Distributed Map state that the
// engine's parser refuses; TestState takes them off before parsing and
// reads them itself, since it never runs the Map's iterations.
var distributedFields = []string{"ItemReader", "ResultWriter", "ItemBatcher", "Label",
	"ToleratedFailureCount", "ToleratedFailurePercentage", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath"}

// ParseStateTest parses a TestState definition: a whole state machine,
// in which stateName names the state to test, or a single state (a
// definition without States), which stateName may not name. A state
// tested alone is called SingleStateName, and the states its Next,
// Default, Choices and Catch go to are stand-ins, so that it parses.
// A stateName not in the definition gives ok false.
func ParseStateTest(doc map[string]any, stateName string) (su *StateUnderTest, ok bool, err error) {
	doc = cloneObject(doc)
	su = &StateUnderTest{}
	if _, machine := doc["States"]; !machine {
		su.Single = true
		stateName = SingleStateName
		states := map[string]any{SingleStateName: doc}
		for _, target := range targetsOf(doc) {
			if target != SingleStateName {
				states[target] = map[string]any{"Type": "Succeed"}
			}
		}
		doc = map[string]any{"StartAt": SingleStateName, "States": states}
	}
	dist := map[string]map[string]any{}
	stripDistributed(doc, dist)
	m, err := ParseValue(doc)
	if err != nil {
		return nil, false, err
	}
	su.Machine = m
	if stateName == "" {
		stateName = m.StartAt
	}
	su.State, su.owner = findWithOwner(m, stateName)
	if su.State == nil {
		return nil, false, nil
	}
	su.dist = dist[stateName]
	if err := su.compileTolerance(); err != nil {
		return nil, true, err
	}
	return su, true, nil
}

// cloneObject copies the objects and arrays of v (which ParseStateTest
// changes), sharing its scalars.
func cloneObject(obj map[string]any) map[string]any {
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return cloneObject(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = cloneValue(e)
		}
		return out
	}
	return v
}

// targetsOf lists the states a state goes to.
func targetsOf(state map[string]any) []string {
	var out []string
	add := func(v any) {
		if s, ok := v.(string); ok && s != "" {
			out = append(out, s)
		}
	}
	add(state["Next"])
	add(state["Default"])
	for _, field := range []string{"Choices", "Catch"} {
		rules, _ := state[field].([]any)
		for _, r := range rules {
			if obj, ok := r.(map[string]any); ok {
				add(obj["Next"])
			}
		}
	}
	return out
}

// stripDistributed takes the Distributed Map fields off every Map state of
// a machine document (and its branches and processors), keeping them by
// state name, and runs the Map's processor inline.
func stripDistributed(machine map[string]any, out map[string]map[string]any) {
	statesObj, _ := machine["States"].(map[string]any)
	for name, raw := range statesObj {
		s, ok := raw.(map[string]any)
		if !ok {
			continue
		}
		if branches, ok := s["Branches"].([]any); ok {
			for _, b := range branches {
				if bm, ok := b.(map[string]any); ok {
					stripDistributed(bm, out)
				}
			}
		}
		if s["Type"] != "Map" {
			continue
		}
		kept := map[string]any{}
		for _, f := range distributedFields {
			if v, ok := s[f]; ok {
				kept[f] = v
				delete(s, f)
			}
		}
		out[name] = kept
		for _, field := range []string{"ItemProcessor", "Iterator"} {
			proc, ok := s[field].(map[string]any)
			if !ok {
				continue
			}
			if pc, ok := proc["ProcessorConfig"].(map[string]any); ok && pc["Mode"] == "DISTRIBUTED" {
				pc["Mode"] = "INLINE"
				delete(pc, "ExecutionType")
			}
			stripDistributed(proc, out)
		}
	}
}

// findWithOwner finds a state anywhere in m, with the machine holding it.
func findWithOwner(m *StateMachine, name string) (*State, *StateMachine) {
	if s, ok := m.States[name]; ok && s != nil {
		return s, m
	}
	for _, n := range m.Names {
		s := m.States[n]
		if s == nil {
			continue
		}
		for _, b := range s.Branches {
			if found, owner := findWithOwner(b, name); found != nil {
				return found, owner
			}
		}
		if s.Processor != nil {
			if found, owner := findWithOwner(s.Processor, name); found != nil {
				return found, owner
			}
		}
	}
	return nil, nil
}

// compileTolerance reads the tested Map's tolerated failure thresholds:
// numbers, JSONata expressions, or JSONPath paths (…Path).
func (su *StateUnderTest) compileTolerance() error {
	for _, field := range []string{"ToleratedFailureCount", "ToleratedFailurePercentage"} {
		if v, ok := su.dist[field]; ok {
			t := testTolerance{field: field, lit: v}
			if str, isStr := v.(string); isStr && isExpr(str) {
				jf, err := compileField(field, v)
				if err != nil {
					return fmt.Errorf("States.%s.%s: %v", su.State.Name, field, err)
				}
				t.j, t.lit = jf, nil
			} else if !value.IsNumber(v) {
				return fmt.Errorf("States.%s.%s: must be a non-negative number, not %s", su.State.Name, field, value.TypeName(v))
			}
			su.tolerance = append(su.tolerance, t)
		}
		if v, ok := su.dist[field+"Path"]; ok {
			str, _ := v.(string)
			p, err := jsonpath.Compile(str)
			if err != nil {
				return fmt.Errorf("States.%s.%sPath: %v", su.State.Name, field, err)
			}
			su.tolerance = append(su.tolerance, testTolerance{field: field, path: p})
		}
	}
	return nil
}

// HasItemReader reports whether the tested state is a Map that reads its
// items with an ItemReader.
func (su *StateUnderTest) HasItemReader() bool { _, ok := su.dist["ItemReader"]; return ok }

// HasResultWriter reports whether the tested state is a Map with a
// ResultWriter, whose result is an object rather than an array.
func (su *StateUnderTest) HasResultWriter() bool { _, ok := su.dist["ResultWriter"]; return ok }

// IsJSONata reports whether the tested state's query language is JSONata.
func (su *StateUnderTest) IsJSONata() bool { return su.State.jsonata }

// TestState runs the state under test once.
func (e *Engine) TestState(ctx context.Context, su *StateUnderTest, t StateTest) (*StateTestResult, error) {
	clk := e.clock()
	now := clk.Now()
	x := &Execution{engine: e, machine: su.Machine, clk: clk, ctx: ctx, unobserved: true}
	x.Name, x.smName = t.ExecutionName, t.StateMachineName
	if x.Name == "" {
		x.Name = "TestState"
	}
	if x.smName == "" {
		x.smName = "TestStateMachine"
	}
	x.input, x.startTime, x.status = t.Input, now, StatusRunning
	s := su.State
	f := &x.root
	f.x, f.machine, f.state, f.input = x, su.owner, s, t.Input
	f.prev, f.entered = 1, 2 // as if the execution had just entered the state
	f.vars, f.scoped = newScope(nil, len(t.Variables)+su.Machine.varCount), true
	for _, name := range sortedKeys(t.Variables) {
		v := t.Variables[name]
		n := value.EncodedSize(v)
		f.vars.set(name, v, n)
		x.varBytes += n
	}
	if len(s.Retry) > 0 {
		f.retryCounts = make([]int, len(s.Retry))
	}
	f.retryCount = t.RetrierRetryCount
	ctxObj := t.Context
	if ctxObj == nil {
		ctxObj = x.testContext(s, t, now)
	}
	f.ctx = &frameCtx{enteredAt: now, obj: ctxObj}
	r := &tester{x: x, f: f, s: s, su: su, t: t, res: &StateTestResult{}}
	r.res.Inspection.set(StageInput, t.Input)
	r.run()
	if r.res.Status == TestSucceeded || r.res.Status == TestCaughtError {
		if vars := f.variables(); len(vars) > 0 {
			r.res.Inspection.set(StageVariables, vars)
		}
	}
	return r.res, nil
}

// testContext is the context object of a state tested without one given:
// an Express execution of a machine made for the test, as AWS builds it.
func (x *Execution) testContext(s *State, t StateTest, now time.Time) map[string]any {
	region, account := x.engine.region(), x.engine.account()
	smARN := "arn:aws:states:" + region + ":" + account + ":stateMachine:" + x.smName
	exec := map[string]any{
		"Id":        "arn:aws:states:" + region + ":" + account + ":express:" + x.smName + ":" + x.Name,
		"Input":     t.Input,
		"Name":      x.Name,
		"StartTime": formatTime(now),
	}
	if t.RoleARN != "" {
		exec["RoleArn"] = t.RoleARN
	}
	st := map[string]any{"EnteredTime": formatTime(now), "Name": s.Name}
	switch s.Type {
	case TypeTask, TypeParallel, TypeMap:
		st["RetryCount"] = value.IntNumber(int64(t.RetrierRetryCount))
	}
	return map[string]any{"Execution": exec, "State": st, "StateMachine": map[string]any{"Id": smARN, "Name": x.smName}}
}

// variables returns the variables in the frame's scopes, the inner ones
// winning.
func (f *frame) variables() map[string]any {
	out := map[string]any{}
	var chain []*scope
	for sc := f.vars; sc != nil; sc = sc.parent {
		chain = append(chain, sc)
	}
	for i := len(chain) - 1; i >= 0; i-- {
		for _, sl := range chain[i].slots {
			out[sl.name] = sl.val
		}
	}
	return out
}

// tester runs one state test.
type tester struct {
	x   *Execution
	f   *frame
	s   *State
	su  *StateUnderTest
	t   StateTest
	res *StateTestResult
}

func (r *tester) inspect(stage string, v any) { r.res.Inspection.set(stage, v) }

// fail ends the test FAILED with fl.
func (r *tester) fail(fl failure) {
	r.res.Status, r.res.Error, r.res.Cause = TestFailed, fl.name, fl.cause
	r.res.Output, r.res.HasOutput, r.res.NextState = nil, false, ""
}

// done ends the test with the state's output, toward its Next.
func (r *tester) done(out any, next string) {
	r.res.Status, r.res.Output, r.res.HasOutput, r.res.NextState = TestSucceeded, out, true, next
}

// next is where the state goes once done: its Next, or nowhere.
func (r *tester) next() string {
	if r.s.End {
		return ""
	}
	return r.s.Next
}

func (r *tester) run() {
	x, f, s := r.x, r.f, r.s
	if s.jsonata {
		x.setStates(f, 0, f.input, nil, nil, s)
	}
	switch s.Type {
	case TypePass:
		r.pass()
	case TypeTask:
		r.task()
	case TypeChoice:
		r.choice()
	case TypeWait:
		r.wait()
	case TypeSucceed:
		r.succeed()
	case TypeFail:
		r.failState()
	case TypeParallel:
		r.parallel()
	case TypeMap:
		r.mapState()
	}
}

// finish turns a step of the engine's (a state's end, or a failure) into
// the test's result.
func (r *tester) finish(st step, next string) {
	if st.kind == outFail {
		r.fail(st.fail)
		return
	}
	r.done(st.output, next)
}

func (r *tester) pass() {
	x, f, s := r.x, r.f, r.s
	if s.jsonata {
		r.finish(x.exitJ(f, s, s.output, s.assign, f.input), r.next())
		return
	}
	var result any
	if s.hasResult {
		result = s.result
		r.inspect(StageResult, result)
	} else {
		eff, fl := x.inputPath(f, s)
		if fl != nil {
			r.fail(*fl)
			return
		}
		r.inspect(StageAfterInputPath, eff)
		if s.parameters != nil {
			if eff, fl = x.evalTemplate(f, s.parameters, eff, nil); fl != nil {
				r.fail(*fl)
				return
			}
		}
		r.inspect(StageAfterParameters, eff)
		result = eff
	}
	as, fl := x.assignJSONPath(f, s.assign, result)
	if fl != nil {
		r.fail(*fl)
		return
	}
	r.inspect(StageAfterResultSelector, result)
	r.finishJSONPath(result, as)
}

// finishJSONPath applies ResultPath and OutputPath to a JSONPath state's
// result, and its Assign.
func (r *tester) finishJSONPath(result any, as *assignment) {
	x, f, s := r.x, r.f, r.s
	out, fl := x.resultPath(f, s.resultPath, result, false)
	if fl != nil {
		r.fail(*fl)
		return
	}
	r.inspect(StageAfterResultPath, out)
	if out, fl = x.outputPath(f, s, out); fl != nil {
		r.fail(*fl)
		return
	}
	if fl := x.applyAssign(f, as); fl != nil {
		r.fail(*fl)
		return
	}
	r.done(out, r.next())
}

func (r *tester) choice() {
	x, f, s := r.x, r.f, r.s
	if s.jsonata {
		st := x.runChoiceJ(f, s)
		r.finish(st, stateName(st.next))
		return
	}
	eff, fl := x.inputPath(f, s)
	if fl != nil {
		r.fail(*fl)
		return
	}
	r.inspect(StageAfterInputPath, eff)
	st := x.runChoice(f, s)
	r.finish(st, stateName(st.next))
}

func stateName(s *State) string {
	if s == nil {
		return ""
	}
	return s.Name
}

// wait checks the Wait state's time as an execution would, without waiting.
func (r *tester) wait() {
	x, f, s := r.x, r.f, r.s
	if s.jsonata {
		if s.waitSecondsJ != nil {
			if _, fl := x.secondsJ(f, s.waitSecondsJ, 0); fl != nil {
				r.fail(*fl)
				return
			}
		}
		r.finish(x.exitJ(f, s, s.output, s.assign, f.input), r.next())
		return
	}
	eff, fl := x.inputPath(f, s)
	if fl != nil {
		r.fail(*fl)
		return
	}
	r.inspect(StageAfterInputPath, eff)
	as, fl := x.assignJSONPath(f, s.assign, eff)
	if fl != nil {
		r.fail(*fl)
		return
	}
	out, fl := x.outputPath(f, s, eff)
	if fl != nil {
		r.fail(*fl)
		return
	}
	if fl := x.applyAssign(f, as); fl != nil {
		r.fail(*fl)
		return
	}
	r.done(out, r.next())
}

func (r *tester) succeed() {
	x, f, s := r.x, r.f, r.s
	if s.jsonata {
		r.finish(x.exitJ(f, s, s.output, s.assign, f.input), "")
		return
	}
	eff, fl := x.inputPath(f, s)
	if fl != nil {
		r.fail(*fl)
		return
	}
	r.inspect(StageAfterInputPath, eff)
	out, fl := x.outputPath(f, s, eff)
	if fl != nil {
		r.fail(*fl)
		return
	}
	r.done(out, "")
}

func (r *tester) failState() {
	x, f, s := r.x, r.f, r.s
	if !s.jsonata {
		r.inspect(StageAfterInputPath, f.input)
		r.finish(x.runFail(f, s), "")
		return
	}
	r.finish(x.runFailJ(f, s), "")
}

// task runs a Task's input processing, its call (mocked, or the handler)
// and its result processing.
func (r *tester) task() {
	x, f, s := r.x, r.f, r.s
	var eff any
	if s.jsonata {
		var fl *failure
		if eff, fl = x.argumentsJ(f, s); fl != nil {
			r.fail(*fl)
			return
		}
		r.inspect(StageAfterArguments, eff)
	} else {
		var fl *failure
		if eff, fl = x.inputPath(f, s); fl != nil {
			r.fail(*fl)
			return
		}
		r.inspect(StageAfterInputPath, eff)
		if s.parameters != nil {
			if eff, fl = x.evalTemplate(f, s.parameters, eff, nil); fl != nil {
				r.fail(*fl)
				return
			}
		}
		r.inspect(StageAfterParameters, eff)
	}
	f.effective = eff
	result, fl := r.call(eff)
	if fl != nil {
		r.handle(*fl)
		return
	}
	r.inspect(StageResult, result)
	r.result(result)
}

// call answers a Task: with the mock, or by calling the handler and
// waiting for its answer.
func (r *tester) call(input any) (any, *failure) {
	if m := r.t.Mock; m != nil {
		if !m.HasResult {
			return nil, &failure{name: m.Error, cause: m.Cause, task: true}
		}
		return m.Result, nil
	}
	h := r.t.Handler
	if h == nil {
		return nil, &failure{name: states.Runtime, cause: fmt.Sprintf("No mock answers the Task state '%s' and nothing serves %s; give the test a mock result or error.", r.s.Name, r.s.Resource)}
	}
	type answer struct {
		out any
		err error
	}
	ch := make(chan answer, 1)
	req := &TaskRequest{Resource: r.s.Resource, State: r.s.Name, Input: input, Execution: r.x.Name, Attempt: r.t.RetrierRetryCount}
	h.Invoke(r.x.ctx, req, func(out any, err error) { ch <- answer{out, err} })
	var a answer
	select {
	case a = <-ch:
	case <-r.x.ctx.Done():
		return nil, &failure{name: states.Timeout, cause: "The Task did not answer before the test ended: " + r.x.ctx.Err().Error(), task: true}
	}
	if a.err != nil {
		fl := asFailure(a.err)
		fl.task = true
		return nil, &fl
	}
	out, err := value.Normalize(a.out)
	if err != nil {
		return nil, &failure{name: states.Runtime, cause: fmt.Sprintf("the handler for '%s' returned a value that is not JSON: %v", r.s.Resource, err)}
	}
	return out, nil
}

// result processes a Task's, Map's or Parallel's result: ResultSelector,
// ResultPath, OutputPath and Assign, or a JSONata state's Output and
// Assign.
func (r *tester) result(result any) {
	x, f, s := r.x, r.f, r.s
	if s.jsonata {
		r.finish(x.resultJ(f, s, result), r.next())
		return
	}
	var as *assignment
	if s.assign != nil {
		var fl *failure
		if as, fl = x.evalAssign(f, s.assign, result); fl != nil {
			r.fail(*fl)
			return
		}
	}
	if s.selector != nil {
		var fl *failure
		if result, fl = x.evalTemplate(f, s.selector, result, nil); fl != nil {
			r.fail(*fl)
			return
		}
	}
	r.inspect(StageAfterResultSelector, result)
	r.finishJSONPath(result, as)
}

// handle applies the state's Retry and Catch to a failure as TestState
// does: a retrier with attempts left makes the test RETRIABLE, a catcher
// CAUGHT_ERROR; otherwise it fails.
func (r *tester) handle(fl failure) {
	x, f, s := r.x, r.f, r.s
	for i, rt := range s.Retry {
		if !fl.matches(rt.ErrorEquals) {
			continue
		}
		if r.t.RetrierRetryCount < rt.MaxAttempts {
			backoff := int(math.Round(rt.Delay(r.t.RetrierRetryCount + 1).Seconds()))
			r.res.Status, r.res.Error, r.res.Cause = TestRetriable, fl.name, fl.cause
			r.res.Inspection.ErrorDetails = &TestErrorDetails{RetryIndex: &i, RetryBackoffIntervalSeconds: &backoff}
			return
		}
		break
	}
	for i, c := range s.Catch {
		if !fl.matches(c.ErrorEquals) {
			continue
		}
		st := x.catchOrFail(f, s, fl)
		if st.kind == outFail {
			r.fail(st.fail)
			return
		}
		r.res.Status, r.res.Output, r.res.HasOutput, r.res.NextState = TestCaughtError, st.output, true, c.Next
		r.res.Error, r.res.Cause = fl.name, fl.cause
		r.res.Inspection.ErrorDetails = &TestErrorDetails{CatchIndex: &i}
		return
	}
	r.fail(fl)
}

// parallel answers a Parallel state with its mock: the branches' results,
// or the error one of them raised.
func (r *tester) parallel() {
	x, f, s := r.x, r.f, r.s
	if s.jsonata {
		eff, fl := x.argumentsJ(f, s)
		if fl != nil {
			r.fail(*fl)
			return
		}
		f.effective = eff
	} else {
		eff, fl := x.effectiveInput(f, s)
		if fl != nil {
			r.fail(*fl)
			return
		}
		f.effective = eff
	}
	r.group()
}

// group ends a Map's or Parallel's work with the mock.
func (r *tester) group() {
	m := r.t.Mock
	if m == nil {
		r.fail(failure{name: states.Runtime, cause: fmt.Sprintf("The %s state '%s' needs a mock: TestState does not run its branches.", r.s.Type, r.s.Name)})
		return
	}
	if !m.HasResult {
		r.handle(failure{name: m.Error, cause: m.Cause})
		return
	}
	r.result(m.Result)
}

// mapState reads a Map's items, settings and tolerated failure threshold,
// then ends with the mock.
func (r *tester) mapState() {
	x, f, s := r.x, r.f, r.s
	var items any
	if s.jsonata {
		f.effective = f.input
		list, maxConc, fl := r.itemsJSONata()
		if fl != nil {
			r.fail(*fl)
			return
		}
		items = list
		r.res.Inspection.MaxConcurrency = &maxConc
	} else {
		eff, fl := x.inputPath(f, s)
		if fl != nil {
			r.fail(*fl)
			return
		}
		r.inspect(StageAfterInputPath, eff)
		f.effective = eff
		if r.su.HasItemReader() && r.t.HasMapItemReaderData {
			items = r.t.MapItemReaderData
		} else {
			items = eff
			if s.itemsPath.set && !s.itemsPath.null {
				v, err := x.getPath(f, s.itemsPath.path, eff)
				if _, isList := v.([]any); err != nil || !isList {
					r.fail(failure{name: states.Runtime, cause: fmt.Sprintf("Reference path %q must point to array.", strings.Replace(s.itemsPath.path.String(), "$$", "$", 1))})
					return
				}
				items = v
			}
			r.inspect(StageAfterItemsPath, items)
		}
		list, ok := items.([]any)
		if !ok {
			r.fail(failure{name: states.Runtime, cause: fmt.Sprintf("Items of the Map state must be a JSON array, not %s: %s", value.TypeName(items), value.QuoteForMessage(items))})
			return
		}
		if s.itemSelector != nil {
			selected := make([]any, len(list))
			for i, item := range list {
				ctx := x.context(f)
				itemCtx := make(map[string]any, len(ctx)+1)
				for k, v := range ctx {
					itemCtx[k] = v
				}
				itemCtx["Map"] = map[string]any{"Item": map[string]any{"Index": value.IntNumber(int64(i)), "Value": item}}
				v, fl := x.evalTemplate(f, s.itemSelector, eff, itemCtx)
				if fl != nil {
					r.fail(*fl)
					return
				}
				selected[i] = v
			}
			r.inspect(StageAfterItemSelector, selected)
		}
		maxConc, fl := r.maxConcurrency(eff)
		if fl != nil {
			r.fail(*fl)
			return
		}
		r.res.Inspection.MaxConcurrency = &maxConc
	}
	exceeded, fl := r.tolerance(items)
	if fl != nil {
		r.fail(*fl)
		return
	}
	if exceeded && r.t.Mock != nil && r.t.Mock.HasResult {
		r.handle(failure{name: states.ExceedToleratedFailureThreshold, cause: "The specified tolerated failure threshold was exceeded"})
		return
	}
	r.group()
}

// itemsJSONata reads a JSONata Map's items (Items, the ItemReader's data,
// or the input) and MaxConcurrency.
func (r *tester) itemsJSONata() ([]any, int, *failure) {
	x, f, s := r.x, r.f, r.s
	if r.su.HasItemReader() && r.t.HasMapItemReaderData {
		list, _ := r.t.MapItemReaderData.([]any)
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
	return x.mapItemsJ(f, s, true)
}

// maxConcurrency reads a JSONPath Map's MaxConcurrency or
// MaxConcurrencyPath.
func (r *tester) maxConcurrency(eff any) (int, *failure) {
	x, f, s := r.x, r.f, r.s
	if s.maxConcurrencyPath == nil {
		return int(s.maxConcurrency), nil
	}
	v, err := x.getPath(f, s.maxConcurrencyPath, eff)
	if err != nil {
		return 0, x.runtimeError(f, invalidPath(s.maxConcurrencyPath, err))
	}
	n, ok := value.Int(v)
	if str, isStr := v.(string); isStr {
		parsed, err := strconv.ParseInt(str, 10, 32)
		n, ok = parsed, err == nil
	}
	if !ok || n < 0 {
		return 0, x.runtimeError(f, fmt.Sprintf("The MaxConcurrencyPath field refers to value \"%s\" which is not a valid integer: %s", value.QuoteForMessage(v), s.maxConcurrencyPath))
	}
	return int(n), nil
}

// tolerance evaluates the Map's tolerated failure thresholds into the
// inspection and reports whether the mocked iteration failures exceed
// them.
func (r *tester) tolerance(items any) (bool, *failure) {
	x, f := r.x, r.f
	exceeded := false
	n := 0
	if list, ok := items.([]any); ok {
		n = len(list)
	}
	for _, tol := range r.su.tolerance {
		var v any
		switch {
		case tol.j != nil:
			got, bad := x.evalField(f, tol.j)
			if bad != nil {
				fl := x.queryFailure(f, bad)
				return false, &fl
			}
			v = got
		case tol.path != nil:
			got, err := x.getPath(f, tol.path, f.effective)
			if err != nil {
				return false, x.runtimeError(f, invalidPath(tol.path, err))
			}
			v = got
		default:
			v = tol.lit
		}
		num, ok := value.Float(v)
		if !ok || num < 0 {
			return false, x.runtimeError(f, fmt.Sprintf("The %s field must be a non-negative number, not %s.", tol.field, value.QuoteForMessage(v)))
		}
		failures := float64(r.t.MapIterationFailureCount)
		if tol.field == "ToleratedFailureCount" {
			c := int(num)
			r.res.Inspection.ToleratedFailureCount = &c
			if r.t.HasMapIterationFailureCount && failures > num {
				exceeded = true
			}
		} else {
			p := num
			r.res.Inspection.ToleratedFailurePercentage = &p
			if r.t.HasMapIterationFailureCount && n > 0 && failures*100/float64(n) > num {
				exceeded = true
			}
		}
	}
	return exceeded, nil
}

// IsTaskWithPattern reports whether the tested state is a Task whose
// integration waits for a job (.sync) or a callback (.waitForTaskToken),
// the Tasks whose context object has a Task member.
func (su *StateUnderTest) IsTaskWithPattern() bool {
	return su.State.Type == TypeTask && su.State.integ.Pattern != integration.RequestResponse
}

// Resource returns the tested Task's parsed Resource.
func (su *StateUnderTest) Resource() integration.Resource { return su.State.integ }

// ParallelBranches returns how many branches the tested Parallel state has.
func (su *StateUnderTest) ParallelBranches() int { return len(su.State.Branches) }
