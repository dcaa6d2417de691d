package awsops

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/go-cmp/cmp"

	"github.com/yafdp/yafdp/internal/awsops/awstest"
)

func TestSubmitAndCopyRedriveOnLocalSQS(t *testing.T) {
	for _, fifo := range []bool{false, true} {
		name := "standard"
		if fifo {
			name = "fifo"
		}
		t.Run(name, func(t *testing.T) {
			ctx := testCtx(t)
			local := startSQS(t)
			c := awstest.SQS(local.URL, nil)
			src, dlq := createPipelineQueues(t, ctx, c, "orders", fifo)

			res, err := Submit(ctx, c, SubmitOptions{Queue: src, Orders: orders(25), Concurrency: 3, Sleep: noSleep})
			if err != nil {
				t.Fatal(err)
			}
			if res.Sent != 25 || res.Failed != 0 {
				t.Fatalf("sent %d failed %d", res.Sent, res.Failed)
			}
			stored := local.Messages(src.Name)
			if len(stored) != 25 {
				t.Fatalf("queue holds %d messages", len(stored))
			}
			for _, m := range stored {
				if fifo && (!strings.Contains(m.Body, `"customerId":"`+m.GroupID+`"`) || !strings.Contains(m.Body, `"orderId":"`+m.DedupID+`"`)) {
					t.Fatalf("FIFO ids: group %q dedup %q for %s", m.GroupID, m.DedupID, m.Body)
				}
				if m.Attributes[AttrSchemaVersion].StringValue != "1" || !strings.HasPrefix(m.Attributes[AttrTraceID].StringValue, "1-") {
					t.Fatalf("attributes %+v", m.Attributes)
				}
			}
			drain(t, ctx, c, src)

			msgs := deadLetters(12, fifo)
			seed(t, ctx, c, dlq, msgs)
			want := fingerprints(msgs)
			// FIFO: the dedup window of the original sends must be over.
			now := func() time.Time { return time.Now().Add(10 * time.Minute) }
			local.Clock.Skip(10 * time.Minute)
			j, _, err := OpenJournal(journalPath(t), dlq.URL)
			if err != nil {
				t.Fatal(err)
			}
			rr, err := Redrive(ctx, c, RedriveOptions{Source: dlq, Strategy: StrategyCopy, Journal: j, Wait: -1, EmptyReceives: 2, Sleep: noSleep, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			j.Close(true)
			if rr.Moved != 12 || rr.Failed != 0 || rr.Strategy != StrategyCopy {
				t.Fatalf("%+v", rr)
			}
			if local.Count(dlq.Name) != 0 {
				t.Fatalf("DLQ still holds %d", local.Count(dlq.Name))
			}
			got := drain(t, ctx, c, src)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("moved messages differ (-want +got):\n%s", diff)
			}
		})
	}
}

// A copy redrive while the consumer still fails: the copies it makes come
// back to the DLQ during the run. The run moves each message once, leaves
// the returned copies for later (as a native move task would), ends, and
// loses nothing. Before, it moved the same messages round and round for as
// long as the consumer kept failing.
func TestCopyRedriveLeavesMessagesThatComeBack(t *testing.T) {
	ctx := testCtx(t)
	local := startSQS(t)
	c := awstest.SQS(local.URL, nil)
	src, dlq := createPipelineQueues(t, ctx, c, "orders", false)
	msgs := deadLetters(30, false)
	seed(t, ctx, c, dlq, msgs)
	want := fingerprints(msgs)

	// The broken consumer: receives without deleting, with no visibility
	// timeout, so that each message reaches the DLQ after maxReceiveCount.
	bctx, stopBouncer := context.WithCancel(ctx)
	bounced := make(chan struct{})
	go func() {
		defer close(bounced)
		for bctx.Err() == nil {
			out, err := c.ReceiveMessage(bctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(src.URL), MaxNumberOfMessages: 10, VisibilityTimeout: 1})
			if err != nil || len(out.Messages) == 0 {
				time.Sleep(time.Millisecond)
				continue
			}
			in := &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(src.URL)}
			for i, m := range out.Messages {
				in.Entries = append(in.Entries, types.ChangeMessageVisibilityBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
			}
			_, _ = c.ChangeMessageVisibilityBatch(bctx, in)
		}
	}()
	defer func() { stopBouncer(); <-bounced }()

	j, _, err := OpenJournal(journalPath(t), dlq.URL)
	if err != nil {
		t.Fatal(err)
	}
	first := true
	rr, err := Redrive(ctx, c, RedriveOptions{Source: dlq, Strategy: StrategyCopy, Journal: j, Wait: -1, EmptyReceives: 2, Workers: 1,
		Sleep: noSleep, Progress: func(RedriveProgress) {
			if !first {
				return
			}
			// Let the first batch's copies fail back into the DLQ before
			// the run goes on, so that it must meet them.
			first = false
			deadline := time.Now().Add(20 * time.Second)
			for local.Count(src.Name) > 0 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	j.Close(true)
	stopBouncer()
	<-bounced
	if rr.Moved != 30 || rr.ArrivedDuringRun < 10 || rr.Failed != 0 {
		t.Fatalf("moved %d, left %d as arrived during the run, failed %d; want 30 moved once each and at least the first batch's 10 copies left",
			rr.Moved, rr.ArrivedDuringRun, rr.Failed)
	}
	// Every message is in one of the two queues, once.
	got := drain(t, ctx, c, src)
	for k, n := range drain(t, ctx, c, dlq) {
		got[k] += n
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("lost or duplicated messages (-want +got):\n%s", diff)
	}
}
