package redrive

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/awsops/filter"
	"github.com/yafdp/yafdp/internal/awsops/opstest"
	"github.com/yafdp/yafdp/internal/rate"
)

// visibilityLog records the visibility timeouts a run asks for, and how
// often each message was received.
type visibilityLog struct {
	mu       sync.Mutex
	max      int32
	received map[string]int
	changes  int
}

func (v *visibilityLog) transport() http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		var in struct {
			VisibilityTimeout int32
			Entries           []struct{ VisibilityTimeout int32 }
		}
		_ = json.Unmarshal(body, &in)
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.")
		v.mu.Lock()
		v.max = max(v.max, in.VisibilityTimeout)
		for _, e := range in.Entries {
			v.max = max(v.max, e.VisibilityTimeout)
			if op == "ChangeMessageVisibilityBatch" && e.VisibilityTimeout > 0 {
				v.changes++
			}
		}
		v.mu.Unlock()
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err != nil || op != "ReceiveMessage" {
			return resp, err
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body = io.NopCloser(strings.NewReader(string(out)))
		var got struct{ Messages []struct{ MessageId string } }
		_ = json.Unmarshal(out, &got)
		v.mu.Lock()
		for _, m := range got.Messages {
			v.received[m.MessageId]++
		}
		v.mu.Unlock()
		return resp, nil
	})
}

// A copy run hides what it holds for a short lease only (30s by default,
// not the 15 minutes it once used), so that the messages of a run that is
// killed come back within seconds.
func TestCopyRedriveHidesMessagesForAShortLease(t *testing.T) {
	p := opstest.NewPipeline(t, 40, false)
	f, _ := filter.Parse(`body.currency != "GBP"`)
	v := &visibilityLog{received: map[string]int{}}
	rr := runCopy(t, p, awstest.SQS(p.Local.URL, v.transport()), Options{Wait: -1, Filter: f})
	if rr.Skipped == 0 || rr.Moved == 0 {
		t.Fatalf("the filter should skip some and move some: %+v", rr)
	}
	if v.max <= 0 || v.max > 30 {
		t.Fatalf("the run hid messages for up to %ds, want at most 30s", v.max)
	}
}

// While a run goes on, a heartbeat keeps what it holds hidden: with a
// one-second lease and a run that lasts longer, the messages the filter
// skips are received once, not again each time their lease runs out.
func TestCopyRedriveHeartbeatKeepsHeldMessages(t *testing.T) {
	p := opstest.NewPipeline(t, 30, false)
	f, _ := filter.Parse(`body.currency != "GBP"`)
	v := &visibilityLog{received: map[string]int{}}
	slow, _ := rate.ParseLimit("10/s")
	rr := runCopy(t, p, awstest.SQS(p.Local.URL, v.transport()), Options{Wait: -1, Filter: f, Workers: 1, Rate: slow,
		Visibility: time.Second, Heartbeat: 200 * time.Millisecond})
	if rr.Skipped == 0 || rr.Moved == 0 {
		t.Fatalf("%+v", rr)
	}
	if v.changes == 0 {
		t.Fatal("no heartbeat extended a held message")
	}
	for id, n := range v.received {
		if n > 1 {
			t.Errorf("message %s was received %d times: its lease ran out while the run held it", id, n)
		}
	}
	if st := p.DLQStats(t); st.InFlight != 0 || st.Visible != int64(rr.Skipped) {
		t.Fatalf("after the run: %+v, want the %d skipped visible again", st, rr.Skipped)
	}
}

// A rerun that finds the queue empty but messages in flight it does not
// hold (a killed run's) says so, and moves them once their lease runs out.
func TestCopyRedriveSaysWhatItWaitsFor(t *testing.T) {
	p := opstest.NewPipeline(t, 10, false)
	// A run that was killed holding every message for two seconds.
	out, err := p.C.ReceiveMessage(p.Ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(p.DLQ.URL), MaxNumberOfMessages: 10, VisibilityTimeout: 2})
	if err != nil || len(out.Messages) != 10 {
		t.Fatal(err, len(out.Messages))
	}
	var waiting []int64
	rr := runCopy(t, p, p.C, Options{Wait: -1, Waiting: func(n int64) { waiting = append(waiting, n) }, Sleep: awsops.SleepContext})
	if len(waiting) == 0 || waiting[0] != 10 {
		t.Fatalf("waiting %v, want told of the 10 in flight", waiting)
	}
	if rr.Moved != 10 {
		t.Fatalf("%+v", rr)
	}
	p.CheckMovedOnce(t)
}

