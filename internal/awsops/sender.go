package awsops

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	xrate "golang.org/x/time/rate"
)

// SQS batch limits.
const (
	// MaxBatchEntries is the most entries one SendMessageBatch takes.
	MaxBatchEntries = 10
	// MaxBatchBytes is the most bytes (bodies and attributes) one
	// SendMessageBatch takes, and the largest single message.
	MaxBatchBytes = 1 << 20
)

// outMessage is one message to send, with everything SendMessageBatch
// needs to reproduce it exactly.
type outMessage struct {
	body       string
	attrs      map[string]types.MessageAttributeValue
	sysAttrs   map[string]types.MessageSystemAttributeValue
	groupID    string
	dedupID    string
	sizeMemo   int
	sizeKnown  bool
	entryIndex int
}

// size is the message's size as SQS counts it against the 1 MiB limits:
// the body plus each attribute's name, data type and value.
func (m *outMessage) size() int {
	if m.sizeKnown {
		return m.sizeMemo
	}
	n := len(m.body)
	for k, v := range m.attrs {
		n += len(k) + len(aws.ToString(v.DataType)) + len(aws.ToString(v.StringValue)) + len(v.BinaryValue)
	}
	for k, v := range m.sysAttrs {
		n += len(k) + len(aws.ToString(v.DataType)) + len(aws.ToString(v.StringValue)) + len(v.BinaryValue)
	}
	m.sizeMemo, m.sizeKnown = n, true
	return n
}

// sendOutcome is what became of one message.
type sendOutcome struct {
	MessageID string
	// Err says why the message was not sent; empty when it was.
	Err      string
	Attempts int
}

// Sent reports whether SQS accepted the message.
func (o sendOutcome) Sent() bool { return o.MessageID != "" }

// Sleeper waits for d or until ctx is done. Tests replace it to run retries
// without waiting.
type Sleeper func(ctx context.Context, d time.Duration) error

// SleepContext is the real Sleeper.
func SleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// sender sends messages with SendMessageBatch: batches of at most ten
// entries and 1 MiB, several batches at once, paced, retrying every entry
// that failed (inside a 200 response or with its whole call) until it is
// sent or its attempts are used up. It never reports a message sent without
// the MessageId SQS returned for it.
type sender struct {
	c           SQSAPI
	queueURL    string
	concurrency int
	maxAttempts int
	limiter     *xrate.Limiter
	sleep       Sleeper
	// callTimeout bounds one call; calls run on a context that Ctrl-C does
	// not cancel, so a batch in flight is finished and its outcome known.
	callTimeout time.Duration
	// onDone is told of messages as they get their final outcome.
	onDone func(idx []int, out []sendOutcome)

	mu      sync.Mutex
	calls   int
	retries int
	// permanent is the call error that stopped a send, if any.
	permanent error
}

// Backoff between retry rounds: full jitter on an exponential ceiling.
const (
	retryBase = 100 * time.Millisecond
	retryCap  = 5 * time.Second
)

func backoff(attempt int) time.Duration {
	ceiling := retryBase << min(attempt-1, 10)
	if ceiling > retryCap {
		ceiling = retryCap
	}
	return time.Duration(rand.Int64N(int64(ceiling)) + 1)
}

