package dlq

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/awsops/redrive"
	"github.com/yafdp/yafdp/internal/cli/clitest"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/config"
	"github.com/yafdp/yafdp/internal/local/sqsapi/sqstest"
)

func TestFlagsAreParsed(t *testing.T) {
	cfg := &config.Config{Output: "table", DLQ: "orders-dlq"}
	f, _ := clitest.NewFactory(cfg)

	var lo *ListOptions
	if err := clitest.Exec(NewCmdList(f, func(_ context.Context, o *ListOptions) error { lo = o; return nil }), "--prefix", "orders"); err != nil || lo.Prefix != "orders" {
		t.Fatalf("list: %v %+v", err, lo)
	}
	var po *PeekOptions
	if err := clitest.Exec(NewCmdPeek(f, func(_ context.Context, o *PeekOptions) error { po = o; return nil }), "7", "--hold", "10s"); err != nil ||
		po.Count != 7 || po.Queue != "orders-dlq" || po.Hold != 10*time.Second {
		t.Fatalf("peek: %v %+v", err, po)
	}
	if err := clitest.Exec(NewCmdPeek(f, func(_ context.Context, o *PeekOptions) error { po = o; return nil })); err != nil || po.Count != 10 {
		t.Fatalf("peek default: %v %+v", err, po)
	}
	var ro *RedriveOptions
	err := clitest.Exec(NewCmdRedrive(f, func(_ context.Context, o *RedriveOptions) error { ro = o; return nil }),
		"--queue", "other-dlq", "--to", "quarantine", "--strategy", "copy", "--rate", "20/s", "--max", "100", "--filter", `body.currency == "EUR"`, "--dry-run", "--journal", "/tmp/j")
	if err != nil {
		t.Fatal(err)
	}
	if ro.Queue != "other-dlq" || ro.To != "quarantine" || ro.Strategy != "copy" || ro.Rate.PerSecond() != 20 || ro.Max != 100 || ro.filter == nil || !ro.DryRun || ro.Journal != "/tmp/j" {
		t.Fatalf("redrive: %+v", ro)
	}
	if err := clitest.Exec(NewCmdRedrive(f, func(_ context.Context, o *RedriveOptions) error { ro = o; return nil })); err != nil ||
		ro.Queue != "orders-dlq" || ro.Strategy != redrive.StrategyAuto {
		t.Fatalf("redrive defaults: %v %+v", err, ro)
	}
}

var fixed = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

// pipeline makes orders and orders-dlq on the SQS endpoint of yafdp local
// up with a stopped clock and puts n dead letters in the DLQ: sent to
// orders and received until its RedrivePolicy moved them, as SQS does it.
func pipeline(t *testing.T, n int) (*sqstest.Server, *cmdutil.Factory, clitest.Streams, func(string) *cmdutil.Factory) {
	return newPipeline(t, n, "orders")
}

// pipelineDirect is pipeline with the n messages sent straight to the DLQ:
// they record no source queue.
func pipelineDirect(t *testing.T, n int) (*sqstest.Server, *cmdutil.Factory, clitest.Streams, func(string) *cmdutil.Factory) {
	return newPipeline(t, n, "orders-dlq")
}

