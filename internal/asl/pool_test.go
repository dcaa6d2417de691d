package asl

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/clock"
)

// TestPoolRunsAsTheEngineDoes: a Pool's executions end as an unobserved
// Engine's do (status, output, counts), report their Tag and OnSettled
// once, hand their input back with Recycle, and lend their memory to the
// next Start.
func TestPoolRunsAsTheEngineDoes(t *testing.T) {
	for _, c := range engineCases() {
		t.Run(c.name, func(t *testing.T) {
			summary := func(x *Execution) string {
				status, out, errName, cause := x.Result()
				return fmt.Sprintf("%s %s %s %s | events %d transitions %d calls %d retries %d task time %v",
					status, value.MustEncodeString(out), errName, cause,
					x.EventCount(), x.StateTransitions(), x.TaskCalls(), x.Retries(), x.TaskTime())
			}
			x, _ := runStart(t, &Engine{History: HistoryNone}, c.doc, StartOptions{Name: "t", Input: mustJSON(t, c.input)}, &script{replies: slices.Clone(c.replies)})
			want := summary(x)

			m, err := Parse([]byte(c.doc))
			if err != nil {
				t.Fatal(err)
			}
			vc := clock.NewVirtual(clock.Epoch)
			vc.Solo()
			h := &script{clk: vc, replies: slices.Clone(c.replies)}
			var settled []int64
			var pool *Pool
			pool = NewPool(m, PoolOptions{
				Clock: vc, Resources: Resources{fnARN: h}, Seed: 42,
				OnSettled: func(x *Execution) { settled = append(settled, pool.Tag(x)) },
			})
			input := mustJSON(t, c.input).(map[string]any)
			x, err = pool.Start(context.Background(), "t", input, value.EncodedSize(input), 7)
			if err != nil {
				t.Fatal(err)
			}
			vc.Run()
			if got := summary(x); got != want {
				t.Fatalf("the pool's execution ran differently:\nengine %s\n  pool %s", want, got)
			}
			if !slices.Equal(settled, []int64{7}) {
				t.Fatalf("OnSettled saw tags %v, want [7]", settled)
			}
			if back := pool.Recycle(x); reflect.ValueOf(back).UnsafePointer() != reflect.ValueOf(input).UnsafePointer() {
				t.Fatal("Recycle did not hand the input back")
			}
			h.replies = slices.Clone(c.replies)
			next, err := pool.Start(context.Background(), "t", mustJSON(t, c.input).(map[string]any), 0, 8)
			if err != nil {
				t.Fatal(err)
			}
			vc.Run()
			if next != x || pool.Tag(next) != 8 {
				t.Fatalf("the next Start did not run in the recycled execution (same %v, tag %d)", next == x, pool.Tag(next))
			}
			if got := summary(next); got != want {
				t.Fatalf("the recycled execution ran differently:\nengine %s\n  pool %s", want, got)
			}
		})
	}
}
