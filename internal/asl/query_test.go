package asl

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl/value"
)

// A JSONata Task: Arguments builds the request, Output and Assign read
// $states.result, a retry sees the same Arguments, and Assign takes effect
// from the next state on.
func TestJSONataTaskResultOutputAndAssign(t *testing.T) {
	doc := `{"QueryLanguage":"JSONata","StartAt":"T","States":{
	 "T":{"Type":"Task","Resource":"` + fnARN + `",
	      "Arguments":{"FunctionName":"f","Payload":{"id":"{% $states.input.id %}","n":"{% $count($states.input.items) %}"}},
	      "Output":{"total":"{% $states.result.total %}","before":"{% $seen %}"},
	      "Assign":{"seen":"{% $states.result.total %}"},
	      "Retry":[{"ErrorEquals":["Err.Transient"],"IntervalSeconds":1}],"Next":"U"},
	 "U":{"Type":"Pass","Output":{"seen":"{% $seen %}","input":"{% $states.input %}"},"End":true}}}`
	h := &script{replies: []reply{fail("Err.Transient", "slow"), {out: map[string]any{"total": 7.0}}}}
	x, _ := runDoc(t, strings.Replace(doc, `"before":"{% $seen %}"`, `"before":"{% $exists($seen) %}"`, 1), map[string]any{"id": "o1", "items": []any{1, 2}}, h)
	status, out, errName, cause := x.Result()
	if status != StatusSucceeded {
		t.Fatalf("%s %s %s", status, errName, cause)
	}
	if got := value.MustEncodeString(out); got != `{"input":{"before":false,"total":7},"seen":7}` {
		t.Errorf("output %s", got)
	}
	if len(h.inputs) != 2 || value.MustEncodeString(h.inputs[0]) != `{"FunctionName":"f","Payload":{"id":"o1","n":2}}` || value.MustEncodeString(h.inputs[1]) != value.MustEncodeString(h.inputs[0]) {
		t.Errorf("task inputs %v", h.inputs)
	}
	var exited *HistoryEvent
	for _, e := range x.Events() {
		if e.Type == types.HistoryEventTypeTaskStateExited {
			exited = &e
		}
	}
	if exited == nil || exited.Assigned["seen"] != "7" {
		t.Fatalf("TaskStateExited assigned %v", exited)
	}
	sfn := exited.SFN()
	if d := sfn.StateExitedEventDetails; d.AssignedVariables["seen"] != "7" || d.AssignedVariablesDetails == nil || d.AssignedVariablesDetails.Truncated {
		t.Errorf("GetExecutionHistory's details %+v", d)
	}
	wire, _ := json.Marshal(exited)
	if !strings.Contains(string(wire), `"assignedVariables":{"seen":"7"},"assignedVariablesDetails":{"truncated":false}`) {
		t.Errorf("wire form %s", wire)
	}
	if back := FromSFN(sfn); back.Assigned["seen"] != "7" {
		t.Errorf("FromSFN lost the assigned variables: %+v", back)
	}
}

// A JSONata catcher reads $states.errorOutput in its Assign and Output;
// the state's own Assign does not run.
func TestJSONataCatchErrorOutput(t *testing.T) {
	doc := `{"QueryLanguage":"JSONata","StartAt":"T","States":{
	 "T":{"Type":"Task","Resource":"` + fnARN + `","Assign":{"ok":true},
	      "Catch":[{"ErrorEquals":["States.ALL"],"Assign":{"why":"{% $states.errorOutput.Cause %}"},"Output":{"err":"{% $states.errorOutput.Error %}","in":"{% $states.input.a %}"},"Next":"U"}],"End":true},
	 "U":{"Type":"Pass","Output":{"why":"{% $why %}","ok":"{% $exists($ok) %}","got":"{% $states.input %}"},"End":true}}}`
	x, _ := runDoc(t, doc, map[string]any{"a": 1}, &script{replies: []reply{fail("Boom", "because")}})
	status, out, _, _ := x.Result()
	if status != StatusSucceeded || value.MustEncodeString(out) != `{"got":{"err":"Boom","in":1},"ok":false,"why":"because"}` {
		t.Errorf("%s %s", status, value.MustEncodeString(out))
	}
}

