package order

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/yafdp/yafdp/internal/awsops/awsfault"
	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/cli/clitest"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/config"
	"github.com/yafdp/yafdp/internal/local/sqsapi/sqstest"
)

var fixed = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func TestSubmitParsesFlags(t *testing.T) {
	f, _ := clitest.NewFactory(&config.Config{Output: "table", Queue: "orders"})
	var got *SubmitOptions
	cmd := NewCmdSubmit(f, func(_ context.Context, o *SubmitOptions) error { got = o; return nil })
	if err := clitest.Exec(cmd, "--generate", "25", "--seed", "7", "--rate", "50/s", "--concurrency", "4", "--attempts", "3", "--start", "2026-01-01T12:00:00Z"); err != nil {
		t.Fatal(err)
	}
	if got.Queue != "orders" || len(got.orders) != 25 || got.Rate.PerSecond() != 50 || got.Concurrency != 4 || got.Attempts != 3 || got.Via != "sqs" {
		t.Fatalf("%+v", got)
	}
	if len(got.plan.Messages) != 25 || got.plan.Messages[24].Batch != 3 {
		t.Fatalf("plan %+v", got.plan)
	}

	// One order from flags, to a FIFO queue named by URL.
	f, _ = clitest.NewFactory(nil)
	cmd = NewCmdSubmit(f, func(_ context.Context, o *SubmitOptions) error { got = o; return nil })
	err := clitest.Exec(cmd, "--queue", "https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo", "--order-id", "ord_1", "--customer-id", "cus_1",
		"--restaurant-id", "rst_1", "--item", "PIZ-1:2:1250", "--item", "DRI-1:1:300", "--line1", "1 Main St", "--city", "Berlin", "--postal-code", "10115",
		"--country", "DE", "--placed-at", "2026-01-01T12:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	if o := got.orders[0]; o.TotalCents != 2800 || len(o.Items) != 2 || !got.queue.Queue().FIFO || got.plan.Messages[0].GroupID != "cus_1" || got.plan.Messages[0].DedupID != "ord_1" {
		t.Fatalf("%+v %+v", got.orders, got.plan)
	}

	// --via api needs no queue.
	cmd = NewCmdSubmit(f, func(_ context.Context, o *SubmitOptions) error { got = o; return nil })
	if err := clitest.Exec(cmd, "--generate", "2", "--via", "api", "--api-url", "https://abc.execute-api.eu-west-1.amazonaws.com/prod/orders", "--api-key", "k"); err != nil {
		t.Fatal(err)
	}
	if got.Via != "api" || got.APIKey != "k" {
		t.Fatalf("%+v", got)
	}

	// NDJSON and JSON arrays, from a file and from standard input.
	dir := t.TempDir()
	ndjson := filepath.Join(dir, "orders.ndjson")
	os.WriteFile(ndjson, []byte(validOrder("ord_a")+"\n\n"+validOrder("ord_b")+"\n"), 0o644)
	cmd = NewCmdSubmit(f, func(_ context.Context, o *SubmitOptions) error { got = o; return nil })
	if err := clitest.Exec(cmd, "--queue", "orders", "--file", ndjson); err != nil || len(got.orders) != 2 {
		t.Fatalf("ndjson: %v", err)
	}
	f2, streams := clitest.NewFactory(&config.Config{Output: "table", Queue: "orders"})
	streams.In.WriteString("[\n" + validOrder("ord_a") + ",\n" + validOrder("ord_b") + "\n]\n")
	cmd = NewCmdSubmit(f2, func(_ context.Context, o *SubmitOptions) error { got = o; return nil })
	if err := clitest.Exec(cmd, "--file", "-"); err != nil || len(got.orders) != 2 || got.orders[1].OrderID != "ord_b" {
		t.Fatalf("array on stdin: %v", err)
	}
}

func validOrder(id string) string {
	return fmt.Sprintf(`{"orderId":%q,"customerId":"cus_1","restaurantId":"rst_1","items":[{"sku":"PIZ-1","qty":2,"unitPriceCents":1250}],"currency":"EUR","totalCents":2500,"deliveryAddress":{"line1":"1 Main St","city":"Berlin","postalCode":"10115","country":"DE"},"placedAt":"2026-01-01T12:00:00Z"}`, id)
}