func newPipeline(t *testing.T, n int, sendTo string) (*sqstest.Server, *cmdutil.Factory, clitest.Streams, func(string) *cmdutil.Factory) {
	fake := sqstest.Start(t)
	fake.Clock.Freeze(fixed)
	fake.CreateQueue("orders-dlq", nil)
	fake.CreateQueue("orders", map[string]string{"VisibilityTimeout": "0", "RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:orders-dlq","maxReceiveCount":"3"}`})
	c := awstest.SQS(fake.URL, nil)
	for i := 0; i < n; i++ {
		cur := []string{"EUR", "USD", "GBP"}[i%3]
		_, err := c.SendMessageBatch(context.Background(), &sqs.SendMessageBatchInput{QueueUrl: aws.String(fake.URL + "/000000000000/" + sendTo), Entries: []types.SendMessageBatchRequestEntry{{
			Id: aws.String("1"), MessageBody: aws.String(fmt.Sprintf(`{"orderId":"ord_%03d","customerId":"cus_%d","currency":%q,"totalCents":%d}`, i, i%4, cur, 1000+i)),
			MessageAttributes: map[string]types.MessageAttributeValue{
				"schemaVersion": {DataType: aws.String("String"), StringValue: aws.String("1")},
				"traceId":       {DataType: aws.String("String"), StringValue: aws.String(fmt.Sprintf("1-6b000000-%024d", i))},
				"sig":           {DataType: aws.String("Binary"), BinaryValue: []byte{0, byte(i), 0xff}},
			}}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	for fake.Count("orders-dlq") < n {
		if _, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(fake.URL + "/000000000000/orders"), MaxNumberOfMessages: 10}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.SetQueueAttributes(context.Background(), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(fake.URL + "/000000000000/orders"), Attributes: map[string]string{"VisibilityTimeout": "30"}}); err != nil {
		t.Fatal(err)
	}
	factory := func(format string) *cmdutil.Factory {
		f, _ := clitest.NewFactory(&config.Config{Output: format})
		f.SQSClient = func(context.Context) (*sqs.Client, error) { return c, nil }
		return f
	}
	f, streams := clitest.NewFactory(&config.Config{Output: "table"})
	f.SQSClient = func(context.Context) (*sqs.Client, error) { return c, nil }
	return fake, f, streams, factory
}

func TestListGolden(t *testing.T) {
	fake, _, _, factory := pipeline(t, 3)
	for _, format := range []string{"table", "json"} {
		f := factory(format)
		_, streams := clitest.NewFactory(nil)
		f.IOStreams.Out = streams.Out
		cmd := NewCmdList(f, func(ctx context.Context, o *ListOptions) error {
			o.Metrics = nil // no CloudWatch here: the age shows "-"
			return runList(ctx, o)
		})
		if err := clitest.Exec(cmd); err != nil {
			t.Fatal(err)
		}
		clitest.Golden(t, "list."+format+".golden", []byte(strings.ReplaceAll(streams.Out.String(), fake.URL, "http://localsqs")))
	}
}

func TestPeekGolden(t *testing.T) {
	fake, _, _, factory := pipeline(t, 4)
	for _, format := range []string{"table", "json"} {
		f := factory(format)
		_, streams := clitest.NewFactory(nil)
		f.IOStreams.Out, f.IOStreams.ErrOut = streams.Out, streams.ErrOut
		if err := clitest.Exec(NewCmdPeek(f, nil), "3", "--queue", "orders-dlq"); err != nil {
			t.Fatal(err)
		}
		clitest.Golden(t, "peek."+format+".golden", streams.Out.Bytes())
		if !strings.Contains(streams.ErrOut.String(), "3 messages of about 4 in orders-dlq; 3 made visible again") {
			t.Fatalf("stderr %q", streams.ErrOut)
		}
	}
	if n := fake.Count("orders-dlq"); n != 4 {
		t.Fatalf("peek removed messages: %d left", n)
	}
}

func TestPeekWarnsAboutTheDLQsOwnPolicy(t *testing.T) {
	fake, _, _, factory := pipeline(t, 1)
	fake.CreateQueue("graveyard", nil)
	fake.CreateQueue("orders-dlq2", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:graveyard","maxReceiveCount":5}`})
	f := factory("table")
	_, streams := clitest.NewFactory(nil)
	f.IOStreams.Out, f.IOStreams.ErrOut = streams.Out, streams.ErrOut
	if err := clitest.Exec(NewCmdPeek(f, nil), "--queue", "orders-dlq2"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(streams.ErrOut.String(), "Warning: orders-dlq2 has a redrive policy of its own (after 5 receives)") {
		t.Fatalf("stderr %q", streams.ErrOut)
	}
}

