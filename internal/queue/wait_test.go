package queue

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/clock"
)

// poll records a ReceiveAsync's answer and when it came.
type poll struct {
	called bool
	at     time.Time
	msgs   []Message
	err    error
}

func asyncPoll(q *Queue, clk clock.Clock, in ReceiveInput) (*poll, func() bool) {
	p := &poll{}
	cancel := q.ReceiveAsync(in, func(ms []Message, err error) {
		p.called, p.at, p.msgs, p.err = true, clk.Now(), ms, err
	})
	return p, cancel
}

func TestLongPollWokenBySend(t *testing.T) {
	b, clk := newVirtualBroker()
	q := mustCreate(t, b, "lp", nil)
	p, _ := asyncPoll(q, clk, ReceiveInput{WaitTimeSeconds: ptr(20), MaxNumberOfMessages: 10})
	if p.called {
		t.Fatal("answered with nothing to give")
	}
	clk.AfterFunc(7*time.Second, func() { mustSend(t, q, SendInput{Body: "late"}) })
	clk.Run()
	if !p.called || len(p.msgs) != 1 || p.msgs[0].Body != "late" || p.at != clock.Epoch.Add(7*time.Second) {
		t.Fatalf("poll %+v", p)
	}
	if s := q.Stats(); s.InFlight != 1 || s.EmptyReceives != 0 {
		t.Fatalf("the message is in flight for the poll: %+v", s)
	}
	if clk.Pending() != 0 {
		t.Fatalf("%d timers left", clk.Pending())
	}
}

func TestLongPollTimesOut(t *testing.T) {
	b, clk := newVirtualBroker()
	q := mustCreate(t, b, "lp", map[string]string{"ReceiveMessageWaitTimeSeconds": "20"})
	p, _ := asyncPoll(q, clk, ReceiveInput{}) // the queue's 20 s
	clk.Run()
	if !p.called || len(p.msgs) != 0 || p.err != nil || p.at != clock.Epoch.Add(20*time.Second) {
		t.Fatalf("poll %+v", p)
	}
	if q.Stats().EmptyReceives != 1 {
		t.Fatal("an empty long poll was not counted")
	}
	// WaitTimeSeconds 0 answers at once even when the queue's is 20.
	p, _ = asyncPoll(q, clk, ReceiveInput{WaitTimeSeconds: ptr(0)})
	if !p.called {
		t.Fatal("a 0 s poll waited")
	}
}

func TestLongPollWokenByVisibilityExpiryAndDelay(t *testing.T) {
	b, clk := newVirtualBroker()
	q := mustCreate(t, b, "lp", map[string]string{"VisibilityTimeout": "5"})
	mustSend(t, q, SendInput{Body: "back"})
	mustReceive(t, q, ReceiveInput{})
	mustSend(t, q, SendInput{Body: "delayed", DelaySeconds: ptr(3)})
	p1, _ := asyncPoll(q, clk, ReceiveInput{WaitTimeSeconds: ptr(20)})
	p2, _ := asyncPoll(q, clk, ReceiveInput{WaitTimeSeconds: ptr(20)})
	clk.Run()
	if p1.at != clock.Epoch.Add(3*time.Second) || p1.msgs[0].Body != "delayed" {
		t.Fatalf("first poll %+v", p1)
	}
	if p2.at != clock.Epoch.Add(5*time.Second) || p2.msgs[0].Body != "back" || p2.msgs[0].ReceiveCount != 2 {
		t.Fatalf("second poll %+v", p2)
	}
}

func TestLongPollWokenByFIFOUnblock(t *testing.T) {
	b, clk := newVirtualBroker()
	q := mustCreate(t, b, "lp.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	mustSend(t, q, SendInput{Body: "1", MessageGroupID: "g"})
	mustSend(t, q, SendInput{Body: "2", MessageGroupID: "g"})
	h := mustReceive(t, q, ReceiveInput{})[0].ReceiptHandle
	p, _ := asyncPoll(q, clk, ReceiveInput{WaitTimeSeconds: ptr(20)})
	clk.AfterFunc(2*time.Second, func() { _ = q.Delete(h) })
	clk.Run()
	if !p.called || len(p.msgs) != 1 || p.msgs[0].Body != "2" || p.at != clock.Epoch.Add(2*time.Second) {
		t.Fatalf("poll %+v", p)
	}
}

func TestLongPollCancel(t *testing.T) {
	b, clk := newVirtualBroker()
	q := mustCreate(t, b, "lp", nil)
	p, cancel := asyncPoll(q, clk, ReceiveInput{WaitTimeSeconds: ptr(20)})
	if !cancel() || cancel() {
		t.Fatal("cancel should succeed once")
	}
	mustSend(t, q, SendInput{Body: "x"})
	clk.Run()
	if p.called || q.Stats().Visible != 1 {
		t.Fatal("a cancelled poll was answered")
	}
}

func TestWatch(t *testing.T) {
	b, clk := newVirtualBroker()
	q := mustCreate(t, b, "w", map[string]string{"VisibilityTimeout": "10"})
	var at []time.Duration
	stop := q.Watch(func() { at = append(at, clk.Now().Sub(clock.Epoch)) })
	mustSend(t, q, SendInput{Body: "a"})
	mustReceive(t, q, ReceiveInput{})
	clk.Run() // the timeout ends at 10 s
	mustSend(t, q, SendInput{Body: "b", DelaySeconds: ptr(4)})
	clk.Run()
	if want := []time.Duration{0, 10 * time.Second, 14 * time.Second}; len(at) != 3 || at[0] != want[0] || at[1] != want[1] || at[2] != want[2] {
		t.Fatalf("watch calls at %v, want %v", at, want)
	}
	stop()
	mustReceive(t, q, ReceiveInput{MaxNumberOfMessages: 10})
	clk.Run()
	if len(at) != 3 || clk.Pending() != 0 {
		t.Fatalf("calls after stop, or timers left: %v %d", at, clk.Pending())
	}
}

func TestReceiveWaitRealClock(t *testing.T) {
	b := New(Options{})
	defer b.Close()
	q := mustCreate(t, b, "real", nil)
	go func() {
		time.Sleep(50 * time.Millisecond)
		_, _ = q.Send(SendInput{Body: "x"})
	}()
	start := time.Now()
	ms, err := q.ReceiveWait(context.Background(), ReceiveInput{WaitTimeSeconds: ptr(5)})
	if err != nil || len(ms) != 1 {
		t.Fatalf("%v %v", ms, err)
	}
	if time.Since(start) > 4*time.Second {
		t.Fatal("woke by the deadline, not the send")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	ms, err = q.ReceiveWait(ctx, ReceiveInput{WaitTimeSeconds: ptr(20)})
	if !errors.Is(err, context.DeadlineExceeded) || len(ms) != 0 {
		t.Fatalf("%v %v", ms, err)
	}
}
