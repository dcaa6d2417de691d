package jsonata

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/asl/value"
)

// TestNumberText checks that encoding/json prints result numbers as
// JavaScript does (the engine encodes results with it), and that
// formatNumberJS (used by $string) agrees.
func TestNumberText(t *testing.T) {
	sum := 0.1
	sum += 0.2
	cases := map[float64]string{
		sum: "0.30000000000000004", 1e21: "1e+21", 1e20: "100000000000000000000", 1e-7: "1e-7", 1e-6: "0.000001",
		123456789012345678: "123456789012345680", 9007199254740993: "9007199254740992", -1.5e-10: "-1.5e-10",
		5e-324: "5e-324", math.MaxFloat64: "1.7976931348623157e+308", 2.5: "2.5", -0.0: "0", 100: "100",
	}
	for f, want := range cases {
		if got := formatNumberJS(f); got != want {
			t.Errorf("formatNumberJS(%v) = %s, want %s", f, got, want)
		}
		b, err := value.Encode(toOutput(f))
		if err != nil || string(b) != want {
			t.Errorf("encoding %v = %s (%v), want %s", f, b, err, want)
		}
	}
	if got := toOutput(math.Copysign(0, -1)); math.Signbit(got.(float64)) {
		t.Error("-0 must leave as 0")
	}
}

// TestInputModel evaluates over every number kind and object form the
// engine uses, without converting the input first.
func TestInputModel(t *testing.T) {
	rec := &value.Record{Names: []string{"b", "a"}, Values: []any{json.Number("2"), int64(1)}}
	in := map[string]any{
		"n": json.Number("1.50"), "i": 3, "j": int64(4), "f": 2.25, "r": rec,
		"list": []any{json.Number("1"), 2, map[string]any{"x": json.Number("10")}},
	}
	cases := []struct {
		expr string
		want any
	}{
		{`n + i + j + f`, 10.75},
		{`$sum(list[$type($) = "number"])`, 3.0},
		{`list.x`, 10.0},
		{`$keys(r)`, []any{"b", "a"}},
		{`r.a + r.b`, 3.0},
		{`$keys($)`, []any{"f", "i", "j", "list", "n", "r"}},
		{`list`, []any{1.0, 2.0, map[string]any{"x": 10.0}}},
		{`r`, map[string]any{"a": 1.0, "b": 2.0}},
		{`{"z": 1, "y": [n]}`, map[string]any{"z": 1.0, "y": []any{1.5}}},
		// in is ===: a caller's object or a function is found by identity.
		{`[$ in [$], r in [1, r], list[2] in list, r in [$]]`, []any{true, true, true, false}},
		{`($f := $sum; $g := function($x){$x}; [$f in [$g, $f], $g in [$g], $g in [$f]])`, []any{true, true, false}},
		// = is isDeepEqual, which tries === first: a value holding NaN
		// equals itself.
		{`($o := {"a": 0/0}; $a := [1, 0/0]; [$o = $o, $a = $a, $count($distinct([$o, $o])), $a = [1, 0/0]])`,
			[]any{true, true, 1.0, false}},
	}
	for _, c := range cases {
		got, defined, err := MustCompile(c.expr).Eval(in, nil, nil)
		// Numbers compare by value: a caller's number that prints as its
		// double does may come back as it went in.
		if err != nil || !defined || !value.Equal(got, c.want) {
			t.Errorf("%s = %#v (defined %v, err %v), want %#v", c.expr, got, defined, err, c.want)
		}
	}
	// A caller's number that would print differently as a double is
	// converted, so the result encodes as JSONata's does.
	got, _, _ := MustCompile(`{"n": n, "list": list}`).Eval(in, nil, nil)
	if enc := value.MustEncodeString(got); enc != `{"list":[1,2,{"x":10}],"n":1.5}` {
		t.Errorf("encoded %s", enc)
	}
	whole, _, _ := MustCompile(`$`).Eval(map[string]any{"a": json.Number("2500"), "b": []any{int64(1)}}, nil, nil)
	if enc := value.MustEncodeString(whole); enc != `{"a":2500,"b":[1]}` {
		t.Errorf("encoded %s", enc)
	}
	if _, defined, err := MustCompile(`missing`).Eval(in, nil, nil); defined || err != nil {
		t.Errorf("missing: defined %v, err %v", defined, err)
	}
	got, _, _ = MustCompile(`function($x){$x}`).Eval(nil, nil, nil)
	if !IsFunction(got) {
		t.Errorf("a lambda result must be a Function, got %#v", got)
	}
	if _, err := json.Marshal(got); err == nil {
		t.Error("encoding a Function must fail")
	}
}