func TestRedriveGolden(t *testing.T) {
	for _, format := range []string{"table", "json"} {
		for _, dry := range []bool{true, false} {
			fake, _, _, factory := pipeline(t, 6)
			fake.NoMoveTasks.Store(true)
			f := factory(format)
			_, streams := clitest.NewFactory(nil)
			f.IOStreams.Out, f.IOStreams.ErrOut = streams.Out, streams.ErrOut
			dir := t.TempDir()
			args := []string{"--queue", "orders-dlq", "--filter", `body.currency != "GBP"`, "--wait", "0s", "--journal", filepath.Join(dir, "j")}
			name := "redrive"
			if dry {
				args = append(args, "--dry-run")
				name = "redrive-dry-run"
			}
			if err := clitest.Exec(NewCmdRedrive(f, nil), args...); err != nil {
				t.Fatal(err)
			}
			clitest.Golden(t, name+"."+format+".golden", []byte(strings.ReplaceAll(streams.Out.String(), dir, "$TMP")))
			want := map[bool]int{true: 0, false: 4}[dry]
			if n := fake.Count("orders"); n != want {
				t.Fatalf("dry run %v: orders holds %d, want %d", dry, n, want)
			}
		}
	}
}

func TestRedriveNativeAndFailuresExitCodes(t *testing.T) {
	fake, f, streams, _ := pipeline(t, 5)
	if err := clitest.Exec(NewCmdRedrive(f, nil), "--queue", "orders-dlq"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(streams.Out.String(), "native strategy") || !strings.Contains(streams.Out.String(), "COMPLETED (5 of 5)") {
		t.Fatalf("%s", streams.Out)
	}
	if n := fake.Count("orders"); n != 5 {
		t.Fatalf("orders holds %d", n)
	}

	// Two sources and no --to: a copy cannot tell where messages go.
	fake2, f2, streams2, _ := pipelineDirect(t, 2)
	fake2.NoMoveTasks.Store(true)
	fake2.CreateQueue("orders-b", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:orders-dlq","maxReceiveCount":"3"}`})
	err := clitest.Exec(NewCmdRedrive(f2, nil), "--queue", "orders-dlq", "--wait", "0s", "--journal", filepath.Join(t.TempDir(), "j"))
	var ee *cmdutil.ExitError
	if !errors.As(err, &ee) || ee.Code != 1 {
		t.Fatalf("err %v", err)
	}
	if !strings.Contains(streams2.Out.String(), "is the dead-letter queue of 2 queues (orders, orders-b)") || fake2.Count("orders-dlq") != 2 {
		t.Fatalf("%s", streams2.Out)
	}
}

// A destination that does not exist is bad input found before the DLQ is
// touched, however it is named; so is a DLQ URL that does not exist.
func TestRedriveChecksQueuesBeforeTouchingMessages(t *testing.T) {
	fake, f, _, _ := pipeline(t, 20)
	for _, args := range [][]string{
		{"--queue", "orders-dlq", "--to", fake.URL + "/000000000000/nosuch"},
		{"--queue", "orders-dlq", "--to", "nosuch"},
		{"--queue", "orders-dlq", "--to", fake.URL + "/000000000000/nosuch", "--strategy", "copy"},
		{"--queue", fake.URL + "/000000000000/nosuch"},
	} {
		before := fake.Calls()["ReceiveMessage"]
		err := clitest.Exec(NewCmdRedrive(f, nil), append(args, "--journal", filepath.Join(t.TempDir(), "j"))...)
		var ue *cmdutil.UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "nosuch") || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("%v: %v, want a usage error naming the queue", args, err)
		}
		if n := fake.Calls()["ReceiveMessage"] - before; n != 0 || fake.Count("orders-dlq") != 20 {
			t.Fatalf("%v: the DLQ was touched: %d receives", args, n)
		}
	}
}
