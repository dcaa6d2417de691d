package asl

import (
	"context"
	"reflect"
	"testing"

	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/clock"
)

// The tests in this file guard the in-place ResultPath of unobserved
// executions (frame.owned, State.reuseInput): each would fail if a frame
// changed an object that something else still holds.

// runUnobserved is runDoc for an engine that keeps no history, the mode in
// which frames own what they build.
func runUnobserved(t *testing.T, doc string, input any, h TaskHandler) *Execution {
	t.Helper()
	return runWith(t, &Engine{History: HistoryNone}, doc, input, h)
}

func runWith(t *testing.T, eng *Engine, doc string, input any, h TaskHandler) *Execution {
	t.Helper()
	x, _ := runOn(t, eng, doc, input, h)
	return x
}

// runOn parses doc and runs it to the end with eng on a new virtual clock,
// the handler under fnARN and seed 42.
func runOn(t *testing.T, eng *Engine, doc string, input any, h TaskHandler) (*Execution, *clock.Virtual) {
	t.Helper()
	return runStart(t, eng, doc, StartOptions{Name: "t", Input: input}, h)
}

// runStart is runOn with the start options given.
func runStart(t *testing.T, eng *Engine, doc string, opts StartOptions, h TaskHandler) (*Execution, *clock.Virtual) {
	t.Helper()
	m, err := Parse([]byte(doc))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	vc := clock.NewVirtual(clock.Epoch)
	if s, ok := h.(*script); ok {
		s.clk = vc
	}
	eng.Clock, eng.Resources, eng.Seed = vc, Resources{fnARN: h}, 42
	x, err := eng.Start(context.Background(), m, opts)
	if err != nil {
		t.Fatal(err)
	}
	vc.Run()
	if !x.Done() {
		t.Fatalf("execution did not finish; status %s", x.Status())
	}
	return x, vc
}

// wantUnchanged fails when v no longer encodes as before.
func wantUnchanged(t *testing.T, what string, v any, before string) {
	t.Helper()
	if got := value.MustEncodeString(v); got != before {
		t.Errorf("%s changed:\n got %s\nwant %s", what, got, before)
	}
}

// sagaLikeDoc is the shape of the order saga: tasks whose Parameters pick
// fields, whose ResultPaths add top-level fields, and one nested ResultPath.
const sagaLikeDoc = `{"StartAt":"A","States":{
 "A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"id.$":"$.id"},"ResultPath":"$.a","Next":"B"},
 "B":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"id.$":"$.id","a.$":"$.a"},"ResultPath":"$.b","Next":"C"},
 "C":{"Type":"Pass","Result":"c","ResultPath":"$.nested.c","Next":"D"},
 "D":{"Type":"Pass","Result":"d","ResultPath":"$.nested.d","End":true}}}`

func TestOwnershipLeavesTheCallersInputAlone(t *testing.T) {
	input := mustJSON(t, `{"id":"o1","nested":{"x":1},"list":[{"y":2}]}`)
	before := value.MustEncodeString(input)
	h := &script{replies: []reply{{out: "ra"}, {out: "rb"}}}
	x := runUnobserved(t, sagaLikeDoc, input, h)
	wantOutput(t, x, `{"id":"o1","nested":{"x":1,"c":"c","d":"d"},"list":[{"y":2}],"a":"ra","b":"rb"}`)
	wantUnchanged(t, "the execution input", input, before)
	wantUnchanged(t, "Execution.Input", x.Input(), before)
	// What B's handler was given must not see later fields either.
	wantUnchanged(t, "B's effective input", h.inputs[1], `{"a":"ra","id":"o1"}`)
}

func TestOwnershipKeepsRecordedPayloads(t *testing.T) {
	input := mustJSON(t, `{"id":"o1"}`)
	h := &script{replies: []reply{{out: "ra"}, {out: "rb"}}}
	x := runWith(t, &Engine{History: HistoryFull}, sagaLikeDoc, input, h)
	wantOutput(t, x, `{"id":"o1","a":"ra","b":"rb","nested":{"c":"c","d":"d"}}`)
	exited := map[string]string{}
	for _, e := range x.Events() {
		if e.IsExited() {
			exited[e.StateName] = value.MustEncodeString(e.Payload)
		}
	}
	want := map[string]string{
		"A": `{"a":"ra","id":"o1"}`,
		"B": `{"a":"ra","b":"rb","id":"o1"}`,
		"C": `{"a":"ra","b":"rb","id":"o1","nested":{"c":"c"}}`,
	}
	for name, w := range want {
		if exited[name] != w {
			t.Errorf("%s exited with %s, want %s: a later state changed a recorded payload", name, exited[name], w)
		}
	}
}

// keeper is an Observer that keeps the payload of every Exited event, as an
// observer may.
type keeper struct{ payloads map[string]any }

