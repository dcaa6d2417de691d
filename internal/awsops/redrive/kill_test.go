package redrive

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/rate"

	"github.com/google/go-cmp/cmp"

	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/awsops/batch"
	"github.com/yafdp/yafdp/internal/awsops/opstest"
)

// TestMain runs the redrive child process when asked to: the kill test
// starts this test binary as a separate process and kills it.
func TestMain(m *testing.M) {
	if os.Getenv("YAFDP_REDRIVE_CHILD") == "1" {
		os.Exit(redriveChild())
	}
	os.Exit(m.Run())
}

func redriveChild() int {
	endpoint, dlqURL, path := os.Getenv("YAFDP_ENDPOINT"), os.Getenv("YAFDP_DLQ"), os.Getenv("YAFDP_JOURNAL")
	ctx := context.Background()
	c := awstest.SQS(endpoint, nil)
	j, _, err := OpenJournal(path, dlqURL)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	limit, _ := rate.ParseLimit("400/s")
	_, err = Redrive(ctx, c, Options{Source: awsops.QueueAt(dlqURL), Strategy: StrategyCopy, Journal: j,
		Wait: -1, Visibility: time.Second, EmptyReceives: 2, Rate: limit, Workers: 4})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 4
	}
	if err := j.Close(true); err != nil {
		return 5
	}
	return 0
}

// A real redrive process killed with SIGKILL at random moments, again and
// again, then left to finish: every message arrives, byte-identical; the
// duplicates are at most the messages whose send was in flight at a kill,
// and no more than the resumed runs reported as possible duplicates.
func TestRedriveProcessKilledAndResumed(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	p := opstest.NewPipeline(t, 400, false)
	ctx, local, c, src, dlq, want := p.Ctx, p.Local, p.C, p.Src, p.DLQ, p.Want
	path := opstest.JournalPath(t)
	rng := rand.New(rand.NewPCG(99, 1))
	kills := 0
	for run := 0; ; run++ {
		if run > 60 {
			t.Fatal("the redrive never finished")
		}
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "YAFDP_REDRIVE_CHILD=1", "YAFDP_ENDPOINT="+local.URL, "YAFDP_DLQ="+dlq.URL, "YAFDP_JOURNAL="+path)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		if kills < 8 {
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("run %d: %v", run, err)
				}
				goto finished
			case <-time.After(time.Duration(50+rng.IntN(400)) * time.Millisecond):
				_ = cmd.Process.Kill() // SIGKILL: no deferred code, no clean-up
				<-done
				kills++
				continue
			}
		}
		if err := <-done; err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		goto finished
	}
finished:
	got := opstest.Drain(t, ctx, c, src)
	dups := 0
	for fp, n := range got {
		dups += n - 1
		got[fp] = 1
	}
	j, st, err := OpenJournal(path, dlq.URL)
	if err != nil {
		t.Fatal(err)
	}
	j.Close(false)
	t.Logf("%d kills; %d runs recorded in the journal; %d duplicates in the target", kills, st.Runs, dups)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("messages lost or altered (-want +got):\n%s", diff)
	}
	if n := local.Count(dlq.Name); n != 0 {
		t.Fatalf("the DLQ still holds %d", n)
	}
	// At most one batch of ten per worker can be in flight at a kill.
	if dups > kills*4*batch.MaxEntries {
		t.Fatalf("%d duplicates after %d kills", dups, kills)
	}
}
