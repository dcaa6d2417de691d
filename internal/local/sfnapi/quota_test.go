package sfnapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/smithy-go"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/clock"
)

// The bucket on an injected clock: Burst starts at once, then one per
// 1/PerSecond; a full bucket holds no more than Burst; a start of a name
// already running takes a token too; Express machines are not throttled.
func TestStartQuotaBucket(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewVirtual(clock.Epoch)
	svc := New(&asl.Engine{}, Options{Clock: clk, StartQuota: StartQuota{PerSecond: 2, Burst: 3}})
	t.Cleanup(svc.Close)
	m, err := svc.CreateStateMachine(StateMachineSpec{Name: "std", Definition: defPass, RoleARN: testRole})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	start := func(name string) error {
		n++
		if name == "" {
			name = fmt.Sprintf("x%d", n)
		}
		_, _, err := svc.StartExecution(ctx, m.ARN, name, `{}`)
		return err
	}
	want := func(step string, allowed int) {
		t.Helper()
		for i := range allowed {
			if err := start(""); err != nil {
				t.Fatalf("%s: start %d of %d: %v", step, i+1, allowed, err)
			}
		}
		err := start("")
		if !errors.Is(err, ErrThrottling) {
			t.Fatalf("%s: start %d: got %v, want ThrottlingException", step, allowed+1, err)
		}
		var e *Error
		if !errors.As(err, &e) || e.Message != "Rate exceeded" {
			t.Fatalf("%s: got %#v, want the message \"Rate exceeded\"", step, err)
		}
	}
	want("burst", 3)
	clk.Advance(500 * time.Millisecond)
	want("after 0.5 s", 1)
	clk.Advance(time.Hour)
	want("after an hour", 3)

	// A start of a name already used spends a token as any call does.
	clk.Advance(time.Hour)
	if err := start("again"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := start("again"); err != nil && !errors.Is(err, ErrExecutionAlreadyExists) {
			t.Fatalf("the same name again: %v", err)
		}
	}
	if err := start("again"); !errors.Is(err, ErrThrottling) {
		t.Fatalf("fourth call within the burst of 3: got %v, want ThrottlingException", err)
	}
	if got := svc.Stats().StartThrottles; got != 4 {
		t.Errorf("StartThrottles = %d, want 4", got)
	}

	ex, err := svc.CreateStateMachine(StateMachineSpec{Name: "exp", Type: TypeExpress, Definition: defPass, RoleARN: testRole})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if _, _, err := svc.StartExecution(ctx, ex.ARN, "", `{}`); err != nil {
			t.Fatalf("Express start %d: %v", i, err)
		}
	}
}

func TestStartQuotaOff(t *testing.T) {
	for _, q := range []StartQuota{{}, NoStartQuota, {PerSecond: 300, Burst: 1300, Off: true}} {
		if !q.Unlimited() || newStartBucket(q, time.Now) != nil || q.String() != "off" {
			t.Errorf("%+v: want no bucket", q)
		}
	}
	if AWSStartQuota.Unlimited() || AWSStartQuota.String() != "300/s, burst 1300" {
		t.Errorf("AWSStartQuota = %v", AWSStartQuota)
	}
	var b *startBucket
	if !b.allow() {
		t.Error("a nil bucket refused")
	}
}

// Over a real socket, the SDK gets AWS's answer: HTTP 400,
// ThrottlingException, "Rate exceeded"; its retryer takes it for a
// throttle and tries again (three attempts, each refused while the
// injected clock stands still).
func TestStartQuotaOverTheWire(t *testing.T) {
	ctx := testCtx(t)
	clk := clock.NewVirtual(clock.Epoch)
	svc, c, _ := local(t, nil, Options{Clock: clk, StartQuota: StartQuota{PerSecond: 1, Burst: 5}})
	arn := createMachine(t, ctx, c, "wire", defPass)
	for i := range 5 {
		if _, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn), Name: aws.String(fmt.Sprint("ok", i))}); err != nil {
			t.Fatalf("start %d within the burst: %v", i, err)
		}
	}
	_, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn), Name: aws.String("over")})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "ThrottlingException" || api.ErrorMessage() != "Rate exceeded" {
		t.Fatalf("over the burst: got %v, want ThrottlingException: Rate exceeded", err)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusBadRequest {
		t.Fatalf("want HTTP 400, got %v", err)
	}
	if retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) != aws.TrueTernary {
		t.Errorf("the SDK does not take %v for a throttle", err)
	}
	var maxAttempts *retry.MaxAttemptsError
	if !errors.As(err, &maxAttempts) || maxAttempts.Attempt != 3 {
		t.Errorf("want the standard retryer's 3 attempts, got %v", err)
	}
	if got := svc.Stats().StartThrottles; got != 3 {
		t.Errorf("StartThrottles = %d, want 3 (one per attempt)", got)
	}
	// After a second of the injected clock, one start goes through.
	clk.Advance(time.Second)
	if _, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn), Name: aws.String("later")}); err != nil {
		t.Fatalf("after a second: %v", err)
	}
	// The raw answer, as AWS words it.
	if !strings.Contains(err.Error(), "StatusCode: 400") {
		t.Errorf("rendering: %v", err)
	}
}

// The raw wire answer: AWS's request layer's __type.
func TestThrottlingWireType(t *testing.T) {
	if got := errThrottled().wireType(); got != "com.amazon.coral.availability#ThrottlingException" {
		t.Errorf("wire type %q", got)
	}
	if got := errThrottled().httpStatus(); got != http.StatusBadRequest {
		t.Errorf("status %d", got)
	}
}

// The aws CLI (botocore) is throttled like any caller and reads the answer
// as AWS's: "An error occurred (ThrottlingException) when calling the
// StartExecution operation (reached max retries: N): Rate exceeded". The
// CLI's own retries back off for a few seconds first.
func TestStartQuotaAWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the aws CLI is required in CI: it is not on PATH")
		}
		t.Skip("skipping: the aws CLI is not on PATH (pip install awscli)")
	}
	clk := clock.NewVirtual(clock.Epoch)
	_, c, url := local(t, nil, Options{Clock: clk, StartQuota: StartQuota{PerSecond: 1, Burst: 1}})
	arn := createMachine(t, testCtx(t), c, "cli-quota", defPass)
	if _, stderr, err := awsCLI(t, url, "start-execution", "--state-machine-arn", arn, "--name", "first"); err != nil {
		t.Fatalf("the first start: %v\n%s", err, stderr)
	}
	_, stderr, err := awsCLI(t, url, "start-execution", "--state-machine-arn", arn, "--name", "second", "--cli-read-timeout", "10")
	if err == nil || !strings.Contains(stderr, "An error occurred (ThrottlingException) when calling the StartExecution operation") ||
		!strings.Contains(stderr, ": Rate exceeded") {
		t.Fatalf("the second start: %v\n%s", err, stderr)
	}
	t.Logf("aws: %s", strings.TrimSpace(stderr))
}
