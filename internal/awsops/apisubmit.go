package awsops

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/yafdp/yafdp/internal/input"
	"github.com/yafdp/yafdp/internal/rate"

	"github.com/yafdp/yafdp/internal/order"
)

// APISubmitOptions are the inputs of SubmitViaAPI.
type APISubmitOptions struct {
	// URL is the API Gateway resource that takes orders, e.g.
	// https://abc123.execute-api.eu-west-1.amazonaws.com/prod/orders.
	URL string
	// APIKey, when set, is sent as x-api-key.
	APIKey      string
	Orders      []order.Order
	Concurrency int
	Rate        rate.Rate
	// MaxAttempts bounds the POSTs of one order (default 8).
	MaxAttempts int
	HTTPClient  *http.Client
	TraceID     func() string
	Sleep       Sleeper
	Progress    func(done int)
}

// CheckAPIURL checks the URL of the API's orders resource.
func CheckAPIURL(raw string) error {
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

// SubmitViaAPI validates every order, then POSTs each one to the API
// Gateway endpoint, retrying 429 and 5xx answers (and network errors) with
// back-off, honouring Retry-After. An order counts as sent on a 2xx answer;
// its MessageId is taken from the answer when the integration returns one.
func SubmitViaAPI(ctx context.Context, opts APISubmitOptions) (*SubmitResult, error) {
	if err := CheckAPIURL(opts.URL); err != nil {
		return nil, err
	}
	traceID := opts.TraceID
	if traceID == nil {
		traceID = NewTraceID
	}
	msgs, traces, err := orderMessages(Queue{}, opts.Orders, traceID)
	if err != nil {
		return nil, err
	}
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	sleep := opts.Sleep
	if sleep == nil {
		sleep = SleepContext
	}
	maxAttempts := opts.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = 8
	}
	limiter := opts.Rate.Limiter(1)
	res := &SubmitResult{Orders: make([]SubmittedOrder, len(msgs))}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		sem  = make(chan struct{}, max(1, opts.Concurrency))
		done int
	)
	for i := range msgs {
		res.Orders[i] = SubmittedOrder{OrderID: opts.Orders[i].OrderID, TraceID: traces[i], Status: StatusFailed, Error: "not sent: interrupted"}
		if ctx.Err() != nil {
			continue
		}
		if limiter != nil && limiter.Wait(ctx) != nil {
			continue
		}
		sem <- struct{}{}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			so := &res.Orders[i]
			calls, retries := 0, 0
			for attempt := 1; attempt <= maxAttempts; attempt++ {
				if attempt > 1 {
					retries++
					if err := sleep(ctx, so.retryAfter(attempt)); err != nil {
						break
					}
				}
				calls++
				so.Attempts = attempt
				id, retry, err := postOrder(ctx, client, opts, msgs[i].body, traces[i])
				if err == nil {
					so.Status, so.MessageID, so.Error = StatusSent, id, ""
					break
				}
				so.Error = err.Error()
				if !retry {
					break
				}
				so.wait = retryAfterOf(err)
			}
			mu.Lock()
			res.Calls += calls
			res.Retries += retries
			done++
			if opts.Progress != nil {
				opts.Progress(done)
			}
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	for _, so := range res.Orders {
		if so.Status == StatusSent {
			res.Sent++
		} else {
			res.Failed++
		}
	}
	return res, nil
}

// apiError is a failed POST; wait is the server's Retry-After.
type apiError struct {
	msg  string
	wait time.Duration
}

func (e *apiError) Error() string { return e.msg }

func retryAfterOf(err error) time.Duration {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.wait
	}
	return 0
}

func (so *SubmittedOrder) retryAfter(attempt int) time.Duration {
	if so.wait > 0 {
		return min(so.wait, 30*time.Second)
	}
	return backoff(attempt - 1)
}

// postOrder POSTs one order. It returns the MessageId when the answer has
// one, and whether a failure is worth retrying.
func postOrder(ctx context.Context, client *http.Client, opts APISubmitOptions, body, trace string) (string, bool, error) {
	// Like a batch in flight, a POST in flight is finished after Ctrl-C.
	callCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(callCtx, http.MethodPost, opts.URL, strings.NewReader(body))
	if err != nil {
		return "", false, err
	}
	req.Header.Set("Content-Type", "application/json")
	if trace != "" {
		req.Header.Set("X-Amzn-Trace-Id", "Root="+trace)
	}
	if opts.APIKey != "" {
		req.Header.Set("x-api-key", opts.APIKey)
	}
	resp, err := client.Do(req)
	if err != nil {
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
