package jsonata

import (
	"sync"
	"testing"

	"github.com/yafdp/yafdp/internal/asl/value"
)

// benchStates is a typical $states binding, decoded as the engine decodes
// documents (json.Number, map[string]any).
func benchStates(b *testing.B) *Bindings {
	in, err := value.DecodeString(`{"orderId":"o-123","totalCents":12999,"order":{"items":[
		{"sku":"a","qty":1,"unitPriceCents":500},{"sku":"b","qty":3,"unitPriceCents":250},
		{"sku":"c","qty":2,"unitPriceCents":1000}]},
		"items":[{"sku":"a","qty":1,"unitPriceCents":500},{"sku":"b","qty":3,"unitPriceCents":250}]}`)
	if err != nil {
		b.Fatal(err)
	}
	states := map[string]any{"input": in, "context": map[string]any{"Execution": map[string]any{"Id": "x"}}}
	return &Bindings{Vars: map[string]any{"states": states}}
}

var benchExprs = []struct{ name, expr string }{
	{"Field", `$states.input.orderId`},
	{"Filter", `$states.input.order.items[qty > 1].sku`},
	{"SumMap", `$sum($states.input.items.(qty * unitPriceCents))`},
	{"Object", `{"orderId": $states.input.orderId, "total": $states.input.totalCents}`},
	{"Partition", `$partition([1,2,3,4], 2)`},
	{"Condition", `$states.input.totalCents > 10000 ? "big" : "small"`},
}

func BenchmarkCompile(b *testing.B) {
	for _, c := range benchExprs {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := Compile(c.expr); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEval(b *testing.B) {
	vars := benchStates(b)
	opts := &Options{Functions: AWSFuncSet}
	for _, c := range benchExprs {
		e := MustCompile(c.expr)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, _, err := e.Eval(nil, vars, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEvalParallel evaluates one compiled expression from all
// goroutines at once.
func BenchmarkEvalParallel(b *testing.B) {
	vars := benchStates(b)
	e := MustCompile(`$sum($states.input.items.(qty * unitPriceCents))`)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := e.Eval(nil, vars, nil); err != nil {
				b.Error(err)
			}
		}
	})
}

// TestConcurrentEval shares one Expr between goroutines (run with -race).
func TestConcurrentEval(t *testing.T) {
	e := MustCompile(`$states.input.items[qty > 1].{"sku": sku, "n": $string(qty)}`)
	vars := &Bindings{Vars: map[string]any{"states": map[string]any{"input": map[string]any{"items": []any{
		map[string]any{"sku": "a", "qty": 2}, map[string]any{"sku": "b", "qty": 1}}}}}}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				res, _, err := e.Eval(nil, vars, nil)
				if err != nil {
					t.Error(err)
					return
				}
				m, ok := res.(map[string]any)
				if !ok || m["sku"] != "a" || m["n"] != "2" {
					t.Errorf("got %#v", res)
					return
				}
			}
		}()
	}
	wg.Wait()
}
