package opstest

import (
	"context"
	"encoding/base64"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/go-cmp/cmp"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/input"
	"github.com/yafdp/yafdp/internal/local/sqsapi/sqstest"
	"github.com/yafdp/yafdp/internal/order"
)

// Ctx is a test's context, cancelled when it ends.
func Ctx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// StartSQS starts the SQS endpoint of yafdp local up (sqsapi over the
// queue model) on a real socket of 127.0.0.1 until the test ends.
func StartSQS(t testing.TB) *sqstest.Server {
	t.Helper()
	return sqstest.Start(t)
}

// NoSleep makes retries immediate.
func NoSleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// Orders returns n generated orders, the same every time.
func Orders(n int) []order.Order {
	return order.Generate(7, n, time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
}

// CreatePipelineQueues makes "orders" (or orders.fifo) with a DLQ that
// takes messages after maxReceiveCount 3.
func CreatePipelineQueues(t testing.TB, ctx context.Context, c *sqs.Client, prefix string, fifo bool) (src, dlq awsops.Queue) {
	t.Helper()
	suffix := ""
	attrs := map[string]string{}
	if fifo {
		suffix = ".fifo"
		attrs["FifoQueue"] = "true"
	}
	dlqOut, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(prefix + "-dlq" + suffix), Attributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	st, err := awsops.Stats(ctx, c, "", aws.ToString(dlqOut.QueueUrl))
	if err != nil {
		t.Fatal(err)
	}
	srcAttrs := map[string]string{"RedrivePolicy": fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":"3"}`, st.ARN)}
	for k, v := range attrs {
		srcAttrs[k] = v
	}
	srcOut, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(prefix + suffix), Attributes: srcAttrs})
	if err != nil {
		t.Fatal(err)
	}
	return awsops.Queue{URL: aws.ToString(srcOut.QueueUrl), Name: prefix + suffix, FIFO: fifo},
		awsops.Queue{URL: aws.ToString(dlqOut.QueueUrl), Name: prefix + "-dlq" + suffix, FIFO: fifo}
}

// SeedMessage is a dead letter with every kind of attribute.
type SeedMessage struct {
	Body  string
	Attrs map[string]types.MessageAttributeValue
	Group string
	Dedup string
}

// DeadLetters returns n dead letters, with FIFO ids when fifo.
func DeadLetters(n int, fifo bool) []SeedMessage {
	out := make([]SeedMessage, n)
	for i, o := range Orders(n) {
		body := fmt.Sprintf(`{"orderId":%q,"customerId":%q,"totalCents":%d,"currency":%q}`, o.OrderID, o.CustomerID, o.TotalCents, o.Currency)
		bin := []byte{0, 1, 2, 0xff, byte(i), 0x80, '\n'}
		m := SeedMessage{Body: body, Attrs: map[string]types.MessageAttributeValue{
			"schemaVersion": {DataType: aws.String("String"), StringValue: aws.String("1")},
			"traceId":       {DataType: aws.String("String"), StringValue: aws.String(fmt.Sprintf("1-67a0b1c2-%024x", i))},
			"amount":        {DataType: aws.String("Number"), StringValue: aws.String(strconv.Itoa(i) + ".50")},
			"retries":       {DataType: aws.String("Number.int"), StringValue: aws.String("0" + strconv.Itoa(i%3))},
			"signature":     {DataType: aws.String("Binary"), BinaryValue: bin},
			"blob":          {DataType: aws.String("Binary.gzip"), BinaryValue: []byte{0x1f, 0x8b, byte(i)}},
			"note":          {DataType: aws.String("String.utf8"), StringValue: aws.String("né " + strconv.Itoa(i) + " ☃")},
		}}
		if fifo {
			m.Group, m.Dedup = o.CustomerID, o.OrderID
		}
		out[i] = m
	}
	return out
}

