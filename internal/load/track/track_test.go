package track_test

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/yafdp/yafdp/internal/load/track"
	"github.com/yafdp/yafdp/internal/local"
	"github.com/yafdp/yafdp/internal/order"
	"github.com/yafdp/yafdp/internal/saga"
)

// poisoned picks one order in eight to fail every delivery, so that it
// ends in the dead-letter queue.
func poisoned(id string) bool {
	h := fnv.New32a()
	h.Write([]byte(id))
	return h.Sum32()%8 == 0
}

type env struct {
	srv *local.Server
	sqs *sqs.Client
	eb  *eventbridge.Client
	sfn *sfn.Client
}

func start(t *testing.T, duplicateEvery int) *env {
	t.Helper()
	var fakes saga.FakeConfig
	for _, f := range []string{"payment.decline=0.1", "payment.throttle=0.1"} {
		if err := fakes.ApplyFault(f); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := local.Start(context.Background(), local.Options{
		Addr: "127.0.0.1:0", Fakes: fakes, Seed: 7,
		VisibilityTimeout: time.Second, MaxReceiveCount: 2,
		Consumer:        local.ConsumerOptions{Workers: 8, WaitTime: time.Second, Poison: poisoned},
		DuplicateEvents: duplicateEvery,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	return &env{
		srv: srv,
		sqs: sqs.New(sqs.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(srv.URL)}),
		eb:  eventbridge.New(eventbridge.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(srv.URL)}),
		sfn: sfn.New(sfn.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(srv.URL)}),
	}
}

// submit sends n generated orders to the orders queue and returns their
// ids, split into those that run a saga and those poisoned.
func (e *env) submit(t *testing.T, n int, seed uint64) (healthy, dead map[string]bool) {
	t.Helper()
	healthy, dead = map[string]bool{}, map[string]bool{}
	orders := order.Generate(seed, n, time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC))
	for i := 0; i < len(orders); i += 10 {
		in := &sqs.SendMessageBatchInput{QueueUrl: aws.String(e.srv.OrdersURL)}
		for j, o := range orders[i:min(i+10, len(orders))] {
			b, _ := json.Marshal(o)
			in.Entries = append(in.Entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(j)), MessageBody: aws.String(string(b))})
			if poisoned(o.OrderID) {
				dead[o.OrderID] = true
			} else {
				healthy[o.OrderID] = true
			}
		}
		out, err := e.sqs.SendMessageBatch(context.Background(), in)
		if err != nil || len(out.Failed) > 0 {
			t.Fatalf("sending orders: %v %v", err, out)
		}
	}
	return healthy, dead
}

// ledger counts every event by order and kind.
type ledger struct {
	endsOnly bool // no Started events expected
	mu       sync.Mutex
	counts   map[string]map[track.Kind]int
	events   []track.Event
}

func (l *ledger) add(e track.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.counts == nil {
		l.counts = map[string]map[track.Kind]int{}
	}
	if l.counts[e.OrderID] == nil {
		l.counts[e.OrderID] = map[track.Kind]int{}
	}
	l.counts[e.OrderID][e.Kind]++
	l.events = append(l.events, e)
}

// complete reports whether every healthy order started and ended and
// every dead one was dead-lettered.
func (l *ledger) complete(healthy, dead map[string]bool) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for id := range healthy {
		if (!l.endsOnly && l.counts[id][track.Started] == 0) || l.counts[id][track.Ended] == 0 {
			return false
		}
	}
	for id := range dead {
		if l.counts[id][track.DeadLettered] == 0 {
			return false
		}
	}
	return true
}

