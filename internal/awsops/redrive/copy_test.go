package redrive

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/go-cmp/cmp"

	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/awsops/opstest"
)

// A copy redrive on a standard and a FIFO queue moves every message, with
// every attribute byte for byte, and leaves the DLQ empty.
func TestCopyRedriveOnLocalSQS(t *testing.T) {
	for _, fifo := range []bool{false, true} {
		name := "standard"
		if fifo {
			name = "fifo"
		}
		t.Run(name, func(t *testing.T) {
			ctx := opstest.Ctx(t)
			local := opstest.StartSQS(t)
			c := awstest.SQS(local.URL, nil)
			src, dlq := opstest.CreatePipelineQueues(t, ctx, c, "orders", fifo)

			msgs := opstest.DeadLetters(12, fifo)
			opstest.Seed(t, ctx, c, dlq, msgs)
			want := opstest.Fingerprints(msgs)
			// FIFO: the dedup window of the original sends must be over.
			now := func() time.Time { return time.Now().Add(10 * time.Minute) }
			local.Clock.Skip(10 * time.Minute)
			j, _, err := OpenJournal(opstest.JournalPath(t), dlq.URL)
			if err != nil {
				t.Fatal(err)
			}
			rr, err := Redrive(ctx, c, Options{Source: dlq, Strategy: StrategyCopy, Journal: j, Wait: -1, EmptyReceives: 2, Sleep: opstest.NoSleep, Now: now})
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
			got := opstest.Drain(t, ctx, c, src)
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
	ctx := opstest.Ctx(t)
	local := opstest.StartSQS(t)
	c := awstest.SQS(local.URL, nil)
	src, dlq := opstest.CreatePipelineQueues(t, ctx, c, "orders", false)
	msgs := opstest.DeadLetters(30, false)
	opstest.Seed(t, ctx, c, dlq, msgs)
	want := opstest.Fingerprints(msgs)

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

	j, _, err := OpenJournal(opstest.JournalPath(t), dlq.URL)
	if err != nil {
		t.Fatal(err)
	}
	first := true
	rr, err := Redrive(ctx, c, Options{Source: dlq, Strategy: StrategyCopy, Journal: j, Wait: -1, EmptyReceives: 2, Workers: 1,
		Sleep: opstest.NoSleep, Progress: func(Progress) {
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
	got := opstest.Drain(t, ctx, c, src)
	for k, n := range opstest.Drain(t, ctx, c, dlq) {
		got[k] += n
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("lost or duplicated messages (-want +got):\n%s", diff)
	}
}
