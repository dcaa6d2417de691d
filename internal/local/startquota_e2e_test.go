package local_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/smithy-go"

	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/local"
	"github.com/yafdp/yafdp/internal/local/sfnapi"
)

// Over a real socket, local up throttles StartExecution for any caller
// once the burst is spent, with AWS's ThrottlingException, and the
// new-order function's log words a throttle exactly as the SDK words the
// error it gets.
func TestLocalUpThrottlesStartExecution(t *testing.T) {
	// A refill of one token in 1,000 s: within the test, the burst is all.
	srv, err := local.Start(context.Background(), local.Options{Addr: "127.0.0.1:0",
		StartQuota: sfnapi.StartQuota{PerSecond: 0.001, Burst: 5}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	if srv.StartQuota.String() != "0.001/s, burst 5" {
		t.Fatalf("quota in force: %v", srv.StartQuota)
	}
	ctx := context.Background()
	c := sfn.NewFromConfig(awstest.Config(srv.URL, nil), func(o *sfn.Options) { o.RetryMaxAttempts = 1 })
	ok, throttled := 0, 0
	var last error
	for i := range 8 {
		_, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(srv.StateMachineARN),
			Name: aws.String(fmt.Sprintf("ord_q%d", i)), Input: aws.String(`{"orderId":"ord_q"}`)})
		var api smithy.APIError
		switch {
		case err == nil:
			ok++
		case errors.As(err, &api) && api.ErrorCode() == "ThrottlingException" && api.ErrorMessage() == "Rate exceeded":
			throttled++
			last = err
		default:
			t.Fatalf("start %d: %v", i, err)
		}
	}
	if ok != 5 || throttled != 3 || srv.Status().StartThrottles != 3 {
		t.Fatalf("%d started, %d throttled (status %d); want 5 and 3", ok, throttled, srv.Status().StartThrottles)
	}
	// The new-order function's rendering of the same refusal.
	uuid := regexp.MustCompile(`RequestID: [0-9a-f-]+,`)
	mine := local.NewStartErrorForTest(sfnapi.ErrThrottling.Code, "Rate exceeded").Error()
	if a, b := uuid.ReplaceAllString(last.Error(), "RequestID: X,"), uuid.ReplaceAllString(mine, "RequestID: X,"); a != b {
		t.Fatalf("the SDK says\n  %s\nthe function logs\n  %s", a, b)
	}
}
