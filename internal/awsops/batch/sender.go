package batch

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"golang.org/x/sync/errgroup"
	xrate "golang.org/x/time/rate"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/rate"
)

// Sender sends messages to one queue. The zero values of its settings
// take their defaults.
type Sender struct {
	Client   awsops.SQSAPI
	QueueURL string
	// Concurrency is the number of calls in flight (default 1).
	Concurrency int
	// MaxAttempts bounds the sends of one message (default 8).
	MaxAttempts int
	// Limiter paces the messages sent; nil means no limit.
	Limiter *xrate.Limiter
	// Sleep waits between retry rounds (default awsops.SleepContext).
	Sleep awsops.Sleeper
	// CallTimeout bounds one call (default 60s). Calls run on a context
	// that Ctrl-C does not cancel at once: a batch in flight gets Grace
	// to finish, so that its outcome is known.
	CallTimeout time.Duration
	// Grace is how long calls in flight may go on after ctx is cancelled
	// (default 3s); then they are cut short and their messages are in
	// doubt. The first Ctrl-C must stop a run against an endpoint that
	// does not answer.
	Grace time.Duration
	// BeforeCall, when set, is told of the messages (by index) a call is
	// about to send, before it starts; an error stops the run with those
	// messages unsent. A journal records what may be in flight with it.
	BeforeCall func(idx []int) error
	// OnDone is told of messages as they get their final outcome, one
	// call at a time.
	OnDone func(done []int, out []Outcome)
}

// Result is what a Send did: one outcome per message, in order.
type Result struct {
	Outcomes []Outcome
	Calls    int
	Retries  int
	// Permanent is the call error that stopped the send, if any: every
	// further call would have failed the same way.
	Permanent error
}

// Send sends msgs and returns their outcomes. When ctx is cancelled no
// new call starts; calls in flight get Grace to finish.
func (s Sender) Send(ctx context.Context, msgs []Message) Result {
	s.Concurrency = max(1, s.Concurrency)
	if s.MaxAttempts <= 0 {
		s.MaxAttempts = 8
	}
	s.Sleep = s.Sleep.OrSleepContext()
	if s.CallTimeout <= 0 {
		s.CallTimeout = 60 * time.Second
	}
	if s.Grace <= 0 {
		s.Grace = DefaultGrace
	}
	t := &tally{s: &s, msgs: msgs, res: Result{Outcomes: make([]Outcome, len(msgs))}}
	pending := make([]int, len(msgs))
	for i := range pending {
		pending[i] = i
	}
	for attempt := 1; len(pending) > 0; attempt++ {
		if attempt > 1 {
			t.res.Retries += len(pending)
			if err := s.Sleep(ctx, awsops.Backoff(attempt-1)); err != nil {
				break
			}
		}
		pending = t.round(ctx, pending, attempt)
		if t.res.Permanent != nil {
			t.finish(pending, func(o *Outcome) {
				if o.Err == "" {
					o.Err = "not sent: the run stopped after " + awsops.ShortError(t.res.Permanent)
				}
			})
			return t.res
		}
		if attempt >= s.MaxAttempts || ctx.Err() != nil {
			break
		}
	}
	t.finish(pending, func(o *Outcome) {
		switch {
		case ctx.Err() != nil && o.Attempts == 0:
			o.Err = "not sent: interrupted"
		case o.Err == "":
			o.Err = "not sent"
		default:
			o.Err += fmt.Sprintf(" (gave up after %d attempts)", o.Attempts)
		}
	})
	return t.res
}

// tally is one Send's state: the outcomes and the counts, under one lock
// while batches are in flight.
type tally struct {
	s    *Sender
	msgs []Message
	mu   sync.Mutex
	res  Result
}