func (k *keeper) Event(_ *Execution, e *HistoryEvent) {
	if e.IsExited() {
		k.payloads[e.StateName] = e.Payload
	}
}

func TestOwnershipKeepsObservedPayloads(t *testing.T) {
	k := &keeper{payloads: map[string]any{}}
	h := &script{replies: []reply{{out: "ra"}, {out: "rb"}}}
	x := runWith(t, &Engine{History: HistoryNone, Observer: k}, sagaLikeDoc, mustJSON(t, `{"id":"o1"}`), h)
	wantOutput(t, x, `{"id":"o1","a":"ra","b":"rb","nested":{"c":"c","d":"d"}}`)
	wantUnchanged(t, "A's observed output", k.payloads["A"], `{"a":"ra","id":"o1"}`)
	wantUnchanged(t, "B's observed output", k.payloads["B"], `{"a":"ra","b":"rb","id":"o1"}`)
}

// Each of these starts with a Pass that makes the frame own its input, then
// hands that input on in a way that must stop the next ResultPath from
// changing it in place.
func TestOwnershipEndsWhereTheInputIsHandedOn(t *testing.T) {
	const own = `"Own":{"Type":"Pass","Result":1,"ResultPath":"$.own","Next":"S"},`
	for _, tc := range []struct {
		name  string
		input string
		rest  string // the states after Own, starting with S
		want  string
		check func(t *testing.T, h *script)
	}{{
		name: "Pass without Parameters sets its input into itself",
		rest: `"S":{"Type":"Pass","ResultPath":"$.self","End":true}`,
		want: `{"own":1,"self":{"own":1}}`,
	}, {
		name: "Pass whose Parameters hold the input",
		rest: `"S":{"Type":"Pass","Parameters":{"all.$":"$"},"ResultPath":"$.p","End":true}`,
		want: `{"own":1,"p":{"all":{"own":1}}}`,
	}, {
		name: "Task without Parameters gives its handler the input",
		rest: `"S":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","ResultPath":"$.r","End":true}`,
		want: `{"own":1,"r":{"own":1}}`,
		check: func(t *testing.T, h *script) {
			wantUnchanged(t, "the handler's input", h.inputs[0], `{"own":1}`)
		},
	}, {
		name: "Task whose Parameters hold the input",
		rest: `"S":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"all.$":"$"},"ResultPath":"$.r","Next":"T"},
		 "T":{"Type":"Pass","Result":2,"ResultPath":"$.t","End":true}`,
		want: `{"own":1,"r":{"all":{"own":1}},"t":2}`,
		check: func(t *testing.T, h *script) {
			wantUnchanged(t, "the handler's input", h.inputs[0], `{"all":{"own":1}}`)
		},
	}, {
		name: "Task whose intrinsic holds the input",
		rest: `"S":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"l.$":"States.Array($)"},"ResultPath":"$.r","End":true}`,
		want: `{"own":1,"r":{"l":[{"own":1}]}}`,
		check: func(t *testing.T, h *script) {
			wantUnchanged(t, "the handler's input", h.inputs[0], `{"l":[{"own":1}]}`)
		},
	}, {
		name: "Task whose filter matches the input itself",
		rest: `"S":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"f.$":"$[?(@.own)]"},"ResultPath":"$.r","End":true}`,
		want: `{"own":1,"r":{"f":[{"own":1}]}}`,
		check: func(t *testing.T, h *script) {
			wantUnchanged(t, "the handler's input", h.inputs[0], `{"f":[{"own":1}]}`)
		},
	}, {
		name: "Parallel branches share the input",
		rest: `"S":{"Type":"Parallel","ResultPath":"$.branches","End":true,"Branches":[
		  {"StartAt":"B1","States":{"B1":{"Type":"Pass","Result":1,"ResultPath":"$.b1","Next":"C1"},"C1":{"Type":"Pass","Result":1,"ResultPath":"$.c1","End":true}}},
		  {"StartAt":"B2","States":{"B2":{"Type":"Pass","Result":2,"ResultPath":"$.b2","Next":"C2"},"C2":{"Type":"Pass","Result":2,"ResultPath":"$.c2","End":true}}},
		  {"StartAt":"Same","States":{"Same":{"Type":"Pass","End":true}}}]}`,
		want: `{"own":1,"branches":[{"own":1,"b1":1,"c1":1},{"own":1,"b2":2,"c2":2},{"own":1}]}`,
	}, {
		name:  "Map iterations hold the input",
		input: `{"items":[1,2]}`,
		rest: `"S":{"Type":"Map","ItemsPath":"$.items","ItemSelector":{"whole.$":"$"},"ResultPath":"$.results","End":true,
		  "ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}}}`,
		want: `{"items":[1,2],"own":1,"results":[{"whole":{"items":[1,2],"own":1}},{"whole":{"items":[1,2],"own":1}}]}`,
	}, {
		name:  "Map iterations are given the caller's items",
		input: `{"items":[{"a":1},{"a":2}]}`,
		rest: `"S":{"Type":"Map","ItemsPath":"$.items","ResultPath":"$.results","End":true,
		  "ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","Result":true,"ResultPath":"$.done","End":true}}}}`,
		want: `{"items":[{"a":1},{"a":2}],"own":1,"results":[{"a":1,"done":true},{"a":2,"done":true}]}`,
	}, {
		name:  "OutputPath hands on a value below the owned object",
		input: `{"sub":{"k":1}}`,
		rest: `"S":{"Type":"Pass","Result":1,"ResultPath":"$.x","OutputPath":"$.sub","Next":"T"},
		 "T":{"Type":"Pass","Result":2,"ResultPath":"$.y","End":true}`,
		want: `{"k":1,"y":2}`,
	}, {
		name: "Choice passes the input on",
		rest: `"S":{"Type":"Choice","Choices":[{"Variable":"$.own","NumericEquals":1,"Next":"T"}]},
		 "T":{"Type":"Pass","Result":2,"ResultPath":"$.t","End":true}`,
		want: `{"own":1,"t":2}`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			in := "{}"
			if tc.input != "" {
				in = tc.input
			}
			input := mustJSON(t, in)
			before := value.MustEncodeString(input)
			h := &script{}
			x := runUnobserved(t, `{"StartAt":"Own","States":{`+own+tc.rest+`}}`, input, h)
			wantOutput(t, x, tc.want)
			wantUnchanged(t, "the execution input", input, before)
			if tc.check != nil {
				tc.check(t, h)
			}
		})
	}
}

