package sfnapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/local/eventsapi"
	"github.com/yafdp/yafdp/internal/order"
	"github.com/yafdp/yafdp/internal/queue"
	"github.com/yafdp/yafdp/internal/saga"
)

// busSink is local up's adapter from status changes to the event bus.
type busSink struct{ bus *eventsapi.Bus }

func (s busSink) Wants() bool { return s.bus.Wants(EventSource) }
func (s busSink) StatusChanged(c StatusChange) {
	s.bus.Put(eventsapi.Event{Source: EventSource, DetailType: DetailTypeStatusChange, Time: c.Time, Resources: []string{c.ExecutionARN}, Detail: c.Detail})
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkStatusEvents starts and runs Standard executions of one Pass
// state in process, with no event sink, with a bus that no rule listens
// on, with a rule whose SQS queue receives every status change (two
// events an execution, delivered on the bus's goroutines), and with a rule
// that takes only the ends (one event). cpu-ns/op is
// the process's CPU time (user and system, every goroutine, the
// delivery included) per execution, which a shared machine's neighbours
// disturb less than the wall time.
func BenchmarkStatusEvents(b *testing.B) {
	b.Run("pass", func(b *testing.B) {
		benchStatusEvents(b, func() *asl.Engine { return &asl.Engine{} }, defPass, `{"orderId":"ord_1","totalCents":2500}`)
	})
	// The order saga with the fake services (no latency, no faults).
	fakes := saga.NewFakes(saga.FakeConfig{}, clock.Real{}, 7)
	o := order.Generate(7, 1, time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC))[0]
	b.Run("saga", func(b *testing.B) {
		benchStatusEvents(b, func() *asl.Engine { return &asl.Engine{Resources: fakes.Resources(), Seed: 7} }, string(saga.Definition), value.MustEncodeString(o.Value()))
	})
}

func benchStatusEvents(b *testing.B, engine func() *asl.Engine, definition, input string) {
	for _, mode := range []string{"no-sink", "no-rule", "rule-to-queue", "ends-to-queue"} {
		b.Run(mode, func(b *testing.B) {
			ctx := context.Background()
			broker := queue.New(queue.Options{Clock: clock.Real{}, Region: "us-east-1", AccountID: "000000000000", BaseURL: "http://x"})
			defer broker.Close()
			bus := eventsapi.New(eventsapi.Options{Region: "us-east-1", Account: "000000000000", Queues: broker})
			opts := Options{MaxFinishedExecutions: 1000, Region: "us-east-1", Account: "000000000000"}
			if mode != "no-sink" {
				opts.Events = busSink{bus}
			}
			svc := New(engine(), opts)
			defer svc.Close()
			m, err := svc.CreateStateMachine(StateMachineSpec{Name: "bench", Definition: definition, RoleARN: testRole})
			if err != nil {
				b.Fatal(err)
			}
			var q *queue.Queue
			if mode == "rule-to-queue" || mode == "ends-to-queue" {
				q, _ = broker.CreateQueue("events", nil, nil)
				h := bus.Handler()
				status := ""
				if mode == "ends-to-queue" {
					status = `,\"status\":[\"SUCCEEDED\",\"FAILED\",\"TIMED_OUT\",\"ABORTED\"]`
				}
				for _, c := range []struct{ op, body string }{
					{"PutRule", `{"Name":"r","EventPattern":"{\"source\":[\"aws.states\"],\"detail\":{\"stateMachineArn\":[\"` + m.ARN + `\"]` + status + `}}"}`},
					{"PutTargets", `{"Rule":"r","Targets":[{"Id":"q","Arn":"` + q.ARN() + `"}]}`},
				} {
					if code := serve(h, "AWSEvents."+c.op, c.body); code != 200 {
						b.Fatalf("%s: %d", c.op, code)
					}
				}
			}
			b.ReportAllocs()
			cpu0 := cpuTime()
			i := 0
			for b.Loop() {
				i++
				arn, _, err := svc.StartExecution(ctx, m.ARN, fmt.Sprint("n", i), input)
				if err != nil {
					b.Fatal(err)
				}
				x, err := svc.Execution(arn)
				if err != nil || x.Wait(ctx) != nil {
					b.Fatal(err)
				}
				if x.Status() != asl.StatusSucceeded {
					_, _, e, c := x.Result()
					b.Fatalf("the execution ended %s: %s %s", x.Status(), e, c)
				}
				if q != nil && i%1000 == 0 {
					q.Purge()
				}
			}
			bus.Close() // waits for the deliveries still in the backlog
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
			want := map[string]int64{"rule-to-queue": 2, "ends-to-queue": 1}[mode] * int64(i)
			if st := bus.Stats(); st.Delivered != want {
				b.Fatalf("delivered %d events for %d executions", st.Delivered, i)
			}
		})
	}
}

func serve(h http.Handler, target, body string) int {
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", target)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}
