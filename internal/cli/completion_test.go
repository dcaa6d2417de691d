package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/yafdp/yafdp/internal/awsops/mototest"
	"github.com/yafdp/yafdp/internal/cli/iostreams"
)

// Queue names complete from the account behind --endpoint-url, and a dead
// endpoint completes to nothing, quickly and silently.
func TestDynamicQueueCompletion(t *testing.T) {
	moto := mototest.Start(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"), config.WithBaseEndpoint(moto.URL))
	if err != nil {
		t.Fatal(err)
	}
	c := sqs.NewFromConfig(cfg)
	for _, n := range []string{"orders", "orders-dlq", "payments"} {
		if _, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	ios, _, out, _ := iostreams.Test()
	code := Run(ctx, []string{"__complete", "--endpoint-url", moto.URL, "--region", "us-east-1", "dlq", "peek", "--queue", "ord"}, ios)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	got := out.String()
	if !strings.Contains(got, "orders\n") || !strings.Contains(got, "orders-dlq\n") || strings.Contains(got, "payments") {
		t.Fatalf("completions:\n%s", got)
	}

	ios, _, out, errOut := iostreams.Test()
	code = Run(ctx, []string{"__complete", "--endpoint-url", "http://127.0.0.1:1", "--region", "us-east-1", "order", "submit", "--queue", ""}, ios)
	if code != 0 || strings.Contains(out.String(), "orders") || strings.Contains(errOut.String(), "yafdp:") {
		t.Fatalf("an unreachable endpoint: exit %d, out %q, err %q", code, out, errOut)
	}
}