func TestOwnershipAfterCatch(t *testing.T) {
	// The Parallel's branch hands the whole input to its handler, which
	// keeps it and fails; the Catch must copy the input before adding the
	// error, and states after it may then change that copy.
	doc := `{"StartAt":"Own","States":{
	 "Own":{"Type":"Pass","Result":1,"ResultPath":"$.own","Next":"P"},
	 "P":{"Type":"Parallel","Branches":[{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}}],
	  "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"After"}],"End":true},
	 "After":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"own.$":"$.own"},"ResultPath":"$.after","Next":"Last"},
	 "Last":{"Type":"Pass","Result":3,"ResultPath":"$.last","End":true}}}`
	h := &script{replies: []reply{fail("Boom", "why"), {out: "ok"}}}
	x := runUnobserved(t, doc, mustJSON(t, `{}`), h)
	wantOutput(t, x, `{"own":1,"err":{"Error":"Boom","Cause":"why"},"after":"ok","last":3}`)
	wantUnchanged(t, "the failed handler's input", h.inputs[0], `{"own":1}`)
}

func TestOwnershipWithRetries(t *testing.T) {
	h := &script{replies: []reply{fail("Err.Transient", ""), fail("Err.Transient", ""), {out: "ok"}, {out: "u"}}}
	doc := `{"StartAt":"Own","States":{
	 "Own":{"Type":"Pass","Result":1,"ResultPath":"$.own","Next":"T"},
	 "T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"own.$":"$.own"},"ResultPath":"$.r",
	  "Retry":[{"ErrorEquals":["Err.Transient"],"IntervalSeconds":1}],"Next":"U"},
	 "U":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"r.$":"$.r"},"ResultPath":"$.u","End":true}}}`
	x := runUnobserved(t, doc, mustJSON(t, `{}`), h)
	wantOutput(t, x, `{"own":1,"r":"ok","u":"u"}`)
	for _, in := range h.inputs[:3] {
		wantUnchanged(t, "an attempt's input", in, `{"own":1}`)
	}
}

