package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/submit"
	"github.com/yafdp/yafdp/internal/order"
)

// Outgoing is one order on its way: its slot, id and encoded body, and for
// a FIFO queue its message group.
type Outgoing struct {
	Slot
	OrderID string
	GroupID string
	Body    []byte
	// Dispatched is when the pacer let the order go (its batch closed).
	Dispatched time.Time

	// order is the order until its body is encoded.
	order order.Order
}

// Outcome is what became of one send.
type Outcome struct {
	// SentAt is when the call that carried the order began (its first
	// attempt); AnsweredAt when the order was accepted or given up on.
	SentAt, AnsweredAt time.Time
	Accepted           bool
	// Throttles counts the attempts the front door throttled: SQS
	// throttling errors, or API Gateway's 429s.
	Throttles int
	// Err names why the order was not accepted: the AWS error code, HTTP
	// status or "Timeout".
	Err string
}

// Sender sends batches of orders through the pipeline's front door.
type Sender interface {
	// MaxBatch is how many orders one call may carry.
	MaxBatch() int
	// Send sends batch and fills out (one Outcome per order). It returns
	// within the sender's timeout.
	Send(ctx context.Context, batch []Outgoing, out []Outcome)
}

// SQSClientFor returns c made for a load run: connections kept alive for
// as many concurrent calls as the run may make, maxConns (the SDK keeps ten
// per host, and a run of thousands of calls a second would open and close
// connections instead), and no retries of the SDK's own, so that each
// throttle reaches SQSSender, which counts it and tries again itself.
func SQSClientFor(c *sqs.Client, maxConns int) *sqs.Client {
	return sqs.New(c.Options(), func(o *sqs.Options) {
		o.HTTPClient = awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
			tr.MaxIdleConns = max(100, maxConns)
			tr.MaxIdleConnsPerHost = max(100, maxConns)
			tr.MaxConnsPerHost = maxConns
		})
		o.RetryMaxAttempts = 1
	})
}

// SQSBatchAPI is the call SQSSender makes.
type SQSBatchAPI interface {
	SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
}

