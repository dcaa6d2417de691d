package asl

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/asl/states"
	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/clock"
)

const fnARN = "arn:aws:states:::lambda:invoke"

// script is a task handler that answers each call from a list of replies and
// records the virtual time of every call.
type script struct {
	clk     clock.Clock
	mu      sync.Mutex
	replies []reply
	calls   []time.Time
	inputs  []any
}

type reply struct {
	out   any
	err   error
	delay time.Duration // on the clock; 0 answers synchronously
}

func (s *script) Invoke(_ context.Context, req *TaskRequest, done func(any, error)) {
	s.mu.Lock()
	s.calls = append(s.calls, s.clk.Now())
	s.inputs = append(s.inputs, req.Input)
	r := reply{out: req.Input}
	if len(s.replies) > 0 {
		r = s.replies[0]
		if len(s.replies) > 1 {
			s.replies = s.replies[1:]
		}
	}
	s.mu.Unlock()
	if r.delay == 0 {
		done(r.out, r.err)
		return
	}
	s.clk.AfterFunc(r.delay, func() { done(r.out, r.err) })
}

func fail(name, cause string) reply { return reply{err: states.New(name, cause)} }

// runDoc parses doc, runs it on a virtual clock with the handler under
// fnARN, and returns the finished execution and the virtual time it took.
func runDoc(t *testing.T, doc string, input any, h TaskHandler) (*Execution, time.Duration) {
	t.Helper()
	x, vc := runOn(t, &Engine{}, doc, input, h)
	return x, vc.Now().Sub(clock.Epoch)
}

func eventTypes(x *Execution) string {
	var out []string
	for _, e := range x.Events() {
		out = append(out, string(e.Type))
	}
	return strings.Join(out, " ")
}

func mustJSON(t *testing.T, s string) any {
	t.Helper()
	v, err := value.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func wantOutput(t *testing.T, x *Execution, want string) {
	t.Helper()
	st, out, e, c := x.Result()
	if st != StatusSucceeded {
		t.Fatalf("status %s (%s: %s), want SUCCEEDED", st, e, c)
	}
	if w := mustJSON(t, want); !value.Equal(out, w) {
		t.Fatalf("output %s, want %s", value.MustEncodeString(out), want)
	}
}

func wantFailure(t *testing.T, x *Execution, errName string) string {
	t.Helper()
	st, _, e, c := x.Result()
	if st != StatusFailed || e != errName {
		t.Fatalf("status %s error %q (%s), want FAILED %s", st, e, c, errName)
	}
	return c
}

const retryDoc = `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
 "Retry":[{"ErrorEquals":["Err.Transient"]}],"End":true}}}`

func TestRetryDefaultsEmitTaskFailedThenScheduledAgain(t *testing.T) {
	h := &script{replies: []reply{fail("Err.Transient", "1"), fail("Err.Transient", "2"), {out: map[string]any{"ok": true}}}}
	x, elapsed := runDoc(t, retryDoc, map[string]any{}, h)
	wantOutput(t, x, `{"ok":true}`)
	want := "ExecutionStarted TaskStateEntered TaskScheduled TaskStarted TaskFailed TaskScheduled TaskStarted TaskFailed TaskScheduled TaskStarted TaskSucceeded TaskStateExited ExecutionSucceeded"
	if got := eventTypes(x); got != want {
		t.Fatalf("events\n got %s\nwant %s", got, want)
	}
	// IntervalSeconds 1, BackoffRate 2: waits of 1 s then 2 s.
	if elapsed != 3*time.Second {
		t.Fatalf("virtual time %v, want 3s", elapsed)
	}
	if gaps := []time.Duration{h.calls[1].Sub(h.calls[0]), h.calls[2].Sub(h.calls[1])}; gaps[0] != time.Second || gaps[1] != 2*time.Second {
		t.Fatalf("retry gaps %v, want [1s 2s]", gaps)
	}
	if x.Retries() != 2 {
		t.Fatalf("Retries() = %d, want 2", x.Retries())
	}
	// 1 state entered + 2 retries.
	if x.StateTransitions() != 3 {
		t.Fatalf("StateTransitions() = %d, want 3", x.StateTransitions())
	}
}

func TestRetryDefaultMaxAttemptsIsThree(t *testing.T) {
	h := &script{replies: []reply{fail("Err.Transient", "always")}}
	x, elapsed := runDoc(t, retryDoc, map[string]any{}, h)
	wantFailure(t, x, "Err.Transient")
	if len(h.calls) != 4 {
		t.Fatalf("%d calls, want 1 + 3 retries", len(h.calls))
	}
	if elapsed != 7*time.Second { // 1 + 2 + 4
		t.Fatalf("virtual time %v, want 7s", elapsed)
	}
	if got := eventTypes(x); !strings.HasSuffix(got, "TaskFailed ExecutionFailed") || strings.Contains(got, "TaskStateExited") {
		t.Fatalf("an uncaught failure must end TaskFailed ExecutionFailed with no TaskStateExited: %s", got)
	}
}

func TestRetryMaxAttemptsZeroNeverRetries(t *testing.T) {
	doc := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
	 "Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":0}],"End":true}}}`
	h := &script{replies: []reply{fail("Err.X", "")}}
	x, _ := runDoc(t, doc, map[string]any{}, h)
	wantFailure(t, x, "Err.X")
	if len(h.calls) != 1 {
		t.Fatalf("%d calls, want 1", len(h.calls))
	}
}

func TestRetryFirstMatchWinsWithoutFallThrough(t *testing.T) {
	doc := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
	 "Retry":[{"ErrorEquals":["Err.X"],"MaxAttempts":1},{"ErrorEquals":["States.ALL"],"MaxAttempts":5}],
	 "Catch":[{"ErrorEquals":["States.ALL"],"Next":"Caught","ResultPath":"$.error"}],"End":true},
	 "Caught":{"Type":"Pass","End":true}}}`
	h := &script{replies: []reply{fail("Err.X", "boom")}}
	x, _ := runDoc(t, doc, map[string]any{"id": 1}, h)
	if len(h.calls) != 2 {
		t.Fatalf("%d calls, want 2: the exhausted first retrier must not fall through to States.ALL", len(h.calls))
	}
	wantOutput(t, x, `{"id":1,"error":{"Error":"Err.X","Cause":"boom"}}`)
	if got := eventTypes(x); !strings.Contains(got, "TaskFailed TaskStateExited PassStateEntered") {
		t.Fatalf("a caught failure exits the task state: %s", got)
	}
}

