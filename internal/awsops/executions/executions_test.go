package executions

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/awsops/mototest"
	"github.com/yafdp/yafdp/internal/awsops/opstest"
	"github.com/yafdp/yafdp/internal/saga"
)

func TestRefsAreCheckedWithoutAWS(t *testing.T) {
	for _, s := range []string{"order-saga", "arn:aws:states:eu-west-1:123456789012:stateMachine:order-saga"} {
		if err := CheckStateMachineRef(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	for _, s := range []string{"", "arn:aws:states:eu-west-1:1:execution:a:b", "has space", "arn:aws:lambda:eu-west-1:1:function:f"} {
		if err := CheckStateMachineRef(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
	for _, s := range []string{"ord_1", "arn:aws:states:eu-west-1:123456789012:execution:order-saga:ord_1"} {
		if err := CheckRef(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	for _, s := range []string{"", "ord 1", "arn:aws:states:eu-west-1:1:stateMachine:x", "a/b"} {
		if err := CheckRef(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

// stubSFN answers from functions; a nil function fails the test.
type stubSFN struct {
	t        *testing.T
	describe func(*sfn.DescribeExecutionInput) (*sfn.DescribeExecutionOutput, error)
	machine  func(*sfn.DescribeStateMachineInput) (*sfn.DescribeStateMachineOutput, error)
	history  func(*sfn.GetExecutionHistoryInput) (*sfn.GetExecutionHistoryOutput, error)
	calls    atomic.Int32
}

func (s *stubSFN) DescribeStateMachine(_ context.Context, in *sfn.DescribeStateMachineInput, _ ...func(*sfn.Options)) (*sfn.DescribeStateMachineOutput, error) {
	s.calls.Add(1)
	return s.machine(in)
}
func (s *stubSFN) ListStateMachines(context.Context, *sfn.ListStateMachinesInput, ...func(*sfn.Options)) (*sfn.ListStateMachinesOutput, error) {
	s.t.Fatal("unexpected ListStateMachines")
	return nil, nil
}
func (s *stubSFN) DescribeExecution(_ context.Context, in *sfn.DescribeExecutionInput, _ ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error) {
	s.calls.Add(1)
	return s.describe(in)
}
func (s *stubSFN) ListExecutions(context.Context, *sfn.ListExecutionsInput, ...func(*sfn.Options)) (*sfn.ListExecutionsOutput, error) {
	s.t.Fatal("unexpected ListExecutions")
	return nil, nil
}
func (s *stubSFN) GetExecutionHistory(_ context.Context, in *sfn.GetExecutionHistoryInput, _ ...func(*sfn.Options)) (*sfn.GetExecutionHistoryOutput, error) {
	s.calls.Add(1)
	return s.history(in)
}

func TestExpressStateMachineIsExplained(t *testing.T) {
	s := &stubSFN{t: t, machine: func(*sfn.DescribeStateMachineInput) (*sfn.DescribeStateMachineOutput, error) {
		return &sfn.DescribeStateMachineOutput{Name: aws.String("fast"), Type: types.StateMachineTypeExpress}, nil
	}}
	_, err := Resolve(context.Background(), s, "ord_1", "arn:aws:states:eu-west-1:123456789012:stateMachine:fast")
	if !opstest.IsInputError(err, "Express state machine") || !strings.Contains(err.Error(), "CloudWatch Logs") {
		t.Fatalf("%v", err)
	}
	if _, err := Resolve(context.Background(), s, "arn:aws:states:eu-west-1:123456789012:express:fast:ord_1:abc", ""); !opstest.IsInputError(err, "Express") {
		t.Fatalf("%v", err)
	}
}

// Watch reads the newest events first and stops paging at the first one
// it has seen: a poll of a long history costs one call. Pages come in
// reverse, three events at a time.
func TestWatchPagesNewestFirst(t *testing.T) {
	var events []types.HistoryEvent
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	add := func(typ types.HistoryEventType, name string) {
		id := int64(len(events) + 1)
		ts := t0.Add(time.Duration(id) * time.Second)
		e := types.HistoryEvent{Id: id, PreviousEventId: id - 1, Timestamp: &ts, Type: typ}
		if name != "" {
			if strings.HasSuffix(string(typ), "Entered") {
				e.StateEnteredEventDetails = &types.StateEnteredEventDetails{Name: aws.String(name), Input: aws.String("{}")}
			} else {
				e.StateExitedEventDetails = &types.StateExitedEventDetails{Name: aws.String(name), Output: aws.String("{}")}
			}
		}
		events = append(events, e)
	}
	add(types.HistoryEventTypeExecutionStarted, "")
	for i := 0; i < 10; i++ {
		add(types.HistoryEventTypePassStateEntered, fmt.Sprint("S", i))
		add(types.HistoryEventTypePassStateExited, fmt.Sprint("S", i))
	}
	status := types.ExecutionStatusRunning
	polls := 0
	var perPoll []int32
	s := &stubSFN{t: t}
	s.describe = func(*sfn.DescribeExecutionInput) (*sfn.DescribeExecutionOutput, error) {
		return &sfn.DescribeExecutionOutput{Status: status, Name: aws.String("ord_1"), StartDate: &t0}, nil
	}
	s.history = func(in *sfn.GetExecutionHistoryInput) (*sfn.GetExecutionHistoryOutput, error) {
		if !in.ReverseOrder || in.MaxResults != 3 {
			t.Fatalf("request %+v", in)
		}
		start := 0
		if in.NextToken != nil {
			fmt.Sscan(*in.NextToken, &start)
		}
		var page []types.HistoryEvent
		for i := len(events) - 1 - start; i >= 0 && len(page) < 3; i-- {
			page = append(page, events[i])
		}
		out := &sfn.GetExecutionHistoryOutput{Events: page}
		if start+3 < len(events) {
			out.NextToken = aws.String(fmt.Sprint(start + 3))
		}
		return out, nil
	}
	before := int32(0)
	sleep := func(ctx context.Context, _ time.Duration) error {
		polls++
		perPoll = append(perPoll, s.calls.Load()-before)
		before = s.calls.Load()
		add(types.HistoryEventTypePassStateEntered, fmt.Sprint("T", polls))
		add(types.HistoryEventTypePassStateExited, fmt.Sprint("T", polls))
		if polls == 3 {
			add(types.HistoryEventTypeExecutionSucceeded, "")
			status = types.ExecutionStatusSucceeded
		}
		return nil
	}
	var got []int64
	res, err := Watch(context.Background(), s, WatchOptions{ExecutionARN: "arn:aws:states:eu-west-1:1:execution:m:ord_1", PageSize: 3, Follow: true, Sleep: sleep,
		OnEvents: func(added, _ []asl.HistoryEvent) {
			for _, e := range added {
				got = append(got, e.ID)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range got {
		if id != int64(i+1) {
			t.Fatalf("events out of order or repeated: %v", got)
		}
	}
	if len(got) != len(events) || res.Execution.Status != "SUCCEEDED" {
		t.Fatalf("%d events of %d, status %s", len(got), len(events), res.Execution.Status)
	}
	// The first poll pages through the history (7 calls) and describes;
	// later polls need one history call (two new events fit a page) and
	// one describe.
	if perPoll[0] != 8 || perPoll[1] != 2 || perPoll[2] != 2 {
		t.Fatalf("calls per poll %v", perPoll)
	}
}

// A redriven execution that runs again is followed past the end its first
// run recorded, until the redrive ends.
func TestWatchFollowsARedrive(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ev := func(id int64, typ types.HistoryEventType) types.HistoryEvent {
		return types.HistoryEvent{Id: id, PreviousEventId: id - 1, Timestamp: &t0, Type: typ}
	}
	events := []types.HistoryEvent{ev(1, types.HistoryEventTypeExecutionStarted), ev(2, types.HistoryEventTypeExecutionFailed), ev(3, types.HistoryEventTypeExecutionRedriven)}
	status := types.ExecutionStatusRunning
	s := &stubSFN{t: t}
	s.describe = func(*sfn.DescribeExecutionInput) (*sfn.DescribeExecutionOutput, error) {
		return &sfn.DescribeExecutionOutput{Status: status, Name: aws.String("ord_1"), StartDate: &t0}, nil
	}
	s.history = func(in *sfn.GetExecutionHistoryInput) (*sfn.GetExecutionHistoryOutput, error) {
		var page []types.HistoryEvent
		for i := len(events) - 1; i >= 0; i-- {
			page = append(page, events[i])
		}
		return &sfn.GetExecutionHistoryOutput{Events: page}, nil
	}
	sleeps := 0
	sleep := func(context.Context, time.Duration) error {
		sleeps++
		events = append(events, ev(4, types.HistoryEventTypeExecutionSucceeded))
		status = types.ExecutionStatusSucceeded
		return nil
	}
	res, err := Watch(context.Background(), s, WatchOptions{ExecutionARN: "arn:aws:states:eu-west-1:1:execution:m:ord_1", Follow: true, Sleep: sleep})
	if err != nil {
		t.Fatal(err)
	}
	if sleeps != 1 || len(res.Events) != 4 || res.Execution.Status != "SUCCEEDED" {
		t.Fatalf("watch stopped after %d events (%d polls), status %s", len(res.Events), sleeps, res.Execution.Status)
	}
}

// Against moto's Step Functions (executing definitions): resolve an order
// id, follow the history until the end, turn it into the saga timeline,
// list by status.
func TestMotoWatchListDescribe(t *testing.T) {
	moto := mototest.Start(t)
	moto.ExecuteStateMachines(t)
	ctx := opstest.Ctx(t)
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

	x, err := Resolve(ctx, c, "ord_declined", "order-saga")
	if err != nil {
		t.Fatal(err)
	}
	if x.ARN != ARN(aws.ToString(sm.StateMachineArn), "ord_declined") {
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
		r, err := Watch(ctx, c, WatchOptions{ExecutionARN: ARN(aws.ToString(sm.StateMachineArn), n), Interval: 200 * time.Millisecond, Follow: true})
		if err != nil || r.Execution.Status != "SUCCEEDED" {
			t.Fatalf("%s: %+v %v", n, r.Execution, err)
		}
	}
	all, err := List(ctx, c, ListOptions{StateMachineARN: aws.ToString(sm.StateMachineArn), PageSize: 1})
	if err != nil || len(all) != 3 {
		t.Fatalf("list: %d, %v", len(all), err)
	}
	ok, err := List(ctx, c, ListOptions{StateMachineARN: aws.ToString(sm.StateMachineArn), Status: "SUCCEEDED"})
	if err != nil || len(ok) != 2 {
		t.Fatalf("list SUCCEEDED: %+v, %v", ok, err)
	}
	one, err := List(ctx, c, ListOptions{StateMachineARN: aws.ToString(sm.StateMachineArn), NamePrefix: "ord_ok", Limit: 1})
	if err != nil || len(one) != 1 || !strings.HasPrefix(one[0].Name, "ord_ok") {
		t.Fatalf("list prefix: %+v, %v", one, err)
	}
	if _, err := Resolve(ctx, c, "ord_missing", "order-saga"); !opstest.IsInputError(err, "no execution named") {
		t.Fatalf("missing execution: %v", err)
	}
	if _, err := Resolve(ctx, c, "ord_ok", "no-such-machine"); !opstest.IsInputError(err, "no state machine named") {
		t.Fatalf("missing machine: %v", err)
	}

	// moto reports every state machine as STANDARD, whatever the Type it
	// was created with: the Express explanation is tested with a stub.
}
