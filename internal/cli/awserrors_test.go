package cli

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// failingSQS answers every call with the AWS error code given.
func failingSQS(t *testing.T, code, message string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": message})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// closedPort is a local address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	return url
}

// A failed AWS call is one line that leads with what failed and ends with
// what to do; the SDK's own error only comes with --debug.
func TestAWSErrorsAreOneLineThatSaysWhatToDo(t *testing.T) {
	isolate(t)
	awsEnv(t)
	t.Setenv("AWS_MAX_ATTEMPTS", "1") // no retries of throttling
	down := closedPort(t)
	tests := []struct {
		name, endpoint string
		want           string
	}{
		{"endpoint down", down, "listing queues: cannot reach " + down + " for SQS ListQueues (connection refused); start it (yafdp local up) or correct --endpoint-url"},
		{"access denied", failingSQS(t, "AccessDeniedException", "User: arn:aws:iam::1:user/x is not authorized"),
			"listing queues: AWS denied SQS ListQueues (AccessDeniedException); grant sqs:ListQueues to the role or user"},
		{"expired", failingSQS(t, "ExpiredTokenException", "The security token included in the request is expired"),
			"listing queues: the AWS credentials have expired (SQS ListQueues: ExpiredTokenException); refresh them"},
		{"bad credentials", failingSQS(t, "UnrecognizedClientException", "The security token included in the request is invalid"),
			"listing queues: AWS did not accept the credentials (SQS ListQueues: UnrecognizedClientException: The security token included in the request is invalid); check --profile"},
		{"throttled", failingSQS(t, "ThrottlingException", "Rate exceeded"),
			"listing queues: AWS kept throttling SQS ListQueues (ThrottlingException) after retrying; lower --rate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runWithin(t, context.Background(), 30*time.Second, "--endpoint-url", tt.endpoint, "dlq", "list")
			if code != 1 || !strings.HasPrefix(stderr, "yafdp: "+tt.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr:\n%s\nwant one line starting %q", code, stderr, "yafdp: "+tt.want)
			}
			if strings.Contains(stderr, "operation error") || strings.Contains(stderr, "RequestID") {
				t.Errorf("the SDK's raw error reached the user: %q", stderr)
			}
			code, _, stderr = runWithin(t, context.Background(), 30*time.Second, "--endpoint-url", tt.endpoint, "--debug", "dlq", "list")
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if code != 1 || len(lines) != 2 || !strings.HasPrefix(lines[1], "yafdp: debug: listing queues: operation error SQS: ListQueues") {
				t.Errorf("--debug: exit %d, stderr:\n%s", code, stderr)
			}
		})
	}
}