func TestRetriersCountSeparately(t *testing.T) {
	doc := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
	 "Retry":[{"ErrorEquals":["A"],"MaxAttempts":1,"IntervalSeconds":1},{"ErrorEquals":["B"],"MaxAttempts":1,"IntervalSeconds":10}],"End":true}}}`
	h := &script{replies: []reply{fail("A", ""), fail("B", ""), {out: "done"}}}
	x, elapsed := runDoc(t, doc, nil, h)
	wantOutput(t, x, `"done"`)
	if elapsed != 11*time.Second {
		t.Fatalf("virtual time %v, want 11s", elapsed)
	}
}

func TestMaxDelaySecondsCapsBackoff(t *testing.T) {
	doc := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
	 "Retry":[{"ErrorEquals":["E"],"IntervalSeconds":1,"BackoffRate":10,"MaxDelaySeconds":5,"MaxAttempts":4}],"End":true}}}`
	h := &script{replies: []reply{fail("E", "")}}
	x, elapsed := runDoc(t, doc, nil, h)
	wantFailure(t, x, "E")
	if elapsed != 16*time.Second { // 1 + 5 + 5 + 5
		t.Fatalf("virtual time %v, want 16s", elapsed)
	}
}

func TestRetrierDelayFormula(t *testing.T) {
	r := &Retrier{IntervalSeconds: 2, BackoffRate: 1.5, MaxDelaySeconds: 10}
	want := []float64{2, 3, 4.5, 6.75, 10, 10}
	for i, w := range want {
		if got := r.Delay(i + 1).Seconds(); got != w {
			t.Errorf("Delay(%d) = %v, want %v", i+1, got, w)
		}
	}
}

func TestJitterFullStaysWithinTheDelayAndIsReproducible(t *testing.T) {
	doc := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
	 "Retry":[{"ErrorEquals":["E"],"IntervalSeconds":4,"BackoffRate":2,"MaxAttempts":5,"JitterStrategy":"FULL"}],"End":true}}}`
	var first []time.Duration
	for run := 0; run < 2; run++ {
		h := &script{replies: []reply{fail("E", "")}}
		runDoc(t, doc, nil, h)
		var gaps []time.Duration
		for i := 1; i < len(h.calls); i++ {
			gap := h.calls[i].Sub(h.calls[i-1])
			limit := time.Duration(4<<(i-1)) * time.Second
			if gap < 0 || gap > limit {
				t.Fatalf("retry %d waited %v, outside [0, %v]", i, gap, limit)
			}
			gaps = append(gaps, gap)
		}
		if run == 0 {
			first = gaps
			continue
		}
		for i := range gaps {
			if gaps[i] != first[i] {
				t.Fatalf("same seed, different jitter: %v vs %v", first, gaps)
			}
		}
	}
	equal := true
	for i, g := range first {
		if g != time.Duration(4<<i)*time.Second {
			equal = false
		}
	}
	if equal {
		t.Fatal("FULL jitter produced exactly the un-jittered delays")
	}
}

func TestStatesALLDoesNotCatchRuntime(t *testing.T) {
	doc := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
	 "Parameters":{"x.$":"$.missing"},
	 "Retry":[{"ErrorEquals":["States.ALL"]}],
	 "Catch":[{"ErrorEquals":["States.ALL"],"Next":"C"}],"End":true},"C":{"Type":"Pass","End":true}}}`
	h := &script{}
	x, _ := runDoc(t, doc, map[string]any{}, h)
	cause := wantFailure(t, x, states.Runtime)
	if len(h.calls) != 0 {
		t.Fatal("the task must not run when its Parameters fail")
	}
	if !strings.Contains(cause, "'$.missing'") || !strings.Contains(cause, "entered at the event id #2") {
		t.Fatalf("cause %q", cause)
	}
	if got := eventTypes(x); got != "ExecutionStarted TaskStateEntered ExecutionFailed" {
		t.Fatalf("events %s", got)
	}
}

