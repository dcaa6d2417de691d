package awsops

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/yafdp/yafdp/internal/input"
	"github.com/yafdp/yafdp/internal/rate"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/yafdp/yafdp/internal/order"
)

// Message attributes every submitted order carries.
const (
	// AttrSchemaVersion is the order message's schema version, "1".
	AttrSchemaVersion = "schemaVersion"
	// AttrTraceID is a trace id in the X-Ray format, one per order.
	AttrTraceID = "traceId"
	// SchemaVersion is the version of the order message yafdp sends.
	SchemaVersion = "1"
)

// Statuses of a submitted order.
const (
	StatusSent   = "sent"
	StatusFailed = "failed"
)

// SubmitOptions are the inputs of Submit.
type SubmitOptions struct {
	Queue Queue
	// Orders must all have passed Validate; Submit checks again and sends
	// nothing if one has not.
	Orders []order.Order
	// Concurrency is the number of SendMessageBatch calls in flight.
	Concurrency int
	// Rate paces the orders sent; zero means no limit.
	Rate rate.Rate
	// MaxAttempts bounds the sends of one order (default 8).
	MaxAttempts int
	// TraceID makes the trace id of each order (default: a random X-Ray id).
	TraceID func() string
	// Sleep waits between retry rounds (default SleepContext).
	Sleep Sleeper
	// CallTimeout bounds one call (default 60s).
	CallTimeout time.Duration
	// Progress is told how many orders have a final outcome.
	Progress func(done int)
}

// SubmittedOrder is the outcome of one order.
type SubmittedOrder struct {
	OrderID   string `json:"orderId"`
	MessageID string `json:"messageId"`
	Status    string `json:"status"`
	Error     string `json:"error,omitempty"`
	Attempts  int    `json:"attempts"`
	TraceID   string `json:"traceId"`

	wait time.Duration // Retry-After of the last answer, API submissions only
}

// SubmitResult is the outcome of a submission, one entry per order in input
// order.
type SubmitResult struct {
	Orders  []SubmittedOrder
	Sent    int
	Failed  int
	Calls   int
	Retries int
}

// PlannedMessage is one order as Submit would send it.
type PlannedMessage struct {
	OrderID string `json:"orderId"`
	// Batch numbers the SendMessageBatch call from 1.
	Batch   int    `json:"batch"`
	Bytes   int    `json:"bytes"`
	GroupID string `json:"messageGroupId,omitempty"`
	DedupID string `json:"messageDeduplicationId,omitempty"`
}

// NewTraceID returns a random trace id in the X-Ray format,
// 1-<8 hex digits of epoch seconds>-<24 random hex digits>.
func NewTraceID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("1-%08x-%s", time.Now().Unix(), hex.EncodeToString(b[:]))
}

// orderMessages validates every order and encodes it as a message. It
// returns the first problem as an *input.Error wrapped with the
// order's position (1-based), and sends nothing.
func orderMessages(q Queue, orders []order.Order, traceID func() string) ([]outMessage, []string, error) {
	msgs := make([]outMessage, len(orders))
	traces := make([]string, len(orders))
	seen := make(map[string]int, len(orders))
	for i, o := range orders {
		if err := o.Validate(); err != nil {
			return nil, nil, &OrderError{Index: i + 1, OrderID: o.OrderID, Err: err}
		}
		if j, dup := seen[o.OrderID]; dup {
			return nil, nil, &OrderError{Index: i + 1, OrderID: o.OrderID, Err: input.Errorf("orderId",
				"%q is also order %d; an order id is the idempotency key and must be unique", o.OrderID, j)}
		}
		seen[o.OrderID] = i + 1
		body, err := json.Marshal(o)
		if err != nil {
			return nil, nil, &OrderError{Index: i + 1, OrderID: o.OrderID, Err: err}
		}
		trace := ""
		if traceID != nil {
			trace = traceID()
		}
		traces[i] = trace
		m := outMessage{body: string(body), attrs: map[string]types.MessageAttributeValue{
			AttrSchemaVersion: {DataType: aws.String("String"), StringValue: aws.String(SchemaVersion)},
		}}
		if trace != "" {
			m.attrs[AttrTraceID] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(trace)}
		}
		if q.FIFO {
			// One message group per customer keeps each customer's orders
			// in order; the order id makes a resend within five minutes a
			// no-op.
			m.groupID, m.dedupID = o.CustomerID, o.OrderID
		}
		if m.size() > MaxBatchBytes {
			return nil, nil, &OrderError{Index: i + 1, OrderID: o.OrderID, Err: input.Errorf("order",
				"%d bytes with its attributes, more than the 1 MiB an SQS message may hold", m.size())}
		}
		msgs[i] = m
	}
	return msgs, traces, nil
}

