package asl

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl/states"
	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/clock"
)

// The tests in this file guard the fast path's switches one at a time (a
// Pool turns them all on): reuseTaskInputs, with which a frame rebuilds a
// Task's Parameters in the objects of its previous Task's, and only where
// nothing can still see them; solo; release and recycle.

// reuseDoc has three Tasks with object Parameters (one nested), a retry
// and a Catch, so the frame moves between Tasks every way it can.
const reuseDoc = `{"StartAt":"A","States":{
 "A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"a","Payload":{"id.$":"$.id","n.$":"$.n"}},"ResultPath":"$.a","Next":"B"},
 "B":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"b","Payload":{"id.$":"$.id","a.$":"$.a"}},"ResultPath":"$.b",
      "Retry":[{"ErrorEquals":["Busy"],"IntervalSeconds":1,"MaxAttempts":2}],
      "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.err","Next":"C"}],"Next":"C"},
 "C":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"c","Payload":{"id.$":"$.id","b.$":"$.b"}},"ResultPath":"$.c","End":true}}}`

// snapshots answers each call with a fresh object and records what it was
// given as JSON at the time: a handler that keeps none of its input, as
// reuseTaskInputs requires.
type snapshots struct {
	replies []reply
	seen    []string
}

func (s *snapshots) Invoke(_ context.Context, req *TaskRequest, done func(any, error)) {
	s.seen = append(s.seen, value.MustEncodeString(req.Input))
	r := s.replies[0]
	s.replies = s.replies[1:]
	done(r.out, r.err)
}

func reuseReplies() []reply {
	return []reply{
		{out: map[string]any{"ra": "1"}},
		{err: states.New("Busy", "try again")},
		{out: map[string]any{"rb": "2"}},
		{out: map[string]any{"rc": "3"}},
	}
}

func TestReuseTaskInputsGivesTheSameRun(t *testing.T) {
	input := `{"id":"o1","n":7}`
	run := func(reuse bool) (*Execution, []string) {
		h := &snapshots{replies: reuseReplies()}
		x := runWith(t, &Engine{History: HistoryNone, reuseTaskInputs: reuse}, reuseDoc, mustJSON(t, input), h)
		return x, h.seen
	}
	plain, plainSeen := run(false)
	reused, reusedSeen := run(true)
	wantOutput(t, plain, `{"id":"o1","n":7,"a":{"ra":"1"},"b":{"rb":"2"},"c":{"rc":"3"}}`)
	wantOutput(t, reused, `{"id":"o1","n":7,"a":{"ra":"1"},"b":{"rb":"2"},"c":{"rc":"3"}}`)
	if !reflect.DeepEqual(plainSeen, reusedSeen) {
		t.Fatalf("handlers were given different inputs:\nwithout reuse %q\nwith reuse    %q", plainSeen, reusedSeen)
	}
	if len(reusedSeen) != 4 {
		t.Fatalf("%d calls, want 4 (A, B twice, C)", len(reusedSeen))
	}
}

// TestReuseTaskInputsRebuildsInThePreviousObjects shows the reuse happens:
// a handler that (against the rule) keeps its inputs sees C's Parameters
// built in the very object A's were (the same member names), and the next
// execution on the engine build its Tasks' in the same objects again.
func TestReuseTaskInputsRebuildsInThePreviousObjects(t *testing.T) {
	eng := &Engine{History: HistoryNone, reuseTaskInputs: true}
	h := &script{replies: []reply{{out: "ra"}, {out: "rb"}, {out: "rc"}}}
	x := runWith(t, eng, reuseDoc, mustJSON(t, `{"id":"o1","n":7}`), h)
	wantOutput(t, x, `{"id":"o1","n":7,"a":"ra","b":"rb","c":"rc"}`)
	if len(h.inputs) != 3 {
		t.Fatalf("%d calls", len(h.inputs))
	}
	ptr := func(v any) unsafe.Pointer { return reflect.ValueOf(v).UnsafePointer() }
	if ptr(h.inputs[2]) != ptr(h.inputs[0]) {
		t.Fatal("C's Parameters were not built in A's object")
	}
	// Which is why a handler must not keep them: once the execution is
	// over its objects go to the engine's next execution.
	next := &script{replies: []reply{{out: "ra"}, {out: "rb"}, {out: "rc"}}}
	runWith(t, eng, reuseDoc, mustJSON(t, `{"id":"o2","n":8}`), next)
	for i := range 3 {
		if ptr(next.inputs[i]) != ptr(h.inputs[i]) {
			t.Errorf("the next execution's Task %d input is a new object", i)
		}
	}
	wantUnchanged(t, "A's input, handed on", h.inputs[0], `{"FunctionName":"c","Payload":{"b":"rb","id":"o2"}}`)
}