// A Task's result over the payload limit fails the call: Step Functions
// records a TaskFailed with States.DataLimitExceeded, which a catcher on
// States.ALL takes (recorded against AWS: conformance-tasks,
// error_handling__states_errors__test_service_task_lambada_catch_state_all_data_limit_exceeded_on_large_utf8_response).
// Over the limit anywhere else (a Parallel's results) it is terminal.
func TestDataLimitExceeded(t *testing.T) {
	doc := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
	 "Catch":[{"ErrorEquals":["States.ALL"],"Next":"C"}],"End":true},"C":{"Type":"Pass","End":true}}}`
	big := strings.Repeat("x", MaxPayloadBytes)
	x, _ := runDoc(t, doc, nil, &script{replies: []reply{{out: big}}})
	wantOutput(t, x, `{"Cause":"The state/task 'lambda' returned a result with a size exceeding the maximum number of bytes service limit.","Error":"States.DataLimitExceeded"}`)
	if got := eventTypes(x); !strings.Contains(got, "TaskStarted TaskFailed TaskStateExited") {
		t.Errorf("events %s", got)
	}
	par := `{"StartAt":"P","States":{"P":{"Type":"Parallel","Catch":[{"ErrorEquals":["States.ALL"],"Next":"C"}],"End":true,"Branches":[
	 {"StartAt":"A","States":{"A":{"Type":"Pass","Result":"` + strings.Repeat("x", MaxPayloadBytes/2) + `","End":true}}},
	 {"StartAt":"B","States":{"B":{"Type":"Pass","Result":"` + strings.Repeat("x", MaxPayloadBytes/2) + `","End":true}}}]},
	 "C":{"Type":"Pass","End":true}}}`
	x, _ = runDoc(t, par, nil, nil)
	wantFailure(t, x, states.DataLimitExceeded)
}

func TestTaskTimeout(t *testing.T) {
	doc := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","TimeoutSeconds":2,
	 "Catch":[{"ErrorEquals":["States.TaskFailed"],"Next":"Wrong"},{"ErrorEquals":["States.Timeout"],"Next":"Right","ResultPath":"$.err"}],"End":true},
	 "Wrong":{"Type":"Pass","Result":"wrong","End":true},"Right":{"Type":"Pass","End":true}}}`
	h := &script{replies: []reply{{out: "late", delay: 10 * time.Second}}}
	x, elapsed := runDoc(t, doc, map[string]any{}, h)
	// A task timeout's error output has an empty Cause, as AWS records it
	// (conformance-tasks, error_handling__task_service_lambda__test_invoke_timeout).
	wantOutput(t, x, `{"err":{"Cause":"","Error":"States.Timeout"}}`)
	if got := eventTypes(x); got != "ExecutionStarted TaskStateEntered TaskScheduled TaskStarted TaskTimedOut TaskStateExited PassStateEntered PassStateExited ExecutionSucceeded" {
		t.Fatalf("events %s", got)
	}
	// The late answer at t=10s is ignored; the clock still runs to it.
	if elapsed != 10*time.Second {
		t.Fatalf("virtual time %v", elapsed)
	}
}

