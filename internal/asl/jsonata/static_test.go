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
