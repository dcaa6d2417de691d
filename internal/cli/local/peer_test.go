package local

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/asl/corpus"
	"github.com/yafdp/yafdp/internal/cli/clitest"
	"github.com/yafdp/yafdp/internal/config"
	"github.com/yafdp/yafdp/internal/local"
)

// TestPeerExampleMakefile runs AWS's example makefile, unchanged, against
// local up --mock-config on the port it names (8083): `make all` creates
// the state machine and starts its four test cases with the aws CLI, and
// `make history` queries their histories. The aws CLI installed here is v1,
// which lacks v2's --no-cli-pager; a shim on PATH drops that one flag and
// runs the real CLI.
func TestPeerExampleMakefile(t *testing.T) {
	// AWS's own example (aws-samples/aws-stepfunctions-examples,
	// sam/app-local-testing-mock-config), kept outside the repository.
	dir := corpus.PeerExample(t)
	aws, err := exec.LookPath("aws")
	if err != nil {
		needTool(t, "the aws CLI (pip install awscli)")
	}
	if _, err := exec.LookPath("make"); err != nil {
		needTool(t, "make")
	}
	if ln, err := net.Listen("tcp", "127.0.0.1:8083"); err != nil {
		t.Skipf("skipping: the example's port 8083 is in use: %v", err)
	} else {
		ln.Close()
	}

	f, _ := clitest.NewFactory(&config.Config{Output: "json"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan *local.Server, 1)
	cmd := NewCmdUp(f, func(ctx context.Context, o *UpOptions) error {
		o.Ready = func(s *local.Server) { ready <- s }
		return runUp(ctx, o)
	})
	errc := make(chan error, 1)
	go func() {
		errc <- clitest.ExecContext(ctx, cmd, "--addr", "127.0.0.1:8083", "--mock-config", filepath.Join(dir, "statemachine/test/MockConfigFile.json"))
	}()
	select {
	case <-ready:
	case err := <-errc:
		t.Fatalf("local up ended early: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("local up did not start")
	}
	defer func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("shutdown: %v", err)
		}
	}()

	env := awsShim(t, aws)
	makeIn := func(target string) string {
		t.Helper()
		c := exec.Command("make", "-s", "--no-print-directory", "-C", dir, target)
		c.Env = env
		var out, stderr bytes.Buffer
		c.Stdout, c.Stderr = &out, &stderr
		if err := c.Run(); err != nil {
			t.Fatalf("make %s: %v\n%s%s", target, err, out.String(), stderr.String())
		}
		return out.String()
	}
	all := makeIn("all")
	for _, name := range []string{"stateMachine:LocalTesting", "execution:LocalTesting:happyPathExecution", "execution:LocalTesting:catchCustomErrorExecution",
		"execution:LocalTesting:runtimeExceptionExecution", "execution:LocalTesting:retryWithServiceException"} {
		if !strings.Contains(all, "arn:aws:states:us-east-1:000000000000:"+name) {
			t.Errorf("make all printed no ARN for %s:\n%s", name, all)
		}
	}
	// The executions run on their own; each history target's query is
	// checked once its execution has ended.
	waitHistory := func(target string, check func([]map[string]any) bool) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for {
			var events []map[string]any
			out := makeIn(target)
			if err := json.Unmarshal([]byte(out), &events); err != nil {
				t.Fatalf("make %s: %v\n%s", target, err, out)
			}
			if check(events) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("make %s: %s", target, out)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	one := func(events []map[string]any) bool { return len(events) == 1 }
	waitHistory("happy-h", one)
	waitHistory("error-h", one)
	waitHistory("exception-h", one)
	// Three throttled attempts and the fourth that succeeds (the example's
	// query also asks for that TaskSucceeded by Step Functions Local's
	// "comprehend:detectSentiment"; AWS, and yafdp, record resourceType
	// "aws-sdk:comprehend" and resource "detectSentiment", so it is not
	// among the results).
	waitHistory("retry-h", func(events []map[string]any) bool {
		failed := 0
		for _, e := range events {
			if e["type"] == "TaskFailed" {
				failed++
			}
		}
		return failed == 3
	})
	history := makeIn("history")
	if strings.Count(history, "CustomerAddedToFollowup") != 1 || strings.Count(history, "InternalServerException") != 3 {
		t.Fatalf("make history:\n%s", history)
	}
}

// awsShim returns an environment whose PATH starts with an aws that drops
// --no-cli-pager (v2 only) before running the real one, with throwaway
// credentials and no user configuration.
func awsShim(t *testing.T, aws string) []string {
	t.Helper()
	bin := t.TempDir()
	script := "#!/bin/sh\nfor a in \"$@\"; do shift; [ \"$a\" = --no-cli-pager ] || set -- \"$@\" \"$a\"; done\nexec " + aws + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "aws"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "PATH=") {
			env = append(env, kv)
		}
	}
	return append(env, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"AWS_CONFIG_FILE="+home+"/config", "AWS_SHARED_CREDENTIALS_FILE="+home+"/credentials",
		"AWS_ACCESS_KEY_ID=AKIDTEST", "AWS_SECRET_ACCESS_KEY=secret", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=")
}

// needTool fails in CI, where every tool the tests use is installed, and
// skips elsewhere.
func needTool(t *testing.T, what string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required in CI and is not on PATH", what)
	}
	t.Skipf("skipping: %s is not on PATH", what)
}