// Seed sends msgs to q as they are.
func Seed(t testing.TB, ctx context.Context, c awsops.SQSAPI, q awsops.Queue, msgs []SeedMessage) {
	t.Helper()
	for start := 0; start < len(msgs); start += 10 {
		in := &sqs.SendMessageBatchInput{QueueUrl: aws.String(q.URL)}
		for i, m := range msgs[start:min(start+10, len(msgs))] {
			e := types.SendMessageBatchRequestEntry{Id: aws.String("s" + strconv.Itoa(i)), MessageBody: aws.String(m.Body), MessageAttributes: m.Attrs}
			if m.Group != "" {
				e.MessageGroupId, e.MessageDeduplicationId = aws.String(m.Group), aws.String(m.Dedup)
			}
			in.Entries = append(in.Entries, e)
		}
		out, err := c.SendMessageBatch(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Failed) > 0 {
			t.Fatalf("seeding: %+v", out.Failed)
		}
	}
}

// SeedDeadLetters puts msgs in dlq as SQS does: sent to src and received
// until src's RedrivePolicy (maxReceiveCount 3) moves them. A native
// redrive (StartMessageMoveTask without a destination) returns each message
// to the queue it came from, so it needs real dead letters; messages sent
// straight to a dead-letter queue have no source to go back to.
func SeedDeadLetters(t testing.TB, ctx context.Context, c *sqs.Client, src, dlq awsops.Queue, msgs []SeedMessage) {
	t.Helper()
	Seed(t, ctx, c, src, msgs)
	setVisibility := func(v string) {
		if _, err := c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(src.URL), Attributes: map[string]string{"VisibilityTimeout": v}}); err != nil {
			t.Fatal(err)
		}
	}
	setVisibility("0")
	defer setVisibility("30")
	for i := 0; ; i++ {
		st, err := awsops.Stats(ctx, c, "", dlq.URL)
		if err != nil {
			t.Fatal(err)
		}
		if st.Visible == int64(len(msgs)) {
			return
		}
		if i > 10*len(msgs) {
			t.Fatalf("only %d of %d messages reached the dead-letter queue", st.Visible, len(msgs))
		}
		if _, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(src.URL), MaxNumberOfMessages: 10}); err != nil {
			t.Fatal(err)
		}
	}
}

// Fingerprint renders a message's body and attributes exactly, so two
// messages compare equal only when byte-identical.
func Fingerprint(body string, attrs map[string]types.MessageAttributeValue) string {
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := body
	for _, k := range keys {
		a := attrs[k]
		s += "|" + k + ":" + aws.ToString(a.DataType) + "=" + aws.ToString(a.StringValue) + "/" + base64.StdEncoding.EncodeToString(a.BinaryValue)
	}
	return s
}

// Fingerprints counts the messages by fingerprint: what a queue must hold
// after they were moved, once each.
func Fingerprints(msgs []SeedMessage) map[string]int {
	want := make(map[string]int, len(msgs))
	for _, m := range msgs {
		want[Fingerprint(m.Body, m.Attrs)]++
	}
	return want
}

// Drain receives and deletes everything in a queue and returns the
// fingerprints, with a count per fingerprint.
func Drain(t testing.TB, ctx context.Context, c awsops.SQSAPI, q awsops.Queue) map[string]int {
	t.Helper()
	got := map[string]int{}
	// A receive whose answer is lost on the way back (the SDK then retries
	// it) leaves its messages in flight until their visibility timeout, and
	// in a FIFO queue their group locked: drain waits them out, with a short
	// timeout, until the queue says it holds nothing at all.
	deadline := time.Now().Add(time.Minute)
	for empty := 0; ; {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(q.URL), MaxNumberOfMessages: 10,
			MessageAttributeNames: []string{"All"}, VisibilityTimeout: 2, WaitTimeSeconds: 0})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			if empty++; empty < 3 {
				time.Sleep(50 * time.Millisecond)
				continue
			}
			attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(q.URL),
				AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages, types.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
			if err != nil {
				t.Fatal(err)
			}
			v, nv := attrs.Attributes["ApproximateNumberOfMessages"], attrs.Attributes["ApproximateNumberOfMessagesNotVisible"]
			if v == "0" && nv == "0" {
				return got
			}
			if time.Now().After(deadline) {
				t.Fatalf("draining %s: %s messages visible and %s in flight remain after %d received", q.Name, v, nv, len(got))
			}
			time.Sleep(200 * time.Millisecond)
			continue
		}
		empty = 0
		in := &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(q.URL)}
		for i, m := range out.Messages {
			got[Fingerprint(aws.ToString(m.Body), m.MessageAttributes)]++
			in.Entries = append(in.Entries, types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
		}
		res, err := c.DeleteMessageBatch(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range res.Failed {
			t.Fatalf("draining %s: delete %s failed: %s %s", q.Name, aws.ToString(f.Id), aws.ToString(f.Code), aws.ToString(f.Message))
		}
	}
}

