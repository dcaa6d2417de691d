package sfnapi

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/mockconfig"
)

// A checkout with a Lambda Task that retries, as the mock config's test
// cases answer it.
const defCheckout = `{"StartAt":"Charge","States":{
 "Charge":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"charge","Payload.$":"$"},
  "ResultSelector":{"paid.$":"$.Payload.paid"},
  "Retry":[{"ErrorEquals":["Lambda.TooManyRequestsException"],"IntervalSeconds":1,"MaxAttempts":2}],
  "Catch":[{"ErrorEquals":["States.ALL"],"Next":"Refund"}],"End":true},
 "Refund":{"Type":"Fail","Error":"Checkout.Failed","Cause":"charge failed"}}}`

const checkoutMock = `{
 "StateMachines":{"Checkout":{"TestCases":{
   "HappyPath":{"Charge":"ChargeOK"},
   "Throttled":{"Charge":"ChargeThrottledThenOK"},
   "Declined":{"Charge":"ChargeDeclined"}}}},
 "MockedResponses":{
   "ChargeOK":{"0":{"Return":{"Payload":{"paid":true},"StatusCode":200}}},
   "ChargeThrottledThenOK":{"0-1":{"Throw":{"Error":"Lambda.TooManyRequestsException","Cause":"slow down"}},"2":{"Return":{"Payload":{"paid":true}}}},
   "ChargeDeclined":{"0":{"Throw":{"Error":"Payment.Declined","Cause":"card expired"}}}}}`

func mockService(t *testing.T) (*sfn.Client, string) {
	t.Helper()
	cfg, err := mockconfig.Parse([]byte(checkoutMock))
	if err != nil {
		t.Fatal(err)
	}
	_, c, _ := local(t, &asl.Engine{}, Options{Mock: cfg})
	return c, createMachine(t, testCtx(t), c, "Checkout", defCheckout)
}

// StartExecution on "<arn>#<TestCase>" answers the Tasks from that test
// case, whatever account the ARN names (Step Functions Local's examples use
// 123456789012, LocalStack's 000000000000).
func TestMockConfigTestCases(t *testing.T) {
	c, arn := mockService(t)
	ctx := testCtx(t)
	parts := strings.Split(arn, ":")
	parts[4] = "111122223333"
	elsewhere := strings.Join(parts, ":")
	for _, tc := range []struct {
		testCase, status, output, errName string
		attempts                          int
	}{
		{"HappyPath", "SUCCEEDED", `{"paid":true}`, "", 1},
		{"Throttled", "SUCCEEDED", `{"paid":true}`, "", 3},
		{"Declined", "FAILED", "", "Checkout.Failed", 1},
	} {
		t.Run(tc.testCase, func(t *testing.T) {
			out, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(elsewhere + "#" + tc.testCase), Name: aws.String(tc.testCase)})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(aws.ToString(out.ExecutionArn), ":execution:Checkout:"+tc.testCase) {
				t.Fatalf("execution ARN %s", aws.ToString(out.ExecutionArn))
			}
			d := waitDone(t, ctx, c, aws.ToString(out.ExecutionArn))
			if string(d.Status) != tc.status || aws.ToString(d.Output) != tc.output || aws.ToString(d.Error) != tc.errName {
				t.Fatalf("status %s output %s error %s", d.Status, aws.ToString(d.Output), aws.ToString(d.Error))
			}
			h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: out.ExecutionArn})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, e := range h.Events {
				if e.Type == types.HistoryEventTypeTaskScheduled {
					n++
				}
			}
			if n != tc.attempts {
				t.Fatalf("%d attempts, want %d", n, tc.attempts)
			}
		})
	}
}

func TestMockConfigErrors(t *testing.T) {
	c, arn := mockService(t)
	ctx := testCtx(t)
	other := createMachine(t, ctx, c, "Other", defCheckout)
	_, bare, _ := local(t, nil, Options{})
	bareARN := createMachine(t, ctx, bare, "Checkout", defCheckout)
	for _, tc := range []struct {
		name   string
		client *sfn.Client
		arn    string
		want   string
	}{
		{"unknown test case", c, arn + "#Nope", "test case"},
		{"machine not in the config", c, other + "#HappyPath", "Other"},
		{"no mock config", bare, bareARN + "#HappyPath", "needs a mock config"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(tc.arn)})
			var inv *types.InvalidArn
			if !errors.As(err, &inv) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want InvalidArn mentioning %q", err, tc.want)
			}
		})
	}
}

