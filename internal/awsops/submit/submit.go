package submit

import (
	"context"
	"time"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/batch"
	"github.com/yafdp/yafdp/internal/rate"
)

// Statuses of a submitted order.
const (
	StatusSent   = "sent"
	StatusFailed = "failed"
	// StatusUnknown: the call that carried the order got no answer (it
	// timed out, or Ctrl-C cut it short); SQS may hold it. Sending it
	// again may send it twice.
	StatusUnknown = "unknown"
)

// Options are how Submit sends.
type Options struct {
	// Concurrency is the number of SendMessageBatch calls in flight.
	Concurrency int
	// Rate paces the orders sent; zero means no limit.
	Rate rate.Rate
	// MaxAttempts bounds the sends of one order (default 8).
	MaxAttempts int
	// TraceID makes the trace id of each order (default: a random X-Ray id).
	TraceID func() string
	// Sleep waits between retry rounds (default awsops.SleepContext).
	Sleep awsops.Sleeper
	// CallTimeout bounds one call (default 60s).
	CallTimeout time.Duration
	// Grace is how long calls in flight may go on after ctx is cancelled
	// (default batch.DefaultGrace).
	Grace time.Duration
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
}

// Result is the outcome of a submission, one entry per order in input
// order.
type Result struct {
	Orders []SubmittedOrder
	Sent   int
	Failed int
	// Unknown counts orders whose call got no answer: SQS may hold them.
	Unknown int
	Calls   int
	Retries int
}

// Count sets Sent, Failed and Unknown from the orders' statuses.
func (r *Result) Count() {
	r.Sent, r.Failed, r.Unknown = 0, 0, 0
	for _, o := range r.Orders {
		switch o.Status {
		case StatusSent:
			r.Sent++
		case StatusUnknown:
			r.Unknown++
		default:
			r.Failed++
		}
	}
}

// Submit sends a plan's orders to the queue at queueURL with
// SendMessageBatch. The result lists every order, sent (with its
// MessageId), failed (with why) or unknown (no answer); a cancelled ctx
// stops new calls and gives calls in flight opts.Grace to finish.
func Submit(ctx context.Context, c awsops.SQSAPI, queueURL string, p *Plan, opts Options) *Result {
	msgs, traces := p.traced(opts.TraceID)
	done := 0
	s := batch.Sender{
		Client: c, QueueURL: queueURL, Concurrency: opts.Concurrency, MaxAttempts: opts.MaxAttempts,
		Limiter: batch.Limiter(opts.Rate), Sleep: opts.Sleep, CallTimeout: opts.CallTimeout, Grace: opts.Grace,
	}
	if opts.Progress != nil {
		s.OnDone = func(idx []int, _ []batch.Outcome) {
			done += len(idx)
			opts.Progress(done)
		}
	}
	sent := s.Send(ctx, msgs)
	res := &Result{Orders: make([]SubmittedOrder, len(msgs)), Calls: sent.Calls, Retries: sent.Retries}
	for i, o := range sent.Outcomes {
		so := SubmittedOrder{OrderID: p.Orders[i].OrderID, MessageID: o.MessageID, Attempts: o.Attempts, TraceID: traces[i], Status: StatusSent}
		switch {
		case o.InDoubt:
			so.Status, so.Error = StatusUnknown, o.Err
		case !o.Sent():
			so.Status, so.Error = StatusFailed, o.Err
		}
		res.Orders[i] = so
	}
	res.Count()
	return res
}