// Ctrl-C while a paced run sends: messages it never tried are "not
// attempted", not failed; they go back to the queue at once, and the next
// run moves them as any other, not as possible duplicates.
func TestCopyRedriveCountsWhatItNeverTried(t *testing.T) {
	p := opstest.NewPipeline(t, 20, false)
	ctx, cancel := context.WithCancel(p.Ctx)
	defer cancel()
	sends := 0
	cut := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(r)
		if r.Header.Get("X-Amz-Target") == "AmazonSQS.SendMessageBatch" {
			if sends++; sends == 2 {
				cancel()
			}
		}
		return resp, err
	})
	slow, _ := rate.ParseLimit("20/s") // batches of two
	path := opstest.JournalPath(t)
	j := openJournal(t, path, p)
	res, err := Redrive(ctx, awstest.SQS(p.Local.URL, cut), Options{Source: p.DLQ, Strategy: StrategyCopy, Journal: j, Wait: -1, Workers: 1, Rate: slow, Sleep: opstest.NoSleep})
	j.Close(false)
	if err != context.Canceled || res.Failed != 0 || res.NotAttempted == 0 || res.Moved+res.NotAttempted != 10 {
		t.Fatalf("err %v; moved %d, failed %d, not attempted %d; want the rest of the batch not attempted, none failed",
			err, res.Moved, res.Failed, res.NotAttempted)
	}
	if st := p.DLQStats(t); st.InFlight != 0 {
		t.Fatalf("%d messages left hidden (%+v)", st.InFlight, res)
	}
	j, st, err := OpenJournal(path, p.DLQ.URL)
	if err != nil || st.Uncertain != 0 {
		t.Fatalf("journal: %+v, %v; want nothing uncertain", st, err)
	}
	res2 := run(t, p, p.C, Options{Strategy: StrategyCopy, Journal: j, Wait: -1})
	j.Close(true)
	if res2.PossibleDuplicates != 0 || res2.Moved+res.Moved != 20 {
		t.Fatalf("rerun: %+v", res2)
	}
	p.CheckMovedOnce(t)
}

// Messages sent straight into the DLQ do not record a source queue
// (DeadLetterQueueSourceArn): auto still moves them natively, to the DLQ's
// only source, instead of a move task that fails every one.
func TestAutoRedriveOfMessagesWithoutASource(t *testing.T) {
	p := opstest.NewPipeline(t, 25, false)
	rr := run(t, p, p.C, Options{Strategy: StrategyAuto, PollInterval: 50 * time.Millisecond})
	if rr.Strategy != StrategyNative || rr.Moved != 25 || rr.Native.Status != "COMPLETED" {
		t.Fatalf("%+v %+v", rr, rr.Native)
	}
	p.CheckMovedOnce(t)

	// With two sources, native cannot know where such a message goes:
	// auto copies (and says why), native refuses with the reason.
	p = opstest.NewPipeline(t, 5, false)
	srcAttrs, _ := p.C.GetQueueAttributes(p.Ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(p.Src.URL), AttributeNames: []types.QueueAttributeName{"RedrivePolicy"}})
	if _, err := p.C.CreateQueue(p.Ctx, &sqs.CreateQueueInput{QueueName: aws.String("returns"), Attributes: map[string]string{"RedrivePolicy": srcAttrs.Attributes["RedrivePolicy"]}}); err != nil {
		t.Fatal(err)
	}
	_, err := Redrive(p.Ctx, p.C, Options{Source: p.DLQ, Strategy: StrategyNative})
	if !opstest.IsInputError(err, "does not record the queue it came from (no DeadLetterQueueSourceArn") {
		t.Fatalf("native: %v", err)
	}
	j := openJournal(t, opstest.JournalPath(t), p)
	defer j.Close(true)
	rr, _ = Redrive(p.Ctx, p.C, Options{Source: p.DLQ, Strategy: StrategyAuto, Journal: j, Wait: -1, Sleep: opstest.NoSleep})
	if rr == nil || rr.Strategy != StrategyCopy || !strings.Contains(fmt.Sprint(rr.Notes), "DeadLetterQueueSourceArn") {
		t.Fatalf("auto: %+v", rr)
	}
}

// Native redrive from a queue that is no queue's DLQ, or from a standard
// queue to a FIFO one, is bad input, found before anything moves.
func TestNativeRedriveRefusesWhatSQSWouldReject(t *testing.T) {
	p := opstest.NewPipeline(t, 5, false)
	_, err := Redrive(p.Ctx, p.C, Options{Source: p.Src, Target: &p.DLQ, Strategy: StrategyNative})
	if !opstest.IsInputError(err, "orders is not the dead-letter queue of any queue") {
		t.Fatalf("not a DLQ: %v", err)
	}
	out, err := p.C.CreateQueue(p.Ctx, &sqs.CreateQueueInput{QueueName: aws.String("elsewhere.fifo"), Attributes: map[string]string{"FifoQueue": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	fifo := awsops.QueueAt(aws.ToString(out.QueueUrl))
	_, err = Redrive(p.Ctx, p.C, Options{Source: p.DLQ, Target: &fifo, Strategy: StrategyNative})
	if !opstest.IsInputError(err, "orders-dlq is standard while elsewhere.fifo is FIFO") {
		t.Fatalf("standard to FIFO: %v", err)
	}
	if st := p.DLQStats(t); st.Visible != 5 {
		t.Fatalf("%d visible, want all 5 untouched", st.Visible)
	}
}
