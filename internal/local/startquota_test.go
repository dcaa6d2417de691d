package local

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/local/logsapi"
	"github.com/yafdp/yafdp/internal/local/sfnapi"
	"github.com/yafdp/yafdp/internal/queue"
)

const passMachine = `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`

// A throttled start fails its message as the simulator's function does:
// the message comes back after its visibility timeout and is tried again,
// and after maxReceiveCount deliveries it is in the dead-letter queue.
// Every order ends either started or dead-lettered, never both, never
// twice, and every throttle is one line of the function's log with the
// SDK's ThrottlingException. The quota runs on an injected clock: the test
// decides when it refills.
func TestConsumerThrottledStarts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		refill bool // refill the bucket after the first deliveries
		// want started and dead-lettered of 6 orders
		started, dlq int
	}{
		{"retried and started", true, 6, 0},
		{"throttled to the DLQ", false, 3, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vclk := clock.NewVirtual(clock.Epoch)
			svc := sfnapi.New(&asl.Engine{}, sfnapi.Options{Clock: vclk, StartQuota: sfnapi.StartQuota{PerSecond: 1, Burst: 3}})
			t.Cleanup(svc.Close)
			m, err := svc.CreateStateMachine(sfnapi.StateMachineSpec{Name: "saga", Definition: passMachine, RoleARN: "arn:aws:iam::000000000000:role/r"})
			if err != nil {
				t.Fatal(err)
			}
			b := queue.New(queue.Options{Clock: clock.Real{}})
			t.Cleanup(b.Close)
			dlq, err := b.CreateQueue("orders-dlq", nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			q, err := b.CreateQueue("orders", map[string]string{
				queue.AttrVisibilityTimeout: "1",
				queue.AttrRedrivePolicy:     fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":2}`, dlq.ARN()),
			}, nil)
			if err != nil {
				t.Fatal(err)
			}
			const n = 6
			for i := range n {
				if _, err := q.Send(queue.SendInput{Body: fmt.Sprintf(`{"orderId":"ord_%d"}`, i)}); err != nil {
					t.Fatal(err)
				}
			}
			logs := logsapi.New(clock.Real{}, "us-east-1", "000000000000")
			if err := logs.CreateGroup(NewOrderLogGroup); err != nil {
				t.Fatal(err)
			}
			c := newConsumer(q, sfnStarter{svc}, m.ARN, clock.Real{}, ConsumerOptions{Workers: 1, BatchSize: 10, WaitTime: time.Second})
			c.log = logSink{store: logs, group: NewOrderLogGroup}
			c.run(context.Background())
			defer c.stop()

			// The first deliveries: three starts, three throttles.
			waitUntil(t, "the first deliveries", func() bool { return c.throttled.Load() >= 3 })
			if tc.refill {
				vclk.Advance(time.Hour)
			}
			waitUntil(t, "the orders queue to empty", func() bool {
				s := q.Stats()
				return s.Visible+s.InFlight == 0
			})
			c.stop()

			inDLQ := map[string]int{}
			for {
				msgs, err := dlq.Receive(queue.ReceiveInput{MaxNumberOfMessages: 10})
				if err != nil {
					t.Fatal(err)
				}
				if len(msgs) == 0 {
					break
				}
				for _, m := range msgs {
					var o struct{ OrderID string }
					_ = json.Unmarshal([]byte(m.Body), &o)
					inDLQ[o.OrderID]++
				}
			}
			started := 0
			for i := range n {
				id := fmt.Sprintf("ord_%d", i)
				_, err := svc.DescribeExecution(svc.ExecutionARN("saga", id))
				ran := err == nil
				if ran {
					started++
				}
				if ran == (inDLQ[id] == 1) || inDLQ[id] > 1 {
					t.Errorf("%s: started %v, %d times in the DLQ; want exactly one of the two", id, ran, inDLQ[id])
				}
			}
			if started != tc.started || len(inDLQ) != tc.dlq {
				t.Fatalf("%d started, %d in the DLQ; want %d and %d", started, len(inDLQ), tc.started, tc.dlq)
			}
			throttles := svc.Stats().StartThrottles
			if c.throttled.Load() != throttles {
				t.Fatalf("the function counted %d throttles, the service %d", c.throttled.Load(), throttles)
			}
			// Without a refill each of the 3 throttled orders is refused
			// on both deliveries; with one, only on the first.
			if want := int64(3 + tc.dlq); throttles != want {
				t.Fatalf("%d throttles, want %d", throttles, want)
			}

			// The function's log holds one line per throttle, found by
			// FilterLogEvents with the pattern load uses.
			srv := httptest.NewServer(logs.Handler())
			defer srv.Close()
			out, err := awstest.Logs(srv.URL, nil).FilterLogEvents(context.Background(), &cloudwatchlogs.FilterLogEventsInput{
				LogGroupName: aws.String(NewOrderLogGroup), FilterPattern: aws.String("ThrottlingException")})
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(out.Events)) != throttles {
				t.Fatalf("%d log events match ThrottlingException, want %d", len(out.Events), throttles)
			}
			for _, e := range out.Events {
				msg := aws.ToString(e.Message)
				if !strings.Contains(msg, "failed: operation error SFN: StartExecution, exceeded maximum number of attempts, 1, https response error StatusCode: 400, RequestID: ") ||
					!strings.HasSuffix(msg, ", api error ThrottlingException: Rate exceeded") ||
					!strings.Contains(aws.ToString(e.LogStreamName), "/[$LATEST]") {
					t.Errorf("log event %q in %s", msg, aws.ToString(e.LogStreamName))
				}
			}
		})
	}
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestApplyStartQuota(t *testing.T) {
	for _, tc := range []struct {
		specs []string
		want  sfnapi.StartQuota
		rest  int
	}{
		{nil, sfnapi.StartQuota{}, 0},
		{[]string{"sfn.start.tps=50"}, sfnapi.StartQuota{PerSecond: 50, Burst: 1300}, 0},
		{[]string{"sfn.start.tps=600/m", "payment.tps=5"}, sfnapi.StartQuota{PerSecond: 10, Burst: 1300}, 1},
		{[]string{"sfn.start.burst=10"}, sfnapi.StartQuota{PerSecond: 300, Burst: 10}, 0},
		{[]string{"sfn.start.tps=off"}, sfnapi.NoStartQuota, 0},
		{[]string{"sfn.start.tps=0"}, sfnapi.NoStartQuota, 0},
		{[]string{"sfn.start.tps=unlimited"}, sfnapi.NoStartQuota, 0},
	} {
		var q sfnapi.StartQuota
		rest, err := ApplyStartQuota(&q, tc.specs)
		if err != nil || q != tc.want || len(rest) != tc.rest {
			t.Errorf("%v: %+v, rest %v, %v; want %+v", tc.specs, q, rest, err, tc.want)
		}
	}
	for _, bad := range []string{"sfn.start.tps=", "sfn.start.tps=fast", "sfn.start.tps=-3", "sfn.start.burst=0", "sfn.start.burst=x"} {
		var q sfnapi.StartQuota
		if _, err := ApplyStartQuota(&q, []string{bad}); err == nil || !strings.Contains(err.Error(), "sfn.start") {
			t.Errorf("%s: got %v, want an error naming it", bad, err)
		}
	}
}
