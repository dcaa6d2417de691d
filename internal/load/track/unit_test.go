package track

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

func TestStepsAndPaymentThrottles(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	at := func(ms int) *time.Time { x := t0.Add(time.Duration(ms) * time.Millisecond); return &x }
	events := []types.HistoryEvent{
		{Timestamp: at(0), StateEnteredEventDetails: &types.StateEnteredEventDetails{Name: aws.String("Charge")}},
		{Timestamp: at(10), TaskFailedEventDetails: &types.TaskFailedEventDetails{Error: aws.String(PaymentThrottled)}},
		{Timestamp: at(20), TaskFailedEventDetails: &types.TaskFailedEventDetails{Error: aws.String("Payment.Declined")}},
		{Timestamp: at(30), LambdaFunctionFailedEventDetails: &types.LambdaFunctionFailedEventDetails{Error: aws.String(PaymentThrottled)}},
		{Timestamp: at(250), StateExitedEventDetails: &types.StateExitedEventDetails{Name: aws.String("Charge")}},
		{Timestamp: at(300), StateEnteredEventDetails: &types.StateEnteredEventDetails{Name: aws.String("Notify")}},
		{Timestamp: at(340), StateExitedEventDetails: &types.StateExitedEventDetails{Name: aws.String("Notify")}},
		{Timestamp: at(400), StateEnteredEventDetails: &types.StateEnteredEventDetails{Name: aws.String("Notify")}},
		{Timestamp: at(410), StateExitedEventDetails: &types.StateExitedEventDetails{Name: aws.String("Notify")}},
		{Timestamp: at(500), StateEnteredEventDetails: &types.StateEnteredEventDetails{Name: aws.String("Never")}},
	}
	steps, throttles := Steps(events)
	if steps["Charge"] != 250*time.Millisecond || steps["Notify"] != 50*time.Millisecond || len(steps) != 2 || throttles != 2 {
		t.Errorf("steps %v, throttles %d", steps, throttles)
	}
}

func TestDecode(t *testing.T) {
	tr, err := NewEventBridge(EventBridgeOptions{SQS: nilSQS{}, Events: nilEvents{}, StateMachineARN: "arn:aws:states:eu-central-1:1:stateMachine:saga"})
	if err != nil {
		t.Fatal(err)
	}
	ev := func(sm, status string) string {
		return `{"source":"aws.states","detail-type":"Step Functions Execution Status Change","detail":{"executionArn":"arn:x:o1","stateMachineArn":"` + sm +
			`","name":"o1","status":"` + status + `","startDate":1000,"stopDate":2500,"error":"E","cause":"C"}}`
	}
	sm := "arn:aws:states:eu-central-1:1:stateMachine:saga"
	e, ok := tr.decode(ev(sm, "FAILED"))
	if !ok || e.Kind != Ended || e.OrderID != "o1" || e.Error != "E" || e.Cause != "C" || e.Stop.Sub(e.Start) != 1500*time.Millisecond {
		t.Errorf("FAILED: %+v %v", e, ok)
	}
	if e, ok := tr.decode(ev(sm, "RUNNING")); !ok || e.Kind != Started || !e.Stop.IsZero() || e.Error != "" {
		t.Errorf("RUNNING: %+v %v", e, ok)
	}
	for _, body := range []string{ev("arn:aws:states:eu-central-1:1:stateMachine:other", "SUCCEEDED"), ev(sm, "PENDING_REDRIVE"), `{}`, `nope`} {
		if _, ok := tr.decode(body); ok {
			t.Errorf("%s: decoded", body)
		}
	}
}

func TestSeenAndSample(t *testing.T) {
	s := newSeen()
	if !s.first("a", Started) || s.first("a", Started) || !s.first("a", Ended) || s.has("b", Started) {
		t.Error("seen does not remember")
	}
	h := newHistoryReader(HistoryOptions{SFN: nilSFN{}, Sample: 0.25, Seed: 3}, "us-east-1")
	n := 0
	for i := range 4000 {
		arn := "arn:aws:states:us-east-1:1:execution:saga:" + string(rune('a'+i%26)) + time.Duration(i).String()
		if h.wants(arn) != h.wants(arn) {
			t.Fatal("sample is not deterministic")
		}
		if h.wants(arn) {
			n++
		}
	}
	if n < 850 || n > 1150 {
		t.Errorf("sample 0.25 took %d of 4000", n)
	}
	if q := DefaultQuotas("us-east-1"); q.ListExecutions != (Quota{200, 5}) || q.DescribeExecution != (Quota{300, 15}) || q.GetExecutionHistory != (Quota{400, 20}) {
		t.Errorf("us-east-1 quotas %+v", q)
	}
	if q := DefaultQuotas("eu-central-1"); q.ListExecutions != (Quota{100, 2}) || q.DescribeExecution != (Quota{250, 10}) {
		t.Errorf("eu-central-1 quotas %+v", q)
	}
}

type (
	nilSQS    struct{ SQSAPI }
	nilEvents struct{ EventsAPI }
	nilSFN    struct{ SFNAPI }
)
