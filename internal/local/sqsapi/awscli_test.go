package sqsapi_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/local/sqsapi"
	"github.com/yafdp/yafdp/internal/queue"
)

// awsCLI runs the aws CLI against endpoint with throw-away credentials and
// no user configuration; it returns stdout, stderr and the exit code.
func awsCLI(t *testing.T, endpoint string, args ...string) (string, string, int) {
	t.Helper()
	home := t.TempDir()
	cmd := exec.Command("aws", append([]string{"--endpoint-url", endpoint, "--output", "json"}, args...)...)
	cmd.Env = append(os.Environ(),
		"AWS_ACCESS_KEY_ID=AKIDLOCAL", "AWS_SECRET_ACCESS_KEY=local", "AWS_DEFAULT_REGION=us-east-1", "AWS_REGION=us-east-1",
		"AWS_CONFIG_FILE="+filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "credentials"),
		"AWS_PAGER=", "AWS_RETRY_MODE=standard", "AWS_MAX_ATTEMPTS=1", "HOME="+home)
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
	return stdout.String(), stderr.String(), code
}

// The aws CLI (botocore, which checks the MD5 digests of what it sends and
// receives) creates a queue, sends, receives and deletes a message on a
// real listener.
func TestAWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the aws CLI is required in CI: it is not on PATH")
		}
		t.Skip("skipping: the aws CLI is not on PATH (pip install awscli)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + ln.Addr().String()
	b := queue.New(queue.Options{BaseURL: endpoint})
	srv := &http.Server{Handler: sqsapi.NewHandler(b), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close(); b.Close() })

	decode := func(out string, v any) {
		t.Helper()
		if err := json.Unmarshal([]byte(out), v); err != nil {
			t.Fatalf("aws printed %q: %v", out, err)
		}
	}
	out, errOut, code := awsCLI(t, endpoint, "sqs", "create-queue", "--queue-name", "orders", "--attributes", "VisibilityTimeout=40")
	if code != 0 {
		t.Fatalf("create-queue: exit %d: %s", code, errOut)
	}
	var created struct{ QueueUrl string }
	decode(out, &created)
	if created.QueueUrl != endpoint+"/000000000000/orders" {
		t.Fatalf("QueueUrl %q", created.QueueUrl)
	}

	body := `{"orderId":"ord_1","note":"né ☃ <&>"}`
	out, errOut, code = awsCLI(t, endpoint, "sqs", "send-message", "--queue-url", created.QueueUrl, "--message-body", body,
		"--message-attributes", `{"schemaVersion":{"DataType":"String","StringValue":"1"},"sig":{"DataType":"Binary","BinaryValue":"AAH/"}}`)
	if code != 0 {
		t.Fatalf("send-message: exit %d: %s", code, errOut)
	}
	var sent struct{ MessageId, MD5OfMessageBody, MD5OfMessageAttributes string }
	decode(out, &sent)
	if sent.MessageId == "" || sent.MD5OfMessageBody != queue.BodyMD5(body) || sent.MD5OfMessageAttributes == "" {
		t.Fatalf("send-message printed %s", out)
	}

	out, errOut, code = awsCLI(t, endpoint, "sqs", "receive-message", "--queue-url", created.QueueUrl,
		"--attribute-names", "All", "--message-attribute-names", "All", "--wait-time-seconds", "1")
	if code != 0 {
		t.Fatalf("receive-message: exit %d: %s", code, errOut)
	}
	var received struct {
		Messages []struct {
			MessageId, ReceiptHandle, Body, MD5OfBody, MD5OfMessageAttributes string
			Attributes                                                        map[string]string
			MessageAttributes                                                 map[string]struct{ DataType, StringValue, BinaryValue string }
		}
	}
	decode(out, &received)
	if len(received.Messages) != 1 {
		t.Fatalf("receive-message printed %s", out)
	}
	m := received.Messages[0]
	if m.MessageId != sent.MessageId || m.Body != body || m.MD5OfBody != sent.MD5OfMessageBody || m.MD5OfMessageAttributes != sent.MD5OfMessageAttributes ||
		m.Attributes["ApproximateReceiveCount"] != "1" || m.MessageAttributes["schemaVersion"].StringValue != "1" {
		t.Fatalf("receive-message printed %s", out)
	}

	// CLI v1 sends a blob given on the command line as its bytes, CLI v2
	// base64-decodes it first; either way it comes back base64-encoded.
	if sig, _ := base64.StdEncoding.DecodeString(m.MessageAttributes["sig"].BinaryValue); string(sig) != "AAH/" && string(sig) != "\x00\x01\xff" {
		t.Fatalf("binary attribute came back as %q", m.MessageAttributes["sig"].BinaryValue)
	}

	if _, errOut, code = awsCLI(t, endpoint, "sqs", "delete-message", "--queue-url", created.QueueUrl, "--receipt-handle", m.ReceiptHandle); code != 0 {
		t.Fatalf("delete-message: exit %d: %s", code, errOut)
	}
	out, errOut, code = awsCLI(t, endpoint, "sqs", "get-queue-attributes", "--queue-url", created.QueueUrl, "--attribute-names", "All")
	if code != 0 {
		t.Fatalf("get-queue-attributes: exit %d: %s", code, errOut)
	}
	var attrs struct{ Attributes map[string]string }
	decode(out, &attrs)
	if attrs.Attributes["ApproximateNumberOfMessages"] != "0" || attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "0" || attrs.Attributes["VisibilityTimeout"] != "40" {
		t.Fatalf("after the delete: %s", out)
	}

	// An error is the CLI's usual one-line error with the code.
	_, errOut, code = awsCLI(t, endpoint, "sqs", "get-queue-url", "--queue-name", "nope")
	if code == 0 || !strings.Contains(errOut, "AWS.SimpleQueueService.NonExistentQueue") || !strings.Contains(errOut, "The specified queue does not exist.") {
		t.Fatalf("get-queue-url of a missing queue: exit %d: %s", code, errOut)
	}
}
