package intrinsic

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/yafdp/yafdp/internal/asl/states"
	"github.com/yafdp/yafdp/internal/asl/value"
)

// fuzzInput is the input fuzzed calls and templates run against: a little of
// every JSON type, so that most paths find something.
const fuzzInput = `{"a": [1, 2.5, "x", null, true, {"k": "v"}], "s": "a,b,c", "n": 3, "o": {"k": [1, 2]}, "t": "{}-{}", "j": "{\"x\": 1}", "b": "aGVsbG8="}`

func fuzzEnv(t *testing.T) *Env {
	in, err := value.DecodeString(fuzzInput)
	if err != nil {
		t.Fatal(err)
	}
	return &Env{Input: in, Context: contextObject(in, "fuzz-machine", "fuzz", "State"), Rand: rand.New(rand.NewPCG(1, 1))}
}

// checkEvalError fails unless err is nil or a *states.Error.
func checkEvalError(t *testing.T, what string, err error) {
	var se *states.Error
	if err != nil && !errors.As(err, &se) {
		t.Fatalf("%s: Eval returned %T %v, want a *states.Error", what, err, err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"States.Format('order {} for {}', $.orderId, $$.Execution.Name)",
		"States.Array(1, -2.5e3, true, false, null, 'x', $, $$)",
		"States.ArrayPartition($.a, 2)",
		"States.ArrayRange(1, 9, 2)",
		"States.ArrayGetItem(States.StringSplit($.s, ','), 1)",
		"States.ArrayContains($.a, 'x')",
		"States.ArrayUnique($.a)",
		"States.ArrayLength($.a)",
		"States.Base64Decode(States.Base64Encode('\\'q\\' \\{\\} \\\\'))",
		"States.Hash($.s, 'SHA-256')",
		"States.JsonMerge($.o, States.StringToJson($.j), false)",
		"States.JsonToString($.o)",
		"States.MathRandom(1, 10, 3)",
		"States.MathAdd($.n, -1.5)",
		"States.UUID()",
		"States.Format($.t, 1, 2)",
		"States.Array($['a'][0], $.o.k[1])",
		"States.Format('{')",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		fn, err := Parse(src)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(src) {
				t.Fatalf("Parse(%q) = %v, want a *SyntaxError inside the source", src, err)
			}
			return
		}
		if fn.String() != src && !isSpaceOnlySuffix(src, fn.String()) {
			t.Fatalf("String() = %q for %q", fn.String(), src)
		}
		_, err = fn.Eval(fuzzEnv(t))
		checkEvalError(t, src, err)
	})
}

// isSpaceOnlySuffix reports whether src is call followed by blanks.
func isSpaceOnlySuffix(src, call string) bool {
	if len(src) < len(call) || src[:len(call)] != call {
		return false
	}
	for i := len(call); i < len(src); i++ {
		if !isSpace(src[i]) {
			return false
		}
	}
	return true
}

func FuzzTemplate(f *testing.F) {
	for _, s := range []string{
		`{"orderId.$": "$.orderId", "amount.$": "$.totalCents", "msg.$": "States.Format('order {}', $.orderId)"}`,
		`{"a": [1, {"b.$": "$.a[0]"}], "c": {"d.$": "$$.State.Name"}, "e": "literal"}`,
		`{"x.$": "States.ArrayPartition($.a, 2)", "y": null}`,
		`{"bad.$": 1}`,
		`{"a": 1, "a.$": "$.n"}`,
		`[{"k.$": "$.missing"}]`,
		`"plain"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := value.Decode(data)
		if err != nil {
			return
		}
		tmpl, err := CompileTemplate(v)
		if err != nil {
			return
		}
		got, err := tmpl.Eval(fuzzEnv(t))
		checkEvalError(t, string(data), err)
		if tmpl.Static() && (err != nil || !value.Equal(got, v)) {
			t.Fatalf("static template %s evaluated to %v, %v", data, got, err)
		}
		if err == nil {
			if _, err := value.Encode(got); err != nil {
				t.Fatalf("template %s produced an unencodable value: %v", data, err)
			}
		}
	})
}

// BenchmarkTemplate evaluates a typical Task Parameters template.
func BenchmarkTemplate(b *testing.B) {
	tmpl, err := CompileTemplate(mustValue(b, `{"orderId.$":"$.orderId","amount.$":"$.totalCents","msg.$":"States.Format('order {}', $.orderId)"}`))
	if err != nil {
		b.Fatal(err)
	}
	env := &Env{Input: mustValue(b, `{"orderId":"o-12345","totalCents":4999,"customer":{"id":"c-1","tier":"gold"},"items":[{"sku":"a","qty":1},{"sku":"b","qty":2}]}`)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tmpl.Eval(env); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStaticTemplate evaluates a template with no ".$" key.
func BenchmarkStaticTemplate(b *testing.B) {
	tmpl, err := CompileTemplate(mustValue(b, `{"queue":"orders","retry":{"max":3,"backoff":[1,2,4]}}`))
	if err != nil {
		b.Fatal(err)
	}
	env := &Env{}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tmpl.Eval(env); err != nil {
			b.Fatal(err)
		}
	}
}
