package awsops

import (
	"context"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/rate"

	"github.com/google/go-cmp/cmp"

	"github.com/yafdp/yafdp/internal/awsops/awstest"
)

// Ctrl-C during a copy redrive: the batch in flight finishes, what the run
// held back is made visible again, the result says Interrupted, and the
// same command run again finishes the job with nothing lost or doubled.
func TestCopyRedriveInterruptedAndResumed(t *testing.T) {
	ctx := testCtx(t)
	local := startSQS(t)
	c := awstest.SQS(local.URL, nil)
	src, dlq := createPipelineQueues(t, ctx, c, "orders", false)
	msgs := deadLetters(60, false)
	seed(t, ctx, c, dlq, msgs)
	want := fingerprints(msgs)
	path := journalPath(t)
	f, _ := ParseFilter(`body.currency != "GBP"`)
	runCtx, cancel := context.WithCancel(ctx)
	j, _, _ := OpenJournal(path, dlq.URL)
	res, err := Redrive(runCtx, c, RedriveOptions{Source: dlq, Strategy: StrategyCopy, Journal: j, Wait: -1, Workers: 1, Sleep: noSleep, Filter: f,
		Progress: func(p RedriveProgress) {
			if p.Moved >= 10 {
				cancel()
			}
		}})
	j.Close(false)
	if err != context.Canceled || !res.Interrupted || res.Moved < 10 || res.Moved >= 60 {
		t.Fatalf("err %v, %+v", err, res)
	}
	if st, _ := Stats(ctx, c, dlq.URL); st.InFlight != 0 {
		t.Fatalf("%d messages left hidden after the interruption", st.InFlight)
	}
	j, st, _ := OpenJournal(path, dlq.URL)
	if st.Sent != res.Moved {
		t.Fatalf("journal has %d sent, run moved %d", st.Sent, res.Moved)
	}
	res2, err := Redrive(ctx, c, RedriveOptions{Source: dlq, Strategy: StrategyCopy, Journal: j, Wait: -1, Sleep: noSleep})
	j.Close(true)
	if err != nil || res2.PossibleDuplicates != 0 {
		t.Fatalf("%v %+v", err, res2)
	}
	if diff := cmp.Diff(want, drain(t, ctx, c, src)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

// Ctrl-C during a submission: calls in flight finish, the orders not yet
// sent are listed as such, and nothing is reported sent that was not.
func TestSubmitInterrupted(t *testing.T) {
	ctx := testCtx(t)
	local := startSQS(t)
	c := awstest.SQS(local.URL, nil)
	src, _ := createPipelineQueues(t, ctx, c, "orders", false)
	runCtx, cancel := context.WithCancel(ctx)
	limit, _ := rate.ParseLimit("200/s")
	go func() { time.Sleep(300 * time.Millisecond); cancel() }()
	res, err := Submit(runCtx, c, SubmitOptions{Queue: src, Orders: orders(400), Concurrency: 2, Rate: limit})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent == 0 || res.Failed == 0 || res.Sent+res.Failed != 400 {
		t.Fatalf("sent %d failed %d", res.Sent, res.Failed)
	}
	if n := local.Count(src.Name); n != res.Sent {
		t.Fatalf("queue holds %d, %d reported sent", n, res.Sent)
	}
	for _, o := range res.Orders {
		if o.Status == StatusFailed && o.Error != "not sent: interrupted" {
			t.Fatalf("%+v", o)
		}
	}
}
