package sfnapi

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// awsCLI runs the aws CLI against endpoint with throwaway credentials and
// no user configuration (the AWS_* environment is replaced), and decodes its
// JSON output.
func awsCLI(t *testing.T, endpoint string, args ...string) (map[string]any, string, error) {
	t.Helper()
	cmd := exec.Command("aws", append([]string{"--endpoint-url", endpoint, "--region", "us-east-1", "--output", "json", "stepfunctions"}, args...)...)
	home := t.TempDir()
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env,
		"AWS_CONFIG_FILE="+home+"/config", "AWS_SHARED_CREDENTIALS_FILE="+home+"/credentials",
		"AWS_ACCESS_KEY_ID=AKIDTEST", "AWS_SECRET_ACCESS_KEY=secret", "AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return nil, stderr.String(), err
	}
	var out map[string]any
	if stdout.Len() > 0 {
		if jerr := json.Unmarshal(stdout.Bytes(), &out); jerr != nil {
			t.Fatalf("aws %s: output is not JSON: %v\n%s", strings.Join(args, " "), jerr, stdout.String())
		}
	}
	return out, stderr.String(), nil
}

// The aws CLI against the service on a real listener of 127.0.0.1.
func TestAWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the aws CLI is required in CI: it is not on PATH")
		}
		t.Skip("skipping: the aws CLI is not on PATH (pip install awscli)")
	}
	_, _, url := local(t, nil, Options{})
	run := func(args ...string) map[string]any {
		t.Helper()
		out, stderr, err := awsCLI(t, url, args...)
		if err != nil {
			t.Fatalf("aws stepfunctions %s: %v\n%s", strings.Join(args, " "), err, stderr)
		}
		return out
	}

	created := run("create-state-machine", "--name", "cli-order", "--definition", defOrder, "--role-arn", testRole)
	arn, _ := created["stateMachineArn"].(string)
	if arn != "arn:aws:states:us-east-1:123456789012:stateMachine:cli-order" {
		t.Fatalf("create-state-machine: %v", created)
	}
	started := run("start-execution", "--state-machine-arn", arn, "--name", "ord_cli", "--input", `{"orderId":"ord_cli","totalCents":20000}`)
	execARN, _ := started["executionArn"].(string)
	if execARN != "arn:aws:states:us-east-1:123456789012:execution:cli-order:ord_cli" || started["startDate"] == nil {
		t.Fatalf("start-execution: %v", started)
	}
	var described map[string]any
	deadline := time.Now().Add(30 * time.Second)
	for {
		described = run("describe-execution", "--execution-arn", execARN)
		if described["status"] != "RUNNING" || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if described["status"] != "FAILED" || described["error"] != "Payment.Declined" || described["cause"] != "the card was declined" ||
		described["input"] != `{"orderId":"ord_cli","totalCents":20000}` || described["stopDate"] == nil {
		t.Fatalf("describe-execution: %v", described)
	}
	history := run("get-execution-history", "--execution-arn", execARN, "--max-items", "4")
	events, _ := history["events"].([]any)
	if len(events) != 4 || history["NextToken"] == nil {
		t.Fatalf("get-execution-history --max-items 4: %v", history)
	}
	all := run("get-execution-history", "--execution-arn", execARN, "--page-size", "2")
	events, _ = all["events"].([]any)
	var types []string
	for _, e := range events {
		types = append(types, e.(map[string]any)["type"].(string))
	}
	want := "ExecutionStarted PassStateEntered PassStateExited WaitStateEntered WaitStateExited ChoiceStateEntered ChoiceStateExited FailStateEntered ExecutionFailed"
	if strings.Join(types, " ") != want {
		t.Fatalf("get-execution-history (pages of 2) gave %v", types)
	}

	// The failed execution redriven: its Fail state fails it again, and the
	// history and description count the redrive.
	redriven := run("redrive-execution", "--execution-arn", execARN)
	if redriven["redriveDate"] == nil {
		t.Fatalf("redrive-execution: %v", redriven)
	}
	for {
		described = run("describe-execution", "--execution-arn", execARN)
		if described["status"] != "RUNNING" || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if described["status"] != "FAILED" || described["redriveCount"] != 1.0 || described["redriveStatus"] != "REDRIVABLE" || described["redriveDate"] == nil {
		t.Fatalf("describe-execution after redrive-execution: %v", described)
	}
	all = run("get-execution-history", "--execution-arn", execARN, "--reverse-order", "--max-items", "3")
	events, _ = all["events"].([]any)
	if len(events) != 3 || events[2].(map[string]any)["type"] != "ExecutionRedriven" {
		t.Fatalf("the last events after redrive-execution: %v", events)
	}

	// Errors reach the CLI typed, as AWS's do.
	_, stderr, err := awsCLI(t, url, "describe-execution", "--execution-arn", "arn:aws:states:us-east-1:123456789012:execution:cli-order:nope")
	if err == nil || !strings.Contains(stderr, "(ExecutionDoesNotExist)") {
		t.Fatalf("describe-execution of a missing execution: %v\n%s", err, stderr)
	}
	_, stderr, err = awsCLI(t, url, "start-execution", "--state-machine-arn", arn, "--name", "ord_cli", "--input", `{}`)
	if err == nil || !strings.Contains(stderr, "(ExecutionAlreadyExists)") {
		t.Fatalf("start-execution with a used name: %v\n%s", err, stderr)
	}
	_, stderr, err = awsCLI(t, url, "redrive-execution", "--execution-arn", "arn:aws:states:us-east-1:123456789012:execution:cli-order:nope")
	if err == nil || !strings.Contains(stderr, "(ExecutionDoesNotExist)") {
		t.Fatalf("redrive-execution of a missing execution: %v\n%s", err, stderr)
	}
}
