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
	"github.com/yafdp/yafdp/internal/eventsource"
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
	// Workers is how many batches run at once at first (the event source's
	// initial concurrency); 5, as the SQS event source starts with.
	Workers int
	// ScalePerMinute, when positive, lets the event source run that many
	// more batches at once after each minute with messages waiting, up to
	// MaximumConcurrency (1,000 when 0), and scale back down to Workers when
	// the queue is empty, as AWS's does (eventsource.DefaultScalePerMinute
	// is its pace). 0 runs Workers batches at all times.
	ScalePerMinute     int
	MaximumConcurrency int
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

// consumer drives the Lambda SQS event source (the model in
// internal/eventsource) with the new-order function behind it, on the real
// clock: one goroutine per batch the event source may run at once
// long-polls the orders queue; for each message the function checks it is
// an order, "saves it PENDING" and starts the saga named after its orderId.
// A message that fails stays in the queue (partial batch failure) and comes
// back after its visibility timeout; after maxReceiveCount deliveries SQS
// moves it to the dead-letter queue. Each failed message is one line of
// the function's log (log), with its error; a success writes nothing, so
// that the log costs nothing at high rates unless orders fail.
type consumer struct {
	q     *queue.Queue
	start Starter
	smARN string
	opts  ConsumerOptions
	cfg   eventsource.Config
	clk   clock.Clock
	t0    time.Time
	wg    sync.WaitGroup
	// scaler counts the pollers (one per batch that may run), under mu.
	mu        sync.Mutex
	scaler    *eventsource.Scaler
	started   atomic.Int64
	failed    atomic.Int64
	throttled atomic.Int64
	batches   atomic.Int64
	cancel    context.CancelFunc
	log       logSink
}

func newConsumer(q *queue.Queue, start Starter, smARN string, clk clock.Clock, opts ConsumerOptions) *consumer {
	if opts.Workers <= 0 {
		opts.Workers = eventsource.DefaultInitialConcurrency
	}
	if opts.BatchSize <= 0 || opts.BatchSize > 10 {
		opts.BatchSize = eventsource.DefaultBatchSize // a receive takes 10 at most
	}
	if opts.WaitTime <= 0 {
		opts.WaitTime = 20 * time.Second
	}
	cfg := eventsource.Config{
		BatchSize:               opts.BatchSize,
		InitialConcurrency:      opts.Workers,
		ScalePerMinute:          max(opts.ScalePerMinute, 0),
		MaximumConcurrency:      opts.MaximumConcurrency,
		AccountConcurrency:      max(opts.Workers, 1000),
		ReportBatchItemFailures: true,
	}
	return &consumer{q: q, start: start, smARN: smARN, opts: opts, cfg: cfg, scaler: eventsource.NewScaler(cfg), clk: clk, t0: clk.Now()}
}

func (c *consumer) run(ctx context.Context) {
	ctx, c.cancel = context.WithCancel(ctx)
	c.poll(ctx)
	if c.cfg.ScalePerMinute > 0 {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			c.scale(ctx)
		}()
	}
}

// stop ends the pollers and waits for the batches in progress to finish.
func (c *consumer) stop() {
	if c.cancel != nil {
		c.cancel()
	}
	c.wg.Wait()
}

// poll starts a poller for each batch the event source has room for.
func (c *consumer) poll(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.scaler.Free() > 0 {
		c.scaler.Begin()
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			c.work(ctx)
		}()
	}
}

// scale moves the event source's limit once a second, by whether messages
// wait, and starts pollers for the room it makes; pollers beyond the limit
// stop after their batch (retire).
func (c *consumer) scale(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
		backlog := c.q.Stats().Visible > 0
		c.mu.Lock()
		c.scaler.Tick(backlog)
		c.mu.Unlock()
		c.poll(ctx)
	}
}

// retire reports whether a poller stops, counted out: ctx is done, or more
// pollers run than the event source allows.
func (c *consumer) retire(ctx context.Context) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ctx.Err() == nil && c.scaler.Free() >= 0 {
		return false
	}
	c.scaler.End()
	return true
}

// work is one poller: it receives a batch and runs the function on it,
// again and again.
func (c *consumer) work(ctx context.Context) {
	wait := int(c.opts.WaitTime / time.Second)
	in := queue.ReceiveInput{MaxNumberOfMessages: c.cfg.BatchSize, WaitTimeSeconds: &wait}
	stream := c.log.stream(c.clk.Now())
	for !c.retire(ctx) {
		msgs, err := c.q.ReceiveWait(ctx, in)
		if err != nil {
			if ctx.Err() != nil {
				continue // retire
			}
			// OverLimit or the like: back off as the event source does.
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
			continue
		}
		if len(msgs) > 0 {
			c.invoke(ctx, msgs, stream)
		}
	}
}

// invoke runs the function on a batch and deletes what the event source
// deletes: the messages that succeeded (ReportBatchItemFailures). Each
// failure is a line in the log stream.
func (c *consumer) invoke(ctx context.Context, msgs []queue.Message, stream string) {
	c.batches.Add(1)
	var done []queue.DeleteBatchEntry
	failures := 0
	for i, m := range msgs {
		if id, err := c.handle(ctx, m); err != nil {
			c.failed.Add(1)
			if errors.Is(err, ErrThrottled) {
				c.throttled.Add(1)
			}
			failures++
			c.log.write(stream, c.clk.Now(), fmt.Sprintf("order %s (message %s, receive %d) failed: %v", orNone(id), m.MessageID, m.ReceiveCount, err))
			continue
		}
		done = append(done, queue.DeleteBatchEntry{ID: fmt.Sprint(i), ReceiptHandle: m.ReceiptHandle})
	}
	if len(done) > 0 && c.cfg.DeletesSucceeded(failures) {
		_, _ = c.q.DeleteBatch(done)
	}
}

// handle is the function's work for one message. It returns the order's
// id when it got that far.
func (c *consumer) handle(ctx context.Context, m queue.Message) (orderID string, err error) {
	if c.poisoned(m) {
		return "", errors.New("injected failure")
	}
	var o struct {
		OrderID string `json:"orderId"`
	}
	if err := json.Unmarshal([]byte(m.Body), &o); err != nil || o.OrderID == "" {
		return "", fmt.Errorf("message %s is not an order", m.MessageID)
	}
	if c.opts.Poison != nil && c.opts.Poison(o.OrderID) {
		return o.OrderID, errors.New("poisoned order")
	}
	err = c.start.StartExecution(ctx, c.smARN, o.OrderID, m.Body)
	switch {
	case err == nil:
		c.started.Add(1)
		return o.OrderID, nil
	case errors.Is(err, ErrExecutionExists):
		// A redelivered message: the saga already runs. Success.
		return o.OrderID, nil
	default:
		return o.OrderID, err
	}
}

// orNone is an order's id for the log, "-" for a message that was not read
// as an order.
func orNone(id string) string {
	if id == "" {
		return "-"
	}
	return id
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