func TestMayReuseInput(t *testing.T) {
	for _, tc := range []struct {
		state string
		want  bool
	}{
		{`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"id.$":"$.id","ctx.$":"$$.Execution.Input"},"ResultPath":"$.r","End":true}`, true},
		{`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"id.$":"$.id"},"ResultPath":"$.r.deep","End":true}`, true},
		{`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","InputPath":"$.sub","ResultPath":"$.r","End":true}`, true},
		{`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","InputPath":"$.sub","Parameters":{"all.$":"$"},"ResultPath":"$.r","End":true}`, true},
		{`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","InputPath":null,"ResultPath":"$.r","End":true}`, true},
		{`{"Type":"Pass","Result":1,"ResultPath":"$.r","End":true}`, true},
		{`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","ResultPath":"$.r","End":true}`, false},
		{`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","InputPath":"$","ResultPath":"$.r","End":true}`, false},
		{`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","InputPath":"$..sub","ResultPath":"$.r","End":true}`, false},
		{`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"all.$":"$"},"ResultPath":"$.r","End":true}`, false},
		{`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"id.$":"$.id"},"End":true}`, false},
		{`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"id.$":"$.id"},"ResultPath":"$","End":true}`, false},
		{`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"id.$":"$.id"},"ResultPath":null,"End":true}`, false},
		{`{"Type":"Pass","ResultPath":"$.r","End":true}`, false},
		{`{"Type":"Parallel","Parameters":{"id.$":"$.id"},"ResultPath":"$.r","End":true,"Branches":[{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}]}`, false},
		{`{"Type":"Map","ItemsPath":"$.items","ResultPath":"$.r","End":true,"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}}`, false},
	} {
		m, err := Parse([]byte(`{"StartAt":"S","States":{"S":` + tc.state + `}}`))
		if err != nil {
			t.Fatalf("%s: %v", tc.state, err)
		}
		if got := m.States["S"].reuseInput; got != tc.want {
			t.Errorf("%s: reuseInput = %v, want %v", tc.state, got, tc.want)
		}
	}
}

// runGiven is runOn with the input handed over (StartOptions.giveInput).
func runGiven(t *testing.T, eng *Engine, doc string, input any, h TaskHandler) *Execution {
	t.Helper()
	x, _ := runStart(t, eng, doc, StartOptions{Name: "t", Input: input, giveInput: true}, h)
	return x
}

func sameMap(a, b any) bool {
	ma, ok1 := a.(map[string]any)
	mb, ok2 := b.(map[string]any)
	return ok1 && ok2 && reflect.ValueOf(ma).UnsafePointer() == reflect.ValueOf(mb).UnsafePointer()
}

func TestGivenInputIsSetInPlace(t *testing.T) {
	input := mustJSON(t, `{"id":"o1","nested":{"x":1}}`).(map[string]any)
	nested := input["nested"]
	h := &script{replies: []reply{{out: "ra"}, {out: "rb"}}}
	x := runGiven(t, &Engine{History: HistoryNone}, sagaLikeDoc, input, h)
	wantOutput(t, x, `{"id":"o1","nested":{"x":1,"c":"c","d":"d"},"a":"ra","b":"rb"}`)
	_, out, _, _ := x.Result()
	if !sameMap(out, input) {
		t.Error("the output is a copy of the given input; want the input itself, set in place")
	}
	// Only the top level is the execution's: what is below it is copied.
	wantUnchanged(t, "the object below the given input", nested, `{"x":1}`)
	if x.Input() != nil {
		t.Errorf("Execution.Input = %v, want nil once given", x.Input())
	}
}

// A machine that mentions $$ may read $$.Execution.Input, which must stay
// the input the execution started with.
func TestGivenInputStaysWhole(t *testing.T) {
	const doc = `{"StartAt":"A","States":{
 "A":{"Type":"Pass","Result":"a","ResultPath":"$.a","Next":"B"},
 "B":{"Type":"Pass","Parameters":{"orig.$":"$$.Execution.Input"},"ResultPath":"$.b","End":true}}}`
	input := mustJSON(t, `{"id":"o1"}`)
	x := runGiven(t, &Engine{History: HistoryNone}, doc, input, &script{})
	wantOutput(t, x, `{"id":"o1","a":"a","b":{"orig":{"id":"o1"}}}`)
	wantUnchanged(t, "the given input of a machine that reads $$", input, `{"id":"o1"}`)

	// Observed, an execution keeps the input for its events.
	input = mustJSON(t, `{"id":"o1"}`)
	x = runGiven(t, &Engine{History: HistoryFull}, sagaLikeDoc, input, &script{replies: []reply{{out: "ra"}, {out: "rb"}}})
	wantUnchanged(t, "the given input of an observed execution", input, `{"id":"o1"}`)
	if ev := x.Events()[0]; !value.Equal(ev.Payload, mustJSON(t, `{"id":"o1"}`)) {
		t.Errorf("ExecutionStarted payload = %s, want the input as given", value.MustEncodeString(ev.Payload))
	}
}

// The engine reads the clock on entering a state only for a machine that
// mentions $$; one that does sees the time each state was entered.
func TestEnteredTimeOfAMachineThatReadsIt(t *testing.T) {
	const doc = `{"StartAt":"W","States":{
 "W":{"Type":"Wait","Seconds":5,"Next":"B"},
 "B":{"Type":"Pass","Parameters":{"t.$":"$$.State.EnteredTime"},"End":true}}}`
	for _, eng := range []*Engine{{History: HistoryNone}, {History: HistoryFull}} {
		x := runWith(t, eng, doc, mustJSON(t, `{}`), &script{})
		wantOutput(t, x, `{"t":"2026-01-01T00:00:05.000Z"}`)
	}
}