// OnSettled comes right after OnDone when no call is outstanding, and only
// once the last late answer has come otherwise: a call that timed out may
// still land its effect after the execution ended.
func TestOnSettledWaitsForLateAnswers(t *testing.T) {
	m, err := Parse([]byte(`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","TimeoutSeconds":2,"End":true}}}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name          string
		delay         time.Duration
		done, settled time.Duration
	}{
		{"synchronous answer", 0, 0, 0},
		{"answer in time", time.Second, time.Second, time.Second},
		{"late answer", 10 * time.Second, 2 * time.Second, 10 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := clock.NewVirtual(clock.Epoch)
			h := &script{clk: clk, replies: []reply{{out: "x", delay: tc.delay}}}
			e := &Engine{Clock: clk, Resources: Resources{fnARN: h}}
			var done, settled []time.Duration
			_, err := e.Start(context.Background(), m, StartOptions{Input: map[string]any{},
				OnDone:    func(*Execution) { done = append(done, clk.Now().Sub(clock.Epoch)) },
				OnSettled: func(*Execution) { settled = append(settled, clk.Now().Sub(clock.Epoch)) },
			})
			if err != nil {
				t.Fatal(err)
			}
			clk.Run()
			if len(done) != 1 || len(settled) != 1 || done[0] != tc.done || settled[0] != tc.settled {
				t.Fatalf("OnDone at %v, OnSettled at %v; want once each at %v and %v", done, settled, tc.done, tc.settled)
			}
		})
	}
}

// TaskCalls and TaskTime count what task functions are billed for: every
// call, and the time from its start to its answer or its timeout.
func TestTaskCallsAndTaskTime(t *testing.T) {
	doc := `{"StartAt":"A","States":{
	 "A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Next":"B"},
	 "B":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","TimeoutSeconds":1,
	      "Catch":[{"ErrorEquals":["States.Timeout"],"Next":"C"}],"End":true},
	 "C":{"Type":"Pass","End":true}}}`
	h := &script{replies: []reply{{out: "a", delay: 2 * time.Second}, {out: "late", delay: 5 * time.Second}}}
	x, _ := runDoc(t, doc, map[string]any{}, h)
	if x.TaskCalls() != 2 || x.TaskTime() != 3*time.Second {
		t.Fatalf("%d task calls, %v in tasks; want 2 and 3s", x.TaskCalls(), x.TaskTime())
	}
}

func TestTaskFailedMatchesAnythingButTimeout(t *testing.T) {
	for _, name := range []string{"Payment.Declined", states.TaskFailed, states.Permissions} {
		if !states.Matches([]string{states.TaskFailed}, name) {
			t.Errorf("States.TaskFailed must match %s", name)
		}
	}
	for _, name := range []string{states.Timeout, states.Runtime, states.DataLimitExceeded} {
		if states.Matches([]string{states.TaskFailed}, name) {
			t.Errorf("States.TaskFailed must not match %s", name)
		}
	}
}

func TestLambdaResourceEmitsLambdaEvents(t *testing.T) {
	arn := "arn:aws:lambda:us-east-1:123456789012:function:charge"
	doc := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"` + arn + `","Retry":[{"ErrorEquals":["E"],"MaxAttempts":1}],"End":true}}}`
	m, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	vc := clock.NewVirtual(clock.Epoch)
	h := &script{clk: vc, replies: []reply{fail("E", "c"), {out: 1}}}
	x, _ := (&Engine{Clock: vc, Resources: Resources{arn: h}}).Start(context.Background(), m, StartOptions{Input: nil})
	vc.Run()
	want := "ExecutionStarted TaskStateEntered LambdaFunctionScheduled LambdaFunctionStarted LambdaFunctionFailed LambdaFunctionScheduled LambdaFunctionStarted LambdaFunctionSucceeded TaskStateExited ExecutionSucceeded"
	if got := eventTypes(x); got != want {
		t.Fatalf("events\n got %s\nwant %s", got, want)
	}
}

