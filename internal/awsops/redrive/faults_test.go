package redrive

import (
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/yafdp/yafdp/internal/awsops/awsfault"
	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/awsops/opstest"
)

var batchOps = []string{"SendMessageBatch", "DeleteMessageBatch", "ReceiveMessage", "ChangeMessageVisibilityBatch"}

// A copy redrive while a share of every call and batch entry fails, and
// answers to receives and deletes are lost: zero messages lost, every
// attribute byte-identical, no duplicates (the journal catches a message
// whose delete was lost when it comes back).
func TestCopyRedriveUnderFaults(t *testing.T) {
	for _, fifo := range []bool{false, true} {
		t.Run(map[bool]string{false: "standard", true: "fifo"}[fifo], func(t *testing.T) {
			p := opstest.NewPipeline(t, 200, fifo)
			ft := awsfault.New(nil, 23)
			ft.Ops = batchOps
			ft.LostOps = []string{"DeleteMessageBatch", "ReceiveMessage"}
			ft.CallFailRate, ft.EntryFailRate, ft.LostResponseRate = 0.15, 0.25, 0.1
			rr := runCopy(t, p, awstest.SQS(p.Local.URL, ft), Options{Wait: -1, Visibility: time.Second, EmptyReceives: 3, MaxAttempts: 30, Now: inAnHour})
			st := ft.Stats()
			t.Logf("injected: %d failed calls, %d failed entries, %d lost answers; moved %d (%d found moved by the journal)",
				st.FailedCalls, st.FailedEntries, st.LostResponses, rr.Moved, rr.AlreadyMoved)
			if st.FailedCalls == 0 || st.FailedEntries == 0 || st.LostResponses == 0 {
				t.Fatal("faults were not injected")
			}
			if rr.Failed != 0 || rr.Moved != 200 {
				t.Fatalf("%+v", rr)
			}
			p.CheckMovedOnce(t)
		})
	}
}

// inAnHour is a clock past FIFO's deduplication window.
func inAnHour() time.Time { return time.Now().Add(time.Hour) }

// Lost SendMessageBatch answers are the one case a journal cannot settle:
// the copy may exist. Standard targets may get a duplicate per lost entry,
// never a loss; FIFO targets get none, thanks to the deduplication id.
func TestCopyRedriveLostSendAnswers(t *testing.T) {
	for _, fifo := range []bool{false, true} {
		t.Run(map[bool]string{false: "standard", true: "fifo"}[fifo], func(t *testing.T) {
			p := opstest.NewPipeline(t, 120, fifo)
			ft := awsfault.New(nil, 3)
			ft.Ops = []string{"SendMessageBatch"}
			ft.LostResponseRate = 0.2
			rr := runCopy(t, p, awstest.SQS(p.Local.URL, ft), Options{Wait: -1, Visibility: time.Second, MaxAttempts: 30, Now: inAnHour})
			got := opstest.Drain(t, p.Ctx, p.C, p.Src)
			dups := opstest.Duplicates(got)
			st := ft.Stats()
			t.Logf("%d answers lost (%d entries applied unseen): %d duplicates", st.LostResponses, st.LostSendEntries, dups)
			if len(got) != 120 || rr.Moved != 120 {
				t.Fatalf("%d distinct messages arrived, %d moved; want 120", len(got), rr.Moved)
			}
			if st.LostSendEntries == 0 {
				t.Fatal("no answer was lost")
			}
			if fifo && dups != 0 || dups > st.LostSendEntries {
				t.Fatalf("%d duplicates", dups)
			}
		})
	}
}