// runSubmitCmd runs order submit against the SQS endpoint of yafdp local up.
func runSubmitCmd(t *testing.T, format string, fake *sqstest.Server, args ...string) (string, string, error) {
	t.Helper()
	f, streams := clitest.NewFactory(&config.Config{Output: format})
	f.SQSClient = func(context.Context) (*sqs.Client, error) { return awstest.SQS(fake.URL, nil), nil }
	n := 0
	cmd := NewCmdSubmit(f, func(ctx context.Context, o *SubmitOptions) error {
		o.Now = func() time.Time { return fixed }
		o.TraceID = func() string { n++; return fmt.Sprintf("1-6b000000-%024d", n) }
		return runSubmit(ctx, o)
	})
	err := clitest.Exec(cmd, args...)
	return streams.Out.String(), streams.ErrOut.String(), err
}

func TestSubmitGolden(t *testing.T) {
	for _, format := range []string{"table", "json"} {
		fake := sqstest.Start(t)
		fake.CreateQueue("orders", nil)
		out, errOut, err := runSubmitCmd(t, format, fake, "--queue", "orders", "--generate", "12", "--seed", "7", "--start", "2026-01-01T12:00:00Z", "--concurrency", "1")
		if err != nil {
			t.Fatal(err)
		}
		clitest.Golden(t, "submit."+format+".golden", []byte(out))
		if !strings.Contains(errOut, "Sent 12 of 12 orders to orders") {
			t.Fatalf("stderr %q", errOut)
		}
		if n := fake.Count("orders"); n != 12 {
			t.Fatalf("queue holds %d", n)
		}
	}
}

func TestSubmitDryRunGolden(t *testing.T) {
	for _, format := range []string{"table", "json"} {
		f, streams := clitest.NewFactory(&config.Config{Output: format})
		// No AWS at all: a dry run must not need it.
		cmd := NewCmdSubmit(f, nil)
		err := clitest.Exec(cmd, "--queue", "orders.fifo", "--generate", "12", "--seed", "7", "--start", "2026-01-01T12:00:00Z", "--dry-run")
		if err != nil {
			t.Fatal(err)
		}
		clitest.Golden(t, "submit-dry-run."+format+".golden", streams.Out.Bytes())
		if !strings.Contains(streams.ErrOut.String(), "Dry run: 12 orders valid; they would go to orders.fifo in 2 SendMessageBatch calls. Nothing was sent.") {
			t.Fatalf("stderr %q", streams.ErrOut)
		}
	}
}

// Orders that still fail after their attempts are listed with why, and
// the command exits 1.
func TestSubmitFailuresExitOne(t *testing.T) {
	fake := sqstest.Start(t)
	fake.CreateQueue("orders", nil)
	ft := awsfault.New(nil, 1)
	ft.Ops, ft.EntryFailRate = []string{"SendMessageBatch"}, 1
	f, streams := clitest.NewFactory(&config.Config{Output: "table"})
	f.SQSClient = func(context.Context) (*sqs.Client, error) { return awstest.SQS(fake.URL, ft), nil }
	cmd := NewCmdSubmit(f, func(ctx context.Context, o *SubmitOptions) error {
		o.Now = func() time.Time { return fixed }
		return runSubmit(ctx, o)
	})
	err := clitest.Exec(cmd, "--queue", "orders", "--generate", "2", "--attempts", "2", "--start", "2026-01-01T12:00:00Z")
	var ee *cmdutil.ExitError
	if !errors.As(err, &ee) || ee.Code != cmdutil.ExitFailed {
		t.Fatalf("err %v, want exit 1", err)
	}
	clitest.Golden(t, "submit-failed.table.golden", streams.Out.Bytes())
	if !strings.Contains(streams.ErrOut.String(), "2 orders failed") {
		t.Fatalf("stderr %q", streams.ErrOut)
	}
}
