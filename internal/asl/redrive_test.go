package asl

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/clock"
)

// redriveDoc charges, then pays with a retrier of two attempts, then
// confirms; Assign keeps what the first step said.
const redriveDoc = `{
  "StartAt": "Charge",
  "States": {
    "Charge": {"Type": "Pass", "Parameters": {"order.$": "$.order", "charge": {"charged": true}}, "Assign": {"ref.$": "$.order"}, "Next": "Pay"},
    "Pay": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "ResultPath": "$.paid",
            "Retry": [{"ErrorEquals": ["Payment.Unavailable"], "MaxAttempts": 1, "IntervalSeconds": 1}], "Next": "Confirm"},
    "Confirm": {"Type": "Pass", "Parameters": {"ref.$": "$ref", "paid.$": "$.paid", "redrives.$": "$$.Execution.RedriveCount"}, "End": true}
  }
}`

// redriveAgain redrives x on the same engine and clock, and runs it to its end.
func redriveAgain(t *testing.T, eng *Engine, vc *clock.Virtual, m *StateMachine, x *Execution) *Execution {
	t.Helper()
	y, err := eng.Redrive(context.Background(), m, RedriveOptions{Name: x.Name, StateMachineName: "sm", Events: x.Events()})
	if err != nil {
		t.Fatal(err)
	}
	vc.Run()
	if !y.Done() {
		t.Fatalf("redriven execution did not finish; status %s", y.Status())
	}
	return y
}

func TestRedriveResumesFromTheFailedStateWithItsInputAndVariables(t *testing.T) {
	down := fail("Payment.Unavailable", "provider down")
	h := &script{replies: []reply{down, down, {out: "ok"}}}
	eng := &Engine{}
	x, vc := runOn(t, eng, redriveDoc, mustJSON(t, `{"order":"ord_1"}`), h)
	wantFailure(t, x, "Payment.Unavailable")
	before := len(x.Events())
	m, _ := Parse([]byte(redriveDoc))

	y := redriveAgain(t, eng, vc, m, x)
	wantOutput(t, y, `{"paid":"ok","redrives":1,"ref":"ord_1"}`)
	if len(h.calls) != 3 {
		t.Errorf("Pay was called %d times, want 3 (two before the redrive, one after)", len(h.calls))
	}
	evs := y.Events()
	if got := evs[before]; got.Type != types.HistoryEventTypeExecutionRedriven || got.RedriveCount != 1 || got.ID != int64(before+1) || got.PreviousEventID != int64(before) {
		t.Fatalf("event after the old history = %+v, want ExecutionRedriven #%d with redriveCount 1", got, before+1)
	}
	// The old history is kept as it was, and Charge does not run again.
	for i, e := range x.Events() {
		if evs[i].ID != e.ID || evs[i].Type != e.Type {
			t.Fatalf("event %d changed: %v, was %v", i, evs[i].Type, e.Type)
		}
	}
	var after []string
	for _, e := range evs[before+1:] {
		after = append(after, string(e.Type))
		if e.StateName == "Charge" {
			t.Errorf("Charge ran again after the redrive")
		}
	}
	if want := "TaskStateEntered TaskScheduled TaskStarted TaskSucceeded TaskStateExited PassStateEntered PassStateExited ExecutionSucceeded"; strings.Join(after, " ") != want {
		t.Errorf("events after the redrive:\n %s\nwant\n %s", strings.Join(after, " "), want)
	}
	if evs[before+1].Payload == nil || !strings.Contains(mustEncode(t, evs[before+1].Payload), `"charge":{"charged":true}`) {
		t.Errorf("Pay entered with %v, want the input it failed with", evs[before+1].Payload)
	}
	if y.RedriveCount() != 1 || !y.RedriveDate().Equal(evs[before].Timestamp) || !y.StartTime().Equal(x.StartTime()) {
		t.Errorf("redrive count %d, date %v, start %v (was %v)", y.RedriveCount(), y.RedriveDate(), y.StartTime(), x.StartTime())
	}
}

