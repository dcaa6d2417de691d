package saga

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/awsops/tasktoken"
	"github.com/yafdp/yafdp/internal/cli/clitest"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/config"
	"github.com/yafdp/yafdp/internal/local/sfnapi"
)

// callbackSFN serves Step Functions on 127.0.0.1 with a state machine whose
// Task waits for its token, and returns a client and a function that
// starts an execution and returns it with the token its Task was given.
func callbackSFN(t *testing.T) (*sfn.Client, func() (string, string)) {
	t.Helper()
	svc := sfnapi.New(&asl.Engine{Callbacks: true}, sfnapi.Options{})
	srv := httptest.NewServer(svc.Handler())
	t.Cleanup(func() { srv.Close(); svc.Close() })
	c := awstest.SFN(srv.URL, nil)
	ctx := context.Background()
	m, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("courier"), RoleArn: aws.String("arn:aws:iam::123456789012:role/r"),
		Definition: aws.String(`{"StartAt":"FindCourier","States":{"FindCourier":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
		 "HeartbeatSeconds":600,"Parameters":{"QueueUrl":"couriers","MessageBody":{"token.$":"$$.Task.Token"}},"End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	start := func() (string, string) {
		x, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: m.StateMachineArn})
		if err != nil {
			t.Fatal(err)
		}
		h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: x.ExecutionArn})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range h.Events {
			if e.Type == types.HistoryEventTypeTaskScheduled {
				var p struct{ MessageBody struct{ Token string } }
				if err := json.Unmarshal([]byte(aws.ToString(e.TaskScheduledEventDetails.Parameters)), &p); err != nil {
					t.Fatal(err)
				}
				return aws.ToString(x.ExecutionArn), p.MessageBody.Token
			}
		}
		t.Fatal("no TaskScheduled event")
		return "", ""
	}
	return c, start
}

func sendTask(t *testing.T, c *sfn.Client, kind tasktoken.Kind, args ...string) (string, error) {
	t.Helper()
	f, streams := clitest.NewFactory(&config.Config{Output: "json"})
	f.SFNClient = func(context.Context) (*sfn.Client, error) { return c, nil }
	err := clitest.Exec(NewCmdSendTask(f, kind, nil), args...)
	return streams.Out.String(), err
}

func waitStatus(t *testing.T, c *sfn.Client, arn string) *sfn.DescribeExecutionOutput {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; {
		d, err := c.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != types.ExecutionStatusRunning || time.Now().After(deadline) {
			return d
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSendTaskSuccess(t *testing.T) {
	c, start := callbackSFN(t)
	x, token := start()
	result := filepath.Join(t.TempDir(), "result.json")
	os.WriteFile(result, []byte(`{"courierId":"c-42"}`), 0o600)
	if _, err := sendTask(t, c, tasktoken.Heartbeat, token); err != nil {
		t.Fatalf("heartbeat: %v", err)
	}
	out, err := sendTask(t, c, tasktoken.Success, token, "--task-output", "@"+result)
	if err != nil {
		t.Fatal(err)
	}
	var res sendTaskResult
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Sent != tasktoken.Success || res.Token != token {
		t.Fatalf("printed %q (%v)", out, err)
	}
	if d := waitStatus(t, c, x); d.Status != types.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"courierId":"c-42"}` {
		t.Fatalf("execution %s, output %s", d.Status, aws.ToString(d.Output))
	}
	// The task has ended: a second answer fails (exit 1) and says why.
	_, err = sendTask(t, c, tasktoken.Success, token, "--task-output", "{}")
	var ue *cmdutil.UsageError
	if err == nil || errors.As(err, &ue) || !strings.Contains(err.Error(), "the task has ended") {
		t.Fatalf("answering twice: %v", err)
	}
}

func TestSendTaskFailure(t *testing.T) {
	c, start := callbackSFN(t)
	x, token := start()
	if _, err := sendTask(t, c, tasktoken.Failure, token, "--error", "Courier.Unavailable", "--cause", "no courier within 5 km"); err != nil {
		t.Fatal(err)
	}
	d := waitStatus(t, c, x)
	if d.Status != types.ExecutionStatusFailed || aws.ToString(d.Error) != "Courier.Unavailable" || aws.ToString(d.Cause) != "no courier within 5 km" {
		t.Fatalf("execution %s %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
}

// Bad input is refused with exit 2 before anything is sent (the client
// here would fail any call); a token no task was given is exit 2 too.
func TestSendTaskBadInput(t *testing.T) {
	noAWS := (*sfn.Client)(nil)
	for _, tc := range []struct {
		kind tasktoken.Kind
		args []string
		want string
	}{
		{tasktoken.Success, []string{"tok"}, "--task-output is required"},
		{tasktoken.Success, []string{"tok", "--task-output", "{"}, "--task-output: is not JSON"},
		{tasktoken.Success, []string{"tok", "--task-output", "@/does/not/exist.json"}, "--task-output: /does/not/exist.json"},
		{tasktoken.Success, []string{" ", "--task-output", "{}"}, "TOKEN: is empty"},
		{tasktoken.Heartbeat, []string{strings.Repeat("t", 2049)}, "TOKEN: is 2049 characters long"},
		{tasktoken.Failure, []string{"tok", "--error", strings.Repeat("e", 257)}, "--error: is 257 characters long"},
		{tasktoken.Failure, []string{"tok", "--cause", strings.Repeat("c", 32769)}, "--cause: is 32769 characters long"},
		{tasktoken.Heartbeat, nil, "accepts 1 arg"},
	} {
		_, err := sendTask(t, noAWS, tc.kind, tc.args...)
		var ue *cmdutil.UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s %.40q: %v, want a one-line usage error with %q", tc.kind, tc.args, err, tc.want)
		}
	}
	c, _ := callbackSFN(t)
	_, err := sendTask(t, c, tasktoken.Heartbeat, "NoSuchTaskToken")
	var ue *cmdutil.UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "TOKEN: no task was given this token") {
		t.Fatalf("a malformed token: %v", err)
	}
}
