package awsops

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/input"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/google/go-cmp/cmp"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/awsops/mototest"
	"github.com/yafdp/yafdp/internal/saga"
)

// Against moto: submit, peek, list and a copy redrive (moto has no
// StartMessageMoveTask, so auto must fall back to copy), with every
// attribute kept byte for byte.
func TestMotoQueues(t *testing.T) {
	moto := mototest.Start(t)
	ctx := testCtx(t)
	c := awstest.SQS(moto.URL, nil)
	src, dlq := createPipelineQueues(t, ctx, c, "orders", false)

	// A name resolves through GetQueueUrl; a missing one is bad input.
	q, err := ResolveQueue(ctx, c, "queue", "orders")
	if err != nil || q.URL != src.URL {
		t.Fatalf("ResolveQueue(orders) = %+v, %v", q, err)
	}
	if _, err := ResolveQueue(ctx, c, "queue", "nope"); !isInputError(err, "does not exist") {
		t.Fatalf("missing queue: %v", err)
	}

	res, err := Submit(ctx, c, SubmitOptions{Queue: src, Orders: orders(20), Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != 20 || res.Failed != 0 {
		t.Fatalf("sent %d failed %d: %+v", res.Sent, res.Failed, res.Orders)
	}
	for _, o := range res.Orders {
		if o.MessageID == "" || o.Status != StatusSent {
			t.Fatalf("order without MessageId: %+v", o)
		}
	}
	got := drain(t, ctx, c, src)
	if len(got) != 20 {
		t.Fatalf("the queue held %d distinct messages, want 20", len(got))
	}
	for fp := range got {
		if !strings.Contains(fp, "|schemaVersion:String=1/") || !strings.Contains(fp, "|traceId:String=1-") {
			t.Fatalf("message attributes lost: %s", fp)
		}
	}

	msgs := deadLetters(15, false)
	seed(t, ctx, c, dlq, msgs)
	want := fingerprints(msgs)

	// dlq list finds the DLQ and its source.
	dl, err := ListDLQs(ctx, c, nil, ListDLQOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(dl) != 1 || dl[0].Name != dlq.Name || dl[0].Visible != 15 || len(dl[0].Sources) != 1 || dl[0].Sources[0].Name != "orders" || dl[0].Sources[0].MaxReceiveCount != 3 {
		t.Fatalf("ListDLQs = %+v", dl)
	}

	// peek shows messages and leaves them where they are.
	pk, err := Peek(ctx, c, PeekOptions{Queue: dlq, Max: 5, Hold: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if len(pk.Messages) != 5 || pk.Released != 5 || pk.OwnRedrivePolicy != "" {
		t.Fatalf("peek: %d messages, %d released, policy %q", len(pk.Messages), pk.Released, pk.OwnRedrivePolicy)
	}
	if st, _ := Stats(ctx, c, dlq.URL); st.Visible != 15 || st.InFlight != 0 {
		t.Fatalf("after peek the DLQ shows %d visible, %d in flight", st.Visible, st.InFlight)
	}

	j, _, err := OpenJournal(journalPath(t), dlq.URL)
	if err != nil {
		t.Fatal(err)
	}
	rr, err := Redrive(ctx, c, RedriveOptions{Source: dlq, Strategy: StrategyAuto, Journal: j, Wait: time.Second, EmptyReceives: 2})
	if err != nil {
		t.Fatal(err)
	}
	j.Close(true)
	// A receive can hand the same message to two workers (SQS is at least
	// once, and moto 5.2.1 does it now and then under concurrent receives);
	// the journal catches the second and counts it as a possible duplicate.
	if rr.Strategy != StrategyCopy || rr.Moved != 15+rr.PossibleDuplicates || rr.Failed != 0 || len(rr.Targets) != 1 || rr.Targets[0] != "orders" {
		t.Fatalf("redrive: %+v", rr)
	}
	if !strings.Contains(fmt.Sprint(rr.Notes), "no StartMessageMoveTask") {
		t.Fatalf("notes %v", rr.Notes)
	}
	if st, _ := Stats(ctx, c, dlq.URL); st.Visible != 0 || st.InFlight != 0 {
		t.Fatalf("the DLQ still shows %d visible, %d in flight", st.Visible, st.InFlight)
	}
	got = drain(t, ctx, c, src)
	extra := 0
	for k, n := range got {
		if n > 1 {
			extra += n - 1
			got[k] = 1
		}
	}
	if diff := cmp.Diff(want, got); diff != "" || extra > rr.PossibleDuplicates {
		t.Fatalf("redriven messages differ (-want +got), %d extra copies for %d possible duplicates:\n%s", extra, rr.PossibleDuplicates, diff)
	}

	// native is refused plainly on moto.
	_, err = Redrive(ctx, c, RedriveOptions{Source: dlq, Strategy: StrategyNative})
	if !isInputError(err, "no StartMessageMoveTask") {
		t.Fatalf("native on moto: %v", err)
	}
}

// A FIFO redrive within five minutes of the original sends would be
// dropped by the queue's deduplication: yafdp leaves those messages in the
// DLQ and says why, rather than "moving" them into nothing.
func TestMotoFIFODeduplicationWindow(t *testing.T) {
	moto := mototest.Start(t)
	ctx := testCtx(t)
	c := awstest.SQS(moto.URL, nil)
	_, dlq := createPipelineQueues(t, ctx, c, "orders", true)
	msgs := deadLetters(4, true)
	seed(t, ctx, c, dlq, msgs)
	j, _, err := OpenJournal(journalPath(t), dlq.URL)
	if err != nil {
		t.Fatal(err)
	}
	rr, err := Redrive(ctx, c, RedriveOptions{Source: dlq, Strategy: StrategyCopy, Journal: j, Wait: time.Second, EmptyReceives: 2, Hold: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	j.Close(true)
	if rr.Moved != 0 || rr.Failed != 4 || !strings.Contains(rr.Failures[0].Reason.String(), "would drop it as a duplicate") {
		t.Fatalf("%+v", rr)
	}
	if st, _ := Stats(ctx, c, dlq.URL); st.Visible != 4 {
		t.Fatalf("the DLQ shows %d visible, want all 4 back", st.Visible)
	}
}

func isInputError(err error, contains string) bool {
	ie, ok := err.(*input.Error)
	return ok && strings.Contains(ie.Error(), contains)
}

// Against moto's Step Functions (executing definitions): resolve an order
// id, follow the history until the end, turn it into the saga timeline,
// list by status.
func TestMotoWatchListDescribe(t *testing.T) {
	moto := mototest.Start(t)
	moto.ExecuteStateMachines(t)
	ctx := testCtx(t)
	c := awstest.SFN(moto.URL, nil)
	def := `{"StartAt":"ProcessPayment","States":{
	  "ProcessPayment":{"Type":"Pass","Next":"Wait"},
	  "Wait":{"Type":"Wait","Seconds":1,"Next":"Route"},
	  "Route":{"Type":"Choice","Choices":[{"Variable":"$.totalCents","NumericGreaterThan":10000,"Next":"RefundPayment"}],"Default":"Confirm"},
	  "Confirm":{"Type":"Succeed"},
	  "RefundPayment":{"Type":"Pass","Next":"OrderFailed"},
	  "OrderFailed":{"Type":"Fail","Error":"Payment.Declined","Cause":"the card was declined"}}}`
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("order-saga"), Definition: aws.String(def),
		RoleArn: aws.String("arn:aws:iam::123456789012:role/saga")})
	if err != nil {
		t.Fatal(err)
	}
	start := func(name string, total int) {
		in, _ := json.Marshal(map[string]any{"orderId": name, "totalCents": total})
		if _, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String(name), Input: aws.String(string(in))}); err != nil {
			t.Fatal(err)
		}
	}
	start("ord_ok", 2500)
	start("ord_declined", 20000)
	start("ord_ok2", 100)

	x, err := ResolveExecution(ctx, c, "ord_declined", "order-saga")
	if err != nil {
		t.Fatal(err)
	}
	if x.ARN != ExecutionARN(aws.ToString(sm.StateMachineArn), "ord_declined") {
		t.Fatalf("ARN %s", x.ARN)
	}
	var batches int
	res, err := Watch(ctx, c, WatchOptions{ExecutionARN: x.ARN, Interval: 200 * time.Millisecond, Follow: true,
		OnEvents: func(added, all []asl.HistoryEvent) { batches++ }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Execution.Status != "FAILED" || res.Execution.Error != "Payment.Declined" || res.Execution.Succeeded() {
		t.Fatalf("execution %+v", res.Execution)
	}
	if batches < 1 || res.Events[0].Type != "ExecutionStarted" || res.Events[len(res.Events)-1].Type != "ExecutionFailed" {
		t.Fatalf("%d batches, events %v", batches, res.Events)
	}
	for i, e := range res.Events {
		if e.ID != int64(i+1) {
			t.Fatalf("event %d has id %d: history read twice or out of order", i, e.ID)
		}
	}
	steps := saga.Timeline(res.Events)
	var names []string
	for _, s := range steps {
		names = append(names, s.State)
	}
	if strings.Join(names, " ") != "ProcessPayment Wait Route RefundPayment OrderFailed" {
		t.Fatalf("timeline %v", names)
	}
	if last := steps[len(steps)-1]; last.Outcome != saga.OutcomeFailed {
		t.Fatalf("last step %+v", last)
	}

	// Let the others end, then list.
	for _, n := range []string{"ord_ok", "ord_ok2"} {
		r, err := Watch(ctx, c, WatchOptions{ExecutionARN: ExecutionARN(aws.ToString(sm.StateMachineArn), n), Interval: 200 * time.Millisecond, Follow: true})
		if err != nil || r.Execution.Status != "SUCCEEDED" {
			t.Fatalf("%s: %+v %v", n, r.Execution, err)
		}
	}
	all, err := ListExecutions(ctx, c, ListOptions{StateMachineARN: aws.ToString(sm.StateMachineArn), PageSize: 1})
	if err != nil || len(all) != 3 {
		t.Fatalf("list: %d, %v", len(all), err)
	}
	ok, err := ListExecutions(ctx, c, ListOptions{StateMachineARN: aws.ToString(sm.StateMachineArn), Status: "SUCCEEDED"})
	if err != nil || len(ok) != 2 {
		t.Fatalf("list SUCCEEDED: %+v, %v", ok, err)
	}
	one, err := ListExecutions(ctx, c, ListOptions{StateMachineARN: aws.ToString(sm.StateMachineArn), NamePrefix: "ord_ok", Limit: 1})
	if err != nil || len(one) != 1 || !strings.HasPrefix(one[0].Name, "ord_ok") {
		t.Fatalf("list prefix: %+v, %v", one, err)
	}
	if _, err := ResolveExecution(ctx, c, "ord_missing", "order-saga"); !isInputError(err, "no execution named") {
		t.Fatalf("missing execution: %v", err)
	}
	if _, err := ResolveExecution(ctx, c, "ord_ok", "no-such-machine"); !isInputError(err, "no state machine named") {
		t.Fatalf("missing machine: %v", err)
	}

	// moto reports every state machine as STANDARD, whatever the Type it
	// was created with: the Express explanation is tested with a stub.
}
