package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/queue"
)

// Starter starts a saga execution: the Step Functions StartExecution call
// the new-order function makes. It returns ErrExecutionExists (errors.Is)
// when an execution of that name already exists, which the function counts
// as success: orderId is the idempotency key.
type Starter interface {
	StartExecution(ctx context.Context, stateMachineARN, name, input string) error
}

// ErrExecutionExists is what a Starter returns for a name already used.
var ErrExecutionExists = errors.New("ExecutionAlreadyExists")

// ConsumerOptions configure the new-order function and its event source.
type ConsumerOptions struct {
	// Workers is how many batches run at once (the event source's
	// concurrency); 5, as the SQS event source starts with.
	Workers int
	// BatchSize is the most messages per invocation, 1 to 10.
	BatchSize int
	// WaitTime is the long-polling wait of each receive; 20 s.
	WaitTime time.Duration
	// Faults make the function fail on purpose (poison): ErrorRate is the
	// chance that a message fails, drawn per (message, receive); Outages
	// are windows, from the start, in which every message fails.
	ErrorRate float64
	Outages   []Window
	Seed      uint64
	// Poison, when set, fails every delivery of the orders it returns true
	// for (tests use it to send chosen orders to the dead-letter queue).
	Poison func(orderID string) bool
}

// Window is a span of time measured from the start of the server.
type Window struct {
	Start, Duration time.Duration
}

// consumer is the new-order Lambda behind its SQS event source: workers
// long-poll the orders queue; for each message the function checks it is
// an order, "saves it PENDING" and starts the saga named after its orderId.
// A message that fails stays in the queue (partial batch failure) and comes
// back after its visibility timeout; after maxReceiveCount deliveries SQS
// moves it to the dead-letter queue.
type consumer struct {
	q       *queue.Queue
	start   Starter
	smARN   string
	opts    ConsumerOptions
	clk     clock.Clock
	t0      time.Time
	wg      sync.WaitGroup
	started atomic.Int64
	failed  atomic.Int64
	batches atomic.Int64
	cancel  context.CancelFunc
}

func newConsumer(q *queue.Queue, start Starter, smARN string, clk clock.Clock, opts ConsumerOptions) *consumer {
	if opts.Workers <= 0 {
		opts.Workers = 5
	}
	if opts.BatchSize <= 0 || opts.BatchSize > 10 {
		opts.BatchSize = 10
	}
	if opts.WaitTime <= 0 {
		opts.WaitTime = 20 * time.Second
	}
	return &consumer{q: q, start: start, smARN: smARN, opts: opts, clk: clk, t0: clk.Now()}
}

func (c *consumer) run(ctx context.Context) {
	ctx, c.cancel = context.WithCancel(ctx)
	for i := 0; i < c.opts.Workers; i++ {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			c.work(ctx)
		}()
	}
}

// stop ends the workers and waits for the batches in progress to finish.
func (c *consumer) stop() {
	if c.cancel != nil {
		c.cancel()
	}
	c.wg.Wait()
}

func (c *consumer) work(ctx context.Context) {
	wait := int(c.opts.WaitTime / time.Second)
	in := queue.ReceiveInput{MaxNumberOfMessages: c.opts.BatchSize, WaitTimeSeconds: &wait}
	for ctx.Err() == nil {
		msgs, err := c.q.ReceiveWait(ctx, in)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			// OverLimit or the like: back off as the event source does.
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
			continue
		}
		if len(msgs) == 0 {
			continue
		}
		c.batches.Add(1)
		var done []queue.DeleteBatchEntry
		for i, m := range msgs {
			if err := c.handle(ctx, m); err != nil {
				c.failed.Add(1)
				continue
			}
			done = append(done, queue.DeleteBatchEntry{ID: fmt.Sprint(i), ReceiptHandle: m.ReceiptHandle})
		}
		if len(done) > 0 {
			// Only the successes are deleted: ReportBatchItemFailures.
			_, _ = c.q.DeleteBatch(done)
		}
	}
}

// handle is the function's work for one message.
func (c *consumer) handle(ctx context.Context, m queue.Message) error {
	if c.poisoned(m) {
		return errors.New("injected failure")
	}
	var o struct {
		OrderID string `json:"orderId"`
	}
	if err := json.Unmarshal([]byte(m.Body), &o); err != nil || o.OrderID == "" {
		return fmt.Errorf("message %s is not an order", m.MessageID)
	}
	if c.opts.Poison != nil && c.opts.Poison(o.OrderID) {
		return errors.New("poisoned order")
	}
	err := c.start.StartExecution(ctx, c.smARN, o.OrderID, m.Body)
	switch {
	case err == nil:
		c.started.Add(1)
		return nil
	case errors.Is(err, ErrExecutionExists):
		// A redelivered message: the saga already runs. Success.
		return nil
	default:
		return err
	}
}

// poisoned decides whether an injected fault fails this delivery: inside an
// outage window always, otherwise with ErrorRate, drawn from the message and
// its receive count so that a retry can succeed.
func (c *consumer) poisoned(m queue.Message) bool {
	at := c.clk.Now().Sub(c.t0)
	for _, w := range c.opts.Outages {
		if at >= w.Start && at < w.Start+w.Duration {
			return true
		}
	}
	if c.opts.ErrorRate <= 0 {
		return false
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%d", m.MessageID, m.ReceiveCount)
	r := rand.New(rand.NewPCG(c.opts.Seed, h.Sum64()))
	return r.Float64() < c.opts.ErrorRate
}