// check fails the test unless every order is accounted for exactly once
// and nothing else was reported.
func (l *ledger) check(t *testing.T, healthy, dead map[string]bool) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for id, byKind := range l.counts {
		want := map[track.Kind]int{}
		switch {
		case healthy[id]:
			want = map[track.Kind]int{track.Started: 1, track.Ended: 1}
			if l.endsOnly {
				want = map[track.Kind]int{track.Ended: 1}
			}
		case dead[id]:
			want = map[track.Kind]int{track.DeadLettered: 1}
		}
		if fmt.Sprint(byKind) != fmt.Sprint(want) {
			t.Errorf("order %q: reported %v, want %v", id, byKind, want)
		}
	}
	if len(l.counts) != len(healthy)+len(dead) {
		t.Errorf("%d orders reported, %d submitted", len(l.counts), len(healthy)+len(dead))
	}
}

// run sets tr up, submits n orders, runs it until every order is
// accounted for (or a minute passes), and tears it down.
func (e *env) run(t *testing.T, tr track.Tracker, n int, seed uint64, endsOnly bool) (*ledger, map[string]bool, map[string]bool) {
	t.Helper()
	ctx := context.Background()
	if err := tr.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := tr.Teardown(context.Background()); err != nil {
			t.Error(err)
		}
	})
	rctx, cancel := context.WithCancel(ctx)
	out := make(chan track.Event, 64)
	l := &ledger{endsOnly: endsOnly}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ev := range out {
			l.add(ev)
		}
	}()
	runErr := make(chan error, 1)
	go func() { runErr <- tr.Run(rctx, out) }()
	healthy, dead := e.submit(t, n, seed)
	deadline := time.Now().Add(time.Minute)
	for !l.complete(healthy, dead) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	// Let late duplicates arrive before the ledger is checked.
	time.Sleep(500 * time.Millisecond)
	cancel()
	if err := <-runErr; err != nil {
		t.Fatalf("Run: %v", err)
	}
	close(out)
	wg.Wait()
	l.check(t, healthy, dead)
	return l, healthy, dead
}

// seedDLQ puts messages in the dead-letter queue before the run: the
// baseline, which must not be reported.
func (e *env) seedDLQ(t *testing.T) {
	t.Helper()
	for _, body := range []string{`{"orderId":"ord_from_yesterday"}`, `not an order`} {
		if _, err := e.sqs.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(e.srv.DLQURL), MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestEventBridgeAccountsForEveryOrderOnce(t *testing.T) {
	e := start(t, 3) // every third event is delivered twice
	e.seedDLQ(t)
	eb, err := track.NewEventBridge(track.EventBridgeOptions{SQS: e.sqs, Events: e.eb, StateMachineARN: e.srv.StateMachineARN,
		Suffix: "test", Wait: time.Second,
		History: track.HistoryOptions{SFN: e.sfn, Sample: 0.5, Seed: 1}})
	if err != nil {
		t.Fatal(err)
	}
	dl, err := track.NewDeadLetters(track.DeadLetterOptions{SQS: e.sqs, QueueURL: e.srv.DLQURL, Interval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	l, healthy, dead := e.run(t, track.Combine(eb, dl), 240, 11, false)
	if len(dead) == 0 || len(healthy) == 0 {
		t.Fatalf("%d healthy and %d dead orders: the test needs both", len(healthy), len(dead))
	}
	st := eb.Stats()
	if st.Duplicates == 0 {
		t.Errorf("no duplicate delivery was seen (%+v): the test proves nothing", st)
	}
	if bus := e.srv.Events.Stats(); bus.Duplicated == 0 || bus.Failed != 0 {
		t.Errorf("bus stats %+v", bus)
	}
	// The dead letters stay in the queue for dlq redrive, the baseline too.
	if got, want := e.srv.Status().DLQVisible, len(dead)+2; got != want {
		t.Errorf("%d messages in the DLQ after the run, want %d", got, want)
	}
	var read, throttles, failed int
	for _, ev := range l.events {
		switch {
		case ev.Kind == track.Ended && ev.HistoryRead:
			read++
			throttles += ev.PaymentThrottles
			if len(ev.Steps) == 0 {
				t.Errorf("%s: history read but no steps", ev.OrderID)
			}
		case ev.Kind == track.Ended && ev.Status == "FAILED":
			failed++
			if ev.Error == "" {
				t.Errorf("%s: FAILED without an error", ev.OrderID)
			}
		}
		if ev.Kind == track.Ended && (ev.Stop.Before(ev.Start) || ev.Start.IsZero()) {
			t.Errorf("%s: start %v stop %v", ev.OrderID, ev.Start, ev.Stop)
		}
	}
	if read == 0 || read == len(healthy) || throttles == 0 {
		t.Errorf("%d histories read of %d (sample 0.5), %d payment throttles", read, len(healthy), throttles)
	}
	t.Logf("%d healthy, %d dead-lettered, %d histories read, %d payment throttles, tracker %+v", len(healthy), len(dead), read, throttles, st)
}

func TestEventBridgeTeardownRemovesItsResources(t *testing.T) {
	e := start(t, 0)
	ctx := context.Background()
	for _, keep := range []bool{true, false} {
		eb, err := track.NewEventBridge(track.EventBridgeOptions{SQS: e.sqs, Events: e.eb, StateMachineARN: e.srv.StateMachineARN, Keep: keep})
		if err != nil {
			t.Fatal(err)
		}
		if err := eb.Setup(ctx); err != nil {
			t.Fatal(err)
		}
		pol, err := e.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(eb.QueueURL), AttributeNames: []sqstypes.QueueAttributeName{"Policy"}})
		if err != nil || pol.Attributes["Policy"] != track.QueuePolicy(eb.QueueARN, eb.RuleARN) {
			t.Fatalf("queue policy %v, %v", pol, err)
		}
		if err := eb.Teardown(ctx); err != nil {
			t.Fatal(err)
		}
		_, rerr := e.eb.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(eb.Name())})
		_, qerr := e.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(eb.Name())})
		if keep != (rerr == nil) || keep != (qerr == nil) {
			t.Errorf("keep=%v: after Teardown, DescribeRule: %v, GetQueueUrl: %v", keep, rerr, qerr)
		}
	}
}