func TestResultSelectorResultPathOutputPath(t *testing.T) {
	doc := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
	 "InputPath":"$.order","Parameters":{"FunctionName":"charge","Payload":{"id.$":"$.id","amount.$":"$.total"}},
	 "ResultSelector":{"paymentId.$":"$.Payload.paymentId","status.$":"$.StatusCode"},
	 "ResultPath":"$.order.payment","OutputPath":"$.order","End":true}}}`
	h := &script{replies: []reply{{out: map[string]any{"Payload": map[string]any{"paymentId": "pay_1"}, "StatusCode": 200}}}}
	x, _ := runDoc(t, doc, mustJSON(t, `{"order":{"id":"ord_1","total":2500},"trace":"t"}`), h)
	wantOutput(t, x, `{"id":"ord_1","total":2500,"payment":{"paymentId":"pay_1","status":200}}`)
	if got := value.MustEncodeString(h.inputs[0]); got != `{"FunctionName":"charge","Payload":{"amount":2500,"id":"ord_1"}}` {
		t.Fatalf("task input %s", got)
	}
	ev := x.Events()[2]
	if ev.Type != "TaskScheduled" || ev.Resource != fnARN || ev.Region != "us-east-1" {
		t.Fatalf("TaskScheduled details %+v", ev)
	}
}

func TestResultPathNullKeepsInputAndOutputPathNullGivesEmptyObject(t *testing.T) {
	doc := `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","ResultPath":null,"Next":"B"},
	 "B":{"Type":"Pass","OutputPath":null,"Next":"C"},"C":{"Type":"Pass","InputPath":null,"End":true}}}`
	x, _ := runDoc(t, doc, map[string]any{"a": 1}, &script{replies: []reply{{out: "ignored"}}})
	wantOutput(t, x, `{}`)
}

func TestResultPathIntoNonObjectIsResultPathMatchFailure(t *testing.T) {
	doc := `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","ResultPath":"$.a.b",
	 "Catch":[{"ErrorEquals":["States.ResultPathMatchFailure"],"Next":"C"}],"End":true},"C":{"Type":"Pass","End":true}}}`
	x, _ := runDoc(t, doc, map[string]any{"a": "string"}, &script{replies: []reply{{out: 1}}})
	wantFailure(t, x, states.ResultPathMatchFailure)
}

// The worked example of the ASL specification, "Parameters".
func TestSpecParametersExample(t *testing.T) {
	doc := `{"StartAt":"X","States":{"X":{"Type":"Pass","End":true,
	 "Parameters":{"flagged":true,"parts":{"first.$":"$.vals[0]","last3.$":"$.vals[-3:]"}}}}}`
	x, _ := runDoc(t, doc, mustJSON(t, `{"flagged":7,"vals":[0,10,20,30,40,50]}`), &script{})
	wantOutput(t, x, `{"flagged":true,"parts":{"first":0,"last3":[30,40,50]}}`)
}

// The worked example of the ASL specification, "ResultPath": the result of
// a state replaces or is inserted into its input.
func TestSpecResultPathExamples(t *testing.T) {
	in := `{"master":{"detail":[1,2,3]}}`
	for _, c := range []struct{ rp, want string }{
		{`"$.master.detail"`, `{"master":{"detail":6}}`},
		{`"$.master.result.sum"`, `{"master":{"detail":[1,2,3],"result":{"sum":6}}}`},
		{`"$"`, `6`},
	} {
		doc := `{"StartAt":"X","States":{"X":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","InputPath":"$.master.detail","ResultPath":` + c.rp + `,"End":true}}}`
		sum := TaskHandlerFunc(func(_ context.Context, req *TaskRequest, done func(any, error)) {
			total := 0.0
			for _, v := range req.Input.([]any) {
				f, _ := value.Float(v)
				total += f
			}
			done(value.Number(total), nil)
		})
		x, _ := runDoc(t, doc, mustJSON(t, in), sum)
		wantOutput(t, x, c.want)
	}
}

// The Choice example of the ASL specification.
func TestSpecChoiceExample(t *testing.T) {
	doc := `{"StartAt":"DispatchEvent","States":{"DispatchEvent":{"Type":"Choice","Choices":[
	 {"Not":{"Variable":"$.type","StringEquals":"Private"},"Next":"Public"},
	 {"And":[{"Variable":"$.value","IsPresent":true},{"Variable":"$.value","IsNumeric":true},
	         {"Variable":"$.value","NumericGreaterThanEquals":20},{"Variable":"$.value","NumericLessThan":30}],"Next":"ValueInTwenties"},
	 {"Variable":"$.rating","NumericGreaterThanPath":"$.auditThreshold","Next":"StartAudit"}],
	 "Default":"RecordEvent"},
	 "Public":{"Type":"Pass","Result":"Public","End":true},
	 "ValueInTwenties":{"Type":"Pass","Result":"ValueInTwenties","End":true},
	 "StartAudit":{"Type":"Pass","Result":"StartAudit","End":true},
	 "RecordEvent":{"Type":"Pass","Result":"RecordEvent","End":true}}}`
	for in, want := range map[string]string{
		`{"type":"Public"}`:             `"Public"`,
		`{"type":"Private","value":25}`: `"ValueInTwenties"`,
		`{"type":"Private","value":35,"rating":60,"auditThreshold":50}`:  `"StartAudit"`,
		`{"type":"Private","value":"25","rating":1,"auditThreshold":50}`: `"RecordEvent"`,
	} {
		x, _ := runDoc(t, doc, mustJSON(t, in), &script{})
		wantOutput(t, x, want)
	}
}

func TestChoiceWithoutMatchOrDefault(t *testing.T) {
	doc := `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","NumericEquals":1,"Next":"D"}]},"D":{"Type":"Succeed"}}}`
	x, _ := runDoc(t, doc, map[string]any{"a": 2}, &script{})
	wantFailure(t, x, states.NoChoiceMatched)
	x, _ = runDoc(t, doc, map[string]any{}, &script{})
	wantFailure(t, x, states.Runtime)
}

