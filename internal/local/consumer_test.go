package local

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/queue"
)

// slowStarter starts executions slowly, so that batches overlap, and
// records each name once.
type slowStarter struct {
	delay time.Duration
	mu    sync.Mutex
	names map[string]bool
}

func (s *slowStarter) StartExecution(_ context.Context, _, name, _ string) error {
	time.Sleep(s.delay)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.names[name] {
		return ErrExecutionExists
	}
	s.names[name] = true
	return nil
}

func (s *slowStarter) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.names)
}

// runConsumer sends n orders and runs a consumer with opts until they have
// all started, or the deadline; it returns the consumer, stopped.
func runConsumer(t *testing.T, n int, opts ConsumerOptions, deadline time.Duration) (*consumer, *slowStarter) {
	t.Helper()
	b := queue.New(queue.Options{Clock: clock.Real{}})
	t.Cleanup(b.Close)
	q, err := b.CreateQueue("orders", map[string]string{"VisibilityTimeout": "30"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := q.Send(queue.SendInput{Body: fmt.Sprintf(`{"orderId":"ord_%d"}`, i)}); err != nil {
			t.Fatal(err)
		}
	}
	st := &slowStarter{delay: 20 * time.Millisecond, names: map[string]bool{}}
	c := newConsumer(q, st, "arn:sm", clock.Real{}, opts)
	c.run(context.Background())
	for end := time.Now().Add(deadline); st.count() < n && time.Now().Before(end); {
		time.Sleep(10 * time.Millisecond)
	}
	c.stop()
	if got := st.count(); got != n {
		t.Fatalf("%d of %d orders started", got, n)
	}
	if left := q.Stats(); left.Visible+left.InFlight != 0 {
		t.Fatalf("left in the queue: %+v", left)
	}
	return c, st
}

// The local driver of the event source keeps Workers pollers by default,
// and scales them up while messages wait when told to, up to
// MaximumConcurrency; every poller is counted out when it stops.
func TestConsumerScalesAsTheEventSource(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     ConsumerOptions
		wantPeak int
	}{
		{"fixed", ConsumerOptions{Workers: 2, BatchSize: 2, WaitTime: time.Second}, 2},
		{"scaling", ConsumerOptions{Workers: 1, BatchSize: 2, WaitTime: time.Second, ScalePerMinute: 600, MaximumConcurrency: 4}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// 160 orders at 20 ms each: 3.2 s of work for one poller, so
			// that the limit ticks while messages wait.
			c, _ := runConsumer(t, 160, tc.opts, 20*time.Second)
			c.mu.Lock()
			defer c.mu.Unlock()
			if c.scaler.Peak() != tc.wantPeak || c.scaler.Active() != 0 {
				t.Fatalf("peak %d pollers, %d still counted; want %d and 0", c.scaler.Peak(), c.scaler.Active(), tc.wantPeak)
			}
		})
	}
}

// A message that fails stays in the queue while the rest of its batch is
// deleted (ReportBatchItemFailures), and succeeds on a later receive.
func TestConsumerDeletesOnlyWhatSucceeded(t *testing.T) {
	var fails atomic.Int64
	opts := ConsumerOptions{Workers: 1, WaitTime: time.Second, Poison: func(id string) bool {
		return id == "ord_3" && fails.Add(1) == 1
	}}
	b := queue.New(queue.Options{Clock: clock.Real{}})
	t.Cleanup(b.Close)
	q, err := b.CreateQueue("orders", map[string]string{"VisibilityTimeout": "1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := q.Send(queue.SendInput{Body: fmt.Sprintf(`{"orderId":"ord_%d"}`, i)}); err != nil {
			t.Fatal(err)
		}
	}
	st := &slowStarter{names: map[string]bool{}}
	c := newConsumer(q, st, "arn:sm", clock.Real{}, opts)
	c.run(context.Background())
	defer c.stop()
	for end := time.Now().Add(10 * time.Second); st.count() < 5 && time.Now().Before(end); {
		time.Sleep(10 * time.Millisecond)
	}
	if st.count() != 5 || c.failed.Load() != 1 {
		t.Fatalf("%d started, %d failed; want 5 and 1", st.count(), c.failed.Load())
	}
	if s := q.Stats(); s.Received != 6 {
		t.Fatalf("%d receives, want 6 (ord_3 twice)", s.Received)
	}
}