func TestPollAccountsForEveryOrderOnce(t *testing.T) {
	e := start(t, 0)
	e.seedDLQ(t)
	p, err := track.NewPoll(track.PollOptions{SFN: e.sfn, StateMachineARN: e.srv.StateMachineARN, Interval: 200 * time.Millisecond,
		History: track.HistoryOptions{SFN: e.sfn, Sample: 1}})
	if err != nil {
		t.Fatal(err)
	}
	dl, err := track.NewDeadLetters(track.DeadLetterOptions{SQS: e.sqs, QueueURL: e.srv.DLQURL, Interval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	l, healthy, dead := e.run(t, track.Combine(p, dl), 160, 12, false)
	for _, ev := range l.events {
		if ev.Kind == track.Ended && !ev.HistoryRead {
			t.Errorf("%s: history not read with sample 1", ev.OrderID)
		}
		if ev.Kind == track.Ended && ev.Status == "FAILED" && ev.Error == "" {
			t.Errorf("%s: FAILED without an error", ev.OrderID)
		}
	}
	if got, want := e.srv.Status().DLQVisible, len(dead)+2; got != want {
		t.Errorf("%d messages in the DLQ after the run, want %d", got, want)
	}
	t.Logf("%d healthy, %d dead-lettered", len(healthy), len(dead))
}

// TestEventBridgeEndsOnly follows only the ends, with duplicates.
func TestEventBridgeEndsOnly(t *testing.T) {
	e := start(t, 2)
	eb, err := track.NewEventBridge(track.EventBridgeOptions{SQS: e.sqs, Events: e.eb, StateMachineARN: e.srv.StateMachineARN, Wait: time.Second, EndsOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	dl, err := track.NewDeadLetters(track.DeadLetterOptions{SQS: e.sqs, QueueURL: e.srv.DLQURL, Interval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, healthy, _ := e.run(t, track.Combine(eb, dl), 80, 13, true)
	if st := eb.Stats(); st.Received != int64(len(healthy))+st.Duplicates || st.Duplicates == 0 {
		t.Errorf("received %+v for %d ends", st, len(healthy))
	}
}
