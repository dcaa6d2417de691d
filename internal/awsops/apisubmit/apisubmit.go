package apisubmit

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/batch"
	"github.com/yafdp/yafdp/internal/awsops/submit"
	"github.com/yafdp/yafdp/internal/input"
	"github.com/yafdp/yafdp/internal/rate"
)

// Options are how Submit sends.
type Options struct {
	// URL is the API Gateway resource that takes orders, e.g.
	// https://abc123.execute-api.eu-west-1.amazonaws.com/prod/orders.
	URL string
	// APIKey, when set, is sent as x-api-key.
	APIKey      string
	Concurrency int
	Rate        rate.Rate
	// MaxAttempts bounds the POSTs of one order (default 8).
	MaxAttempts int
	HTTPClient  *http.Client
	// Timeout bounds each POST when HTTPClient is nil (default
	// awsops.DefaultTimeout).
	Timeout  time.Duration
	TraceID  func() string
	Sleep    awsops.Sleeper
	Progress func(done int)
}

// CheckURL checks the URL of the API's orders resource.
func CheckURL(raw string) error {
	if raw == "" {
		return input.Errorf("api_url", "is required with %s api", input.Field("via")).
			WithFix("give the orders resource, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/prod/orders")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return input.Errorf("api_url", "%q is not an http(s) URL such as https://abc123.execute-api.eu-west-1.amazonaws.com/prod/orders", raw)
	}
	return nil
}

// Submit POSTs each order of the plan to the API Gateway endpoint. An
// order counts as sent on a 2xx answer; its MessageId is taken from the
// answer when the integration returns one. A cancelled ctx starts no new
// order; the orders not started are listed as not sent.
func Submit(ctx context.Context, p *submit.Plan, opts Options) (*submit.Result, error) {
	if err := CheckURL(opts.URL); err != nil {
		return nil, err
	}
	opts.Timeout = cmp.Or(opts.Timeout, awsops.DefaultTimeout)
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: opts.Timeout}
	}
	opts.Sleep = opts.Sleep.OrSleepContext()
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 8
	}
	t := &tally{res: &submit.Result{Orders: make([]submit.SubmittedOrder, len(p.Orders))}, progress: opts.Progress}
	traces := p.TraceIDs(opts.TraceID)
	limiter := opts.Rate.Limiter(1)
	var g errgroup.Group
	g.SetLimit(max(1, opts.Concurrency))
	for i, o := range p.Orders {
		so := submit.SubmittedOrder{OrderID: o.OrderID, TraceID: traces[i], Status: submit.StatusFailed, Error: "not sent: interrupted"}
		t.res.Orders[i] = so
		if ctx.Err() != nil || (limiter != nil && limiter.Wait(ctx) != nil) {
			continue
		}
		g.Go(func() error {
			so, calls, retries := opts.send(ctx, so, p.Body(i))
			t.record(i, so, calls, retries)
			return nil
		})
	}
	_ = g.Wait()
	t.res.Count()
	return t.res, nil
}

// tally is a submission's result as orders finish, under one lock.
type tally struct {
	mu       sync.Mutex
	res      *submit.Result
	done     int
	progress func(done int)
}

func (t *tally) record(i int, so submit.SubmittedOrder, calls, retries int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.res.Orders[i] = so
	t.res.Calls += calls
	t.res.Retries += retries
	t.done++
	if t.progress != nil {
		t.progress(t.done)
	}
}

// send POSTs one order until it is sent, fails for good or runs out of
// attempts, and returns its outcome, the POSTs made and the retries
// begun.
func (o *Options) send(ctx context.Context, so submit.SubmittedOrder, body string) (_ submit.SubmittedOrder, calls, retries int) {
	var wait time.Duration // the last answer's Retry-After
	for attempt := 1; attempt <= o.MaxAttempts; attempt++ {
		if attempt > 1 {
			retries++
			pause := awsops.Backoff(attempt - 1)
			if wait > 0 {
				pause = min(wait, 30*time.Second)
			}
			if err := o.Sleep(ctx, pause); err != nil {
				break
			}
		}
		calls++
		so.Attempts = attempt
		id, retry, err := o.post(ctx, body, so.TraceID)
		if err == nil {
			so.Status, so.MessageID, so.Error = submit.StatusSent, id, ""
			break
		}
		so.Error = err.Error()
		var ae *apiError
		if errors.As(err, &ae) && ae.inDoubt {
			// Sending it again could place it twice.
			so.Status = submit.StatusUnknown
			break
		}
		if !retry {
			break
		}
		wait = retryAfterOf(err)
	}
	return so, calls, retries
}

// apiError is a failed POST; wait is the server's Retry-After.
type apiError struct {
	msg  string
	wait time.Duration
	// inDoubt: no answer came; the API may have taken the order.
	inDoubt bool
}

func (e *apiError) Error() string { return e.msg }

func retryAfterOf(err error) time.Duration {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.wait
	}
	return 0
}

// post POSTs one order. It returns the MessageId when the answer has one,
// and whether a failure is worth retrying.
func (o *Options) post(ctx context.Context, body, trace string) (string, bool, error) {
	// Like a batch in flight, a POST in flight may finish after Ctrl-C,
	// for a few seconds.
	callCtx, cancel := batch.GraceContext(ctx, o.Timeout, batch.DefaultGrace)
	defer cancel()
	req, err := http.NewRequestWithContext(callCtx, http.MethodPost, o.URL, strings.NewReader(body))
	if err != nil {
		return "", false, err
	}
	req.Header.Set("Content-Type", "application/json")
	if trace != "" {
		req.Header.Set("X-Amzn-Trace-Id", "Root="+trace)
	}
	if o.APIKey != "" {
		req.Header.Set("x-api-key", o.APIKey)
	}
	resp, err := o.HTTPClient.Do(req)
	if err != nil {
		var ne net.Error
		switch {
		case ctx.Err() != nil && errors.Is(err, context.Canceled):
			return "", false, &apiError{msg: "interrupted while in flight: the API may have accepted it", inDoubt: true}
		case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
			return "", false, &apiError{msg: fmt.Sprintf("no answer within %s: the API may have accepted it", o.Timeout), inDoubt: true}
		}
		return "", true, &apiError{msg: "POST failed: " + err.Error()}
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return messageIDIn(data), false, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return "", true, &apiError{msg: fmt.Sprintf("HTTP %d%s", resp.StatusCode, snippet(data)), wait: parseRetryAfter(resp.Header.Get("Retry-After"))}
	default:
		return "", false, &apiError{msg: fmt.Sprintf("HTTP %d%s", resp.StatusCode, snippet(data))}
	}
}

func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t)
	}
	return 0
}

func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(bytes.TrimSpace(b))), " ")
	if s == "" {
		return ""
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return ": " + s
}

// messageIDIn finds a MessageId in an API answer: the SQS integration
// returns {"SendMessageResponse":{"SendMessageResult":{"MessageId":...}}},
// a Lambda or mapping template usually {"messageId":...}.
func messageIDIn(data []byte) string {
	var v any
	if json.Unmarshal(data, &v) != nil {
		return ""
	}
	var find func(v any) string
	find = func(v any) string {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		for _, k := range []string{"MessageId", "messageId", "message_id"} {
			if s, ok := m[k].(string); ok && s != "" {
				return s
			}
		}
		for _, x := range m {
			if s := find(x); s != "" {
				return s
			}
		}
		return ""
	}
	return find(v)
}