// TestReuseTaskInputsNeedsAnUnobservedExecution: with history kept, events
// hold every Task's input, so nothing is reused and what A was given stays.
func TestReuseTaskInputsNeedsAnUnobservedExecution(t *testing.T) {
	for _, eng := range []*Engine{
		{History: HistoryFull, reuseTaskInputs: true},
		{History: HistoryNone, reuseTaskInputs: true, Observer: nopObserver{}},
		{History: HistoryNone},
	} {
		h := &script{replies: []reply{{out: "ra"}, {out: "rb"}, {out: "rc"}}}
		x := runWith(t, eng, reuseDoc, mustJSON(t, `{"id":"o1","n":7}`), h)
		wantOutput(t, x, `{"id":"o1","n":7,"a":"ra","b":"rb","c":"rc"}`)
		wantUnchanged(t, "A's input", h.inputs[0], `{"FunctionName":"a","Payload":{"id":"o1","n":7}}`)
		if eng.History == HistoryFull {
			first := slices.IndexFunc(x.Events(), func(e HistoryEvent) bool {
				return e.Type == types.HistoryEventTypeTaskScheduled
			})
			if first < 0 {
				t.Fatal("no TaskScheduled event")
			}
			wantUnchanged(t, "A's TaskScheduled", x.Events()[first].Payload, `{"FunctionName":"a","Payload":{"id":"o1","n":7}}`)
		}
	}
}

// TestReuseTaskInputsAllocatesLess: an engine's executions build their
// Tasks' Parameters in the objects earlier ones built.
func TestReuseTaskInputsAllocatesLess(t *testing.T) {
	allocs := func(reuse bool) float64 {
		eng := &Engine{History: HistoryNone, reuseTaskInputs: reuse}
		return testing.AllocsPerRun(50, func() {
			h := &snapshots{replies: reuseReplies()}
			runWith(t, eng, reuseDoc, map[string]any{"id": "o1", "n": 7}, h)
		})
	}
	without, with := allocs(false), allocs(true)
	// Four Parameters objects (A's for C) and three Payloads: at least
	// the six of A's, B's and C's.
	if with > without-6 {
		t.Fatalf("%.0f allocations a run with reuse, %.0f without: want at least 6 fewer", with, without)
	}
}

type nopObserver struct{}

func (nopObserver) Event(*Execution, *HistoryEvent) {}

// recycler answers every call with a fresh object and counts what the
// engine hands back.
type recycler struct {
	answers, back []any
}

func (r *recycler) Invoke(_ context.Context, _ *TaskRequest, done func(any, error)) {
	a := map[string]any{"Payload": map[string]any{"id": "x1", "tags": []any{"a"}}, "StatusCode": 200}
	r.answers = append(r.answers, a)
	done(a, nil)
}

func (r *recycler) RecycleAnswer(a any) { r.back = append(r.back, a) }