// Parallel branches and Map iterations read the outer variables; what they
// assign stays in their own scope.
func TestVariableScopes(t *testing.T) {
	doc := `{"StartAt":"A","States":{
	 "A":{"Type":"Pass","Assign":{"x":1,"items":[10,20]},"Next":"M"},
	 "M":{"Type":"Map","ItemsPath":"$items","ItemProcessor":{"StartAt":"I","States":{
	    "I":{"Type":"Pass","Assign":{"inner.$":"$"},"Next":"J"},
	    "J":{"Type":"Pass","Parameters":{"x.$":"$x","inner.$":"$inner"},"End":true}}},"Next":"B"},
	 "B":{"Type":"Pass","QueryLanguage":"JSONata","Output":{"mapped":"{% $states.input %}","inner":"{% $exists($inner) %}","x":"{% $x %}"},"End":true}}}`
	x, _ := runDoc(t, doc, map[string]any{}, nil)
	status, out, errName, cause := x.Result()
	if status != StatusSucceeded {
		t.Fatalf("%s %s %s", status, errName, cause)
	}
	if got := value.MustEncodeString(out); got != `{"inner":false,"mapped":[{"inner":10,"x":1},{"inner":20,"x":1}],"x":1}` {
		t.Errorf("output %s", got)
	}
}

// A JSONPath path to a variable nobody assigned fails the state.
func TestUndefinedVariableInJSONPath(t *testing.T) {
	x, _ := runDoc(t, `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"v.$":"$nope"},"End":true}}}`, map[string]any{}, nil)
	status, _, errName, cause := x.Result()
	if status != StatusFailed || errName != "States.Runtime" || !strings.Contains(cause, "references the variable 'nope', which has not been assigned") {
		t.Errorf("%s %s %s", status, errName, cause)
	}
}

// An expression that evaluates to nothing fails the state with
// States.QueryEvaluationError, after an EvaluationFailed event that names the
// state and the field, as AWS records it.
func TestEvaluationFailedEvent(t *testing.T) {
	doc := `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Next":"Q"},"Q":{"Type":"Pass","Output":{"r":"{% $nope %}"},"End":true}}}`
	x, _ := runDoc(t, doc, map[string]any{}, nil)
	status, _, errName, cause := x.Result()
	wantCause := "An error occurred while executing the state 'Q' (entered at the event id #4). The JSONata expression '$nope' specified for the field 'Output/r' returned nothing (undefined)."
	if status != StatusFailed || errName != "States.QueryEvaluationError" || cause != wantCause {
		t.Fatalf("%s %s %q", status, errName, cause)
	}
	if got := eventTypes(x); got != "ExecutionStarted PassStateEntered PassStateExited PassStateEntered EvaluationFailed ExecutionFailed" {
		t.Fatalf("events %s", got)
	}
	ev := x.Events()[4]
	if ev.PreviousEventID != 3 {
		t.Errorf("EvaluationFailed's previous event is %d, want 3 (the one before the state was entered)", ev.PreviousEventID)
	}
	d := ev.SFN().EvaluationFailedEventDetails
	if d == nil || *d.State != "Q" || *d.Location != "Output" || *d.Error != "States.QueryEvaluationError" || *d.Cause != wantCause {
		t.Fatalf("details %+v", d)
	}
	if back := FromSFN(ev.SFN()); back.StateName != "Q" || back.Location != "Output" || back.Cause != wantCause {
		t.Errorf("FromSFN: %+v", back)
	}
}

