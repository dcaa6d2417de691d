package redrive

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/yafdp/yafdp/internal/awsops/filter"
	"github.com/yafdp/yafdp/internal/awsops/opstest"
)

// Ctrl-C during a copy redrive: the batch in flight finishes, what the run
// held back is made visible again, the result says Interrupted, and the
// same command run again finishes the job with nothing lost or doubled.
func TestCopyRedriveInterruptedAndResumed(t *testing.T) {
	p := opstest.NewPipeline(t, 60, false)
	path := opstest.JournalPath(t)
	f, _ := filter.Parse(`body.currency != "GBP"`)
	runCtx, cancel := context.WithCancel(p.Ctx)
	j := openJournal(t, path, p)
	res, err := Redrive(runCtx, p.C, Options{Source: p.DLQ, Strategy: StrategyCopy, Journal: j, Wait: -1, Workers: 1, Sleep: opstest.NoSleep, Filter: f,
		Progress: func(pr Progress) {
			if pr.Moved >= 10 {
				cancel()
			}
		}})
	j.Close(false)
	if err != context.Canceled || !res.Interrupted || res.Moved < 10 || res.Moved >= 60 {
		t.Fatalf("err %v, %+v", err, res)
	}
	if st := p.DLQStats(t); st.InFlight != 0 {
		t.Fatalf("%d messages left hidden after the interruption", st.InFlight)
	}
	j, st, _ := OpenJournal(path, p.DLQ.URL)
	if st.Sent != res.Moved {
		t.Fatalf("journal has %d sent, run moved %d", st.Sent, res.Moved)
	}
	res2 := run(t, p, p.C, Options{Strategy: StrategyCopy, Journal: j, Wait: -1})
	j.Close(true)
	if res2.PossibleDuplicates != 0 {
		t.Fatalf("%+v", res2)
	}
	if diff := cmp.Diff(p.Want, opstest.Drain(t, p.Ctx, p.C, p.Src)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}