// TestAnswersComeBackOnlyWhenNothingHoldsThem: the engine hands a handler
// its answer back only in an unobserved execution, after a ResultSelector
// that kept scalars; never when the selector kept an object or array from
// it, when there is no selector (the answer is the result), or with history.
func TestAnswersComeBackOnlyWhenNothingHoldsThem(t *testing.T) {
	task := func(selector string) string {
		sel := ""
		if selector != "" {
			sel = `"ResultSelector":` + selector + `,`
		}
		return `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",` + sel + `"ResultPath":"$.r","End":true}}}`
	}
	for _, c := range []struct {
		name     string
		eng      *Engine
		selector string
		back     bool
	}{
		{"scalars kept", &Engine{History: HistoryNone}, `{"id.$":"$.Payload.id","n":1}`, true},
		{"an array kept", &Engine{History: HistoryNone}, `{"tags.$":"$.Payload.tags"}`, false},
		{"an object kept", &Engine{History: HistoryNone}, `{"p.$":"$.Payload"}`, false},
		{"an object a function made of it", &Engine{History: HistoryNone}, `{"p.$":"States.JsonMerge($.Payload, $.Payload, false)"}`, false},
		{"an object kept deeper", &Engine{History: HistoryNone}, `{"o":{"t.$":"$.Payload.tags"}}`, false},
		{"no selector", &Engine{History: HistoryNone}, ``, false},
		{"history kept", &Engine{History: HistoryFull}, `{"id.$":"$.Payload.id"}`, false},
		{"observed", &Engine{History: HistoryNone, Observer: nopObserver{}}, `{"id.$":"$.Payload.id"}`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := &recycler{}
			runWith(t, c.eng, task(c.selector), map[string]any{}, h)
			if got := len(h.back) == 1 && reflect.ValueOf(h.back[0]).UnsafePointer() == reflect.ValueOf(h.answers[0]).UnsafePointer(); got != c.back {
				t.Fatalf("answer handed back: %v (%d back), want %v", got, len(h.back), c.back)
			}
		})
	}
}

// TestReleaseHandsOnResultSelectorObjects: once the caller releases a
// settled execution, the objects its ResultSelectors built go to the
// engine's later executions, under reuseTaskInputs only.
func TestReleaseHandsOnResultSelectorObjects(t *testing.T) {
	const doc = `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
 "ResultSelector":{"id.$":"$.Payload.id","more":{"n.$":"$.StatusCode"}},"ResultPath":"$.r","End":true}}}`
	for _, reuse := range []bool{true, false} {
		eng := &Engine{History: HistoryNone, reuseTaskInputs: reuse}
		selected := func(x *Execution) (r map[string]any, more any) {
			t.Helper()
			_, out, _, _ := x.Result()
			r = out.(map[string]any)["r"].(map[string]any)
			return r, r["more"]
		}
		x := runWith(t, eng, doc, mustJSON(t, `{"k":1}`), &recycler{})
		wantOutput(t, x, `{"k":1,"r":{"id":"x1","more":{"n":200}}}`)
		r, more := selected(x)
		if !x.release() {
			t.Fatal("release of a settled execution reported false")
		}
		if _, out, _, _ := x.Result(); out != nil {
			t.Errorf("output after release = %v, want none", out)
		}
		later := runWith(t, eng, doc, mustJSON(t, `{"k":2}`), &recycler{})
		wantOutput(t, later, `{"k":2,"r":{"id":"x1","more":{"n":200}}}`)
		r2, more2 := selected(later)
		ptr := func(v any) unsafe.Pointer { return reflect.ValueOf(v).UnsafePointer() }
		if got := ptr(r2) == ptr(r) && ptr(more2) == ptr(more); got != reuse {
			t.Errorf("reuseTaskInputs %v: the later execution's selector built in the released objects: %v", reuse, got)
		}
	}
}

