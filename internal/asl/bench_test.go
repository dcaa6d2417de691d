package asl

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/clock"
)

// A saga-shaped machine: five Tasks with Parameters, ResultSelector,
// ResultPath, Retry and Catch, on the virtual clock with instant handlers.
const benchDoc = `{"StartAt":"A","States":{
 "A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"a","Payload":{"orderId.$":"$.orderId","amount.$":"$.totalCents"}},"ResultSelector":{"id.$":"$.Payload.orderId"},"ResultPath":"$.a","TimeoutSeconds":10,"Retry":[{"ErrorEquals":["Throttled"],"MaxAttempts":5,"JitterStrategy":"FULL"}],"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.failure","Next":"Undo"}],"Next":"B"},
 "B":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"b","Payload":{"orderId.$":"$.orderId"}},"ResultSelector":{"id.$":"$.Payload.orderId"},"ResultPath":"$.b","TimeoutSeconds":10,"Retry":[{"ErrorEquals":["Throttled"],"MaxAttempts":5}],"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.failure","Next":"Undo"}],"Next":"C"},
 "C":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"c","Payload":{"orderId.$":"$.orderId"}},"ResultSelector":{"id.$":"$.Payload.orderId"},"ResultPath":"$.c","TimeoutSeconds":10,"Retry":[{"ErrorEquals":["Throttled"],"MaxAttempts":5}],"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.failure","Next":"Undo"}],"Next":"D"},
 "D":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"d","Payload":{"orderId.$":"$.orderId"}},"ResultSelector":{"id.$":"$.Payload.orderId"},"ResultPath":"$.d","TimeoutSeconds":10,"Retry":[{"ErrorEquals":["Throttled"],"MaxAttempts":5}],"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.failure","Next":"Undo"}],"Next":"E"},
 "E":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"e","Payload":{"orderId.$":"$.orderId"}},"ResultSelector":{"id.$":"$.Payload.orderId"},"ResultPath":"$.e","TimeoutSeconds":10,"Retry":[{"ErrorEquals":["Throttled"],"MaxAttempts":5}],"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.failure","Next":"Undo"}],"Next":"Done"},
 "Done":{"Type":"Succeed"},
 "Undo":{"Type":"Fail","Error":"Failed"}}}`

func benchEngine(b *testing.B, mode HistoryMode) {
	m, err := Parse([]byte(benchDoc))
	if err != nil {
		b.Fatal(err)
	}
	vc := clock.NewVirtual(clock.Epoch)
	echo := TaskHandlerFunc(func(_ context.Context, req *TaskRequest, done func(any, error)) {
		done(map[string]any{"Payload": req.Input.(map[string]any)["Payload"], "StatusCode": 200}, nil)
	})
	eng := &Engine{Clock: vc, Resources: Resources{fnARN: echo}, History: mode}
	input := map[string]any{"orderId": "ord_1", "totalCents": 2500, "items": []any{map[string]any{"sku": "x", "qty": 1}}}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		x, _ := eng.Start(ctx, m, StartOptions{Name: "ord_1", Input: input})
		vc.Run()
		if x.Status() != StatusSucceeded {
			b.Fatal(x.Status())
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "executions/s")
}

func BenchmarkExecutionFullHistory(b *testing.B) { benchEngine(b, HistoryFull) }
func BenchmarkExecutionNoHistory(b *testing.B)   { benchEngine(b, HistoryNone) }

// benchDistributed runs one Distributed Map of n items, each a child
// execution of two Tasks answered after a second of virtual time, 1,000
// children at a time (a minute of virtual time for 10,000 items).
func benchDistributed(b *testing.B, n int, mode HistoryMode) {
	doc := `{"StartAt":"Fan","States":{"Fan":{"Type":"Map","MaxConcurrency":1000,
	 "ItemSelector":{"orderId.$":"$$.Map.Item.Value","index.$":"$$.Map.Item.Index"},
	 "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"Charge","States":{
	  "Charge":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"charge","Payload.$":"$"},"ResultSelector":{"ok.$":"$.Payload.orderId"},"ResultPath":"$.charge","Next":"Notify"},
	  "Notify":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"notify","Payload.$":"$"},"ResultSelector":{"ok.$":"$.Payload.orderId"},"End":true}}},
	 "ToleratedFailurePercentage":5,"End":true}}}`
	m, err := Parse([]byte(doc))
	if err != nil {
		b.Fatal(err)
	}
	items := make([]any, n)
	for i := range items {
		items[i] = fmt.Sprintf("ord_%05d", i)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		vc := clock.NewVirtual(clock.Epoch)
		slow := TaskHandlerFunc(func(_ context.Context, req *TaskRequest, done func(any, error)) {
			out := map[string]any{"Payload": req.Input.(map[string]any)["Payload"], "StatusCode": 200}
			vc.AfterFunc(time.Second, func() { done(out, nil) })
		})
		eng := &Engine{Clock: vc, Resources: Resources{fnARN: slow}, History: mode}
		x, _ := eng.Start(ctx, m, StartOptions{Name: "fan", Input: items})
		vc.Run()
		if x.Status() != StatusSucceeded {
			_, _, e, c := x.Result()
			b.Fatal(x.Status(), e, c)
		}
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "items/s")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/map")
}

func BenchmarkDistributedMap10kFullHistory(b *testing.B) {
	benchDistributed(b, 10000, HistoryFull)
}
func BenchmarkDistributedMap10kNoHistory(b *testing.B) { benchDistributed(b, 10000, HistoryNone) }