func TestRedriveResetsRetryCountersAndCountsAgain(t *testing.T) {
	down := fail("Payment.Unavailable", "provider down")
	h := &script{replies: []reply{down}} // always down
	eng := &Engine{}
	x, vc := runOn(t, eng, redriveDoc, mustJSON(t, `{"order":"ord_1"}`), h)
	wantFailure(t, x, "Payment.Unavailable")
	m, _ := Parse([]byte(redriveDoc))
	y := redriveAgain(t, eng, vc, m, x)
	wantFailure(t, y, "Payment.Unavailable")
	if len(h.calls) != 4 {
		t.Errorf("Pay was called %d times, want 4: two attempts, and two again after the redrive (retries reset)", len(h.calls))
	}
	z := redriveAgain(t, eng, vc, m, y)
	wantFailure(t, z, "Payment.Unavailable")
	if z.RedriveCount() != 2 {
		t.Errorf("redrive count %d, want 2", z.RedriveCount())
	}
	if n, _ := RedriveInfo(z.Events()); n != 2 {
		t.Errorf("RedriveInfo counts %d, want 2", n)
	}
}

// The history alone is enough, after it went through the SDK's shape (as
// a history restored from a data directory or read from AWS would).
func TestRedriveFromAHistoryThroughTheSDKShape(t *testing.T) {
	const doc = `{
	  "QueryLanguage": "JSONata",
	  "StartAt": "First",
	  "States": {
	    "First": {"Type": "Pass", "Assign": {"n": "{% $states.input.n + 1 %}"}, "Next": "Second"},
	    "Second": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Output": "{% {'n': $n, 'got': $states.result} %}", "End": true}
	  }
	}`
	h := &script{replies: []reply{fail("Boom", "x"), {out: 7}}}
	eng := &Engine{}
	x, vc := runOn(t, eng, doc, mustJSON(t, `{"n":1}`), h)
	wantFailure(t, x, "Boom")
	var hist []HistoryEvent
	for _, e := range x.Events() {
		hist = append(hist, FromSFN(e.SFN()))
	}
	m, _ := Parse([]byte(doc))
	y, err := eng.Redrive(context.Background(), m, RedriveOptions{Name: "t", Events: hist})
	if err != nil {
		t.Fatal(err)
	}
	vc.Run()
	wantOutput(t, y, `{"got":7,"n":2}`)
}

// A Parallel state redriven runs again only the branch that failed; the
// other's output is the one it had.
func TestRedriveOfAParallelRerunsOnlyTheFailedBranch(t *testing.T) {
	const doc = `{
	  "StartAt": "Both",
	  "States": {
	    "Both": {"Type": "Parallel", "End": true, "Branches": [
	      {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}},
	      {"StartAt": "B0", "States": {"B0": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}
	    ]}
	  }
	}`
	h := &script{replies: []reply{{out: "a"}, fail("Boom", "x"), {out: "b"}}}
	eng := &Engine{}
	x, vc := runOn(t, eng, doc, mustJSON(t, `{"v":1}`), h)
	wantFailure(t, x, "Boom")
	m, _ := Parse([]byte(doc))
	pt, err := FindRedrivePoint(m, x.Events())
	if err != nil || pt.State != "Both" || len(pt.Done) != 1 || pt.Done[0] != "a" {
		t.Fatalf("redrive point %+v, %v; want Both with branch 0 done", pt, err)
	}
	if pt.Resumed[1] != "B" {
		t.Errorf("branch 1 resumes at %q, want B, where it failed", pt.Resumed[1])
	}
	before := len(x.Events())
	y := redriveAgain(t, eng, vc, m, x)
	wantOutput(t, y, `["a","b"]`)
	if len(h.calls) != 3 {
		t.Errorf("%d task calls, want 3: branch A does not run again", len(h.calls))
	}
	for _, e := range y.Events()[before:] {
		if e.StateName == "B0" {
			t.Errorf("B0, which had succeeded, ran again: %v", e.Type)
		}
	}
}