// TestReleaseWaitsForSettled: while a task call that timed out has not
// answered, its handler may still read what it was given, which may hold
// the execution's objects; release does nothing until then, nor a Pool's
// Recycle, which does not lend the execution to a later Start meanwhile.
func TestReleaseWaitsForSettled(t *testing.T) {
	const doc = `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","TimeoutSeconds":1,"End":true}}}`
	m, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	for _, viaPool := range []bool{false, true} {
		vc := clock.NewVirtual(clock.Epoch)
		h := &script{clk: vc, replies: []reply{{out: "late", delay: 3 * time.Second}}}
		eng := &Engine{Clock: vc, Resources: Resources{fnARN: h}, History: HistoryNone, reuseTaskInputs: true}
		pool := NewPool(m, PoolOptions{Clock: vc, Resources: Resources{fnARN: h}})
		start := func() *Execution {
			start := func() (*Execution, error) {
				return eng.Start(context.Background(), m, StartOptions{Name: "t", Input: map[string]any{}})
			}
			if viaPool {
				start = func() (*Execution, error) { return pool.Start(context.Background(), "t", map[string]any{}, 0, 0) }
			}
			x, err := start()
			if err != nil {
				t.Fatal(err)
			}
			return x
		}
		release := func(x *Execution) bool {
			if viaPool {
				return pool.Recycle(x) != nil
			}
			return x.release()
		}
		x := start()
		vc.RunUntil(clock.Epoch.Add(2 * time.Second))
		if st := x.Status(); st != StatusFailed {
			t.Fatalf("status %s at 2 s, want FAILED (timed out)", st)
		}
		if release(x) {
			t.Fatalf("pool %v: released with a task call still out", viaPool)
		}
		if viaPool && start() == x {
			t.Fatal("a Pool started in an execution that had not settled")
		}
		vc.Run()
		if !release(x) {
			t.Fatalf("pool %v: not released once the late answer came", viaPool)
		}
	}
}

// TestSoloRunsTheSame: a solo engine takes no locks but runs every
// execution exactly as one that does: the same history, output and counts,
// through synchronous and late answers, retries, a Catch, a timeout with
// its late answer, and a Map's iterations.
// engineCase is a document, an input and the answers of its calls.
type engineCase struct {
	name, doc, input string
	replies          []reply
}

// engineCases go through synchronous and late answers, retries, a Catch, a
// timeout with its late answer, and a Map's iterations.
func engineCases() []engineCase {
	const timeoutDoc = `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","TimeoutSeconds":1,"End":true}}}`
	const mapDoc = `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":2,"ItemProcessor":{"StartAt":"T","States":{
 "T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Retry":[{"ErrorEquals":["Busy"],"IntervalSeconds":1}],"End":true}}},"End":true}}}`
	return []engineCase{
		{"sync and late answers, a retry", reuseDoc, `{"id":"o1","n":7}`, []reply{
			{out: "ra"}, fail("Busy", "again"), {out: "rb", delay: 2 * time.Second}, {out: "rc", delay: time.Second}}},
		{"a Catch", reuseDoc, `{"id":"o1","n":7}`, []reply{
			{out: "ra", delay: time.Second}, fail("Busy", "1"), fail("Busy", "2"), fail("Busy", "3"), {out: "rc"}}},
		{"a timeout and its late answer", timeoutDoc, `{}`, []reply{{out: "late", delay: 3 * time.Second}}},
		{"a Map", mapDoc, `{"items":[1,2,3]}`, []reply{
			{out: "a", delay: time.Second}, fail("Busy", "b"), {out: "c"}, {out: "d", delay: 2 * time.Second}}},
	}
}

func TestSoloRunsTheSame(t *testing.T) {
	for _, c := range engineCases() {
		t.Run(c.name, func(t *testing.T) {
			run := func(solo bool) string {
				var settled bool
				h := &script{replies: slices.Clone(c.replies)}
				x, vc := runStart(t, &Engine{History: HistoryFull, solo: solo}, c.doc, StartOptions{
					Name: "t", Input: mustJSON(t, c.input), OnSettled: func(*Execution) { settled = true },
				}, h)
				vc.Run()
				status, out, errName, cause := x.Result()
				return fmt.Sprintf("%s %s %s %s | events %d transitions %d calls %d retries %d task time %v settled %v\n%s",
					status, value.MustEncodeString(out), errName, cause,
					x.EventCount(), x.StateTransitions(), x.TaskCalls(), x.Retries(), x.TaskTime(), settled,
					eventsJSON(t, x.Events()))
			}
			if locked, solo := run(false), run(true); solo != locked {
				t.Fatalf("solo ran differently:\n locked %s\n   solo %s", locked, solo)
			}
		})
	}
}