// OrderError is an invalid order in a submission: nothing was sent.
type OrderError struct {
	// Index is the order's position in the input, from 1.
	Index   int
	OrderID string
	Err     error
}

func (e *OrderError) Error() string {
	id := ""
	if e.OrderID != "" {
		id = " (" + e.OrderID + ")"
	}
	return "order " + strconv.Itoa(e.Index) + id + ": " + e.Err.Error()
}

func (e *OrderError) Unwrap() error { return e.Err }

// PlanSubmit validates the orders and returns how Submit would send them,
// without calling AWS: the --dry-run.
func PlanSubmit(q Queue, orders []order.Order) ([]PlannedMessage, error) {
	msgs, _, err := orderMessages(q, orders, nil)
	if err != nil {
		return nil, err
	}
	idx := make([]int, len(msgs))
	for i := range idx {
		idx[i] = i
	}
	plan := make([]PlannedMessage, len(msgs))
	for b, batch := range batchesOf(msgs, idx) {
		for _, i := range batch {
			plan[i] = PlannedMessage{OrderID: orders[i].OrderID, Batch: b + 1, Bytes: msgs[i].size(), GroupID: msgs[i].groupID, DedupID: msgs[i].dedupID}
		}
	}
	return plan, nil
}

// Submit validates every order, then sends them all to the queue with
// SendMessageBatch. Invalid input returns an *OrderError before anything is
// sent. Otherwise the result lists every order, sent (with its MessageId)
// or failed (with why); a cancelled ctx stops new calls and lets calls in
// flight finish.
func Submit(ctx context.Context, c SQSAPI, opts SubmitOptions) (*SubmitResult, error) {
	traceID := opts.TraceID
	if traceID == nil {
		traceID = NewTraceID
	}
	msgs, traces, err := orderMessages(opts.Queue, opts.Orders, traceID)
	if err != nil {
		return nil, err
	}
	done := 0
	s := &sender{
		c:           c,
		queueURL:    opts.Queue.URL,
		concurrency: max(1, opts.Concurrency),
		maxAttempts: opts.MaxAttempts,
		limiter:     opts.Rate.Limiter(MaxBatchEntries),
		sleep:       opts.Sleep,
		callTimeout: opts.CallTimeout,
	}
	if s.maxAttempts <= 0 {
		s.maxAttempts = 8
	}
	if s.sleep == nil {
		s.sleep = SleepContext
	}
	if s.callTimeout <= 0 {
		s.callTimeout = 60 * time.Second
	}
	if opts.Progress != nil {
		s.onDone = func(idx []int, _ []sendOutcome) {
			done += len(idx)
			opts.Progress(done)
		}
		// onDone runs on the batch goroutines: serialise the counter.
		inner := s.onDone
		var mu = make(chan struct{}, 1)
		s.onDone = func(idx []int, out []sendOutcome) {
			mu <- struct{}{}
			inner(idx, out)
			<-mu
		}
	}
	outcomes := s.send(ctx, msgs)
	res := &SubmitResult{Orders: make([]SubmittedOrder, len(msgs)), Calls: s.calls, Retries: s.retries}
	for i, o := range outcomes {
		so := SubmittedOrder{OrderID: opts.Orders[i].OrderID, MessageID: o.MessageID, Attempts: o.Attempts, TraceID: traces[i]}
		if o.Sent() {
			so.Status = StatusSent
			res.Sent++
		} else {
			so.Status, so.Error = StatusFailed, o.Err
			res.Failed++
		}
		res.Orders[i] = so
	}
	return res, nil
}
