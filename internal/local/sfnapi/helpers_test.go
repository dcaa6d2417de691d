package sfnapi

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/awsops/awstest"
)

const testRole = "arn:aws:iam::123456789012:role/yafdp-test"

// local starts a service on a real socket of 127.0.0.1 and returns it with
// an SDK client pointed at it.
func local(t testing.TB, eng *asl.Engine, opts Options) (*Service, *sfn.Client, string) {
	t.Helper()
	if eng == nil {
		eng = &asl.Engine{}
	}
	svc := New(eng, opts)
	srv := httptest.NewServer(svc.Handler())
	t.Cleanup(func() {
		srv.Close()
		svc.Close()
	})
	return svc, awstest.SFN(srv.URL, nil), srv.URL
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func createMachine(t testing.TB, ctx context.Context, c *sfn.Client, name, def string) string {
	t.Helper()
	out, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(name), Definition: aws.String(def), RoleArn: aws.String(testRole)})
	if err != nil {
		t.Fatalf("CreateStateMachine %s: %v", name, err)
	}
	return aws.ToString(out.StateMachineArn)
}

// waitDone polls DescribeExecution until the execution is no longer RUNNING.
func waitDone(t testing.TB, ctx context.Context, c *sfn.Client, arn string) *sfn.DescribeExecutionOutput {
	t.Helper()
	for {
		out, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			t.Fatalf("DescribeExecution %s: %v", arn, err)
		}
		if out.Status != "RUNNING" {
			return out
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s still RUNNING: %v", arn, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