// A number of seconds below its field's minimum fails the state after one
// EvaluationFailed event, which names the minimum.
func TestSecondsBelowMinimum(t *testing.T) {
	doc := `{"QueryLanguage":"JSONata","StartAt":"W","States":{"W":{"Type":"Wait","Seconds":"{% -1 %}","End":true}}}`
	x, _ := runDoc(t, doc, map[string]any{}, nil)
	status, _, errName, cause := x.Result()
	if status != StatusFailed || errName != "States.QueryEvaluationError" || !strings.HasSuffix(cause, "The Seconds field must be at least 0, but was -1.") {
		t.Fatalf("%s %s %q", status, errName, cause)
	}
	if got := eventTypes(x); got != "ExecutionStarted WaitStateEntered EvaluationFailed ExecutionFailed" {
		t.Errorf("events %s", got)
	}
}

// An evaluation error carries the JSONata error code and message, and a
// value of the wrong type for its field is named with AWS's words.
func TestJSONataEvaluationErrors(t *testing.T) {
	for _, tc := range []struct{ doc, cause string }{
		{`{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $undefinedFn(1) %}","End":true}}}`,
			"The JSONata expression '$undefinedFn(1)' specified for the field 'Output' threw an error during evaluation. T1006: Attempted to invoke a non-function"},
		{`{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% function($x){$x} %}","End":true}}}`,
			"The JSONata expression 'function($x){$x}' specified for the field 'Output' returned an unsupported result type."},
		{`{"QueryLanguage":"JSONata","StartAt":"M","States":{"M":{"Type":"Map","Items":"{% {'a': 1} %}","ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}},"End":true}}}`,
			`The JSONata expression '{'a': 1}' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'object' for value: {"a":1}`},
		{`{"QueryLanguage":"JSONata","StartAt":"W","States":{"W":{"Type":"Wait","Timestamp":"{% 'tomorrow' %}","End":true}}}`,
			"The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: tomorrow"},
		{`{"QueryLanguage":"JSONata","StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Condition":"{% 1 %}","Next":"D"}]},"D":{"Type":"Succeed"}}}`,
			"The JSONata expression '1' specified for the field 'Condition' returned an unexpected result type. Expected 'boolean', but was 'number' for value: 1"},
		{`{"QueryLanguage":"JSONata","StartAt":"F","States":{"F":{"Type":"Fail","Error":"{% 42 %}"}}}`,
			"The JSONata expression '42' specified for the field 'Error' returned an unexpected result type. Expected 'string', but was 'number' for value: 42"},
	} {
		x, _ := runDoc(t, tc.doc, map[string]any{}, nil)
		status, _, errName, cause := x.Result()
		if status != StatusFailed || errName != "States.QueryEvaluationError" || !strings.HasSuffix(cause, tc.cause) {
			t.Errorf("%s\n got %s %s %q\nwant ...%q", tc.doc, status, errName, cause, tc.cause)
		}
	}
}

// The functions Step Functions adds are there, $eval is not, and $now
// reads the execution's clock.
func TestJSONataFunctionsOfStepFunctions(t *testing.T) {
	doc := `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":{
	  "parts":"{% $partition([1,2,3], 2) %}","range":"{% $range(0, 4, 2) %}","parsed":"{% $parse('{\"a\":1}') %}",
	  "hash":"{% $hash('x', 'SHA-256') %}","now":"{% $now() %}","ctx":"{% $states.context.State.Name %}"},"End":true}}}`
	x, _ := runDoc(t, doc, map[string]any{}, nil)
	status, out, errName, cause := x.Result()
	if status != StatusSucceeded {
		t.Fatalf("%s %s %s", status, errName, cause)
	}
	want := `{"ctx":"P","hash":"2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881","now":"2026-01-01T00:00:00.000Z","parsed":{"a":1},"parts":[[1,2],[3]],"range":[0,2,4]}`
	if got := value.MustEncodeString(out); got != want {
		t.Errorf("output\n got %s\nwant %s", got, want)
	}
	x, _ = runDoc(t, `{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $eval('1') %}","End":true}}}`, map[string]any{}, nil)
	if _, _, errName, cause := x.Result(); errName != "States.QueryEvaluationError" || !strings.Contains(cause, "T1006") {
		t.Errorf("$eval: %s %s", errName, cause)
	}
}
