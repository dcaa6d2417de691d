package sfnapi

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/mockconfig"
)

// A payment that fails twice (its retrier gives up after one retry), then
// works: the first execution fails, its redrive succeeds.
const defPay = `{"StartAt":"Order","States":{
 "Order":{"Type":"Pass","Assign":{"order.$":"$.orderId"},"Next":"Pay"},
 "Pay":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"pay","Payload.$":"$"},
  "ResultSelector":{"paid.$":"$.Payload.paid"},
  "Retry":[{"ErrorEquals":["Payment.Unavailable"],"IntervalSeconds":1,"MaxAttempts":1}],"Next":"Done"},
 "Done":{"Type":"Pass","Parameters":{"order.$":"$order","paid.$":"$.paid"},"End":true}}}`

const payMock = `{
 "StateMachines":{"Pay":{"TestCases":{"Outage":{"Pay":"DownTwiceThenUp"}}}},
 "MockedResponses":{
   "DownTwiceThenUp":{"0-1":{"Throw":{"Error":"Payment.Unavailable","Cause":"provider outage"}},"2":{"Return":{"Payload":{"paid":true}}}}}}`

func payService(t *testing.T) (*sfn.Client, string, string) {
	t.Helper()
	cfg, err := mockconfig.Parse([]byte(payMock))
	if err != nil {
		t.Fatal(err)
	}
	_, c, url := local(t, &asl.Engine{}, Options{Mock: cfg})
	return c, createMachine(t, testCtx(t), c, "Pay", defPay), url
}

func historyTypes(t *testing.T, c *sfn.Client, arn string) ([]types.HistoryEvent, string) {
	t.Helper()
	out, err := c.GetExecutionHistory(testCtx(t), &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), MaxResults: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range out.Events {
		names = append(names, string(e.Type))
	}
	return out.Events, strings.Join(names, " ")
}

