package saga_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yafdp/yafdp/internal/cli"
	"github.com/yafdp/yafdp/internal/cli/iostreams"
	"github.com/yafdp/yafdp/internal/golden"
)

const chargeState = `{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
  "Parameters":{"FunctionName":"charge","Payload":{"amount.$":"$.amount"}},
  "ResultSelector":{"paymentId.$":"$.Payload.paymentId"},"ResultPath":"$.payment",
  "Retry":[{"ErrorEquals":["Payment.Throttled"],"IntervalSeconds":2,"BackoffRate":3,"MaxAttempts":3}],
  "Catch":[{"ErrorEquals":["Payment.Declined"],"ResultPath":"$.failure","Next":"Refund"}],
  "Next":"Ship"}`

func testStateRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("YAFDP_CONFIG", "")
	ios, _, out, errOut := iostreams.Test()
	code := cli.Run(context.Background(), append([]string{"saga", "test-state"}, args...), ios)
	return code, out.String(), errOut.String()
}

func TestTestStateExitCodes(t *testing.T) {
	def := filepath.Join(t.TempDir(), "charge.json")
	if err := os.WriteFile(def, []byte(chargeState), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		status string
	}{
		{"succeeded", []string{"--mock-result", `{"StatusCode":200,"Payload":{"paymentId":"p-1"}}`}, 0, "SUCCEEDED"},
		{"caught", []string{"--mock-error", "Payment.Declined", "--mock-cause", "card declined"}, 0, "CAUGHT_ERROR"},
		{"retriable", []string{"--mock-error", "Payment.Throttled", "--retry-count", "1"}, 3, "RETRIABLE"},
		{"retries spent", []string{"--mock-error", "Payment.Throttled", "--retry-count", "3"}, 1, "FAILED"},
		{"failed", []string{"--mock-error", "Boom"}, 1, "FAILED"},
	} {
		code, out, errOut := testStateRun(t, append([]string{"--definition", def, "--input", `{"amount":12}`, "--output", "json"}, tc.args...)...)
		var res struct {
			Status, NextState string
			Output            map[string]any
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("%s: %v\n%s%s", tc.name, err, out, errOut)
		}
		if code != tc.code || res.Status != tc.status {
			t.Errorf("%s: exit %d status %s, want %d %s", tc.name, code, res.Status, tc.code, tc.status)
		}
	}
	code, out, _ := testStateRun(t, "--definition", def, "--input", `{"amount":12}`, "--mock-result", `{"Payload":{"paymentId":"p-1"}}`)
	for _, want := range []string{"SUCCEEDED → next state Ship", "afterParameters", `{"FunctionName":"charge","Payload":{"amount":12}}`, "afterResultSelector", `{"paymentId":"p-1"}`, "output"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("table: exit %d, no %q in\n%s", code, want, out)
		}
	}
}

func TestTestStateBadInput(t *testing.T) {
	dir := t.TempDir()
	def := filepath.Join(dir, "charge.json")
	pass := filepath.Join(dir, "pass.json")
	_ = os.WriteFile(def, []byte(chargeState), 0o600)
	_ = os.WriteFile(pass, []byte(`{"Type":"Pass","End":true}`), 0o600)
	for _, args := range [][]string{
		{},
		{"--definition", "/does/not/exist.json"},
		{"--definition", def}, // a Task without a mock
		{"--definition", def, "--mock-result", `{"StatusCode":"200"}`},            // not the API's shape
		{"--definition", def, "--mock-result", `{`},                               // not JSON
		{"--definition", def, "--mock-result", "{}", "--mock-error", "E"},         // both
		{"--definition", def, "--mock-cause", "why"},                              // a cause without an error
		{"--definition", pass, "--mock-result", "{}"},                             // a Pass takes no mock
		{"--definition", pass, "--input", "{"},                                    // input not JSON
		{"--definition", pass, "--inspection-level", "all"},                       // unknown level
		{"--definition", pass, "--state", "Nope"},                                 // a single state has no others
		{"--definition", def, "--mock-error", "E", "--retry-count", "-1"},         // negative
		{"--definition", def, "--mock-result", "@/does/not/exist.json"},           // unreadable file
		{"--definition", def, "--mock-result", "{}", "--field-validation", "lax"}, // unknown mode
	} {
		code, out, errOut := testStateRun(t, args...)
		first := strings.SplitN(strings.TrimSpace(errOut), "\n", 2)[0]
		if code != 2 || out != "" || !strings.HasPrefix(first, "yafdp: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
}

// TestTestStateTable keeps the table form of each outcome in golden files
// (go test -update rewrites them).
func TestTestStateTable(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	charge := write("charge.json", chargeState)
	mapState := write("map.json", `{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":2,"ToleratedFailurePercentage":40,
	  "ItemSelector":{"sku.$":"$$.Map.Item.Value"},
	  "ItemProcessor":{"StartAt":"Reserve","States":{"Reserve":{"Type":"Pass","End":true}}},
	  "Retry":[{"ErrorEquals":["States.ExceedToleratedFailureThreshold"],"IntervalSeconds":5,"MaxAttempts":2}],"End":true}`)
	for _, tc := range []struct {
		golden string
		args   []string
	}{
		{"test-state-succeeded.txt", []string{"--definition", charge, "--input", `{"amount":12}`, "--mock-result", `{"Payload":{"paymentId":"p-1"}}`}},
		{"test-state-caught.txt", []string{"--definition", charge, "--input", `{"amount":12}`, "--mock-error", "Payment.Declined", "--mock-cause", "card declined"}},
		{"test-state-retriable.txt", []string{"--definition", charge, "--input", `{"amount":12}`, "--mock-error", "Payment.Throttled", "--retry-count", "2"}},
		{"test-state-map.txt", []string{"--definition", mapState, "--input", `{"items":["a","b","c"]}`, "--mock-result", `[1,2,3]`, "--map-failure-count", "2"}},
		{"test-state-info.txt", []string{"--definition", charge, "--input", `{"amount":12}`, "--mock-error", "Boom", "--inspection-level", "info"}},
	} {
		_, out, errOut := testStateRun(t, tc.args...)
		if errOut != "" {
			t.Errorf("%s: stderr %q", tc.golden, errOut)
		}
		golden.Check(t, tc.golden, []byte(out))
	}
}
