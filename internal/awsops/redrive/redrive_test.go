package redrive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/awsops/filter"
	"github.com/yafdp/yafdp/internal/awsops/opstest"
	"github.com/yafdp/yafdp/internal/rate"
)

func TestJournalSurvivesATornLine(t *testing.T) {
	path := opstest.JournalPath(t)
	j, st, err := OpenJournal(path, "http://q/dlq")
	if err != nil || st.Runs != 0 {
		t.Fatal(err, st)
	}
	j.Intend([]string{"a", "b", "c"})
	j.Sent([]string{"a", "b"}, []string{"A", "B"})
	j.Deleted([]string{"a"})
	j.Close(false)
	// Killed mid-write: a torn last line.
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"k":"sent","ids":["c"],"to":[`)
	f.Close()

	j, st, err = OpenJournal(path, "http://q/dlq")
	if err != nil {
		t.Fatal(err)
	}
	if st.Runs != 1 || st.Sent != 2 || st.Uncertain != 1 || !st.Unfinished {
		t.Fatalf("%+v", st)
	}
	if to, sent, _ := j.Lookup("b"); !sent || to != "B" {
		t.Fatal("b is not known sent")
	}
	if _, sent, unsure := j.Lookup("c"); sent || !unsure {
		t.Fatal("c must be uncertain: its sent record was torn")
	}
	j.Close(true)
	if _, _, err := OpenJournal(path, "http://q/other"); !opstest.IsInputError(err, "records a redrive of http://q/dlq") {
		t.Fatalf("another queue's journal: %v", err)
	}
	os.WriteFile(path, []byte("garbage\n"), 0o600)
	if _, _, err := OpenJournal(path, "http://q/dlq"); !opstest.IsInputError(err, "is not a journal record") {
		t.Fatalf("garbage: %v", err)
	}
	os.WriteFile(path, []byte(strings.Repeat("x", 2<<20)+"\n"), 0o600)
	if _, _, err := OpenJournal(path, "http://q/dlq"); !opstest.IsInputError(err, "has a line longer than 1 MiB") {
		t.Fatalf("a huge line: %v", err)
	}
}

// A journal is read a line at a time, and only from a regular file: a
// wrong path must not fill memory.
func TestJournalIsAFile(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	if _, _, err := OpenJournal("/dev/zero", "http://q/dlq"); !opstest.IsInputError(err, "/dev/zero is not a regular file") {
		t.Fatalf("/dev/zero: %v", err)
	}
}

func TestNativeRedriveOnLocalSQS(t *testing.T) {
	p := opstest.NewPipeline(t, 0, false)
	p.SeedDeadLetters(t, 30)
	rr := run(t, p, p.C, Options{Strategy: StrategyAuto})
	if rr.Strategy != StrategyNative || rr.Native == nil || rr.Native.Status != "COMPLETED" || rr.Moved != 30 {
		t.Fatalf("%+v %+v", rr, rr.Native)
	}
	if !strings.Contains(fmt.Sprint(rr.Notes), "does not undo") {
		t.Fatalf("notes %v", rr.Notes)
	}
	if n := p.Local.Count(p.Src.Name); n != 30 {
		t.Fatalf("source holds %d", n)
	}
	// A filter makes auto choose copy; native refuses it.
	f, _ := filter.Parse(`body.currency == "EUR"`)
	if _, err := Redrive(p.Ctx, p.C, Options{Source: p.DLQ, Strategy: StrategyNative, Filter: f}); !opstest.IsInputError(err, "cannot do filter") {
		t.Fatalf("%v", err)
	}
}

func TestCopyRedriveFilterMaxAndDryRun(t *testing.T) {
	p := opstest.NewPipeline(t, 30, false)
	eur := 0
	for _, m := range p.Msgs {
		if strings.Contains(m.Body, `"currency":"EUR"`) {
			eur++
		}
	}
	f, err := filter.Parse(`body.currency == "EUR" && attr.amount >= 0 && attr.signature`)
	if err != nil {
		t.Fatal(err)
	}
	// A dry run moves nothing and leaves every message visible.
	dry := run(t, p, p.C, Options{Strategy: StrategyAuto, Filter: f, DryRun: true, Wait: -1})
	if dry.Strategy != StrategyCopy || len(dry.Planned) != eur || dry.Skipped != 30-eur || dry.Moved != 0 {
		t.Fatalf("dry run: %+v", dry)
	}
	if st := p.DLQStats(t); st.Visible != 30 {
		t.Fatalf("after the dry run %d visible", st.Visible)
	}
	j := openJournal(t, opstest.JournalPath(t), p)
	res := run(t, p, p.C, Options{Strategy: StrategyAuto, Filter: f, Max: 3, Journal: j, Wait: -1})
	if res.Moved != 3 || p.Local.Count(p.Src.Name) != 3 {
		t.Fatalf("max 3: %+v", res)
	}
	res = run(t, p, p.C, Options{Strategy: StrategyCopy, Filter: f, Journal: j, Wait: -1})
	j.Close(true)
	if res.Moved != eur-3 || res.Skipped != 30-eur {
		t.Fatalf("filtered: %+v", res)
	}
	if st := p.DLQStats(t); st.Visible != int64(30-eur) || st.InFlight != 0 {
		t.Fatalf("skipped messages are not all back: %+v", st)
	}
}

// A target that refuses every send (no permission, say) stops the run at
// once instead of failing the whole DLQ message by message; the messages
// stay in the DLQ.
func TestCopyRedriveStopsOnPermanentErrors(t *testing.T) {
	p := opstest.NewPipeline(t, 30, false)
	deny := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Header.Get("X-Amz-Target") == "AmazonSQS.SendMessageBatch" {
			body := `{"__type":"com.amazonaws.sqs#AccessDenied","message":"not authorized to sqs:SendMessage"}`
			return &http.Response{StatusCode: 403, Header: http.Header{"Content-Type": {"application/x-amz-json-1.0"}}, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	j := openJournal(t, opstest.JournalPath(t), p)
	res, err := Redrive(p.Ctx, awstest.SQS(p.Local.URL, deny), Options{Source: p.DLQ, Strategy: StrategyCopy, Journal: j, Wait: -1, Workers: 1, Sleep: opstest.NoSleep})
	j.Close(false)
	if err == nil || !strings.Contains(err.Error(), "AccessDenied") || res.Moved != 0 || res.Failed > 10 {
		t.Fatalf("err %v, %+v", err, res)
	}
	if st := p.DLQStats(t); st.Visible != 30 {
		t.Fatalf("%d visible, want all 30 back", st.Visible)
	}
}

// A native move task that takes a while (10 messages/s): progress is read
// while it runs, and Ctrl-C cancels the task, keeps what it moved and loses
// nothing.
func TestNativeRedriveProgressAndCancel(t *testing.T) {
	p := opstest.NewPipeline(t, 0, false)
	p.SeedDeadLetters(t, 30)

	// Watched to the end: progress rises while the task runs.
	var seen []int
	rr := run(t, p, p.C, Options{Strategy: StrategyNative, Rate: rate.PerSecond(20), PollInterval: 100 * time.Millisecond,
		Progress: func(pr Progress) { seen = append(seen, pr.Moved) }})
	if rr.Moved != 30 || rr.Native.Status != "COMPLETED" || p.Local.Count(p.Src.Name) != 30 {
		t.Fatalf("moved %d, status %s, source holds %d", rr.Moved, rr.Native.Status, p.Local.Count(p.Src.Name))
	}
	partial := false
	for _, n := range seen {
		partial = partial || (n > 0 && n < 30)
	}
	if !partial {
		t.Fatalf("progress %v never showed a task part-way through", seen)
	}

	// Back to the DLQ, then a run interrupted part-way.
	opstest.Drain(t, p.Ctx, p.C, p.Src)
	p.SeedDeadLetters(t, 30)
	rctx, cancel := context.WithCancel(p.Ctx)
	rr, err := Redrive(rctx, p.C, Options{Source: p.DLQ, Strategy: StrategyNative, Rate: rate.PerSecond(5), PollInterval: 100 * time.Millisecond,
		Progress: func(pr Progress) {
			if pr.Moved > 0 {
				cancel()
			}
		}})
	if !errors.Is(err, context.Canceled) || !rr.Interrupted || rr.Native == nil || !rr.Native.Cancelled {
		t.Fatalf("interrupted run: err %v, %+v", err, rr.Native)
	}
	// The task stops; what it moved stays moved, the rest stays in the DLQ.
	deadline := time.Now().Add(10 * time.Second)
	for {
		list, err := p.C.ListMessageMoveTasks(p.Ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(p.DLQStats(t).ARN)})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Results) > 0 && aws.ToString(list.Results[0].Status) == "CANCELLED" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the move task did not end cancelled: %+v", list.Results)
		}
		time.Sleep(50 * time.Millisecond)
	}
	moved, left := p.Local.Count(p.Src.Name), p.Local.Count(p.DLQ.Name)
	if moved+left != 30 || moved == 0 || left == 0 {
		t.Fatalf("after cancel: %d moved, %d left in the DLQ; want 30 in all, some of each", moved, left)
	}
}
