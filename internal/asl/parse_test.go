package asl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/yafdp/yafdp/internal/clock"
)

func TestParseReportsStateAndField(t *testing.T) {
	task := func(extra string) string {
		return `{"StartAt":"ProcessPayment","States":{"ProcessPayment":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true` + extra + `}}}`
	}
	cases := []struct {
		name, doc, want string
	}{
		{"backoff below one", task(`,"Retry":[{"ErrorEquals":["E"],"BackoffRate":0.5}]`), "States.ProcessPayment.Retry[0].BackoffRate: must be >= 1.0"},
		{"negative attempts", task(`,"Retry":[{"ErrorEquals":["E"],"MaxAttempts":-1}]`), "States.ProcessPayment.Retry[0].MaxAttempts: must be >= 0"},
		{"interval zero", task(`,"Retry":[{"ErrorEquals":["E"],"IntervalSeconds":0}]`), "States.ProcessPayment.Retry[0].IntervalSeconds: must be >= 1"},
		{"bad jitter", task(`,"Retry":[{"ErrorEquals":["E"],"JitterStrategy":"HALF"}]`), `States.ProcessPayment.Retry[0].JitterStrategy: must be "FULL" or "NONE", not "HALF"`},
		{"empty ErrorEquals", task(`,"Retry":[{"ErrorEquals":[]}]`), "States.ProcessPayment.Retry[0].ErrorEquals: must be a non-empty array"},
		{"States.ALL not last", task(`,"Retry":[{"ErrorEquals":["States.ALL"]},{"ErrorEquals":["E"]}]`), "States.ProcessPayment.Retry[0].ErrorEquals: States.ALL must appear alone, in the last"},
		{"unknown States error", task(`,"Catch":[{"ErrorEquals":["States.Nope"],"Next":"ProcessPayment"}]`), `States.ProcessPayment.Catch[0].ErrorEquals[0]: "States.Nope" is not a predefined error name`},
		{"catch to nowhere", task(`,"Catch":[{"ErrorEquals":["E"],"Next":"Refund"}]`), `States.ProcessPayment.Catch[0].Next: no state named "Refund"`},
		{"unknown field", task(`,"Retries":[]`), "States.ProcessPayment.Retries: unknown field for a Task state"},
		{"timeout zero", task(`,"TimeoutSeconds":0`), "States.ProcessPayment.TimeoutSeconds: must be >= 1"},
		{"bad resource", strings.Replace(task(""), "arn:aws:states:::lambda:invoke", "payment", 1), `States.ProcessPayment.Resource: "payment" is not an ARN`},
		{"result path wildcard", task(`,"ResultPath":"$.a[*]"`), `States.ProcessPayment.ResultPath: "$.a[*]" must be a reference path`},
		{"bad template", task(`,"Parameters":{"x.$":"not a path"}`), "States.ProcessPayment.Parameters"},
		{"missing StartAt", `{"States":{"A":{"Type":"Succeed"}}}`, "StartAt: is required"},
		{"StartAt to nowhere", `{"StartAt":"B","States":{"A":{"Type":"Succeed"}}}`, `StartAt: no state named "B"`},
		{"no transition", `{"StartAt":"A","States":{"A":{"Type":"Pass"}}}`, `States.A: needs Next (the state to go to) or "End": true`},
		{"next and end", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"A","End":true}}}`, "States.A: has both Next and End"},
		{"unreachable", `{"StartAt":"A","States":{"A":{"Type":"Succeed"},"B":{"Type":"Succeed"}}}`, `States.B: is not reachable from StartAt "A"`},
		{"unknown type", `{"StartAt":"A","States":{"A":{"Type":"Lambda"}}}`, `States.A.Type: unknown state type "Lambda"`},
		{"wait two fields", `{"StartAt":"A","States":{"A":{"Type":"Wait","Seconds":1,"SecondsPath":"$.s","End":true}}}`, "States.A: a Wait state needs exactly one of"},
		{"wait timestamp", `{"StartAt":"A","States":{"A":{"Type":"Wait","Timestamp":"tomorrow","End":true}}}`, `States.A.Timestamp: "tomorrow" is not an RFC 3339 timestamp`},
		{"choice no rules", `{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[]}}}`, "States.A.Choices: must be a non-empty array"},
		{"choice no operator", `{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","Next":"A"}]}}}`, "States.A.Choices[0]: needs a comparison operator"},
		{"choice wrong type", `{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","NumericEquals":"1","Next":"A"}]}}}`, "States.A.Choices[0].NumericEquals: must be a number, not string"},
		{"nested next", `{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Not":{"Variable":"$.x","IsNull":true,"Next":"A"},"Next":"A"}]}}}`, "States.A.Choices[0].Not.Next: only top-level choice rules have Next"},
		{"fail both", `{"StartAt":"A","States":{"A":{"Type":"Fail","Error":"E","ErrorPath":"$.e"}}}`, "States.A: has both Error and ErrorPath"},
		{"parallel no branches", `{"StartAt":"A","States":{"A":{"Type":"Parallel","Branches":[],"End":true}}}`, "States.A.Branches: must be a non-empty array"},
		{"branch error", `{"StartAt":"A","States":{"A":{"Type":"Parallel","Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass"}}}],"End":true}}}`, "States.A.Branches[0].States.B: needs Next"},
		{"branch cannot leave", `{"StartAt":"A","States":{"A":{"Type":"Parallel","Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","Next":"A"}}}],"End":true}}}`, `States.A.Branches[0].States.B.Next: no state named "A" in this scope`},
		{"distributed map field on an inline map", `{"StartAt":"A","States":{"A":{"Type":"Map","ItemReader":{},"ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"B","States":{"B":{"Type":"Succeed"}}},"End":true}}}`, `States.A.ItemReader: ItemReader belongs to a Distributed Map; set ItemProcessor.ProcessorConfig.Mode to "DISTRIBUTED"`},
		{"distributed map mode", `{"StartAt":"A","States":{"A":{"Type":"Map","ItemProcessor":{"ProcessorConfig":{"Mode":"FAST"},"StartAt":"B","States":{"B":{"Type":"Succeed"}}},"End":true}}}`, `States.A.ItemProcessor.ProcessorConfig.Mode: must be "INLINE" or "DISTRIBUTED", not "FAST"`},
		{"execution type", `{"StartAt":"A","States":{"A":{"Type":"Map","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"FAST"},"StartAt":"B","States":{"B":{"Type":"Succeed"}}},"End":true}}}`, `States.A.ItemProcessor.ProcessorConfig.ExecutionType: must be "STANDARD" or "EXPRESS", not "FAST"`},
		{"jsonpath state in a jsonata machine", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Succeed","QueryLanguage":"JSONPath"}}}`, "States.A.QueryLanguage: 'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine"},
		{"jsonpath field in a jsonata state", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","ResultPath":"$.x","End":true}}}`, "States.A.ResultPath: is a JSONPath field; a JSONata state uses Output or Assign"},
		{"jsonata field in a jsonpath state", `{"StartAt":"A","States":{"A":{"Type":"Pass","Output":{},"End":true}}}`, `States.A.Output: is a JSONata field; set "QueryLanguage": "JSONata"`},
		{"bad expression", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Output":{"x":"{% $states.input. %}"},"End":true}}}`, `States.A.Output: the JSONata expression '$states.input.' does not parse`},
		{"bad variable name", `{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"1x":1},"End":true}}}`, `States.A.Assign.1x: "1x" is not a variable name`},
		{"states is reserved", `{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"states":1},"End":true}}}`, `"states" is not a variable name`},
		{"outer variable assigned in a branch", `{"StartAt":"A","States":{"A":{"Type":"Pass","Assign":{"x":1},"Next":"P"},"P":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"B","States":{"B":{"Type":"Pass","Assign":{"x":2},"End":true}}}]}}}`, `States.P.Branches[0].States.B.Assign: assigns the variable "x", which the outer scope assigns at States.A.Assign`},
		{"jsonata condition", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Condition":"yes","Next":"A"}]}}}`, `States.A.Choices[0].Condition: must be true, false or a JSONata expression`},
		{"not json", `{"StartAt":`, "not valid JSON"},
		{"not object", `[1]`, "the definition must be a JSON object"},
		{"long name", `{"StartAt":"` + strings.Repeat("a", 81) + `","States":{"` + strings.Repeat("a", 81) + `":{"Type":"Succeed"}}}`, "a state name must be at most 80 characters"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.doc))
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Parse accepted it (err %v)", err)
			}
			found := false
			for _, p := range ve.Problems {
				if strings.Contains(p.String(), c.want) {
					found = true
				}
			}
			if !found {
				t.Fatalf("no problem contains %q; got:\n%v", c.want, ve.Problems)
			}
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	doc := `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nope"},"B":{"Type":"Wait","End":true}}}`
	_, err := Parse([]byte(doc))
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) < 3 {
		t.Fatalf("want at least 3 problems (bad Next, no Wait field, B unreachable), got %v", err)
	}
	if !strings.Contains(err.Error(), "more problems") {
		t.Fatalf("the one-line error should say more problems follow: %q", err)
	}
}

func TestParseAcceptsLegacyAndCurrentForms(t *testing.T) {
	for _, doc := range []string{
		`{"Comment":"c","Version":"1.0","TimeoutSeconds":60,"StartAt":"A","States":{"A":{"Type":"Succeed","Comment":"x"}}}`,
		`{"StartAt":"M","States":{"M":{"Type":"Map","Iterator":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"Parameters":{"v.$":"$$.Map.Item.Value"},"End":true}}}`,
		`{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"ItemSelector":{"v.$":"$$.Map.Item.Value"},"MaxConcurrencyPath":"$.n","End":true}}}`,
		`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","TimeoutSecondsPath":"$.t","HeartbeatSeconds":5,"End":true}}}`,
	} {
		if _, err := Parse([]byte(doc)); err != nil {
			t.Errorf("Parse(%s): %v", doc, err)
		}
	}
}

// FuzzParse: parsing any input never panics, and a document that parses
// runs (on a virtual clock, with instant tasks) without panicking.
func FuzzParse(f *testing.F) {
	f.Add([]byte(retryDoc))
	f.Add([]byte(`{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"And":[{"Variable":"$.a","StringMatches":"x*"},{"Not":{"Variable":"$$.State.Name","IsNull":true}}],"Next":"B"}],"Default":"B"},"B":{"Type":"Pass","Parameters":{"x.$":"States.Format('{}',$.a)"},"End":true}}}`))
	f.Add([]byte(`{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.i","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Wait","Seconds":1,"End":true}}},"End":true}}}`))
	f.Add([]byte(`{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"F","States":{"F":{"Type":"Fail","ErrorPath":"$.e"}}}],"Retry":[{"ErrorEquals":["States.ALL"]}],"End":true}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		runFuzzed(t, m)
	})
}

func runFuzzed(t *testing.T, m *StateMachine) {
	vc := clock.NewVirtual(clock.Epoch)
	echo := TaskHandlerFunc(func(_ context.Context, req *TaskRequest, done func(any, error)) { done(req.Input, nil) })
	eng := &Engine{Clock: vc, Fallback: echo, History: HistoryNone}
	input := map[string]any{"a": "x", "e": "E", "i": []any{json.Number("1"), "two"}, "n": json.Number("2")}
	x, err := eng.Start(context.Background(), m, StartOptions{Input: input})
	if err != nil {
		return
	}
	// Bound the run: a fuzzed machine may loop on Waits forever.
	for i := 0; i < 100000 && vc.Step(); i++ {
	}
	_ = x.Status()
}

func TestParseRejectsEmptyNames(t *testing.T) {
	for _, c := range []struct{ doc, want string }{
		{`{"StartAt":"","States":{"":{"Type":"Succeed"}}}`, "StartAt: must not be empty"},
		{`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":""},"":{"Type":"Succeed"}}}`, "States.A.Next: must name a state, not be empty"},
		{`{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.a","IsNull":true,"Next":""}],"Default":""}}}`, "States.A.Choices[0].Next: must not be empty"},
		{`{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.a","IsNull":true,"Next":"A"}],"Default":""}}}`, "States.A.Default: must name a state, not be empty"},
	} {
		_, err := Parse([]byte(c.doc))
		if err == nil || !strings.Contains(fmt.Sprint(err.(*ValidationError).Problems), c.want) {
			t.Errorf("%s: got %v, want a problem containing %q", c.doc, err, c.want)
		}
	}
}

// A JSONata field may read only the $states members that exist where it is
// evaluated.
func TestStatesMembersWhereTheyExist(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{`{"QueryLanguage":"JSONata","StartAt":"P","States":{"P":{"Type":"Pass","Output":"{% $states.result %}","End":true}}}`,
			"States.P.Output: $states.result is not available in Output"},
		{`{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Arguments":{"x":"{% $states.result %}"},"End":true}}}`,
			"States.T.Arguments: $states.result is not available in Arguments"},
		{`{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Output":"{% $states.errorOutput %}","End":true}}}`,
			"States.T.Output: $states.errorOutput is not available in Output"},
		{`{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Catch":[{"ErrorEquals":["States.ALL"],"Output":"{% $states.result %}","Next":"T"}],"End":true}}}`,
			"States.T.Catch[0].Output: $states.result is not available in Output"},
	} {
		_, err := Parse([]byte(tc.doc))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s\n got %v\nwant %s", tc.doc, err, tc.want)
		}
	}
	ok := `{"QueryLanguage":"JSONata","StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
	  "Output":"{% $states.result %}","Assign":{"r":"{% $states.result %}"},
	  "Catch":[{"ErrorEquals":["States.ALL"],"Output":"{% $states.errorOutput %}","Assign":{"e":"{% $states.errorOutput %}"},"Next":"T"}],"End":true}}}`
	if _, err := Parse([]byte(ok)); err != nil {
		t.Errorf("a Task's result and a catcher's error output: %v", err)
	}
}
