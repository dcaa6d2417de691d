package cli

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/cli/iostreams"
)

// silentServer accepts connections on 127.0.0.1 and never answers.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() { _, _ = io.Copy(io.Discard, c) }()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

// awsEnv points the SDK at dummy credentials, as for any local endpoint.
func awsEnv(t *testing.T) {
	t.Helper()
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1",
		"AWS_PROFILE": "", "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "YAFDP_DEBUG": ""} {
		t.Setenv(k, v)
	}
}

// runWithin runs yafdp and fails the test if it has not returned within
// limit: the commands under test must never hang.
func runWithin(t *testing.T, ctx context.Context, limit time.Duration, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	done := make(chan int, 1)
	go func() { done <- Run(ctx, args, ios) }()
	select {
	case code = <-done:
		return code, out.String(), errOut.String()
	case <-time.After(limit):
		t.Fatalf("yafdp %s still running after %s", strings.Join(args, " "), limit)
		return 0, "", ""
	}
}

// Against an endpoint that accepts the connection and never answers, every
// command that calls AWS gives up after --timeout, with one line that says
// which call got no answer from where.
func TestEveryCommandGivesUpOnAServerThatNeverAnswers(t *testing.T) {
	isolate(t)
	awsEnv(t)
	url := silentServer(t)
	global := []string{"--endpoint-url", url, "--timeout", "300ms"}
	for name, args := range map[string][]string{
		"order submit to a queue name": {"order", "submit", "--generate", "3", "--queue", "orders"},
		"order submit to a queue URL":  {"order", "submit", "--generate", "3", "--queue", url + "/000000000000/orders"},
		"order submit via the API":     {"order", "submit", "--generate", "2", "--via", "api", "--api-url", url + "/orders"},
		"saga list":                    {"saga", "list", "--state-machine", "yafdp-order-saga"},
		"saga describe":                {"saga", "describe", "ord_1", "--state-machine", "yafdp-order-saga"},
		"saga watch":                   {"saga", "watch", "ord_1", "--state-machine", "yafdp-order-saga"},
		"saga send-task-success":       {"saga", "send-task-success", "tok", "--task-output", "{}"},
		"saga send-task-failure":       {"saga", "send-task-failure", "tok"},
		"saga send-task-heartbeat":     {"saga", "send-task-heartbeat", "tok"},
		"dlq list":                     {"dlq", "list"},
		"dlq peek":                     {"dlq", "peek", "--queue", "orders-dlq"},
		"dlq redrive":                  {"dlq", "redrive", "--queue", "orders-dlq", "--journal", t.TempDir() + "/j"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runWithin(t, context.Background(), 30*time.Second, append(global, args...)...)
			if code != 1 || !strings.Contains(stdout+stderr, "within 300ms") {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and the time limit named", code, stdout, stderr)
			}
			if strings.Contains(stderr, "operation error") || strings.Contains(stderr, "RequestID") {
				t.Errorf("the SDK's raw error reached the user: %q", stderr)
			}
		})
	}
}

// hangingSQS answers GetQueueUrl and GetQueueAttributes and never answers
// SendMessageBatch.
func hangingSQS(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		switch op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS."); op {
		case "GetQueueUrl":
			_ = json.NewEncoder(w).Encode(map[string]string{"QueueUrl": "http://" + r.Host + "/000000000000/orders"})
		case "GetQueueAttributes":
			_ = json.NewEncoder(w).Encode(map[string]any{"Attributes": map[string]string{"QueueArn": "arn:aws:sqs:us-east-1:000000000000:orders"}})
		default:
			// Read the request, so that the server notices when the
			// client hangs up, and never answer.
			_, _ = io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
		}
	}))
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv.URL
}

// The first Ctrl-C stops order submit even while its calls get no answer:
// they have a few seconds to finish, then it reports what it sent, what is
// unknown and what it never sent, and exits 130.
func TestSubmitStopsAtTheFirstCtrlCWhileCallsHang(t *testing.T) {
	isolate(t)
	awsEnv(t)
	url := hangingSQS(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	code, stdout, stderr := runWithin(t, ctx, 20*time.Second, "--endpoint-url", url, "--timeout", "10m",
		"order", "submit", "--generate", "30", "--concurrency", "2", "--queue", "orders")
	if code != 130 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if got := strings.Count(stdout, " unknown "); got != 20 {
		t.Errorf("%d orders unknown, want the 20 of the two batches in flight:\n%s", got, stdout)
	}
	if !strings.Contains(stdout, "not sent: interrupted") {
		t.Errorf("the orders never sent are not listed as such:\n%s", stdout)
	}
	if want := "Sent 0 of 30 orders"; !strings.Contains(stderr, want) || !strings.Contains(stderr, "20 orders unknown") {
		t.Errorf("stderr %q does not report what was sent and what is unknown", stderr)
	}
}
