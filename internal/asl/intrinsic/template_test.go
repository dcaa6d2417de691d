package intrinsic

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/yafdp/yafdp/internal/asl/states"
	"github.com/yafdp/yafdp/internal/asl/value"
)

// mustTemplate compiles the template src.
func mustTemplate(t *testing.T, src string) *Template {
	t.Helper()
	tp, err := CompileTemplate(mustValue(t, src))
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

func mustValue(t testing.TB, s string) any {
	t.Helper()
	v, err := value.DecodeString(s)
	if err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	return v
}

func TestStaticTemplate(t *testing.T) {
	for _, src := range []string{
		`{"Comment": "Comment text", "constant": "constant text", "nested": {"a": [1, {"b": null}]}}`,
		`{"looks.like.a.path": "$.x", "notDollar$": "States.Array()"}`,
		`[1, "two", {"three": 3}]`,
		`"just a string"`,
		`{}`,
		`null`,
	} {
		lit := mustValue(t, src)
		tmpl, err := CompileTemplate(lit)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if !tmpl.Static() {
			t.Errorf("%s: Static() = false", src)
		}
		got, err := tmpl.Eval(nil)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if !value.Equal(got, lit) {
			t.Errorf("%s: got %s", src, value.MustEncodeString(got))
		}
		// The literal itself comes back, not a copy.
		if m, ok := lit.(map[string]any); ok && reflect.ValueOf(got).UnsafePointer() != reflect.ValueOf(m).UnsafePointer() {
			t.Errorf("%s: Eval returned a copy of the literal", src)
		}
		env := &Env{Input: lit}
		if allocs := testing.AllocsPerRun(100, func() { _, _ = tmpl.Eval(env) }); allocs != 0 {
			t.Errorf("%s: a static template allocates %v times per Eval", src, allocs)
		}
	}
}

func TestTemplateEval(t *testing.T) {
	env := testEnv(t)
	tmpl, err := CompileTemplate(mustValue(t, `{
		"name.$": "$.name",
		"whole.$": "$",
		"state.$": "$$.State.Name",
		"literal": "$.name",
		"list": [1, {"first.$": "$.arr[0]"}, [{"deep.$": "States.ArrayLength($.arr)"}]],
		"nested": {"msg.$": "States.Format('hi {}', $.name)", "keep": {"x": 1}},
		".$": "$.s"
	}`))
	if err != nil {
		t.Fatal(err)
	}
	if tmpl.Static() {
		t.Fatal("Static() = true for a template with paths")
	}
	got, err := tmpl.Eval(env)
	if err != nil {
		t.Fatal(err)
	}
	want := mustValue(t, `{
		"name": "Ada",
		"whole": null,
		"state": "Reserve",
		"literal": "$.name",
		"list": [1, {"first": 1}, [{"deep": 5}]],
		"nested": {"msg": "hi Ada", "keep": {"x": 1}},
		"": "x"
	}`).(map[string]any)
	want["whole"] = env.Input
	if !value.Equal(got, want) {
		t.Errorf("got  %s\nwant %s", value.MustEncodeString(got), value.MustEncodeString(want))
	}
	// Evaluating twice gives equal, independent results and leaves the
	// input alone.
	before := value.MustEncodeString(env.Input)
	again, _ := tmpl.Eval(env)
	if !value.Equal(got, again) || value.MustEncodeString(env.Input) != before {
		t.Error("a second Eval differs or the input changed")
	}
	got.(map[string]any)["name"] = "changed"
	if again.(map[string]any)["name"] != "Ada" {
		t.Error("two Evals share their output")
	}
}

func TestTemplatePathNotFound(t *testing.T) {
	tmpl, err := CompileTemplate(mustValue(t, `{"ok": 1, "value.$": "$.no_such_jsonpath"}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = tmpl.Eval(&Env{Input: mustValue(t, `{"int-literal": 0}`)})
	// The cause Step Functions records, after the engine's "An error
	// occurred while executing the state ..." preamble.
	want := `The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{"int-literal":0}'`
	var se *states.Error
	if !errors.As(err, &se) || se.Name != states.Runtime || se.Cause != want {
		t.Fatalf("got %v\nwant States.Runtime: %s", err, want)
	}

	tmpl, _ = CompileTemplate(mustValue(t, `{"v.$": "$$.Execution.Input.nope"}`))
	_, err = tmpl.Eval(&Env{Input: mustValue(t, `{"a": 1}`), Context: map[string]any{}})
	want = `The JSONPath '$$.Execution.Input.nope' specified for the field 'v.$' could not be found in the input '{"a":1}'`
	if !errors.As(err, &se) || se.Cause != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
}

func TestTemplateIntrinsicFailure(t *testing.T) {
	tmpl, err := CompileTemplate(mustValue(t, `{"a": {"b.$": "States.ArrayGetItem($.arr, 10)"}}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = tmpl.Eval(testEnv(t))
	var se *states.Error
	if !errors.As(err, &se) || se.Name != states.Runtime || !strings.Contains(se.Cause, "Invalid arguments in States.ArrayGetItem") {
		t.Fatalf("got %v", err)
	}
}

func TestCompileTemplateErrors(t *testing.T) {
	for _, c := range []struct {
		src  string
		want []string // parts of the error
	}{
		{`{"a.$": 5}`, []string{`"a.$"`, "must be a string", "number"}},
		{`{"a.$": null}`, []string{`"a.$"`, "null"}},
		{`{"a.$": "plain"}`, []string{`"a.$"`, `"plain"`, "drop the '.$'"}},
		{`{"a.$": " $.x"}`, []string{`"a.$"`}},
		{`{"a.$": "States.Nope()"}`, []string{`"a.$"`, "unknown intrinsic function", "offset 0"}},
		{`{"a.$": "States.Array(1,"}`, []string{`"a.$"`, "offset 15"}},
		{`{"a.$": "$$$"}`, []string{`"a.$"`, "invalid JSONPath"}},
		{`{"x": {"y": [0, {"z.$": 1}]}}`, []string{`"x.y[1].z.$"`}},
		{`[{"k.$": true}]`, []string{`"[0].k.$"`}},
		{`{"a": 1, "a.$": "$.a"}`, []string{`"a"`, `"a.$"`, "both produce the key"}},
	} {
		_, err := CompileTemplate(mustValue(t, c.src))
		if err == nil {
			t.Errorf("%s: compiled", c.src)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, "\n") {
			t.Errorf("%s: error is not one line: %q", c.src, msg)
		}
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: error %q does not contain %q", c.src, msg, w)
			}
		}
	}
}

// TestTemplateMayHoldInput checks the rule the engine relies on to reuse a
// state's input: a template that reports false never returns the input
// itself, however deep.
func TestTemplateMayHoldInput(t *testing.T) {
	for src, want := range map[string]bool{
		`{"a": 1}`: false,
		`{"id.$": "$.orderId", "n": {"x.$": "$.items[0]"}}`:       false,
		`{"ctx.$": "$$.Execution.Input", "all.$": "$$"}`:          false,
		`{"s.$": "States.Format('{}', $.orderId)"}`:               false,
		`{"s.$": "States.JsonToString($)"}`:                       true,
		`{"all.$": "$"}`:                                          true,
		`{"n": [{"all.$": "$"}]}`:                                 true,
		`{"l.$": "States.Array($.a, States.Array($))"}`:           true,
		`{"f.$": "$[?(@.orderId)]"}`:                              true,
		`{"f.$": "$..[?(@.orderId)]"}`:                            true,
		`{"g.$": "States.ArrayGetItem(States.Array($.a, 1), 0)"}`: false,
	} {
		tmpl, err := CompileTemplate(mustValue(t, src))
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if got := tmpl.MayHoldInput(); got != want {
			t.Errorf("%s: MayHoldInput = %v, want %v", src, got, want)
		}
	}
	// Where it says true, the input does come back.
	input := map[string]any{"orderId": "o1", "a": []any{1}}
	tmpl, err := CompileTemplate(mustValue(t, `{"l.$": "States.Array($.a, States.Array($))"}`))
	if err != nil {
		t.Fatal(err)
	}
	out, err := tmpl.Eval(&Env{Input: input})
	if err != nil {
		t.Fatal(err)
	}
	inner := out.(map[string]any)["l"].([]any)[1].([]any)[0].(map[string]any)
	inner["probe"] = true
	if _, ok := input["probe"]; !ok {
		t.Error("expected the input itself inside the result")
	}
}

// BenchmarkTemplatePaths evaluates a Parameters template shaped like the
// order saga's: a literal, and an object of paths.
func BenchmarkTemplatePaths(b *testing.B) {
	tmpl, err := CompileTemplate(mustValue(b, `{"FunctionName":"yafdp-payment-charge","Payload":{"orderId.$":"$.orderId","customerId.$":"$.customerId","amountCents.$":"$.totalCents","currency.$":"$.currency"}}`))
	if err != nil {
		b.Fatal(err)
	}
	env := &Env{Input: mustValue(b, `{"orderId":"o-12345","customerId":"c-1","totalCents":4999,"currency":"EUR","items":[{"sku":"a","qty":1}]}`)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tmpl.Eval(env); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMapPool: a recycled object goes to the next template object with the
// same member names (which overwrites them all); one with other names gets
// an object of its own, or an emptied one once the pool keeps maxKept; no
// object goes to two evaluations between Recycles; Release hands the
// objects, as they are, to the next pool with the same Spares.
func TestMapPool(t *testing.T) {
	wide := mustTemplate(t, `{"a.$":"$.x","b.$":"$.y","c":1}`)
	same := mustTemplate(t, `{"c.$":"$.x","b":2,"a.$":"$.y"}`) // wide's names
	narrow := mustTemplate(t, `{"d.$":"$.x"}`)
	var spares Spares
	p := &MapPool{Spares: &spares}
	eval := func(tp *Template, input string) map[string]any {
		t.Helper()
		v, err := tp.Eval(&Env{Input: mustValue(t, input), Maps: p})
		if err != nil {
			t.Fatal(err)
		}
		return v.(map[string]any)
	}
	want := func(what string, got map[string]any, w string) {
		t.Helper()
		if s := value.MustEncodeString(got); s != w {
			t.Errorf("%s = %s, want %s", what, s, w)
		}
	}
	ptr := func(m map[string]any) unsafe.Pointer { return reflect.ValueOf(m).UnsafePointer() }

	first := eval(wide, `{"x":1,"y":2}`)
	second := eval(narrow, `{"x":3}`) // no Recycle: first is busy
	if ptr(first) == ptr(second) {
		t.Fatal("two evaluations between Recycles were given one object")
	}
	want("first", first, `{"a":1,"b":2,"c":1}`)
	want("second", second, `{"d":3}`)

	p.Recycle()
	nar := eval(narrow, `{"x":4}`) // second's object, though first's comes first
	if ptr(nar) != ptr(second) {
		t.Error("after Recycle an object with the same names was not reused")
	}
	again := eval(same, `{"x":5,"y":6}`) // first's object, overwritten
	if ptr(again) != ptr(first) {
		t.Error("after Recycle the first object was not reused")
	}
	want("same names", again, `{"a":6,"b":2,"c":5}`)
	twice := eval(wide, `{"x":7,"y":8}`) // both busy: a new object
	if ptr(twice) == ptr(first) || ptr(twice) == ptr(second) {
		t.Error("a busy object was given again")
	}
	want("a third object", twice, `{"a":7,"b":8,"c":1}`)

	// The same template object again skips its literal members, which it
	// put there itself; an evaluation that fails leaves its object to be
	// emptied by the next one, even the same template.
	p.Recycle()
	lit := eval(wide, `{"x":9,"y":10}`)
	want("literal kept", lit, `{"a":9,"b":10,"c":1}`)
	if _, err := wide.Eval(&Env{Input: mustValue(t, `{"x":11}`), Maps: p}); err == nil {
		t.Fatal("no error for a missing path")
	}
	p.Recycle()
	a := eval(wide, `{"x":12,"y":13}`)
	b := eval(wide, `{"x":14,"y":15}`)
	want("after a failure", a, `{"a":12,"b":13,"c":1}`)
	want("after a failure", b, `{"a":14,"b":15,"c":1}`)

	// Past maxKept objects, one with other names is emptied for the one
	// that asks.
	p.Recycle()
	for range maxKept {
		eval(wide, `{"x":0,"y":0}`)
	}
	p.Recycle()
	for range maxKept {
		eval(wide, `{"x":0,"y":0}`)
	}
	if n := len(p.set.maps); n != maxKept {
		t.Fatalf("the pool keeps %d objects, want %d", n, maxKept)
	}
	p.Recycle()
	want("an emptied object", eval(narrow, `{"x":16}`), `{"d":16}`)
	if n := len(p.set.maps); n != maxKept {
		t.Errorf("the pool grew to %d objects past maxKept with one free", n)
	}

	// Release: the next pool with the same Spares starts from the objects.
	p.Release()
	q := &MapPool{Spares: &spares}
	v, err := narrow.Eval(&Env{Input: mustValue(t, `{"x":17}`), Maps: q})
	if err != nil {
		t.Fatal(err)
	}
	if q.set == nil || len(q.set.maps) != maxKept {
		t.Error("a new pool did not take the released objects")
	}
	want("from a released pool", v.(map[string]any), `{"d":17}`)
}

// TestRecordPool: with Env.Records, objects are built as records (nested
// ones and ones in arrays too) that encode as the maps Eval builds without
// it; no record goes to two evaluations between Recycles, after a Recycle
// the records are handed out again in the order asked, whatever template
// asks (a failed evaluation's too), and Release hands them to the next pool
// with the same Spares.
func TestRecordPool(t *testing.T) {
	outer := mustTemplate(t, `{"FunctionName":"f","Payload":{"id.$":"$.id","n.$":"$.n","k":"lit"},"List":[{"x.$":"$.n"},2]}`)
	small := mustTemplate(t, `{"d.$":"$.id"}`)
	var spares Spares
	p := &RecordPool{Spares: &spares}
	eval := func(tp *Template, input string) *value.Record {
		t.Helper()
		v, err := tp.Eval(&Env{Input: mustValue(t, input), Records: p})
		if err != nil {
			t.Fatal(err)
		}
		r, ok := v.(*value.Record)
		if !ok {
			t.Fatalf("Eval with Records built a %T", v)
		}
		plain, err := tp.Eval(&Env{Input: mustValue(t, input)})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := value.MustEncodeString(r), value.MustEncodeString(plain); got != want {
			t.Fatalf("the record encodes as %s, the map as %s", got, want)
		}
		return r
	}
	first := eval(outer, `{"id":"o1","n":1}`)
	payload, _ := first.Get("Payload")
	if _, ok := payload.(*value.Record); !ok {
		t.Fatalf("the nested object is a %T", payload)
	}
	list, _ := first.Get("List")
	if _, ok := list.([]any)[0].(*value.Record); !ok {
		t.Fatalf("the object in the array is a %T", list.([]any)[0])
	}
	if n := p.used; n != 3 {
		t.Fatalf("%d records built for three objects", n)
	}
	second := eval(small, `{"id":"o2"}`) // no Recycle: first's are busy
	if second == first {
		t.Fatal("two evaluations between Recycles were given one record")
	}

	p.Recycle()
	again := eval(small, `{"id":"o3"}`) // first's record, now with one member
	if again != first {
		t.Error("after Recycle the first record was not handed out first")
	}
	if _, err := outer.Eval(&Env{Input: mustValue(t, `{"id":"o4"}`), Records: p}); err == nil {
		t.Fatal("no error for a missing path")
	}
	p.Recycle()
	eval(outer, `{"id":"o5","n":5}`) // over the failed one's records

	p.Release()
	q := &RecordPool{Spares: &spares}
	if r := evalIn(t, small, `{"id":"o6"}`, q); r != first {
		t.Error("a new pool did not start from the released records")
	}
}

func evalIn(t *testing.T, tp *Template, input string, p *RecordPool) *value.Record {
	t.Helper()
	v, err := tp.Eval(&Env{Input: mustValue(t, input), Records: p})
	if err != nil {
		t.Fatal(err)
	}
	return v.(*value.Record)
}