// round sends the pending messages once, in batches, several at a time,
// and returns those to send again.
func (t *tally) round(ctx context.Context, pending []int, attempt int) []int {
	var (
		g     errgroup.Group
		retry []int
	)
	g.SetLimit(t.s.Concurrency)
	size := MaxEntries
	if t.s.Limiter != nil {
		size = t.s.Limiter.Burst()
	}
	for _, b := range SplitAtMost(t.msgs, pending, size) {
		if ctx.Err() != nil || t.stopped() || (t.s.Limiter != nil && t.s.Limiter.WaitN(ctx, len(b)) != nil) {
			t.locked(func() { retry = append(retry, b...) })
			continue
		}
		g.Go(func() error {
			if ctx.Err() != nil {
				// Cancelled while waiting for a free call: never sent.
				t.locked(func() { retry = append(retry, b...) })
				return nil
			}
			if t.s.BeforeCall != nil {
				if err := t.s.BeforeCall(b); err != nil {
					// Not sent: the run stops.
					t.locked(func() {
						if t.res.Permanent == nil {
							t.res.Permanent = err
						}
						retry = append(retry, b...)
					})
					return nil
				}
			}
			out := t.s.call(ctx, t.msgs, b, attempt)
			t.locked(func() {
				t.res.Calls++
				if out.perm != nil && t.res.Permanent == nil {
					t.res.Permanent = out.perm
				}
				for k, i := range b {
					t.res.Outcomes[i] = out.outcomes[k]
				}
				retry = append(retry, out.retry...)
				t.done(out.done)
			})
			return nil
		})
	}
	_ = g.Wait()
	return retry
}

func (t *tally) locked(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f()
}

func (t *tally) stopped() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.res.Permanent != nil
}

// done tells OnDone of messages that have their final outcome; the lock is
// held.
func (t *tally) done(idx []int) {
	if t.s.OnDone == nil || len(idx) == 0 {
		return
	}
	out := make([]Outcome, len(idx))
	for k, i := range idx {
		out[k] = t.res.Outcomes[i]
	}
	t.s.OnDone(idx, out)
}

// finish gives the messages still pending their final outcome.
func (t *tally) finish(idx []int, final func(*Outcome)) {
	t.locked(func() {
		for _, i := range idx {
			final(&t.res.Outcomes[i])
		}
		t.done(idx)
	})
}

// callResult is what one SendMessageBatch call did to its messages.
type callResult struct {
	outcomes    []Outcome // by position in the batch
	retry, done []int
	perm        error
}

// call makes one SendMessageBatch call for the messages b of msgs.
func (s *Sender) call(ctx context.Context, msgs []Message, b []int, attempt int) callResult {
	res := callResult{outcomes: make([]Outcome, len(b))}
	in := &sqs.SendMessageBatchInput{QueueUrl: aws.String(s.QueueURL), Entries: make([]types.SendMessageBatchRequestEntry, len(b))}
	pos := make(map[string]int, len(b))
	for k, i := range b {
		id := "m" + strconv.Itoa(i)
		in.Entries[k] = entry(id, &msgs[i])
		res.outcomes[k].Attempts = attempt
		pos[id] = k
	}
	callCtx, cancel := GraceContext(ctx, s.CallTimeout, s.Grace)
	defer cancel()
	out, err := s.Client.SendMessageBatch(callCtx, in)
	if err != nil {
		reason := awsops.ShortError(err)
		inDoubt := false
		switch {
		case errors.Is(err, context.Canceled) && ctx.Err() != nil:
			reason, inDoubt = "interrupted while in flight: SQS may have accepted it", true
		case errors.Is(err, context.DeadlineExceeded), isTimeout(err):
			reason, inDoubt = reason+": SQS may have accepted it", true
		}
		for k := range b {
			res.outcomes[k].Err = reason
			res.outcomes[k].InDoubt = inDoubt
		}
		if inDoubt {
			// Sending it again could send it twice. A call that timed out
			// stops the run (the endpoint does not answer); one cut short
			// by Ctrl-C ends with the run.
			res.done = b
			if ctx.Err() == nil {
				res.perm = err
			}
			return res
		}
		if awsops.IsPermanent(err) {
			res.done, res.perm = b, err
		} else {
			res.retry = b
		}
		return res
	}
	res.sort(b, pos, out)
	return res
}