// SQSSender puts orders on the queue with SendMessageBatch, ten at most a
// call. Entries that fail inside a successful answer are sent again, as
// are throttled calls, until Attempts or Timeout runs out: an order is
// accepted only with the MessageId SQS gave it.
type SQSSender struct {
	Client   SQSBatchAPI
	QueueURL string
	// Timeout bounds all the attempts of one batch (default 10s).
	Timeout time.Duration
	// Attempts bounds the calls for one order (default 3).
	Attempts int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

var _ Sender = (*SQSSender)(nil)

// MaxBatch implements Sender: SendMessageBatch takes ten entries.
func (s *SQSSender) MaxBatch() int { return 10 }

func (s *SQSSender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// sqsThrottleCodes are the error codes SQS throttles with.
var sqsThrottleCodes = map[string]bool{
	"ThrottlingException": true, "RequestThrottled": true, "AWS.SimpleQueueService.RequestThrottled": true,
	"KmsThrottled": true, "KMS.ThrottlingException": true, "Throttling": true,
}

// Send implements Sender.
func (s *SQSSender) Send(ctx context.Context, batch []Outgoing, out []Outcome) {
	timeout, attempts := s.Timeout, s.Attempts
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	if attempts <= 0 {
		attempts = 3
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := s.now()
	pending := make([]int, len(batch))
	for i := range batch {
		pending[i] = i
		out[i] = Outcome{SentAt: start}
	}
	for attempt := 1; len(pending) > 0; attempt++ {
		entries := batchEntries(batch, pending)
		res, err := s.Client.SendMessageBatch(cctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(s.QueueURL), Entries: entries})
		now := s.now()
		if err != nil {
			code := callErrorName(cctx, err)
			throttled := sqsThrottleCodes[code]
			for _, i := range pending {
				if throttled {
					out[i].Throttles++
				}
				out[i].Err, out[i].AnsweredAt = code, now
			}
			if (!throttled && !isTransient(err)) || attempt >= attempts || cctx.Err() != nil {
				return
			}
			if awsops.SleepContext(cctx, backoff(attempt)) != nil {
				return
			}
			continue
		}
		again := settle(res, pending, out, now)
		pending = again
		if len(pending) == 0 || attempt >= attempts {
			return
		}
		if awsops.SleepContext(cctx, backoff(attempt)) != nil {
			return
		}
	}
}

// batchEntries are the SendMessageBatch entries of the pending orders of
// batch, each with its index in batch as its id.
func batchEntries(batch []Outgoing, pending []int) []types.SendMessageBatchRequestEntry {
	entries := make([]types.SendMessageBatchRequestEntry, len(pending))
	for j, i := range pending {
		o := &batch[i]
		e := types.SendMessageBatchRequestEntry{
			Id:          aws.String(strconv.Itoa(i)),
			MessageBody: aws.String(string(o.Body)),
			MessageAttributes: map[string]types.MessageAttributeValue{
				submit.AttrSchemaVersion: {DataType: aws.String("String"), StringValue: aws.String(submit.SchemaVersion)},
			},
		}
		if o.GroupID != "" {
			e.MessageGroupId, e.MessageDeduplicationId = aws.String(o.GroupID), aws.String(o.OrderID)
		}
		entries[j] = e
	}
	return entries
}

// settle records a SendMessageBatch answer in out: the entries accepted,
// those refused (throttles counted), and those it names neither way (no
// answer). It returns the refused ones worth sending again: not the
// sender's fault.
func settle(res *sqs.SendMessageBatchOutput, pending []int, out []Outcome, now time.Time) (again []int) {
	for _, ok := range res.Successful {
		if i, err := strconv.Atoi(aws.ToString(ok.Id)); err == nil && i >= 0 && i < len(out) {
			out[i].Accepted, out[i].AnsweredAt, out[i].Err = true, now, ""
		}
	}
	for _, f := range res.Failed {
		i, err := strconv.Atoi(aws.ToString(f.Id))
		if err != nil || i < 0 || i >= len(out) {
			continue
		}
		code := aws.ToString(f.Code)
		if sqsThrottleCodes[code] {
			out[i].Throttles++
		}
		out[i].Err, out[i].AnsweredAt = code, now
		if !f.SenderFault {
			again = append(again, i)
		}
	}
	for _, i := range pending {
		if !out[i].Accepted && out[i].Err == "" {
			out[i].Err, out[i].AnsweredAt = "NoAnswer", now
		}
	}
	return again
}

// backoff is the wait before attempt+1: 25 ms, doubling.
func backoff(attempt int) time.Duration { return 25 * time.Millisecond << min(attempt-1, 6) }

// isTransient reports a call error worth another attempt: a broken
// connection or a server error, not a refusal.
func isTransient(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	return !awsops.IsPermanent(err) && awsops.ErrorCode(err) == ""
}

// callErrorName names a failed call: the AWS error code, Timeout when the
// send's time ran out, or the short error.
func callErrorName(ctx context.Context, err error) string {
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
		return "Timeout"
	}
	if code := awsops.ErrorCode(err); code != "" {
		return code
	}
	return "ConnectionError"
}

// APISender POSTs each order to the API Gateway endpoint: 2xx is accepted,
// 429 throttled; nothing is retried (a rejected order is what a client
// sees).
type APISender struct {
	Client *http.Client
	URL    string
	APIKey string
	// Timeout bounds one POST (default 10s).
	Timeout time.Duration
	Now     func() time.Time
}

var _ Sender = (*APISender)(nil)

// NewHTTPClient returns a client for APISender: keep-alive connections
// enough for a high rate to one host, as vegeta's, and no more than
// maxConns of them (the run's senders make one call each at a time; the
// bound is a safety net for a dial that outlives its call).
func NewHTTPClient(timeout time.Duration, maxConns int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = maxConns
	tr.MaxIdleConnsPerHost = maxConns
	tr.MaxConnsPerHost = maxConns
	return &http.Client{Transport: tr, Timeout: timeout}
}

// MaxBatch implements Sender: one order a POST.
func (s *APISender) MaxBatch() int { return 1 }

// Send implements Sender.
func (s *APISender) Send(ctx context.Context, batch []Outgoing, out []Outcome) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	for i := range batch {
		out[i] = Outcome{SentAt: now()}
		cctx, cancel := context.WithTimeout(ctx, timeout)
		out[i].Err, out[i].Accepted = s.post(cctx, batch[i].Body)
		cancel()
		out[i].AnsweredAt = now()
		if out[i].Err == "HTTP 429" {
			out[i].Throttles = 1
		}
	}
}

func (s *APISender) post(ctx context.Context, body []byte) (string, bool) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return "BadRequest", false
	}
	req.Header.Set("Content-Type", "application/json")
	if s.APIKey != "" {
		req.Header.Set("x-api-key", s.APIKey)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
			return "Timeout", false
		}
		return "ConnectionError", false
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return "", true
	}
	return fmt.Sprintf("HTTP %d", resp.StatusCode), false
}