// An inline Map redriven runs again only the iterations that did not
// succeed, read from a history that went through the SDK's shape.
func TestRedriveOfAMapRerunsOnlyWhatDidNotSucceed(t *testing.T) {
	const doc = `{
	  "StartAt": "Each",
	  "States": {
	    "Each": {"Type": "Map", "MaxConcurrency": 1, "End": true,
	      "ItemProcessor": {"StartAt": "Do", "States": {"Do": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}}
	  }
	}`
	h := &script{replies: []reply{{out: "r0"}, fail("Boom", "x"), {out: "r1"}, {out: "r2"}}}
	eng := &Engine{}
	x, vc := runOn(t, eng, doc, mustJSON(t, `[1,2,3]`), h)
	wantFailure(t, x, "Boom")
	var hist []HistoryEvent
	for _, e := range x.Events() {
		hist = append(hist, FromSFN(e.SFN()))
	}
	m, _ := Parse([]byte(doc))
	y, err := eng.Redrive(context.Background(), m, RedriveOptions{Name: "t", Events: hist})
	if err != nil {
		t.Fatal(err)
	}
	vc.Run()
	wantOutput(t, y, `["r0","r1","r2"]`)
	if len(h.calls) != 4 {
		t.Errorf("%d task calls, want 4: iteration 0 does not run again", len(h.calls))
	}
	var started []int32
	for _, e := range y.Events()[len(hist):] {
		if e.Type == types.HistoryEventTypeMapIterationStarted {
			started = append(started, e.Index)
		}
	}
	if len(started) != 2 || started[0] != 1 || started[1] != 2 {
		t.Errorf("iterations started after the redrive: %v, want [1 2]", started)
	}
}

func TestRedriveOfAnExecutionStoppedBeforeItsFirstState(t *testing.T) {
	m, err := Parse([]byte(redriveDoc))
	if err != nil {
		t.Fatal(err)
	}
	hist := []HistoryEvent{
		{ID: 1, Type: types.HistoryEventTypeExecutionStarted, Payload: mustJSON(t, `{"order":"o"}`)},
		{ID: 2, PreviousEventID: 1, Type: types.HistoryEventTypeExecutionAborted},
	}
	pt, err := FindRedrivePoint(m, hist)
	if err != nil || pt.State != "Charge" {
		t.Fatalf("redrive point %+v, %v; want the StartAt state", pt, err)
	}
	if _, err := FindRedrivePoint(m, nil); err == nil {
		t.Error("an empty history gave a redrive point")
	}
}

func TestRedrivability(t *testing.T) {
	start := clock.Epoch
	stop := start.Add(time.Minute)
	for _, c := range []struct {
		status   Status
		now      time.Time
		events   int
		redrives int
		want     RedriveStatus
		reason   string
	}{
		{StatusFailed, stop.Add(time.Hour), 10, 0, Redrivable, ""},
		{StatusTimedOut, stop, 10, 999, Redrivable, ""},
		{StatusAborted, stop.Add(RedrivablePeriod), 10, 0, Redrivable, ""},
		{StatusRunning, stop, 10, 0, NotRedrivable, "Execution is RUNNING and cannot be redriven"},
		{StatusSucceeded, stop, 10, 0, NotRedrivable, "Execution is SUCCEEDED and cannot be redriven"},
		{StatusFailed, stop.Add(RedrivablePeriod + time.Second), 10, 0, NotRedrivable, ReasonPeriod},
		{StatusFailed, stop, MaxHistoryEvents - 1, 0, NotRedrivable, ReasonEventLimit},
		{StatusFailed, stop, 10, MaxRedrives, NotRedrivable, ReasonRedriveLimit},
	} {
		got, reason := Redrivability(c.status, start, stop, c.events, c.redrives, c.now)
		if got != c.want || reason != c.reason {
			t.Errorf("%s at +%v, %d events, %d redrives: %s %q, want %s %q", c.status, c.now.Sub(stop), c.events, c.redrives, got, reason, c.want, c.reason)
		}
	}
}