// sort files each entry of a call's answer as sent, to retry or failed
// for good; an entry the answer leaves out is retried.
func (res *callResult) sort(b []int, pos map[string]int, out *sqs.SendMessageBatchOutput) {
	seen := make([]bool, len(b))
	at := func(id *string) (int, bool) {
		k, found := pos[aws.ToString(id)]
		if !found || seen[k] {
			return 0, false
		}
		seen[k] = true
		return k, true
	}
	for _, ok := range out.Successful {
		if k, found := at(ok.Id); found {
			if id := aws.ToString(ok.MessageId); id != "" {
				res.outcomes[k].MessageID = id
				res.done = append(res.done, b[k])
			} else {
				res.outcomes[k].Err = "SQS reported success without a MessageId"
				res.retry = append(res.retry, b[k])
			}
		}
	}
	for _, f := range out.Failed {
		if k, found := at(f.Id); found {
			res.outcomes[k].Err = aws.ToString(f.Code)
			if msg := aws.ToString(f.Message); msg != "" {
				res.outcomes[k].Err += ": " + msg
			}
			if retryableEntry(f) {
				res.retry = append(res.retry, b[k])
			} else {
				res.done = append(res.done, b[k])
			}
		}
	}
	for k, i := range b {
		if !seen[k] {
			res.outcomes[k].Err = "SQS returned no result for this entry"
			res.retry = append(res.retry, i)
		}
	}
}

func entry(id string, m *Message) types.SendMessageBatchRequestEntry {
	e := types.SendMessageBatchRequestEntry{Id: aws.String(id), MessageBody: aws.String(m.Body)}
	if len(m.Attributes) > 0 {
		e.MessageAttributes = m.Attributes
	}
	if len(m.System) > 0 {
		e.MessageSystemAttributes = m.System
	}
	if m.GroupID != "" {
		e.MessageGroupId = aws.String(m.GroupID)
	}
	if m.DedupID != "" {
		e.MessageDeduplicationId = aws.String(m.DedupID)
	}
	return e
}

// retryableEntry decides whether a failed batch entry may succeed if sent
// again. SQS marks the caller's mistakes with SenderFault; throttling and
// KMS hiccups are retryable whoever is at fault.
func retryableEntry(e types.BatchResultErrorEntry) bool {
	switch aws.ToString(e.Code) {
	case "ThrottlingException", "RequestThrottled", "Throttling", "KmsThrottled", "KMS.ThrottlingException",
		"InternalError", "InternalFailure", "ServiceUnavailable", "KmsUnavailable":
		return true
	}
	return !e.SenderFault
}

// DefaultGrace is how long a call in flight may go on after Ctrl-C.
const DefaultGrace = 3 * time.Second

// GraceContext is the context of a call that must finish even after ctx
// is cancelled, within limits: it ends after timeout, or grace after ctx
// is cancelled.
func GraceContext(ctx context.Context, timeout, grace time.Duration) (context.Context, context.CancelFunc) {
	callCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(grace, cancel)
		context.AfterFunc(callCtx, func() { t.Stop() })
	})
	return callCtx, func() {
		stop()
		cancel()
	}
}

func isTimeout(err error) bool {
	f, ok := awsops.Classify(err)
	return ok && f.Kind == awsops.KindTimeout
}

// Limiter paces batches of messages at r: nil when r is zero (no limit).
// Its burst, which is also the largest batch sent, is a tenth of a
// second's messages (1 to MaxEntries): a slow rate sends small batches,
// so that pacing starts with the first message instead of sending the
// first ten at once.
func Limiter(r rate.Rate) *xrate.Limiter {
	burst := int(math.Ceil(r.PerSecond() / 10))
	return r.Limiter(min(max(burst, 1), MaxEntries))
}
