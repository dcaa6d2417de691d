package local_test

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/cli"
	"github.com/yafdp/yafdp/internal/cli/iostreams"
	"github.com/yafdp/yafdp/internal/local"
	"github.com/yafdp/yafdp/internal/saga"
)

func yafdp(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	code := cli.Run(context.Background(), args, ios)
	return code, out.String(), errOut.String()
}

func waitFor(t *testing.T, what string, limit time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func poisoned(id string) bool {
	h := fnv.New32a()
	h.Write([]byte(id))
	return h.Sum32()%10 == 0
}

// TestEndToEnd runs the story of issue 5 over real sockets: local up with
// payment faults, 1,000 orders from `order submit`, one followed with
// `saga watch`, poisoned messages reaching the DLQ, `dlq redrive` moving
// them back, and every order accounted for, the saga invariant included.
func TestEndToEnd(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	var poisonOn atomic.Bool
	poisonOn.Store(true)
	var fakes saga.FakeConfig
	for _, f := range []string{"payment.decline=0.05", "payment.throttle=0.1", "restaurant.reject=0.02"} {
		if err := fakes.ApplyFault(f); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := local.Start(context.Background(), local.Options{
		Addr:              "127.0.0.1:0",
		Fakes:             fakes,
		Seed:              3,
		VisibilityTimeout: time.Second,
		MaxReceiveCount:   3,
		Consumer: local.ConsumerOptions{Workers: 8, WaitTime: time.Second,
			Poison: func(id string) bool { return poisonOn.Load() && poisoned(id) }},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	global := []string{"--endpoint-url", srv.URL, "--region", "us-east-1"}

	// 1,000 orders through order submit.
	code, out, errOut := yafdp(t, append(global, "order", "submit", "--generate", "1000", "--seed", "5", "--queue", "orders", "--output", "json")...)
	if code != 0 {
		t.Fatalf("order submit: exit %d: %s", code, errOut)
	}
	var sent []struct {
		OrderID   string `json:"orderId"`
		MessageID string `json:"messageId"`
		Status    string `json:"status"`
	}
	if err := json.Unmarshal([]byte(out), &sent); err != nil {
		t.Fatalf("submit output: %v\n%s", err, out)
	}
	ids := map[string]bool{}
	nPoisoned := 0
	for _, s := range sent {
		if s.Status != "sent" || s.MessageID == "" {
			t.Fatalf("order %s: %+v", s.OrderID, s)
		}
		ids[s.OrderID] = true
		if poisoned(s.OrderID) {
			nPoisoned++
		}
	}
	if len(ids) != 1000 || nPoisoned == 0 {
		t.Fatalf("%d distinct orders, %d poisoned", len(ids), nPoisoned)
	}

	// The healthy orders run their sagas; the poisoned ones land in the DLQ.
	done := func() int64 {
		st := srv.Status()
		return st.SagasSucceeded + st.SagasFailed + st.SagasTimedOut + st.SagasAborted
	}
	waitFor(t, "the healthy orders' sagas", time.Minute, func() bool { return done() == int64(1000-nPoisoned) })
	waitFor(t, "the poisoned orders in the DLQ", time.Minute, func() bool { return srv.Status().DLQVisible == nPoisoned })

	// Follow one order with saga watch: its timeline and outcome.
	var watched string
	for id := range ids {
		if !poisoned(id) {
			watched = id
			break
		}
	}
	code, out, errOut = yafdp(t, append(global, "saga", "watch", watched, "--state-machine", saga.StateMachineName)...)
	if code != 0 && code != 1 {
		t.Fatalf("saga watch: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "ProcessPayment") {
		t.Fatalf("saga watch shows no timeline:\n%s", out)
	}

	// Redrive the DLQ once the poison is gone.
	poisonOn.Store(false)
	code, out, errOut = yafdp(t, append(global, "dlq", "redrive", "--queue", "orders-dlq")...)
	if code != 0 {
		t.Fatalf("dlq redrive: exit %d\n%s\n%s", code, out, errOut)
	}
	waitFor(t, "every saga", time.Minute, func() bool { return done() == 1000 })
	waitFor(t, "empty queues", 10*time.Second, func() bool {
		st := srv.Status()
		return st.OrdersVisible+st.OrdersInFlight+st.DLQVisible == 0
	})

	// Every order has exactly one execution, and the invariant holds.
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"), config.WithBaseEndpoint(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	c := sfn.NewFromConfig(cfg)
	var outcomes []saga.Outcome
	seen := map[string]bool{}
	p := sfn.NewListExecutionsPaginator(c, &sfn.ListExecutionsInput{StateMachineArn: aws.String(srv.StateMachineARN), MaxResults: 100})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Executions {
			name := aws.ToString(e.Name)
			if seen[name] || !ids[name] {
				t.Fatalf("execution %s: duplicate or not an order we sent", name)
			}
			seen[name] = true
			if e.Status != sfntypes.ExecutionStatusSucceeded && e.Status != sfntypes.ExecutionStatusFailed {
				t.Fatalf("execution %s is %s", name, e.Status)
			}
			d, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: e.ExecutionArn})
			if err != nil {
				t.Fatal(err)
			}
			outcomes = append(outcomes, saga.Outcome{OrderID: name, Status: string(d.Status), Error: aws.ToString(d.Error), Cause: aws.ToString(d.Cause)})
		}
	}
	if len(seen) != 1000 {
		t.Fatalf("%d executions for 1,000 orders", len(seen))
	}
	report := saga.Check(outcomes, srv.Fakes.Ledger())
	if !report.OK() {
		t.Fatalf("invariant: %s", report.String())
	}
	t.Logf("1,000 orders: %d poisoned and redriven; %s", nPoisoned, strings.ReplaceAll(report.String(), "\n", "; "))
}
