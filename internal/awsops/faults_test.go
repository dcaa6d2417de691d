package awsops

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/yafdp/yafdp/internal/awsops/awsfault"
	"github.com/yafdp/yafdp/internal/awsops/awstest"
)

var batchOps = []string{"SendMessageBatch", "DeleteMessageBatch", "ReceiveMessage", "ChangeMessageVisibilityBatch"}

// Submit under failing calls and failing batch entries: every order is
// sent exactly once, with the MessageId the queue holds it under.
func TestSubmitUnderFaults(t *testing.T) {
	ctx := testCtx(t)
	local := startSQS(t)
	ft := awsfault.New(nil, 11)
	ft.Ops = []string{"SendMessageBatch"}
	ft.CallFailRate, ft.EntryFailRate = 0.2, 0.3
	c := awstest.SQS(local.URL, ft)
	src, _ := createPipelineQueues(t, ctx, c, "orders", false)
	os := orders(300)
	res, err := Submit(ctx, c, SubmitOptions{Queue: src, Orders: os, Concurrency: 4, Sleep: noSleep, MaxAttempts: 20})
	if err != nil {
		t.Fatal(err)
	}
	st := ft.Stats()
	t.Logf("injected: %d failed calls, %d failed entries; submit made %d calls, %d retries", st.FailedCalls, st.FailedEntries, res.Calls, res.Retries)
	if st.FailedCalls == 0 || st.FailedEntries == 0 {
		t.Fatal("no faults were injected")
	}
	if res.Sent != 300 || res.Failed != 0 {
		t.Fatalf("sent %d failed %d", res.Sent, res.Failed)
	}
	stored := local.Messages(src.Name)
	if len(stored) != 300 {
		t.Fatalf("the queue holds %d messages, want exactly 300", len(stored))
	}
	byID := map[string]string{}
	for _, m := range stored {
		byID[m.ID] = m.Body
	}
	for i, o := range res.Orders {
		if body, ok := byID[o.MessageID]; !ok || !strings.Contains(body, `"orderId":"`+os[i].OrderID+`"`) {
			t.Fatalf("order %s reported as %s, which the queue does not hold", o.OrderID, o.MessageID)
		}
	}
}

// When the answer to a SendMessageBatch is lost after SQS applied it, the
// caller cannot know: the order is sent again (at least once, never lost),
// and the saga's idempotency on orderId absorbs the duplicate.
func TestSubmitLostAnswersDuplicateNeverLose(t *testing.T) {
	ctx := testCtx(t)
	local := startSQS(t)
	ft := awsfault.New(nil, 5)
	ft.Ops = []string{"SendMessageBatch"}
	ft.LostResponseRate = 0.2
	c := awstest.SQS(local.URL, ft)
	src, _ := createPipelineQueues(t, ctx, c, "orders", false)
	res, err := Submit(ctx, c, SubmitOptions{Queue: src, Orders: orders(200), Concurrency: 4, Sleep: noSleep, MaxAttempts: 20})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != 200 {
		t.Fatalf("sent %d", res.Sent)
	}
	counts := map[string]int{}
	for _, m := range local.Messages(src.Name) {
		counts[m.Body]++
	}
	dups := 0
	for _, n := range counts {
		dups += n - 1
	}
	st := ft.Stats()
	t.Logf("%d answers lost (%d entries applied unseen), %d duplicates", st.LostResponses, st.LostSendEntries, dups)
	if len(counts) != 200 {
		t.Fatalf("%d distinct orders in the queue, want 200", len(counts))
	}
	if dups > st.LostSendEntries {
		t.Fatalf("%d duplicates, more than the %d entries whose answer was lost", dups, st.LostSendEntries)
	}
}