// batchesOf groups message indexes into batches within the entry and byte
// limits, in order.
func batchesOf(msgs []outMessage, idx []int) [][]int {
	var out [][]int
	var cur []int
	bytes := 0
	for _, i := range idx {
		sz := msgs[i].size()
		if len(cur) == MaxBatchEntries || (len(cur) > 0 && bytes+sz > MaxBatchBytes) {
			out = append(out, cur)
			cur, bytes = nil, 0
		}
		cur = append(cur, i)
		bytes += sz
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
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

// permanentCallError reports a whole-call error that no retry can fix:
// credentials, permissions, a missing queue, a malformed request. The run
// stops rather than hammer AWS with calls that cannot succeed.
func permanentCallError(err error) bool {
	switch errorCode(err) {
	case "AccessDenied", "AccessDeniedException", "InvalidClientTokenId", "UnrecognizedClientException",
		"SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException", "InvalidSecurity",
		"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "NonExistentQueue",
		"InvalidParameterValue", "InvalidParameterValueException", "MissingParameter",
		"AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "BatchEntryIdsNotDistinct",
		"AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "TooManyEntriesInBatchRequest",
		"BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong",
		"InvalidAddress", "KmsAccessDenied", "KmsDisabled", "KmsNotFound", "KmsInvalidKeyUsage", "KmsInvalidState":
		return true
	}
	return false
}

// send sends msgs and returns one outcome per message, in order. When ctx
// is cancelled no new call starts; calls in flight finish.
func (s *sender) send(ctx context.Context, msgs []outMessage) []sendOutcome {
	out := make([]sendOutcome, len(msgs))
	pending := make([]int, len(msgs))
	for i := range pending {
		pending[i] = i
	}
	var (
		abortMu  sync.Mutex
		abortErr error
	)
	aborted := func() error {
		abortMu.Lock()
		defer abortMu.Unlock()
		return abortErr
	}
	finish := func(idx []int) {
		if s.onDone != nil && len(idx) > 0 {
			res := make([]sendOutcome, len(idx))
			for k, i := range idx {
				res[k] = out[i]
			}
			s.onDone(idx, res)
		}
	}
	for attempt := 1; len(pending) > 0; attempt++ {
		if attempt > 1 {
			s.mu.Lock()
			s.retries += len(pending)
			s.mu.Unlock()
			if err := s.sleep(ctx, backoff(attempt-1)); err != nil {
				break
			}
		}
		batches := batchesOf(msgs, pending)
		var (
			mu    sync.Mutex
			retry []int
			wg    sync.WaitGroup
			sem   = make(chan struct{}, max(1, s.concurrency))
		)
		for _, b := range batches {
			if ctx.Err() != nil || aborted() != nil {
				mu.Lock()
				retry = append(retry, b...)
				mu.Unlock()
				continue
			}
			if s.limiter != nil {
				if err := s.limiter.WaitN(ctx, len(b)); err != nil {
					mu.Lock()
					retry = append(retry, b...)
					mu.Unlock()
					continue
				}
			}
			sem <- struct{}{}
			wg.Add(1)
			go func(b []int) {
				defer wg.Done()
				defer func() { <-sem }()
				again, done, perm := s.sendBatch(ctx, msgs, b, out, attempt)
				if perm != nil {
					abortMu.Lock()
					if abortErr == nil {
						abortErr = perm
					}
					abortMu.Unlock()
				}
				finish(done)
				mu.Lock()
				retry = append(retry, again...)
				mu.Unlock()
			}(b)
		}
		wg.Wait()
		pending = retry
		if err := aborted(); err != nil {
			s.mu.Lock()
			s.permanent = err
			s.mu.Unlock()
			for _, i := range pending {
				if out[i].Err == "" {
					out[i].Err = "not sent: the run stopped after " + shortError(err)
				}
			}
			finish(pending)
			return out
		}
		if attempt >= s.maxAttempts || ctx.Err() != nil {
			break
		}
	}
	for _, i := range pending {
		switch {
		case ctx.Err() != nil && out[i].Attempts == 0:
			out[i].Err = "not sent: interrupted"
		case out[i].Err == "":
			out[i].Err = "not sent"
		default:
			out[i].Err += fmt.Sprintf(" (gave up after %d attempts)", out[i].Attempts)
		}
	}
	finish(pending)
	return out
}

// sendBatch makes one SendMessageBatch call for the messages b. It returns
// the messages to retry, the ones with a final outcome, and a permanent
// error that must stop the run.
func (s *sender) sendBatch(ctx context.Context, msgs []outMessage, b []int, out []sendOutcome, attempt int) (retry, done []int, perm error) {
	in := &sqs.SendMessageBatchInput{QueueUrl: aws.String(s.queueURL), Entries: make([]types.SendMessageBatchRequestEntry, len(b))}
	for k, i := range b {
		m := &msgs[i]
		e := types.SendMessageBatchRequestEntry{
			Id:          aws.String("m" + strconv.Itoa(i)),
			MessageBody: aws.String(m.body),
		}
		if len(m.attrs) > 0 {
			e.MessageAttributes = m.attrs
		}
		if len(m.sysAttrs) > 0 {
			e.MessageSystemAttributes = m.sysAttrs
		}
		if m.groupID != "" {
			e.MessageGroupId = aws.String(m.groupID)
		}
		if m.dedupID != "" {
			e.MessageDeduplicationId = aws.String(m.dedupID)
		}
		in.Entries[k] = e
		out[i].Attempts = attempt
	}
	callCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.callTimeout)
	defer cancel()
	s.mu.Lock()
	s.calls++
	s.mu.Unlock()
	res, err := s.c.SendMessageBatch(callCtx, in)
	if err != nil {
		reason := shortError(err)
		if errors.Is(err, context.DeadlineExceeded) {
			reason = "the call timed out"
		}
		for _, i := range b {
			out[i].Err = reason
		}
		if permanentCallError(err) {
			return nil, b, err
		}
		return b, nil, nil
	}
	byID := make(map[string]int, len(b))
	for _, i := range b {
		byID["m"+strconv.Itoa(i)] = i
	}
	seen := make(map[int]bool, len(b))
	for _, ok := range res.Successful {
		i, found := byID[aws.ToString(ok.Id)]
		if !found || seen[i] {
			continue
		}
		seen[i] = true
		if aws.ToString(ok.MessageId) == "" {
			out[i].Err = "SQS reported success without a MessageId"
			retry = append(retry, i)
			continue
		}
		out[i].MessageID, out[i].Err = aws.ToString(ok.MessageId), ""
		done = append(done, i)
	}
	for _, f := range res.Failed {
		i, found := byID[aws.ToString(f.Id)]
		if !found || seen[i] {
			continue
		}
		seen[i] = true
		out[i].Err = aws.ToString(f.Code)
		if msg := aws.ToString(f.Message); msg != "" {
			out[i].Err += ": " + msg
		}
		if retryableEntry(f) {
			retry = append(retry, i)
		} else {
			done = append(done, i)
		}
	}
	for _, i := range b {
		if !seen[i] {
			out[i].Err = "SQS returned no result for this entry"
			retry = append(retry, i)
		}
	}
	return retry, done, nil
}