func TestStringMatches(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		want       bool
	}{
		{"*.log", "app.log", true},
		{"*.log", "app.txt", false},
		{"log-*.txt", "log-2026.txt", true},
		{`a\*b`, "a*b", true},
		{`a\*b`, "axb", false},
		{"*", "", true},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXbY", false},
		{`back\\slash`, `back\slash`, true},
	} {
		if got := matchPattern(compilePattern(c.pattern), c.s); got != c.want {
			t.Errorf("StringMatches %q on %q = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
}

func TestWaitCostsNoWallTime(t *testing.T) {
	doc := `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":30,"Next":"W2"},"W2":{"Type":"Wait","SecondsPath":"$.s","End":true}}}`
	start := time.Now()
	x, elapsed := runDoc(t, doc, map[string]any{"s": 3600}, &script{})
	wantOutput(t, x, `{"s":3600}`)
	if elapsed != time.Hour+30*time.Second {
		t.Fatalf("virtual time %v", elapsed)
	}
	_ = start // wall time is not asserted; the virtual clock is what counts
}

func TestWaitTimestamp(t *testing.T) {
	doc := `{"StartAt":"W","States":{"W":{"Type":"Wait","TimestampPath":"$.until","End":true}}}`
	until := clock.Epoch.Add(90 * time.Minute).Format(time.RFC3339)
	_, elapsed := runDoc(t, doc, map[string]any{"until": until}, &script{})
	if elapsed != 90*time.Minute {
		t.Fatalf("virtual time %v", elapsed)
	}
}

func TestParallelCollectsResultsInBranchOrder(t *testing.T) {
	doc := `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
	 {"StartAt":"Slow","States":{"Slow":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"n":1},"End":true}}},
	 {"StartAt":"Fast","States":{"Fast":{"Type":"Pass","Result":2,"End":true}}}]}}}`
	h := &script{replies: []reply{{out: "slow", delay: 5 * time.Second}}}
	x, elapsed := runDoc(t, doc, nil, h)
	wantOutput(t, x, `["slow",2]`)
	if elapsed != 5*time.Second {
		t.Fatalf("virtual time %v", elapsed)
	}
}

func TestParallelBranchFailureStopsTheOthersAndIsCaught(t *testing.T) {
	doc := `{"StartAt":"P","States":{"P":{"Type":"Parallel","Next":"Done","Catch":[{"ErrorEquals":["Boom"],"Next":"Caught"}],"Branches":[
	 {"StartAt":"Long","States":{"Long":{"Type":"Wait","Seconds":100,"Next":"After"},"After":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}},
	 {"StartAt":"Fail","States":{"Fail":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}]},
	 "Done":{"Type":"Succeed"},"Caught":{"Type":"Pass","End":true}}}`
	h := &script{replies: []reply{{err: states.New("Boom", "why"), delay: time.Second}}}
	x, _ := runDoc(t, doc, nil, h)
	wantOutput(t, x, `{"Error":"Boom","Cause":"why"}`)
	if len(h.calls) != 1 {
		t.Fatalf("the killed branch still called its task: %d calls", len(h.calls))
	}
	if got := eventTypes(x); !strings.Contains(got, "TaskFailed ParallelStateFailed ParallelStateExited PassStateEntered") {
		t.Fatalf("events %s", got)
	}
}

func TestMapHonoursMaxConcurrency(t *testing.T) {
	doc := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":2,
	 "ItemSelector":{"i.$":"$$.Map.Item.Index","v.$":"$$.Map.Item.Value","tag.$":"$.tag"},
	 "ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}},"End":true}}}`
	var inflight, peak atomic.Int32
	var vc *clock.Virtual
	h := TaskHandlerFunc(func(_ context.Context, req *TaskRequest, done func(any, error)) {
		n := inflight.Add(1)
		if n > peak.Load() {
			peak.Store(n)
		}
		vc.AfterFunc(time.Second, func() { inflight.Add(-1); done(req.Input, nil) })
	})
	m, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	vc = clock.NewVirtual(clock.Epoch)
	x, _ := (&Engine{Clock: vc, Resources: Resources{fnARN: h}}).Start(context.Background(), m,
		StartOptions{Input: mustJSON(t, `{"tag":"t","items":["a","b","c","d","e"]}`)})
	vc.Run()
	wantOutput(t, x, `[{"i":0,"v":"a","tag":"t"},{"i":1,"v":"b","tag":"t"},{"i":2,"v":"c","tag":"t"},{"i":3,"v":"d","tag":"t"},{"i":4,"v":"e","tag":"t"}]`)
	if peak.Load() != 2 {
		t.Fatalf("peak concurrency %d, want 2", peak.Load())
	}
	if d := vc.Now().Sub(clock.Epoch); d != 3*time.Second {
		t.Fatalf("5 items, 2 at a time, 1 s each: %v, want 3s", d)
	}
}

func TestMapOfManyInstantItemsDoesNotRecurse(t *testing.T) {
	doc := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
	items := make([]any, 3000)
	for i := range items {
		items[i] = value.IntNumber(int64(i))
	}
	x, _ := runDoc(t, doc, items, &script{})
	_, out, _, _ := x.Result()
	if got := len(out.([]any)); got != 3000 {
		t.Fatalf("%d results", got)
	}
}

func TestExecutionTimeout(t *testing.T) {
	doc := `{"TimeoutSeconds":5,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}`
	x, _ := runDoc(t, doc, nil, &script{})
	if st := x.Status(); st != StatusTimedOut {
		t.Fatalf("status %s", st)
	}
	if got := eventTypes(x); got != "ExecutionStarted WaitStateEntered ExecutionTimedOut" {
		t.Fatalf("events %s", got)
	}
}

func TestStopAbortsAndIgnoresLateAnswers(t *testing.T) {
	m, err := Parse([]byte(retryDoc))
	if err != nil {
		t.Fatal(err)
	}
	vc := clock.NewVirtual(clock.Epoch)
	h := &script{clk: vc, replies: []reply{{out: 1, delay: time.Minute}}}
	x, _ := (&Engine{Clock: vc, Resources: Resources{fnARN: h}}).Start(context.Background(), m, StartOptions{})
	vc.Advance(time.Second)
	if !x.Stop("Operator.Stop", "stopped by hand") {
		t.Fatal("Stop of a running execution returned false")
	}
	vc.Run()
	st, _, e, c := x.Result()
	if st != StatusAborted || e != "Operator.Stop" || c != "stopped by hand" {
		t.Fatalf("%s %s %s", st, e, c)
	}
	if got := eventTypes(x); !strings.HasSuffix(got, "TaskStarted ExecutionAborted") {
		t.Fatalf("events %s", got)
	}
	if x.Stop("", "") {
		t.Fatal("Stop of an ended execution returned true")
	}
}

func TestHistoryLimit(t *testing.T) {
	doc := `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Choice","Choices":[{"Variable":"$.stop","IsPresent":true,"Next":"End"}],"Default":"A"},"End":{"Type":"Succeed"}}}`
	x, _ := runDoc(t, doc, map[string]any{}, &script{})
	c := wantFailure(t, x, states.Runtime)
	if !strings.Contains(c, "25000") || x.EventCount() > MaxHistoryEvents {
		t.Fatalf("cause %q after %d events", c, x.EventCount())
	}
}

func TestPreviousEventIDs(t *testing.T) {
	x, _ := runDoc(t, retryDoc, nil, &script{})
	evs := x.Events()
	for i, e := range evs {
		if e.ID != int64(i+1) {
			t.Fatalf("event %d has id %d", i, e.ID)
		}
		// Step Functions gives the first state's Entered event previousEventId 0.
		if i >= 2 && e.PreviousEventID != e.ID-1 {
			t.Fatalf("event %d (%s) previous %d", e.ID, e.Type, e.PreviousEventID)
		}
	}
	sdk := evs[2].SFN()
	if sdk.TaskScheduledEventDetails == nil || *sdk.TaskScheduledEventDetails.Parameters != "null" {
		t.Fatalf("SFN conversion lost the TaskScheduled details: %+v", sdk)
	}
}

// A Task that nothing answers is not a business failure the definition's
// own Retry and Catch would handle (States.ALL does not match
// States.Runtime): the execution fails naming the state, the resource and
// how to mock it, and no task event claims a call was made.
func TestTaskWithoutAnswerFailsTheExecution(t *testing.T) {
	doc := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage",
	  "Retry":[{"ErrorEquals":["States.ALL"]}],"Catch":[{"ErrorEquals":["States.ALL"],"Next":"C"}],"End":true},"C":{"Type":"Succeed"}}}`
	x, _ := runDoc(t, doc, nil, &script{})
	c := wantFailure(t, x, states.Runtime)
	for _, want := range []string{"state 'T'", "arn:aws:states:::sqs:sendMessage", "yafdp saga mock-config"} {
		if !strings.Contains(c, want) {
			t.Errorf("cause %q does not say %q", c, want)
		}
	}
	if got := eventTypes(x); got != "ExecutionStarted TaskStateEntered ExecutionFailed" {
		t.Errorf("events %s", got)
	}
}

func TestPlainErrorsCountAsTaskFailed(t *testing.T) {
	x, _ := runDoc(t, retryDoc, nil, &script{replies: []reply{{err: errors.New("disk full")}}})
	if c := wantFailure(t, x, states.TaskFailed); c != "disk full" {
		t.Fatalf("cause %q", c)
	}
}

func TestRealClockHandlersOnOtherGoroutines(t *testing.T) {
	doc := `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
	 {"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}},
	 {"StartAt":"B","States":{"B":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}]}}}`
	m, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	h := TaskHandlerFunc(func(_ context.Context, req *TaskRequest, done func(any, error)) {
		go done(req.State, nil)
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	x, err := (&Engine{Resources: Resources{fnARN: h}}).Run(ctx, m, StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantOutput(t, x, `["A","B"]`)
}

func TestHistoryEventJSONIsTheWireFormat(t *testing.T) {
	x, _ := runDoc(t, retryDoc, map[string]any{"orderId": "ord_1"}, &script{})
	evs := x.Events()
	b, err := json.Marshal(evs[2])
	if err != nil {
		t.Fatal(err)
	}
	want := `{"timestamp":"2026-01-01T00:00:00.000Z","type":"TaskScheduled","id":3,"previousEventId":2,"taskScheduledEventDetails":{"parameters":"{\"orderId\":\"ord_1\"}","region":"us-east-1","resource":"invoke","resourceType":"lambda"}}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	b, _ = json.Marshal(evs[1])
	if !strings.Contains(string(b), `"stateEnteredEventDetails":{"name":"T","input":"{\"orderId\":\"ord_1\"}"}`) {
		t.Fatalf("entered event %s", b)
	}
}