// A copy redrive while a share of every call and batch entry fails, and
// answers to receives and deletes are lost: zero messages lost, every
// attribute byte-identical, no duplicates (the journal catches a message
// whose delete was lost when it comes back).
func TestCopyRedriveUnderFaults(t *testing.T) {
	for _, fifo := range []bool{false, true} {
		t.Run(map[bool]string{false: "standard", true: "fifo"}[fifo], func(t *testing.T) {
			ctx := testCtx(t)
			local := startSQS(t)
			setup := awstest.SQS(local.URL, nil)
			src, dlq := createPipelineQueues(t, ctx, setup, "orders", fifo)
			msgs := deadLetters(200, fifo)
			seed(t, ctx, setup, dlq, msgs)
			want := fingerprints(msgs)
			ft := awsfault.New(nil, 23)
			ft.Ops = batchOps
			ft.LostOps = []string{"DeleteMessageBatch", "ReceiveMessage"}
			ft.CallFailRate, ft.EntryFailRate, ft.LostResponseRate = 0.15, 0.25, 0.1
			c := awstest.SQS(local.URL, ft)
			j, _, err := OpenJournal(journalPath(t), dlq.URL)
			if err != nil {
				t.Fatal(err)
			}
			rr, err := Redrive(ctx, c, RedriveOptions{Source: dlq, Strategy: StrategyCopy, Journal: j, Wait: -1, Visibility: time.Second,
				EmptyReceives: 3, Sleep: noSleep, MaxAttempts: 30, Now: func() time.Time { return time.Now().Add(time.Hour) }})
			if err != nil {
				t.Fatal(err)
			}
			j.Close(true)
			st := ft.Stats()
			t.Logf("injected: %d failed calls, %d failed entries, %d lost answers; moved %d (%d found moved by the journal)",
				st.FailedCalls, st.FailedEntries, st.LostResponses, rr.Moved, rr.AlreadyMoved)
			if st.FailedCalls == 0 || st.FailedEntries == 0 || st.LostResponses == 0 {
				t.Fatal("faults were not injected")
			}
			if rr.Failed != 0 || rr.Moved != 200 {
				t.Fatalf("%+v", rr)
			}
			if n := local.Count(dlq.Name); n != 0 {
				t.Fatalf("the DLQ still holds %d", n)
			}
			if diff := cmp.Diff(want, drain(t, ctx, setup, src)); diff != "" {
				t.Fatalf("lost, altered or duplicated messages (-want +got):\n%s", diff)
			}
		})
	}
}

// Lost SendMessageBatch answers are the one case a journal cannot settle:
// the copy may exist. Standard targets may get a duplicate per lost entry,
// never a loss; FIFO targets get none, thanks to the deduplication id.
func TestCopyRedriveLostSendAnswers(t *testing.T) {
	for _, fifo := range []bool{false, true} {
		t.Run(map[bool]string{false: "standard", true: "fifo"}[fifo], func(t *testing.T) {
			ctx := testCtx(t)
			local := startSQS(t)
			setup := awstest.SQS(local.URL, nil)
			src, dlq := createPipelineQueues(t, ctx, setup, "orders", fifo)
			msgs := deadLetters(120, fifo)
			seed(t, ctx, setup, dlq, msgs)
			ft := awsfault.New(nil, 3)
			ft.Ops = []string{"SendMessageBatch"}
			ft.LostResponseRate = 0.2
			c := awstest.SQS(local.URL, ft)
			j, _, err := OpenJournal(journalPath(t), dlq.URL)
			if err != nil {
				t.Fatal(err)
			}
			rr, err := Redrive(ctx, c, RedriveOptions{Source: dlq, Strategy: StrategyCopy, Journal: j, Wait: -1, Visibility: time.Second,
				Sleep: noSleep, MaxAttempts: 30, Now: func() time.Time { return time.Now().Add(time.Hour) }})
			if err != nil {
				t.Fatal(err)
			}
			j.Close(true)
			got := drain(t, ctx, setup, src)
			dups := 0
			for _, n := range got {
				dups += n - 1
			}
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
				ctx := testCtx(t)
				local := startSQS(t)
				c := awstest.SQS(local.URL, nil)
				src, dlq := createPipelineQueues(t, ctx, c, "orders", false)
				msgs := deadLetters(45, false)
				seed(t, ctx, c, dlq, msgs)
				want := fingerprints(msgs)
				path := journalPath(t)
				opts := RedriveOptions{Source: dlq, Strategy: StrategyCopy, Wait: -1, Visibility: time.Second, EmptyReceives: 2, Sleep: noSleep, Workers: 1}

				var seen atomic.Int64
				killed := opts
				killed.crash = func(s string) bool { return s == step && seen.Add(1) == nth }
				j, _, err := OpenJournal(path, dlq.URL)
				if err != nil {
					t.Fatal(err)
				}
				killed.Journal = j
				if _, err := Redrive(ctx, c, killed); err != errCrashed {
					t.Fatalf("the killed run returned %v", err)
				}
				j.f.Close() // the process is gone: no end record

				j, state, err := OpenJournal(path, dlq.URL)
				if err != nil {
					t.Fatal(err)
				}
				if !state.Unfinished {
					t.Fatal("the journal does not show the run unfinished")
				}
				opts.Journal = j
				rr, err := Redrive(ctx, c, opts)
				if err != nil {
					t.Fatal(err)
				}
				j.Close(true)
				got := drain(t, ctx, c, src)
				dups := 0
				for fp, n := range got {
					dups += n - 1
					got[fp] = 1
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("messages lost or altered (-want +got):\n%s", diff)
				}
				if n := local.Count(dlq.Name); n != 0 {
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
			})
		}
	}
}
