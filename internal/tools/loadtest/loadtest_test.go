package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/yafdp/yafdp/internal/local/sqsapi/sqstest"
	"github.com/yafdp/yafdp/internal/queue"
)

// buildLoadtest builds the command for a test, which runs it in its own
// process as an operator would.
func buildLoadtest(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "loadtest")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/yafdp/yafdp/internal/tools/loadtest").CombinedOutput()
	if err != nil {
		t.Fatalf("building the load test: %v\n%s", err, out)
	}
	return bin
}

// loadResult is the part of the load test's JSON the tests read.
type loadResult struct {
	Messages             int      `json:"messages"`
	Deleted              int      `json:"deleted"`
	FirstDeliveryDeletes int      `json:"firstDeliveryDeletes"`
	SendPerSecond        float64  `json:"sendPerSecond"`
	ReceivePerSecond     float64  `json:"receiveDeletePerSecond"`
	Violations           []string `json:"violations"`
}

// runLoad runs the load test in its own process against endpoint.
func runLoad(t *testing.T, endpoint string, args ...string) (loadResult, int, string) {
	t.Helper()
	cmd := exec.Command(buildLoadtest(t), append([]string{"-endpoint", endpoint, "-json"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var res loadResult
	if code != 2 {
		if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
			t.Fatalf("the load test printed %q (%v); stderr %s", stdout.String(), err, stderr.String())
		}
	}
	return res, code, stderr.String()
}

// The load test from a second process, at a small volume: every message
// sent, received and deleted, all checks holding.
func TestLoadTestSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the load test")
	}
	url := sqstest.Serve(t, nil)
	res, code, stderr := runLoad(t, url, "-messages", "3000", "-clients", "16", "-visibility", "10")
	if code != 0 || len(res.Violations) != 0 {
		t.Fatalf("exit %d, violations %v\n%s", code, res.Violations, stderr)
	}
	if res.Messages != 3000 || res.Deleted != 3000 || res.FirstDeliveryDeletes != 3000 || res.SendPerSecond <= 0 || res.ReceivePerSecond <= 0 {
		t.Fatalf("%+v", res)
	}
}

// The load test's checks catch a faulty endpoint: one that loses a
// message, and one that delivers a message again while it is invisible.
func TestLoadTestCatchesFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the load test")
	}
	t.Run("lost message", func(t *testing.T) {
		var once sync.Once
		url := sqstest.Serve(t, func(b *queue.Broker, h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("X-Amz-Target") == "AmazonSQS.ReceiveMessage" {
					// Before the first receive, one message vanishes.
					once.Do(func() {
						for _, q := range b.Queues() {
							ms, _ := q.Receive(queue.ReceiveInput{})
							for _, m := range ms {
								_ = q.Delete(m.ReceiptHandle)
							}
						}
					})
				}
				h.ServeHTTP(w, r)
			})
		})
		res, code, stderr := runLoad(t, url, "-messages", "500", "-clients", "8", "-visibility", "10", "-idle-timeout", "2s")
		if code != 1 || !hasViolation(res, "was sent but never deleted") {
			t.Fatalf("exit %d, violations %v\n%s", code, res.Violations, stderr)
		}
	})
	t.Run("delivered while invisible", func(t *testing.T) {
		var receives atomic.Int64
		url := sqstest.Serve(t, func(b *queue.Broker, h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("X-Amz-Target") != "AmazonSQS.ReceiveMessage" || receives.Add(1) != 5 {
					h.ServeHTTP(w, r)
					return
				}
				// The fifth receive takes its messages, makes them visible
				// again at once and takes them a second time: one answer
				// holds each message twice, with receive counts 1 and 2.
				body, _ := io.ReadAll(r.Body)
				first := serveOnce(h, r, body)
				var a, c struct {
					Messages []map[string]any
				}
				_ = json.Unmarshal(first, &a)
				for _, q := range b.Queues() {
					for _, m := range a.Messages {
						_ = q.ChangeVisibility(m["ReceiptHandle"].(string), 0)
					}
				}
				_ = json.Unmarshal(serveOnce(h, r, body), &c)
				a.Messages = append(a.Messages, c.Messages...)
				out, _ := json.Marshal(a)
				w.Header().Set("Content-Type", "application/x-amz-json-1.0")
				_, _ = w.Write(out)
			})
		})
		res, code, stderr := runLoad(t, url, "-messages", "500", "-clients", "8", "-visibility", "10", "-idle-timeout", "2s")
		if code != 1 || !hasViolation(res, "delivered while invisible") {
			t.Fatalf("exit %d, violations %v\n%s", code, res.Violations, stderr)
		}
	})
}

func serveOnce(h http.Handler, r *http.Request, body []byte) []byte {
	req := r.Clone(r.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Body.Bytes()
}

func hasViolation(res loadResult, s string) bool {
	for _, v := range res.Violations {
		if strings.Contains(v, s) {
			return true
		}
	}
	return false
}