// A handler that says when it will answer spares the engine a timeout
// timer, and a handler that says it will be late still times out.
func TestAnswerInSkipsOrKeepsTheTimeout(t *testing.T) {
	doc := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","TimeoutSeconds":5,"End":true}}}`
	m, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		latency time.Duration
		want    Status
	}{{time.Second, StatusSucceeded}, {10 * time.Second, StatusFailed}} {
		vc := clock.NewVirtual(clock.Epoch)
		h := TaskHandlerFunc(func(_ context.Context, req *TaskRequest, done func(any, error)) {
			req.AnswerIn(c.latency)
			vc.AfterFunc(c.latency, func() { done("ok", nil) })
		})
		x, _ := (&Engine{Clock: vc, Resources: Resources{fnARN: h}}).Start(context.Background(), m, StartOptions{})
		if c.latency < 5*time.Second && vc.Pending() != 1 {
			t.Fatalf("an answer promised in %v armed a timeout: %d pending", c.latency, vc.Pending())
		}
		vc.Run()
		if st, _, e, _ := x.Result(); st != c.want || (c.want == StatusFailed && e != states.Timeout) {
			t.Fatalf("latency %v: %s %s", c.latency, st, e)
		}
	}
}

func TestStartInputSize(t *testing.T) {
	m, err := Parse([]byte(`{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`))
	if err != nil {
		t.Fatal(err)
	}
	eng := &Engine{Clock: clock.NewVirtual(clock.Epoch)}
	small := map[string]any{"orderId": "o1"}
	big := map[string]any{"blob": strings.Repeat("x", MaxPayloadBytes)}
	for _, tc := range []struct {
		name   string
		input  any
		size   int
		wantOK bool
	}{
		{"measured small", small, 0, true},
		{"measured too big", big, 0, false},
		{"known small", small, value.EncodedSize(small), true},
		{"a generous bound over the limit is measured", small, MaxPayloadBytes + 1, true},
		{"known too big", big, value.EncodedSize(big), false},
		// The caller's word is taken within the limit: that is what saves
		// the walk.
		{"trusted", big, 100, true},
	} {
		_, err := eng.Start(context.Background(), m, StartOptions{Input: tc.input, inputSize: tc.size})
		if (err == nil) != tc.wantOK {
			t.Errorf("%s: Start error %v, want ok=%v", tc.name, err, tc.wantOK)
		}
	}
}

// A handler that vouches for its answer's size is taken at its word within
// the payload limit (here it lies, which shows the answer is not measured);
// a bound over the limit, or none, has the answer measured.
func TestAnswerWithinSkipsTheSizeCheck(t *testing.T) {
	doc := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}`
	m, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", MaxPayloadBytes)
	for _, c := range []struct {
		vouch int
		want  Status
	}{{0, StatusFailed}, {MaxPayloadBytes + 1, StatusFailed}, {100, StatusSucceeded}} {
		vc := clock.NewVirtual(clock.Epoch)
		h := TaskHandlerFunc(func(_ context.Context, req *TaskRequest, done func(any, error)) {
			if c.vouch > 0 {
				req.AnswerWithin(c.vouch)
			}
			done(big, nil)
		})
		x, _ := (&Engine{Clock: vc, Resources: Resources{fnARN: h}}).Start(context.Background(), m, StartOptions{})
		vc.Run()
		if st, _, e, _ := x.Result(); st != c.want || (c.want == StatusFailed && e != states.DataLimitExceeded) {
			t.Fatalf("vouched %d: %s %s", c.vouch, st, e)
		}
	}
}