// A mock config whose test case mocks a state the machine lacks is refused
// at StartExecution, before anything runs.
func TestMockConfigMustFitTheMachine(t *testing.T) {
	cfg, err := mockconfig.Parse([]byte(`{"StateMachines":{"Checkout":{"TestCases":{"T":{"Chrage":"R"}}}},"MockedResponses":{"R":{"0":{"Return":{}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	_, c, _ := local(t, nil, Options{Mock: cfg})
	ctx := testCtx(t)
	arn := createMachine(t, ctx, c, "Checkout", defCheckout)
	_, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn + "#T")})
	if err == nil || !strings.Contains(err.Error(), "Chrage") {
		t.Fatalf("got %v, want an error naming the state Chrage", err)
	}
	l, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(arn)})
	if err != nil || len(l.Executions) != 0 {
		t.Fatalf("executions after a refused start: %+v %v", l, err)
	}
}

// An Express machine takes a test case too.
func TestMockConfigExpress(t *testing.T) {
	cfg, err := mockconfig.Parse([]byte(checkoutMock))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan *asl.Execution, 1)
	_, c, _ := local(t, nil, Options{Mock: cfg, OnDone: func(x *asl.Execution) { done <- x }})
	ctx := testCtx(t)
	out, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("Checkout"), Definition: aws.String(defCheckout), RoleArn: aws.String(testRole), Type: types.StateMachineTypeExpress})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(aws.ToString(out.StateMachineArn) + "#Declined")}); err != nil {
		t.Fatal(err)
	}
	if x := <-done; x.Status() != asl.StatusFailed {
		t.Fatalf("express execution %s, want FAILED", x.Status())
	}
}

// The task-token API over the wire: the waiting Task's token comes in its
// TaskScheduled parameters; SendTaskSuccess ends it, a spent token answers
// TaskTimedOut, a malformed one InvalidToken.
func TestSendTaskOverTheWire(t *testing.T) {
	_, c, _ := local(t, &asl.Engine{Callbacks: true}, Options{})
	ctx := testCtx(t)
	arn := createMachine(t, ctx, c, "Wait", `{"StartAt":"W","States":{"W":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","HeartbeatSeconds":600,
	 "Parameters":{"QueueUrl":"q","MessageBody":{"Token.$":"$$.Task.Token"}},"End":true}}}`)
	token := func() (string, *string) {
		out, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: out.ExecutionArn})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range h.Events {
			if e.Type == types.HistoryEventTypeTaskScheduled {
				p := aws.ToString(e.TaskScheduledEventDetails.Parameters)
				i := strings.Index(p, `"Token":"`) + len(`"Token":"`)
				return p[i : i+strings.IndexByte(p[i:], '"')], out.ExecutionArn
			}
		}
		t.Fatal("no TaskScheduled")
		return "", nil
	}

	tok, x := token()
	if _, err := c.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(tok)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(tok), Output: aws.String(`{"ok":1}`)}); err != nil {
		t.Fatal(err)
	}
	if d := waitDone(t, ctx, c, aws.ToString(x)); d.Status != types.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"ok":1}` {
		t.Fatalf("after SendTaskSuccess: %s %s", d.Status, aws.ToString(d.Output))
	}
	var timedOut *types.TaskTimedOut
	if _, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(tok), Output: aws.String(`1`)}); !errors.As(err, &timedOut) {
		t.Fatalf("spent token: %v, want TaskTimedOut", err)
	}

	tok, x = token()
	if _, err := c.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String(tok), Error: aws.String("Courier.Lost"), Cause: aws.String("no courier")}); err != nil {
		t.Fatal(err)
	}
	if d := waitDone(t, ctx, c, aws.ToString(x)); d.Status != types.ExecutionStatusFailed || aws.ToString(d.Error) != "Courier.Lost" || aws.ToString(d.Cause) != "no courier" {
		t.Fatalf("after SendTaskFailure: %s %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}

	var invalid *types.InvalidToken
	if _, err := c.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String("NoSuchTaskToken")}); !errors.As(err, &invalid) || !strings.Contains(err.Error(), "Invalid Token: 'Invalid token'") {
		t.Fatalf("malformed token: %v, want InvalidToken", err)
	}
	tok, _ = token()
	var badOutput *types.InvalidOutput
	if _, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(tok), Output: aws.String(`{not json`)}); !errors.As(err, &badOutput) {
		t.Fatalf("output not JSON: %v, want InvalidOutput", err)
	}
}
