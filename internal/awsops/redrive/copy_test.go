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

	"github.com/yafdp/yafdp/internal/awsops/opstest"
)

// A copy redrive on a standard and a FIFO queue moves every message, with
// every attribute byte for byte, and leaves the DLQ empty.
func TestCopyRedriveOnLocalSQS(t *testing.T) {
	for _, fifo := range []bool{false, true} {
		t.Run(map[bool]string{false: "standard", true: "fifo"}[fifo], func(t *testing.T) {
			p := opstest.NewPipeline(t, 12, fifo)
			// FIFO: the dedup window of the original sends must be over.
			p.Local.Clock.Skip(10 * time.Minute)
			rr := runCopy(t, p, p.C, Options{Wait: -1, EmptyReceives: 2, Now: func() time.Time { return time.Now().Add(10 * time.Minute) }})
			if rr.Moved != 12 || rr.Failed != 0 || rr.Strategy != StrategyCopy {
				t.Fatalf("%+v", rr)
			}
			p.CheckMovedOnce(t)
		})
	}
}

// A copy redrive while the consumer still fails: the copies it makes come
// back to the DLQ during the run. The run moves each message once, leaves
// the returned copies for later (as a native move task would), ends, and
// loses nothing. Before, it moved the same messages round and round for as
// long as the consumer kept failing.
func TestCopyRedriveLeavesMessagesThatComeBack(t *testing.T) {
	p := opstest.NewPipeline(t, 30, false)
	stopBouncer := bounce(p)
	defer stopBouncer()
	first := true
	rr := runCopy(t, p, p.C, Options{Wait: -1, EmptyReceives: 2, Workers: 1, Progress: func(Progress) {
		if !first {
			return
		}
		// Let the first batch's copies fail back into the DLQ before the
		// run goes on, so that it must meet them.
		first = false
		deadline := time.Now().Add(20 * time.Second)
		for p.Local.Count(p.Src.Name) > 0 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
	}})
	stopBouncer()
	if rr.Moved != 30 || rr.ArrivedDuringRun < 10 || rr.Failed != 0 {
		t.Fatalf("moved %d, left %d as arrived during the run, failed %d; want 30 moved once each and at least the first batch's 10 copies left",
			rr.Moved, rr.ArrivedDuringRun, rr.Failed)
	}
	// Every message is in one of the two queues, once.
	got := opstest.Drain(t, p.Ctx, p.C, p.Src)
	for k, n := range opstest.Drain(t, p.Ctx, p.C, p.DLQ) {
		got[k] += n
	}
	if diff := cmp.Diff(p.Want, got); diff != "" {
		t.Fatalf("lost or duplicated messages (-want +got):\n%s", diff)
	}
}

// bounce is a broken consumer of p's source queue: it receives without
// deleting, with no visibility timeout, so that each message reaches the
// DLQ after maxReceiveCount. The function returned stops it (again is
// fine).
func bounce(p *opstest.Pipeline) (stop func()) {
	ctx, cancel := context.WithCancel(p.Ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			out, err := p.C.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(p.Src.URL), MaxNumberOfMessages: 10, VisibilityTimeout: 1})
			if err != nil || len(out.Messages) == 0 {
				time.Sleep(time.Millisecond)
				continue
			}
			in := &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(p.Src.URL)}
			for i, m := range out.Messages {
				in.Entries = append(in.Entries, types.ChangeMessageVisibilityBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
			}
			_, _ = p.C.ChangeMessageVisibilityBatch(ctx, in)
		}
	}()
	return func() { cancel(); <-done }
}