// JournalPath is a fresh journal file's name.
func JournalPath(t testing.TB) string { return filepath.Join(t.TempDir(), "redrive.journal") }

// IsInputError reports bad input whose message contains contains.
func IsInputError(err error, contains string) bool {
	ie, ok := err.(*input.Error)
	return ok && strings.Contains(ie.Error(), contains)
}

// Pipeline is a test's local SQS endpoint with the orders queue and its
// DLQ, which holds dead letters.
type Pipeline struct {
	Ctx   context.Context
	Local *sqstest.Server
	C     *sqs.Client
	Src   awsops.Queue
	DLQ   awsops.Queue
	// Msgs are the dead letters in the DLQ, Want their fingerprints.
	Msgs []SeedMessage
	Want map[string]int
}

// NewPipeline starts the endpoint, makes the queues and sends n dead
// letters straight to the DLQ: they record no source queue.
func NewPipeline(t testing.TB, n int, fifo bool) *Pipeline {
	t.Helper()
	p := &Pipeline{Ctx: Ctx(t), Local: StartSQS(t)}
	p.C = awstest.SQS(p.Local.URL, nil)
	p.Src, p.DLQ = CreatePipelineQueues(t, p.Ctx, p.C, "orders", fifo)
	p.Msgs = DeadLetters(n, fifo)
	Seed(t, p.Ctx, p.C, p.DLQ, p.Msgs)
	p.Want = Fingerprints(p.Msgs)
	return p
}

// SeedDeadLetters puts n more dead letters in the DLQ the way SQS does,
// through the source queue, as a native redrive needs them.
func (p *Pipeline) SeedDeadLetters(t testing.TB, n int) {
	t.Helper()
	msgs := DeadLetters(n, p.Src.FIFO)
	SeedDeadLetters(t, p.Ctx, p.C, p.Src, p.DLQ, msgs)
	p.Msgs = append(p.Msgs, msgs...)
	for k, v := range Fingerprints(msgs) {
		p.Want[k] += v
	}
}

// DLQStats reads the DLQ's attributes.
func (p *Pipeline) DLQStats(t testing.TB) awsops.QueueStats {
	t.Helper()
	st, err := awsops.Stats(p.Ctx, p.C, "", p.DLQ.URL)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// CheckMovedOnce checks that the DLQ is empty and that the source queue
// holds every dead letter once, byte for byte (draining it).
func (p *Pipeline) CheckMovedOnce(t testing.TB) {
	t.Helper()
	if n := p.Local.Count(p.DLQ.Name); n != 0 {
		t.Fatalf("the DLQ still holds %d", n)
	}
	if diff := cmp.Diff(p.Want, Drain(t, p.Ctx, p.C, p.Src)); diff != "" {
		t.Fatalf("lost, altered or duplicated messages (-want +got):\n%s", diff)
	}
}

// Duplicates counts the copies beyond the first in drained fingerprints,
// and leaves one of each.
func Duplicates(got map[string]int) int {
	dups := 0
	for fp, n := range got {
		dups += n - 1
		got[fp] = 1
	}
	return dups
}