// A copy redrive killed at every step boundary (before anything is
// released or recorded) and resumed from its journal: nothing is lost, and
// the only duplicates are messages whose send had completed when the
// process died but was not yet journaled, which the resumed run counts as
// possible duplicates.
func TestCopyRedriveKilledAtEveryStep(t *testing.T) {
	for _, step := range []string{"received", "intended", "sent", "journaled", "deleted"} {
		for _, nth := range []int64{1, 3} {
			t.Run(fmt.Sprintf("%s#%d", step, nth), func(t *testing.T) {
				p := opstest.NewPipeline(t, 45, false)
				path := opstest.JournalPath(t)
				opts := Options{Source: p.DLQ, Strategy: StrategyCopy, Wait: -1, Visibility: time.Second, EmptyReceives: 2, Sleep: opstest.NoSleep, Workers: 1}

				k := &kill{step: step, nth: nth}
				j := openJournal(t, path, p)
				killed := opts
				killed.Journal = killJournal{j, k}
				if _, err := Redrive(p.Ctx, awstest.SQS(p.Local.URL, k), killed); err == nil || !k.dead.Load() {
					t.Fatalf("the run was not killed at %s: %v", step, err)
				}
				j.f.Close() // the process is gone: no end record

				j, state, err := OpenJournal(path, p.DLQ.URL)
				if err != nil {
					t.Fatal(err)
				}
				if !state.Unfinished {
					t.Fatal("the journal does not show the run unfinished")
				}
				opts.Journal = j
				rr := run(t, p, p.C, opts)
				j.Close(true)
				checkResumed(t, p, step, rr)
			})
		}
	}
}

// checkResumed checks that a run resumed after a kill at step lost
// nothing and doubled only what the kill left uncertain.
func checkResumed(t *testing.T, p *opstest.Pipeline, step string, rr *Result) {
	t.Helper()
	got := opstest.Drain(t, p.Ctx, p.C, p.Src)
	dups := opstest.Duplicates(got)
	if diff := cmp.Diff(p.Want, got); diff != "" {
		t.Fatalf("messages lost or altered (-want +got):\n%s", diff)
	}
	if n := p.Local.Count(p.DLQ.Name); n != 0 {
		t.Fatalf("the DLQ still holds %d", n)
	}
	switch step {
	case "sent":
		if dups == 0 || dups != rr.PossibleDuplicates {
			t.Fatalf("%d duplicates, %d possible duplicates reported", dups, rr.PossibleDuplicates)
		}
	case "intended":
		if dups != 0 || rr.PossibleDuplicates == 0 {
			t.Fatalf("%d duplicates, %d possible duplicates reported", dups, rr.PossibleDuplicates)
		}
	default:
		if dups != 0 {
			t.Fatalf("%d duplicates after a kill at %s", dups, step)
		}
	}
	if step == "journaled" && rr.AlreadyMoved == 0 {
		t.Fatalf("the resumed run did not use the journal: %+v", rr)
	}
}

// kill stops a copy run dead at a step, as if its process were killed
// there: from then on no call of the run reaches SQS and nothing more
// reaches its journal. The hooks are in the journal (intended, sent,
// journaled, deleted) and the SQS transport (received) that the test hands
// the run; the run itself has none.
type kill struct {
	step string
	nth  int64
	seen atomic.Int64
	dead atomic.Bool
}

var errKilled = errors.New("killed")

// at reports whether the run is dead once it reaches step.
func (k *kill) at(step string) bool {
	if step == k.step && k.seen.Add(1) == k.nth {
		k.dead.Store(true)
	}
	return k.dead.Load()
}

// RoundTrip makes the run's SQS calls: a receive is the step "received".
func (k *kill) RoundTrip(r *http.Request) (*http.Response, error) {
	if k.dead.Load() {
		return nil, errKilled
	}
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil && r.Header.Get("X-Amz-Target") == "AmazonSQS.ReceiveMessage" && k.at("received") {
		resp.Body.Close() // received, and never seen
		return nil, errKilled
	}
	return resp, err
}

// killJournal is the run's journal with the kill's hooks.
type killJournal struct {
	*JournalFile
	k *kill
}

func (j killJournal) Intend(ids []string) error {
	if j.k.dead.Load() {
		return errKilled
	}
	if err := j.JournalFile.Intend(ids); err != nil {
		return err
	}
	if j.k.at("intended") {
		return errKilled
	}
	return nil
}

func (j killJournal) Sent(ids, to []string) error {
	if j.k.at("sent") { // sent, not yet journaled
		return errKilled
	}
	if err := j.JournalFile.Sent(ids, to); err != nil {
		return err
	}
	if j.k.at("journaled") {
		return errKilled
	}
	return nil
}

func (j killJournal) Deleted(ids []string) error {
	if j.k.at("deleted") { // deleted, not yet journaled
		return errKilled
	}
	return j.JournalFile.Deleted(ids)
}
