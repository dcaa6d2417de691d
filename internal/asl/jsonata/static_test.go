package jsonata

import (
	"reflect"
	"testing"
)

func TestFreeVariables(t *testing.T) {
	cases := []struct {
		expr string
		want []string
	}{
		{`$states.input.a + $x`, []string{"states", "x"}},
		{`($y := 1; $y + $z)`, []string{"z"}},
		{`$map($states.input.items, function($v){ $v.qty * $rate })`, []string{"map", "rate", "states"}},
		{`items#$i@$it[$i > 0].($it)`, nil},
		{`$ ~> $$`, nil},
	}
	for _, c := range cases {
		if got := MustCompile(c.expr).FreeVariables(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: FreeVariables = %v, want %v", c.expr, got, c.want)
		}
	}
	if !AWSFuncSet.Has("partition") || AWSFuncSet.Has("eval") || !StandardFuncs.Has("eval") || !AWSFuncSet.Has("now") {
		t.Error("FuncSet.Has disagrees with the sets' contents")
	}
}

func TestStatesFields(t *testing.T) {
	cases := []struct {
		expr string
		want []string
	}{
		{`$states.input.a & $states.errorOutput.Cause`, []string{"errorOutput", "input"}},
		{`$keys($states)`, []string{""}},
		{`$states.context.Execution.Id`, []string{"context"}},
		{`$x.input`, []string{}},
	}
	for _, c := range cases {
		if got := MustCompile(c.expr).StatesFields(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: StatesFields = %v, want %v", c.expr, got, c.want)
		}
	}
}

// TestCallerFunc registers a function over engine values and replaces a
// standard one.
func TestCallerFunc(t *testing.T) {
	fs, err := NewFuncSet(map[string]*Func{
		"double": {Signature: "<n-:n>", Impl: func(_ *Call, args []any) (any, error) {
			return args[0].(float64) * 2, nil
		}},
		"pair": {Impl: func(_ *Call, args []any) (any, error) {
			if args[1] == Undefined {
				return []any{args[0], "none"}, nil
			}
			return []any{args[0], args[1]}, nil
		}},
		"uppercase": nil,
	})
	if err != nil {
		t.Fatal(err)
	}
	opts := &Options{Functions: fs}
	got, _, err := MustCompile(`[$double(21), 4 ~> $double(), $pair({"a": [1]}, undefinedThing)]`).Eval(nil, nil, opts)
	// The array constructor flattens the array $pair returns.
	want := []any{42.0, 8.0, map[string]any{"a": []any{1.0}}, "none"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v (%v), want %#v", got, err, want)
	}
	if _, _, err := MustCompile(`$uppercase("a")`).Eval(nil, nil, opts); err == nil {
		t.Error("$uppercase must be removed")
	}
	if _, err := NewFuncSet(map[string]*Func{"bad": {Signature: "<q(", Impl: nil}}); err == nil {
		t.Error("a Func without Impl must be refused")
	}
}
