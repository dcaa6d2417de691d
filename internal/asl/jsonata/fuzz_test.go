package jsonata

import (
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/asl/value"
)

var fuzzSeeds = []string{
	`$states.input.order.items[qty > 1].sku`, `Account.Order.Product{Name: $sum(Price)}`,
	`($f := function($x){$f($x)}; $f(1))`, `[1..5].($ * 2)^(>$)`, `$replace("abc", /b+/i, "x")`,
	`$formatNumber(1234.5, "#,##0.00;(#)")`, `$fromMillis(0, "[Y0001]-[M01]-[D01]")`, `| a | {"b": 1}, ["c"] |`,
	`a.b%.c`, `a#$i@$v[$i > 1]`, `"x" & 1 & /* c */ null`, "`a b`.c", `$sum(?, 1)`, `λ($x)<n:n>{$x}`,
}

// FuzzParse checks that no expression text makes Compile panic.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		_, err := Compile(expr)
		if je, ok := err.(*Error); ok && je.Code == codeInternal {
			t.Fatalf("Compile(%q): %v", expr, err)
		}
	})
}

// FuzzEval checks that no expression and input make Eval panic or run
// past its limits, and that every result encodes as JSON.
func FuzzEval(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, diffInputs[i%len(diffInputs)])
	}
	f.Fuzz(func(t *testing.T, expr, input string) {
		e, err := Compile(expr)
		if err != nil {
			return
		}
		in, err := value.DecodeString(input)
		if err != nil {
			in = nil
		}
		opts := &Options{Timeout: 200 * time.Millisecond, MaxDepth: 300, Functions: AWSFuncSet}
		start := time.Now()
		res, defined, err := e.Eval(in, &Bindings{Vars: map[string]any{"states": map[string]any{"input": in}}}, opts)
		if je, ok := err.(*Error); ok && je.Code == codeInternal {
			t.Fatalf("Eval(%q, %q): %v", expr, input, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("Eval(%q, %q) took %v", expr, input, d)
		}
		if defined && !ContainsFunction(res) {
			if _, err := value.Encode(res); err != nil {
				t.Fatalf("Eval(%q, %q) = %#v: not encodable: %v", expr, input, res, err)
			}
		}
	})
}