func eventsJSON(t *testing.T, evs []HistoryEvent) string {
	t.Helper()
	b, err := json.Marshal(evs)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// recordSnapshots is snapshots for a handler that reads records
// (RecordReader): it notes which kinds of object it was given.
type recordSnapshots struct {
	snapshots
	records int
}

func (s *recordSnapshots) ReadsRecords() {}

func (s *recordSnapshots) Invoke(ctx context.Context, req *TaskRequest, done func(any, error)) {
	if r, ok := req.Input.(*value.Record); ok {
		s.records++
		if _, ok := r.Values[slices.Index(r.Names, "Payload")].(*value.Record); !ok {
			panic("a nested object of a record is not a record")
		}
	}
	s.snapshots.Invoke(ctx, req, done)
}

// TestRecordReadersGetRecords: under reuseTaskInputs, an unobserved
// execution builds a RecordReader's Parameters as records, which encode as
// the objects the handler would otherwise get; the run is the same. With
// history kept, or without reuseTaskInputs, it gets maps.
func TestRecordReadersGetRecords(t *testing.T) {
	input := `{"id":"o1","n":7}`
	run := func(eng *Engine) (*Execution, *recordSnapshots) {
		h := &recordSnapshots{snapshots: snapshots{replies: reuseReplies()}}
		return runWith(t, eng, reuseDoc, mustJSON(t, input), h), h
	}
	plain, plainSeen := run(&Engine{History: HistoryNone})
	for _, c := range []struct {
		eng     *Engine
		records int
	}{
		{&Engine{History: HistoryNone, reuseTaskInputs: true}, 4},
		{&Engine{History: HistoryFull, reuseTaskInputs: true}, 0},
		{&Engine{History: HistoryNone}, 0},
	} {
		x, seen := run(c.eng)
		wantOutput(t, x, value.MustEncodeString(plain.output))
		if !reflect.DeepEqual(seen.seen, plainSeen.seen) {
			t.Errorf("history %v, reuse %v: handler was given\n%q, want\n%q", c.eng.History, c.eng.reuseTaskInputs, seen.seen, plainSeen.seen)
		}
		if seen.records != c.records {
			t.Errorf("history %v, reuse %v: %d of the calls got records, want %d", c.eng.History, c.eng.reuseTaskInputs, seen.records, c.records)
		}
	}
	if plainSeen.records != 0 {
		t.Errorf("without reuse, %d calls got records", plainSeen.records)
	}
}

// recycleDoc waits in a Parallel branch's Retry: a timer of a frame that
// is not the root's, which Stop leaves armed.
const recycleDoc = `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"T","States":{
 "T":{"Type":"Task","Resource":"` + fnARN + `","Retry":[{"ErrorEquals":["Busy"],"IntervalSeconds":10,"MaxAttempts":1}],"End":true}}}]}}}`

// TestRecycleRunsTheNextStartInTheSameMemory: on a solo engine, Start
// runs in an execution given back with recycle, and the tag comes back; a
// timer armed in the earlier life (a retry that Stop left waiting) does
// nothing to the later one. Elsewhere recycle is release.
func TestRecycleRunsTheNextStartInTheSameMemory(t *testing.T) {
	m, err := Parse([]byte(recycleDoc))
	if err != nil {
		t.Fatal(err)
	}
	vc := clock.NewVirtual(clock.Epoch)
	vc.Solo()
	h := &script{clk: vc, replies: []reply{
		{err: states.New("Busy", "later")},                         // the first life's call: retry in 10 s
		{out: map[string]any{"ok": true}, delay: 30 * time.Second}, // the second life's
	}}
	eng := &Engine{Clock: vc, Resources: Resources{fnARN: h}, History: HistoryNone, solo: true, reuseTaskInputs: true}
	start := func(tag int64) *Execution {
		x, err := eng.Start(context.Background(), m, StartOptions{Name: fmt.Sprint("x", tag), Input: map[string]any{}, tag: tag})
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	first := start(1)
	vc.Advance(time.Second)
	if !first.Stop("Stopped", "by the test") || !first.Settled() {
		t.Fatal("the first execution did not stop and settle")
	}
	if given, ok := first.recycle(); !ok || given != nil {
		t.Fatalf("recycle = %v, %v; want nil (no input given), true", given, ok)
	}
	second := start(2)
	if second != first {
		t.Fatal("Start did not run in the recycled execution")
	}
	if second.tag != 2 {
		t.Errorf("tag = %d, want 2", second.tag)
	}
	vc.Run() // the first life's retry timer fires at 10 s, the answer at 31 s
	if len(h.calls) != 2 {
		t.Errorf("the handler was called %d times, want 2 (the earlier life's retry must not run)", len(h.calls))
	}
	wantOutput(t, second, `[{"ok":true}]`)

	// Not solo: recycle releases, and Start makes a new execution.
	eng.solo = false
	third := start(3)
	vc.Run()
	if _, ok := third.recycle(); !ok || start(4) == third {
		t.Error("an engine that is not solo reused a recycled execution")
	}
}

// TestUnobservedCountsEveryEvent: an execution without history counts the
// events it does not build, the same number one with history keeps.
func TestUnobservedCountsEveryEvent(t *testing.T) {
	for _, c := range engineCases() {
		t.Run(c.name, func(t *testing.T) {
			run := func(mode HistoryMode) *Execution {
				x, vc := runStart(t, &Engine{History: mode}, c.doc, StartOptions{Name: "t", Input: mustJSON(t, c.input)}, &script{replies: slices.Clone(c.replies)})
				vc.Run()
				return x
			}
			full, none := run(HistoryFull), run(HistoryNone)
			if n := int64(len(full.Events())); full.EventCount() != n || none.EventCount() != n {
				t.Fatalf("%d events kept; counted %d with history and %d without", n, full.EventCount(), none.EventCount())
			}
		})
	}
}

// TestRecycleGivesTheInputBack: recycle returns the input object handed
// over with giveInput, which the execution's ResultPaths filled in place;
// not one the execution did not take (a machine that reads the context
// object keeps the input as it was for $$.Execution.Input).
func TestRecycleGivesTheInputBack(t *testing.T) {
	const ctxDoc = `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"` + fnARN + `","Parameters":{"name.$":"$$.Execution.Name"},"ResultPath":"$.a","End":true}}}`
	for _, c := range []struct {
		doc  string
		back bool
	}{{reuseDoc, true}, {ctxDoc, false}} {
		in := map[string]any{"id": "o1", "n": 7}
		h := &script{replies: []reply{{out: "ra"}, {out: "rb"}, {out: "rc"}}}
		x, _ := runStart(t, &Engine{History: HistoryNone, solo: true}, c.doc, StartOptions{Name: "t", Input: in, giveInput: true}, h)
		given, ok := x.recycle()
		if !ok {
			t.Fatal("recycle refused a settled execution")
		}
		switch {
		case !c.back && given != nil:
			t.Errorf("%s: recycle gave back an input the execution did not take", c.doc)
		case c.back && (given == nil || reflect.ValueOf(given).UnsafePointer() != reflect.ValueOf(in).UnsafePointer()):
			t.Errorf("%s: recycle gave back %v, not the input", c.doc, given)
		case c.back:
			wantUnchanged(t, "the input given back", given, `{"a":"ra","b":"rb","c":"rc","id":"o1","n":7}`)
		}
	}
}