func TestRedriveExecutionOverTheWire(t *testing.T) {
	c, sm, _ := payService(t)
	ctx := testCtx(t)
	st, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm + "#Outage"), Name: aws.String("ord_1"), Input: aws.String(`{"orderId":"ord_1"}`)})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(st.ExecutionArn)
	d := waitDone(t, ctx, c, arn)
	if d.Status != types.ExecutionStatusFailed || aws.ToString(d.Error) != "Payment.Unavailable" {
		t.Fatalf("first run: %s %s", d.Status, aws.ToString(d.Error))
	}
	if aws.ToInt32(d.RedriveCount) != 0 || d.RedriveStatus != types.ExecutionRedriveStatusRedrivable || d.RedriveStatusReason != nil || d.RedriveDate != nil {
		t.Errorf("before the redrive: count %v status %s reason %v date %v", aws.ToInt32(d.RedriveCount), d.RedriveStatus, aws.ToString(d.RedriveStatusReason), d.RedriveDate)
	}
	before, _ := historyTypes(t, c, arn)

	rd, err := c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(arn), ClientToken: aws.String("tok-1")})
	if err != nil {
		t.Fatalf("RedriveExecution: %v", err)
	}
	if rd.RedriveDate == nil || rd.RedriveDate.IsZero() {
		t.Fatal("RedriveExecution answered no redriveDate")
	}
	d = waitDone(t, ctx, c, arn)
	if d.Status != types.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"order":"ord_1","paid":true}` {
		t.Fatalf("after the redrive: %s %s %s", d.Status, aws.ToString(d.Output), aws.ToString(d.Cause))
	}
	if aws.ToInt32(d.RedriveCount) != 1 || d.RedriveDate == nil || d.RedriveStatus != types.ExecutionRedriveStatusNotRedrivable ||
		aws.ToString(d.RedriveStatusReason) != "Execution is SUCCEEDED and cannot be redriven" || !d.StartDate.Equal(*st.StartDate) {
		t.Errorf("after the redrive: count %d date %v status %s reason %q start %v (was %v)", aws.ToInt32(d.RedriveCount), d.RedriveDate,
			d.RedriveStatus, aws.ToString(d.RedriveStatusReason), d.StartDate, st.StartDate)
	}
	evs, names := historyTypes(t, c, arn)
	if len(evs) <= len(before) {
		t.Fatalf("history: %s", names)
	}
	red := evs[len(before)]
	if red.Type != types.HistoryEventTypeExecutionRedriven || red.ExecutionRedrivenEventDetails == nil ||
		aws.ToInt32(red.ExecutionRedrivenEventDetails.RedriveCount) != 1 || red.Id != int64(len(before)+1) {
		t.Fatalf("event after the first run's: %+v", red)
	}
	if want := "ExecutionRedriven TaskStateEntered TaskScheduled TaskStarted TaskSucceeded TaskStateExited PassStateEntered PassStateExited ExecutionSucceeded"; !strings.HasSuffix(names, want) {
		t.Errorf("history ends\n %s\nwant\n %s", names, want)
	}
	if in := aws.ToString(evs[len(before)+1].StateEnteredEventDetails.Input); in != `{"orderId":"ord_1"}` {
		t.Errorf("Pay entered again with %s", in)
	}

	// The same client token again (an SDK retrying a call whose answer was
	// lost) answers the same redrive.
	again, err := c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(arn), ClientToken: aws.String("tok-1")})
	if err != nil || !again.RedriveDate.Equal(*rd.RedriveDate) {
		t.Errorf("the same client token again: %v %v, want %v", again, err, rd.RedriveDate)
	}

	// A SUCCEEDED execution is not redriven, and nothing changes.
	_, err = c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(arn)})
	var nr *types.ExecutionNotRedrivable
	if !errors.As(err, &nr) || !strings.Contains(nr.ErrorMessage(), "Execution is SUCCEEDED and cannot be redriven") {
		t.Fatalf("redrive of a SUCCEEDED execution: %v", err)
	}
	if after, _ := historyTypes(t, c, arn); len(after) != len(evs) {
		t.Errorf("the refused redrive changed the history: %d events, was %d", len(after), len(evs))
	}

	// ListExecutions shows and filters the redrive.
	for filter, want := range map[types.ExecutionRedriveFilter]int{types.ExecutionRedriveFilterRedriven: 1, types.ExecutionRedriveFilterNotRedriven: 0} {
		ls, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(sm), RedriveFilter: filter})
		if err != nil {
			t.Fatal(err)
		}
		if len(ls.Executions) != want {
			t.Errorf("redriveFilter %s: %d executions, want %d", filter, len(ls.Executions), want)
		}
		if want == 1 && (aws.ToInt32(ls.Executions[0].RedriveCount) != 1 || ls.Executions[0].RedriveDate == nil) {
			t.Errorf("listed: count %d date %v", aws.ToInt32(ls.Executions[0].RedriveCount), ls.Executions[0].RedriveDate)
		}
	}
}

func TestRedriveExecutionErrors(t *testing.T) {
	c, sm, url := payService(t)
	ctx := testCtx(t)
	nap := createMachine(t, ctx, c, "Nap", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`)
	st, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(nap), Name: aws.String("running")})
	if err != nil {
		t.Fatal(err)
	}
	missing := strings.Replace(sm, ":stateMachine:", ":execution:", 1) + ":nope"
	for _, tc := range []struct {
		arn, code, msg string
	}{
		{aws.ToString(st.ExecutionArn), "ExecutionNotRedrivable", "Execution is RUNNING and cannot be redriven"},
		{missing, "ExecutionDoesNotExist", missing},
		{"not-an-arn", "InvalidArn", "Invalid Arn"},
		{"arn:aws:states:us-east-1:123456789012:express:Pay:x:y", "ExecutionNotRedrivable", "EXPRESS"},
	} {
		_, err := c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(tc.arn)})
		code, msg := errorCode(err)
		if code != tc.code || !strings.Contains(msg, tc.msg) {
			t.Errorf("redrive %s: %s %q, want %s containing %q", tc.arn, code, msg, tc.code, tc.msg)
		}
	}
	status, body := post(t, url, "RedriveExecution", `{}`)
	if status != 400 || !strings.HasSuffix(body["__type"].(string), "ValidationException") {
		t.Errorf("no executionArn: %d %v", status, body)
	}
	status, body = post(t, url, "RedriveExecution", `{"executionArn":"`+missing+`","clientToken":"`+strings.Repeat("x", 65)+`"}`)
	if status != 400 || !strings.HasSuffix(body["__type"].(string), "ValidationException") {
		t.Errorf("a 65-character clientToken: %d %v", status, body)
	}
	ls, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(nap), RedriveFilter: "SOMETIMES"})
	if code, _ := errorCode(err); code != "ValidationException" {
		t.Errorf("a bad redriveFilter: %v %v", ls, err)
	}
}

// errorCode is the AWS error code and message of err.
func errorCode(err error) (string, string) {
	var ae interface {
		ErrorCode() string
		ErrorMessage() string
	}
	if errors.As(err, &ae) {
		return ae.ErrorCode(), ae.ErrorMessage()
	}
	if err != nil {
		return "", err.Error()
	}
	return "", ""
}

