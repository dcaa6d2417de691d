package cli

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/yafdp/yafdp/internal/cli/iostreams"
)

// The same mistake gets the same answer: one line naming the flag, exit 2,
// nothing sent. An empty value is a mistake, not a request for the
// default; a region that cannot be one is bad input, not a failed call.
func TestBadInputIsConsistent(t *testing.T) {
	isolate(t)
	awsEnv(t)
	down := closedPort(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--env", "", "dlq", "list"}, "--env: the value is empty"},
		{[]string{"order", "submit", "--generate", "1", "--queue", ""}, "--queue: the value is empty"},
		{[]string{"dlq", "peek", "--queue", ""}, "--queue: the value is empty"},
		{[]string{"dlq", "redrive", "--queue", "orders-dlq", "--to", ""}, "--to: the value is empty"},
		{[]string{"--region", "bogus!", "dlq", "list"}, `invalid region "bogus!" (from --region)`},
		{[]string{"--endpoint-url", down, "--region", "eu west 1", "dlq", "list"}, `invalid region "eu west 1"`},
	} {
		code, _, stderr := run(t, tt.args...)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tt.args, code, stderr, tt.want)
		}
	}
}

// Help shows the defaults a run uses, once: not the zero values the flags
// start from ("(default 1h) (default 0s)", "--start-rate (default 0/s)"
// while runs used 300/s).
func TestSimulateHelpShowsTheDefaultsRunsUse(t *testing.T) {
	isolate(t)
	_, out, _ := run(t, "simulate", "--help")
	for _, bad := range []string{"(default 0s)", "(default 0/s)", "(default 1h) (default"} {
		if strings.Contains(out, bad) {
			t.Errorf("help shows %q", bad)
		}
	}
	for _, want := range []string{"remain (default 1h)", "as your account is) (default 300/s)", "(0: none) (default none)"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

// On an 80-column terminal, simulate's report fits (its Settings line was
// 198 columns); piped, it keeps its full width.
func TestSimulateReportFitsTheTerminal(t *testing.T) {
	isolate(t)
	ios, _, out, _ := iostreams.Test()
	ios.SetStdoutTTY(true)
	ios.SetTerminalWidth(80)
	if code := Run(context.Background(), []string{"simulate", "--rate", "50/s", "--duration", "5s"}, ios); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if w := ansi.StringWidth(line); w > 80 {
			t.Errorf("a line of %d columns: %q", w, line)
		}
	}
	_, piped, _ := run(t, "simulate", "--rate", "50/s", "--duration", "5s")
	widest := 0
	for _, line := range strings.Split(piped, "\n") {
		widest = max(widest, ansi.StringWidth(line))
	}
	if widest <= 80 {
		t.Errorf("piped, the widest line is %d columns: was it cut?", widest)
	}
}

// camelKey is the one convention of JSON keys across commands (the output
// contract, docs/output.md): camelCase, and percentiles as p50, p99, p99_9.
var camelKey = regexp.MustCompile(`^([a-z][a-zA-Z0-9]*|p[0-9]+_[0-9]+)$`)

// jsonKeys lists the object keys in v that break the convention, but not
// the keys of maps by name (functions, errors, services), listed in names.
func jsonKeys(v any, path string, names map[string]bool, bad *[]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if !camelKey.MatchString(k) {
				*bad = append(*bad, path+"."+k)
			}
			if names[k] {
				if m, ok := x.(map[string]any); ok {
					for _, y := range m {
						jsonKeys(y, path+"."+k+".*", names, bad)
					}
					continue
				}
			}
			jsonKeys(x, path+"."+k, names, bad)
		}
	case []any:
		for _, x := range v {
			jsonKeys(x, path+"[]", names, bad)
		}
	}
}

// saga run and simulate write JSON keys in camelCase, like every other
// command (saga run used snake_case, and Calls and OK).
func TestJSONKeysAreCamelCase(t *testing.T) {
	isolate(t)
	for _, args := range [][]string{
		{"saga", "run", "--orders", "20", "--virtual", "--fault", "payment.decline=0.3", "--output", "json"},
		{"simulate", "--rate", "50/s", "--duration", "5s", "--output", "json"},
	} {
		code, out, stderr := run(t, args...)
		if code > 1 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		var v any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		var bad []string
		jsonKeys(v, "", map[string]bool{"calls": true, "errors": true, "latency": true, "faults": true}, &bad)
		if len(bad) > 0 {
			t.Errorf("%v: keys not in camelCase: %v", args, bad)
		}
	}
}

// A queue that does not exist is the same usage error whether it is named
// by URL or by name (the URL exited 1).
func TestMissingQueueIsBadInputByURLAndByName(t *testing.T) {
	isolate(t)
	awsEnv(t)
	url := failingSQS(t, "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
	for _, queue := range []string{url + "/000000000000/nosuch", "nosuch"} {
		code, _, stderr := run(t, "--endpoint-url", url, "order", "submit", "--generate", "1", "--queue", queue)
		if code != 2 || !strings.Contains(stderr, "nosuch") || !strings.Contains(stderr, "does not exist") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("--queue %s: exit %d, stderr %q; want 2 and one line", queue, code, stderr)
		}
	}
}
