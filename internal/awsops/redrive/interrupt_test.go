package redrive

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/awsops/filter"
	"github.com/yafdp/yafdp/internal/awsops/opstest"
)

// Ctrl-C during a copy redrive: the batch in flight finishes, what the run
// held back is made visible again, the result says Interrupted, and the
// same command run again finishes the job with nothing lost or doubled.
func TestCopyRedriveInterruptedAndResumed(t *testing.T) {
	ctx := opstest.Ctx(t)
	local := opstest.StartSQS(t)
	c := awstest.SQS(local.URL, nil)
	src, dlq := opstest.CreatePipelineQueues(t, ctx, c, "orders", false)
	msgs := opstest.DeadLetters(60, false)
	opstest.Seed(t, ctx, c, dlq, msgs)
	want := opstest.Fingerprints(msgs)
	path := opstest.JournalPath(t)
	f, _ := filter.Parse(`body.currency != "GBP"`)
	runCtx, cancel := context.WithCancel(ctx)
	j, _, _ := OpenJournal(path, dlq.URL)
	res, err := Redrive(runCtx, c, Options{Source: dlq, Strategy: StrategyCopy, Journal: j, Wait: -1, Workers: 1, Sleep: opstest.NoSleep, Filter: f,
		Progress: func(p Progress) {
			if p.Moved >= 10 {
				cancel()
			}
		}})
	j.Close(false)
	if err != context.Canceled || !res.Interrupted || res.Moved < 10 || res.Moved >= 60 {
		t.Fatalf("err %v, %+v", err, res)
	}
	if st, _ := awsops.Stats(ctx, c, "", dlq.URL); st.InFlight != 0 {
		t.Fatalf("%d messages left hidden after the interruption", st.InFlight)
	}
	j, st, _ := OpenJournal(path, dlq.URL)
	if st.Sent != res.Moved {
		t.Fatalf("journal has %d sent, run moved %d", st.Sent, res.Moved)
	}
	res2, err := Redrive(ctx, c, Options{Source: dlq, Strategy: StrategyCopy, Journal: j, Wait: -1, Sleep: opstest.NoSleep})
	j.Close(true)
	if err != nil || res2.PossibleDuplicates != 0 {
		t.Fatalf("%v %+v", err, res2)
	}
	if diff := cmp.Diff(want, opstest.Drain(t, ctx, c, src)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}
