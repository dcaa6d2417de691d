package redrive

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/awstest"
	awsdlq "github.com/yafdp/yafdp/internal/awsops/dlq"
	"github.com/yafdp/yafdp/internal/awsops/mototest"
	"github.com/yafdp/yafdp/internal/awsops/opstest"
	"github.com/yafdp/yafdp/internal/awsops/submit"
)

// Against moto: submit, peek, list and a copy redrive (moto has no
// StartMessageMoveTask, so auto must fall back to copy), with every
// attribute kept byte for byte.
func TestMotoQueues(t *testing.T) {
	moto := mototest.Start(t)
	ctx := opstest.Ctx(t)
	c := awstest.SQS(moto.URL, nil)
	src, dlq := opstest.CreatePipelineQueues(t, ctx, c, "orders", false)

	// A name resolves through GetQueueUrl; a missing one is bad input.
	ref, _ := awsops.ParseQueueRef("queue", "orders")
	q, err := awsops.ResolveQueue(ctx, c, "queue", ref)
	if err != nil || q.URL != src.URL {
		t.Fatalf("ResolveQueue(orders) = %+v, %v", q, err)
	}
	ref, _ = awsops.ParseQueueRef("queue", "nope")
	if _, err := awsops.ResolveQueue(ctx, c, "queue", ref); !opstest.IsInputError(err, "does not exist") {
		t.Fatalf("missing queue: %v", err)
	}

	p, err := submit.NewPlan(src, opstest.Orders(20))
	if err != nil {
		t.Fatal(err)
	}
	res := submit.Submit(ctx, c, src.URL, p, submit.Options{Concurrency: 2})
	if res.Sent != 20 || res.Failed != 0 {
		t.Fatalf("sent %d failed %d: %+v", res.Sent, res.Failed, res.Orders)
	}
	for _, o := range res.Orders {
		if o.MessageID == "" || o.Status != submit.StatusSent {
			t.Fatalf("order without MessageId: %+v", o)
		}
	}
	got := opstest.Drain(t, ctx, c, src)
	if len(got) != 20 {
		t.Fatalf("the queue held %d distinct messages, want 20", len(got))
	}
	for fp := range got {
		if !strings.Contains(fp, "|schemaVersion:String=1/") || !strings.Contains(fp, "|traceId:String=1-") {
			t.Fatalf("message attributes lost: %s", fp)
		}
	}

	msgs := opstest.DeadLetters(15, false)
	opstest.Seed(t, ctx, c, dlq, msgs)
	want := opstest.Fingerprints(msgs)

	// dlq list finds the DLQ and its source.
	dl, err := awsdlq.List(ctx, c, nil, awsdlq.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(dl) != 1 || dl[0].Name != dlq.Name || dl[0].Visible != 15 || len(dl[0].Sources) != 1 || dl[0].Sources[0].Name != "orders" || dl[0].Sources[0].MaxReceiveCount != 3 {
		t.Fatalf("ListDLQs = %+v", dl)
	}

	// peek shows messages and leaves them where they are.
	pk, err := awsdlq.Peek(ctx, c, awsdlq.PeekOptions{Queue: dlq, Max: 5, Hold: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if len(pk.Messages) != 5 || pk.Released != 5 || pk.OwnRedrivePolicy != "" {
		t.Fatalf("peek: %d messages, %d released, policy %q", len(pk.Messages), pk.Released, pk.OwnRedrivePolicy)
	}
	if st, _ := awsops.Stats(ctx, c, "", dlq.URL); st.Visible != 15 || st.InFlight != 0 {
		t.Fatalf("after peek the DLQ shows %d visible, %d in flight", st.Visible, st.InFlight)
	}

	mp := &opstest.Pipeline{Ctx: ctx, C: c, Src: src, DLQ: dlq}
	j := openJournal(t, opstest.JournalPath(t), mp)
	rr := run(t, mp, c, Options{Strategy: StrategyAuto, Journal: j, Wait: time.Second, EmptyReceives: 2, Sleep: awsops.SleepContext})
	j.Close(true)
	// A receive can hand the same message to two workers (SQS is at least
	// once, and moto 5.2.1 does it now and then under concurrent receives);
	// the journal catches the second and counts it as a possible duplicate.
	if rr.Strategy != StrategyCopy || rr.Moved != 15+rr.PossibleDuplicates || rr.Failed != 0 || len(rr.Targets) != 1 || rr.Targets[0] != "orders" {
		t.Fatalf("redrive: %+v", rr)
	}
	if !strings.Contains(fmt.Sprint(rr.Notes), "no StartMessageMoveTask") {
		t.Fatalf("notes %v", rr.Notes)
	}
	if st, _ := awsops.Stats(ctx, c, "", dlq.URL); st.Visible != 0 || st.InFlight != 0 {
		t.Fatalf("the DLQ still shows %d visible, %d in flight", st.Visible, st.InFlight)
	}
	got = opstest.Drain(t, ctx, c, src)
	extra := opstest.Duplicates(got)
	if diff := cmp.Diff(want, got); diff != "" || extra > rr.PossibleDuplicates {
		t.Fatalf("redriven messages differ (-want +got), %d extra copies for %d possible duplicates:\n%s", extra, rr.PossibleDuplicates, diff)
	}

	// native is refused plainly on moto.
	_, err = Redrive(ctx, c, Options{Source: dlq, Strategy: StrategyNative})
	if !opstest.IsInputError(err, "no StartMessageMoveTask") {
		t.Fatalf("native on moto: %v", err)
	}
}

// A FIFO redrive within five minutes of the original sends would be
// dropped by the queue's deduplication: yafdp leaves those messages in the
// DLQ and says why, rather than "moving" them into nothing.
func TestMotoFIFODeduplicationWindow(t *testing.T) {
	moto := mototest.Start(t)
	ctx := opstest.Ctx(t)
	c := awstest.SQS(moto.URL, nil)
	_, dlq := opstest.CreatePipelineQueues(t, ctx, c, "orders", true)
	msgs := opstest.DeadLetters(4, true)
	opstest.Seed(t, ctx, c, dlq, msgs)
	rr := runCopy(t, &opstest.Pipeline{Ctx: ctx, C: c, DLQ: dlq}, c, Options{Wait: time.Second, EmptyReceives: 2, Visibility: 30 * time.Second, Sleep: awsops.SleepContext})
	if rr.Moved != 0 || rr.Failed != 4 || !strings.Contains(rr.Failures[0].Reason.String(), "would drop it as a duplicate") {
		t.Fatalf("%+v", rr)
	}
	if st, _ := awsops.Stats(ctx, c, "", dlq.URL); st.Visible != 4 {
		t.Fatalf("the DLQ shows %d visible, want all 4 back", st.Visible)
	}
}
