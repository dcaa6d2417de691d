package sfnapi

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/order"
	"github.com/yafdp/yafdp/internal/saga"
)

// The real order saga, with the fake services (no latency, no faults) on
// the real clock, started through the SDK: it succeeds, and its history read
// in pages of 5 is the engine's history, event for event, with the real
// Step Functions event types.
func TestOrderSagaThroughSDK(t *testing.T) {
	fakes := saga.NewFakes(saga.FakeConfig{}, clock.Real{}, 7)
	eng := &asl.Engine{Resources: fakes.Resources(), Seed: 7}
	svc, c, _ := local(t, eng, Options{})
	ctx := testCtx(t)
	sm := createMachine(t, ctx, c, saga.StateMachineName, string(saga.Definition))

	o := order.Generate(7, 1, time.Now())[0]
	input := value.MustEncodeString(o.Value())
	st, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm), Name: aws.String(o.OrderID), Input: aws.String(input)})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(st.ExecutionArn)
	if arn != svc.ExecutionARN(saga.StateMachineName, o.OrderID) {
		t.Fatalf("execution ARN %s", arn)
	}
	d := waitDone(t, ctx, c, arn)
	if d.Status != types.ExecutionStatusSucceeded {
		t.Fatalf("the saga ended %s: %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	rep := saga.Check([]saga.Outcome{{OrderID: o.OrderID, Status: string(d.Status)}}, fakes.Ledger())
	if len(rep.Violations) > 0 {
		t.Fatalf("invariant: %+v", rep.Violations)
	}

	var events []types.HistoryEvent
	pages := 0
	in := &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), MaxResults: 5}
	for {
		out, err := c.GetExecutionHistory(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(out.Events) > 5 || out.NextToken != nil && len(out.Events) != 5 {
			t.Fatalf("page %d has %d events", pages, len(out.Events))
		}
		events = append(events, out.Events...)
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	x, err := svc.Execution(arn)
	if err != nil {
		t.Fatal(err)
	}
	recorded := x.Events()
	if len(events) != len(recorded) || pages != (len(recorded)+4)/5 {
		t.Fatalf("%d events in %d pages, want %d in %d", len(events), pages, len(recorded), (len(recorded)+4)/5)
	}
	seen := map[types.HistoryEventType]bool{}
	for i, e := range events {
		got, want := asl.FromSFN(e), recorded[i]
		seen[e.Type] = true
		if got.ID != want.ID || got.PreviousEventID != want.PreviousEventID || got.Type != want.Type || got.StateName != want.StateName ||
			got.Error != want.Error || got.Cause != want.Cause {
			t.Fatalf("event %d: got %+v, want %+v", i, got, want)
		}
		if !got.Timestamp.Equal(want.Timestamp.Truncate(time.Millisecond)) {
			t.Fatalf("event %d at %v, recorded at %v", i, got.Timestamp, want.Timestamp)
		}
		if e.Type == types.HistoryEventTypeExecutionStarted {
			if got.Resource != testRole {
				t.Fatalf("ExecutionStarted role %q", got.Resource)
			}
		} else if got.Resource != want.Resource {
			t.Fatalf("event %d resource %q, want %q", i, got.Resource, want.Resource)
		}
		if g, w := value.MustEncodeString(got.Payload), value.MustEncodeString(want.Payload); g != w {
			t.Fatalf("event %d payload\n got %s\nwant %s", i, g, w)
		}
	}
	for _, typ := range []types.HistoryEventType{types.HistoryEventTypeExecutionStarted, types.HistoryEventTypeTaskStateEntered,
		types.HistoryEventTypeTaskScheduled, types.HistoryEventTypeTaskStarted, types.HistoryEventTypeTaskSucceeded,
		types.HistoryEventTypeTaskStateExited, types.HistoryEventTypeExecutionSucceeded} {
		if !seen[typ] {
			t.Errorf("no %s event in the saga's history", typ)
		}
	}
	if last := events[len(events)-1]; last.Type != types.HistoryEventTypeExecutionSucceeded || aws.ToString(last.ExecutionSucceededEventDetails.Output) != aws.ToString(d.Output) {
		t.Fatalf("last event %+v", last)
	}
}