func TestExecutionRedrivenEventShape(t *testing.T) {
	e := HistoryEvent{ID: 9, PreviousEventID: 8, Type: types.HistoryEventTypeExecutionRedriven, RedriveCount: 3}
	b, err := e.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"executionRedrivenEventDetails":{"redriveCount":3}`) {
		t.Errorf("ExecutionRedriven encodes as %s", b)
	}
	if back := FromSFN(e.SFN()); back.RedriveCount != 3 || back.Type != e.Type {
		t.Errorf("FromSFN gives %+v", back)
	}
}

func mustEncode(t *testing.T, v any) string {
	t.Helper()
	b, err := value.Encode(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A TIMED_OUT execution redriven enters its state again, and its
// TimeoutSeconds counts again from the redrive.
func TestRedriveOfATimedOutExecutionTimesFromTheRedrive(t *testing.T) {
	const doc = `{"TimeoutSeconds": 10, "StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 20, "End": true}}}`
	eng := &Engine{}
	x, vc := runOn(t, eng, doc, mustJSON(t, `{}`), &script{})
	if x.Status() != StatusTimedOut {
		t.Fatalf("first run: %s", x.Status())
	}
	m, _ := Parse([]byte(doc))
	redriven := vc.Now()
	y := redriveAgain(t, eng, vc, m, x)
	if y.Status() != StatusTimedOut || y.StopTime().Sub(redriven) != 10*time.Second {
		t.Fatalf("redriven: %s, stopped %v after the redrive, want TIMED_OUT after 10s", y.Status(), y.StopTime().Sub(redriven))
	}
	evs := y.Events()
	if n := len(evs); evs[n-3].Type != types.HistoryEventTypeExecutionRedriven || evs[n-2].Type != types.HistoryEventTypeWaitStateEntered {
		t.Errorf("history ends %v %v %v", evs[n-3].Type, evs[n-2].Type, evs[n-1].Type)
	}
}

// Nested groups: a Map iteration that failed inside its Parallel resumes
// at the Parallel, which reruns only its branch that failed; the
// iteration's own variables come back, and the iteration that never
// started runs whole.
func TestRedriveResumesNestedBranchesWhereTheyStopped(t *testing.T) {
	const doc = `{
	  "StartAt": "Each",
	  "States": {
	    "Each": {"Type": "Map", "MaxConcurrency": 1, "End": true,
	      "ItemProcessor": {"StartAt": "Prep", "States": {
	        "Prep": {"Type": "Pass", "Assign": {"v.$": "$"}, "Next": "Par"},
	        "Par": {"Type": "Parallel", "Next": "Out", "Branches": [
	          {"StartAt": "X", "States": {"X": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}},
	          {"StartAt": "Y", "States": {"Y": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}
	        ]},
	        "Out": {"Type": "Pass", "Parameters": {"v.$": "$v", "r.$": "$"}, "End": true}
	      }}}
	  }
	}`
	h := &script{replies: []reply{{out: "x0"}, fail("Boom", "y down"), {out: "y0"}, {out: "x1"}, {out: "y1"}}}
	eng := &Engine{}
	x, vc := runOn(t, eng, doc, mustJSON(t, `[10,20]`), h)
	wantFailure(t, x, "Boom")
	m, _ := Parse([]byte(doc))
	pt, err := FindRedrivePoint(m, x.Events())
	if err != nil || pt.State != "Each" || len(pt.Done) != 0 || pt.Resumed[0] != "Par" {
		t.Fatalf("redrive point %+v, %v; want Each with iteration 0 resumed at Par", pt, err)
	}
	before := len(x.Events())
	y := redriveAgain(t, eng, vc, m, x)
	wantOutput(t, y, `[{"r":["x0","y0"],"v":10},{"r":["x1","y1"],"v":20}]`)
	if len(h.calls) != 5 {
		t.Errorf("%d task calls, want 5: X of iteration 0 does not run again", len(h.calls))
	}
	for _, e := range y.Events()[before:] {
		if e.StateName == "Prep" && e.Payload != nil && mustEncode(t, e.Payload) == "10" {
			t.Errorf("iteration 0 ran Prep again: %v", e.Type)
		}
	}
}