// A redrive's events and the test case go to the store: an execution
// restored from it can be redriven, and its test case goes on counting
// where the history left it.
func TestRedriveAfterRestore(t *testing.T) {
	cfg, err := mockconfig.Parse([]byte(payMock))
	if err != nil {
		t.Fatal(err)
	}
	store := newMemStore()
	svc := New(&asl.Engine{}, Options{Mock: cfg, Store: store})
	if _, err := svc.CreateStateMachine(StateMachineSpec{Name: "Pay", Definition: defPay, RoleARN: testRole}); err != nil {
		t.Fatal(err)
	}
	arn, _, err := svc.StartExecution(testCtx(t), svc.StateMachineARN("Pay")+"#Outage", "ord_2", `{"orderId":"ord_2"}`)
	if err != nil {
		t.Fatal(err)
	}
	x, err := svc.Execution(arn)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Wait(testCtx(t)); err != nil || x.Status() != asl.StatusFailed {
		t.Fatalf("first run: %v %s", err, x.Status())
	}
	svc.Close()

	svc2 := New(&asl.Engine{}, Options{Mock: cfg, Store: store})
	if _, err := svc2.Restore(); err != nil {
		t.Fatal(err)
	}
	if _, err := svc2.Execution(arn); err == nil {
		t.Fatal("a restored execution has an engine execution")
	}
	if _, err := svc2.RedriveExecution(testCtx(t), arn); err != nil {
		t.Fatalf("redrive after the restore: %v", err)
	}
	y, err := svc2.Execution(arn)
	if err != nil {
		t.Fatal(err)
	}
	if err := y.Wait(testCtx(t)); err != nil || y.Status() != asl.StatusSucceeded {
		_, _, e, c := y.Result()
		t.Fatalf("redriven after the restore: %v %s %s %s (the test case should answer invocation 2)", err, y.Status(), e, c)
	}
	svc2.Close()

	svc3 := New(&asl.Engine{}, Options{Mock: cfg, Store: store})
	if _, err := svc3.Restore(); err != nil {
		t.Fatal(err)
	}
	info, err := svc3.DescribeExecution(arn)
	if err != nil {
		t.Fatal(err)
	}
	if info.Status != asl.StatusSucceeded || info.RedriveCount != 1 || info.RedriveDate.IsZero() {
		t.Errorf("restored after the redrive: %+v", info)
	}
	evs, _, err := svc3.GetExecutionHistory(arn, 1000, "", false)
	if err != nil {
		t.Fatal(err)
	}
	var redriven, assigned int
	for _, e := range evs {
		if e.Type == types.HistoryEventTypeExecutionRedriven && e.RedriveCount == 1 {
			redriven++
		}
		if e.Assigned["order"] == `"ord_2"` {
			assigned++
		}
	}
	if redriven != 1 || assigned != 1 {
		t.Errorf("restored history: %d ExecutionRedriven, %d assignedVariables of order", redriven, assigned)
	}
}

// memStore is a Store in memory, whose changes are durable at once.
type memStore struct {
	mu   sync.Mutex
	docs map[string]map[string][]byte
}

func newMemStore() *memStore { return &memStore{docs: map[string]map[string][]byte{}} }

type doneCommit struct{}

func (doneCommit) Wait() error { return nil }

func (m *memStore) Put(kind, key string, doc []byte) Commit {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.docs[kind] == nil {
		m.docs[kind] = map[string][]byte{}
	}
	m.docs[kind][key] = append([]byte(nil), doc...)
	return doneCommit{}
}

func (m *memStore) Delete(kind, key string) Commit {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.docs[kind], key)
	return doneCommit{}
}

func (m *memStore) Each(kind string, f func(key string, doc []byte) error) error {
	m.mu.Lock()
	keys := slices.Sorted(maps.Keys(m.docs[kind]))
	docs := make([][]byte, len(keys))
	for i, k := range keys {
		docs[i] = m.docs[kind][k]
	}
	m.mu.Unlock()
	for i, k := range keys {
		if err := f(k, docs[i]); err != nil {
			return err
		}
	}
	return nil
}

// An execution stopped by StopExecution (ABORTED) is redriven: it runs
// again from the state it was stopped in, and can be stopped again.
func TestRedriveAbortedExecution(t *testing.T) {
	_, c, _ := local(t, nil, Options{})
	ctx := testCtx(t)
	sm := createMachine(t, ctx, c, "Nap", `{"StartAt":"First","States":{"First":{"Type":"Pass","Result":{"n":1},"Next":"W"},"W":{"Type":"Wait","Seconds":3600,"End":true}}}`)
	st, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm), Name: aws.String("nap")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: st.ExecutionArn, Error: aws.String("Ops.Stop")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: st.ExecutionArn}); err != nil {
		t.Fatalf("redrive of an ABORTED execution: %v", err)
	}
	d, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: st.ExecutionArn})
	if err != nil || d.Status != types.ExecutionStatusRunning || d.RedriveStatus != types.ExecutionRedriveStatusNotRedrivable ||
		aws.ToString(d.RedriveStatusReason) != "Execution is RUNNING and cannot be redriven" || d.StopDate != nil {
		t.Fatalf("after the redrive: %+v %v", d, err)
	}
	_, names := historyTypes(t, c, aws.ToString(st.ExecutionArn))
	if want := "ExecutionStarted PassStateEntered PassStateExited WaitStateEntered ExecutionAborted ExecutionRedriven WaitStateEntered"; names != want {
		t.Errorf("history\n %s\nwant\n %s", names, want)
	}
	if _, err := c.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: st.ExecutionArn}); err != nil {
		t.Fatal(err)
	}
	if d := waitDone(t, ctx, c, aws.ToString(st.ExecutionArn)); d.Status != types.ExecutionStatusAborted || aws.ToInt32(d.RedriveCount) != 1 {
		t.Errorf("stopped again: %s, %d redrives", d.Status, aws.ToInt32(d.RedriveCount))
	}
}