// TestErrorText checks the "CODE: message" form AWS prints.
func TestErrorText(t *testing.T) {
	cases := map[string]string{
		`$foo()`:               "T1006: Attempted to invoke a non-function",
		`1 + "a"`:              `T2002: The right side of the "+" operator must evaluate to a number`,
		`$sum("a")`:            `T0412: Argument 1 of function "sum" must be an array of "numbers"`,
		`$substring("a", "b")`: `T0410: Argument 2 of function "substring" does not match function signature`,
		`true true`:            `S0201: Syntax error: true`,
		`$error("custom")`:     "D3137: custom",
		`[1,2`:                 `S0203: Expected "]" before end of expression`,
		`{"a": 1}.b(`:          `S0203: Expected ")" before end of expression`,
		`1 +* 2`:               `S0201: Syntax error: 2`,
		`1 + )`:                `S0211: The symbol ")" cannot be used as a unary operator`,
		// The boolean cast of an array casts every item, as jsonata-js's
		// Array.filter does, so an infinite number fails after a true item.
		`["a", 1/0] ? 1 : 2`:     "D1001: Number out of range: null",
		`$boolean(["a", [1/0]])`: "D1001: Number out of range: null",
		// So does jsonata-js's test for an array of numbers (a predicate's
		// value, $sort's argument).
		`[1, 2][[1, "a", 1/0]]`: "D1001: Number out of range: null",
		`$sort([2, "a", 1/0])`:  "D1001: Number out of range: null",
		// $clone is JSON.parse($string(v)), and $string fails on an
		// infinite number inside.
		`$clone([1, {"a": 1/0}])`: "D1001: Number out of range: null",
	}
	for expr, want := range cases {
		e, err := Compile(expr)
		if err == nil {
			_, _, err = e.Eval(nil, nil, nil)
		}
		if err == nil || err.Error() != want {
			t.Errorf("%s: error %v, want %s", expr, err, want)
		}
	}
	_, err := Compile(`a.b[`)
	if je := err.(*Error); je.Code != "S0203" || je.Position != 4 {
		t.Errorf("position: %+v", je)
	}
}

// TestLimits checks the depth and time limits and the injected clock and
// random source.
func TestLimits(t *testing.T) {
	e := MustCompile(`($f := function($x){ $x + $f($x) }; $f(1))`)
	_, _, err := e.Eval(nil, nil, &Options{MaxDepth: 100})
	if je, ok := err.(*Error); !ok || je.Code != "U1001" || je.Text() != msgStackOverflow {
		t.Errorf("depth: %v", err)
	}
	loop := MustCompile(`($f := function($x){ $f($x) }; $f(1))`)
	_, _, err = loop.Eval(nil, nil, &Options{Timeout: 50_000_000})
	if je, ok := err.(*Error); !ok || je.Code != "U1001" || je.Text() != msgTimeout {
		t.Errorf("time: %v", err)
	}
}

// TestClockAndRandom checks the injected clock ($now and $millis agree
// within one evaluation) and random source (reproducible from a seed).
func TestClockAndRandom(t *testing.T) {
	clock := time.Date(2024, 3, 5, 10, 20, 30, 123e6, time.UTC)
	opts := func() *Options {
		return &Options{Now: func() time.Time { return clock }, Rand: rand.New(rand.NewPCG(1, 2)), Functions: AWSFuncSet}
	}
	got, _, err := MustCompile(`[$now(), $millis(), $now("[H01]:[m01]", "+0100"), $toMillis($now()) = $millis()]`).Eval(nil, nil, opts())
	want := []any{"2024-03-05T10:20:30.123Z", float64(clock.UnixMilli()), "11:20", true}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("clock: %#v (%v), want %#v", got, err, want)
	}
	e := MustCompile(`[$random(), $shuffle([1,2,3,4,5]), $uuid()]`)
	a, _, _ := e.Eval(nil, nil, opts())
	b, _, _ := e.Eval(nil, nil, opts())
	if !reflect.DeepEqual(a, b) {
		t.Errorf("same seed, different results: %v / %v", a, b)
	}
}

func TestCanonicalInt(t *testing.T) {
	for s, want := range map[string]bool{"0": true, "7": true, "-12": true, "123456789012345": true, "1234567890123456": false,
		"-0": false, "01": false, "1.0": false, "1e3": false, "": false, "-": false} {
		if got := canonicalInt(s); got != want {
			t.Errorf("canonicalInt(%q) = %v", s, got)
		}
	}
}
