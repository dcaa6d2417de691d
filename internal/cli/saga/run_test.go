package saga

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/cli/clitest"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/config"
	"github.com/yafdp/yafdp/internal/latency"
	"github.com/yafdp/yafdp/internal/saga"
)

// fixedNow makes the wall-clock figures of a report stable.
func fixedNow() func() time.Time {
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time {
		t = t.Add(250 * time.Millisecond)
		return t
	}
}

func TestNewCmdRunParsesFlags(t *testing.T) {
	f, _ := clitest.NewFactory(nil)
	var got *RunOptions
	cmd := NewCmdRun(f, func(_ context.Context, o *RunOptions) error { got = o; return nil })
	err := clitest.Exec(cmd, "--orders", "1000", "--seed", "7", "--fault", "payment.decline=0.05",
		"--fault", "restaurant.reject=3%", "--fault", "payment.tps=50", "--latency", "payment=fixed(20ms)", "--virtual", "--concurrency", "64")
	if err != nil {
		t.Fatal(err)
	}
	if got.Orders != 1000 || got.Seed != 7 || !got.Virtual || got.Concurrency != 64 {
		t.Fatalf("options %+v", got)
	}
	if got.fakes.Payment.RefusalRate != 0.05 || got.fakes.Restaurant.RefusalRate != 0.03 || got.fakes.Payment.RatePerSecond != 50 {
		t.Fatalf("faults %+v", got.fakes)
	}
	if got.fakes.Payment.Latency != latency.Fixed(20*time.Millisecond) {
		t.Fatalf("--latency not applied: %+v", got.fakes.Payment.Latency)
	}
	if got.fakes.Delivery.Latency != saga.RealisticLatencies().Delivery.Latency {
		t.Fatalf("services without --latency keep the realistic default: %+v", got.fakes.Delivery.Latency)
	}
	if got.definition != nil || got.hasInput {
		t.Fatal("no definition or input was given")
	}
}

func TestNewCmdRunRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.asl.json")
	os.WriteFile(bad, []byte(`{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true,"Retry":[{"ErrorEquals":["E"],"BackoffRate":0.5}]}}}`), 0o644)
	notJSON := filepath.Join(dir, "x.json")
	os.WriteFile(notJSON, []byte(`{"orderId":`), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--orders", "0"}, "--orders: must be at least 1"},
		{[]string{"--orders", "-5"}, "--orders: must be at least 1"},
		// 100 million orders would allocate 20 GB at once and crash.
		{[]string{"--orders", "100000000", "--virtual"}, "--orders: at most 500,000 in one run"},
		{[]string{"--orders", "ten"}, `invalid argument "ten" for "-n, --orders"`},
		{[]string{"--seed", "-1"}, `invalid argument "-1" for "--seed"`},
		{[]string{"--concurrency", "-1"}, "--concurrency: must be 0"},
		{[]string{"--fault", "paymnt.decline=0.1"}, `unknown`},
		{[]string{"--fault", "payment.decline=2"}, "payment.decline"},
		{[]string{"--fault", "payment.decline"}, "payment.decline"},
		{[]string{"--fault", "payment.outage=soon"}, "payment.outage"},
		{[]string{"--latency", "payment=fast"}, "--latency"},
		{[]string{"--latency", "bank=10ms"}, "--latency"},
		{[]string{"--definition", filepath.Join(dir, "missing.json")}, "--definition: " + filepath.Join(dir, "missing.json") + ": no such file"},
		{[]string{"--definition", bad}, "States.A.Retry[0].BackoffRate: must be >= 1.0"},
		{[]string{"--input", "{nope"}, "--input: the value is not valid JSON"},
		{[]string{"--input", ""}, "--input: the value is empty"},
		{[]string{"--input", "@" + notJSON}, "--input: " + notJSON + " is not valid JSON"},
		{[]string{"--input", "@" + filepath.Join(dir, "none.json")}, "no such file"},
		{[]string{"--input", `"` + strings.Repeat("x", 300*1024) + `"`}, "Step Functions accepts at most 262144"},
		{[]string{"--input", "{}", "--orders", "5"}, "--input runs one execution; drop --orders"},
		{[]string{"--input", "{}"}, "--input: not a valid order for the built-in saga"},
		{[]string{"--input", `{"orderId":"ord_1","customerId":"cus_1","restaurantId":"rst_1","items":[{"sku":"A","qty":0,"unitPriceCents":100}],"currency":"EUR","totalCents":0,"deliveryAddress":{"line1":"x","city":"y","postalCode":"1","country":"DE"},"placedAt":"2026-01-01T00:00:00Z"}`}, "items[0].qty"},
		{[]string{"--s3-dir", notJSON, "--input", "{}"}, "--s3-dir " + notJSON + ": not a directory"},
		{[]string{"--s3-dir", dir}, "--s3-dir serves a Distributed Map of the --definition run with --input; add --input"},
		{[]string{"--bogus"}, "unknown flag: --bogus"},
		{[]string{"extra"}, "unknown command"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			f, _ := clitest.NewFactory(nil)
			ran := false
			cmd := NewCmdRun(f, func(context.Context, *RunOptions) error { ran = true; return nil })
			err := clitest.Exec(cmd, c.args...)
			var ue *cmdutil.UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("error %v, want a usage error (exit 2)", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not contain %q", err, c.want)
			}
			if strings.Contains(strings.TrimSpace(err.Error()), "\n") {
				t.Fatalf("a bad-input error must be one line: %q", err)
			}
			if ran {
				t.Fatal("the run function ran despite bad input")
			}
		})
	}
}

func runCmd(t *testing.T, format string, args ...string) (string, string, error) {
	t.Helper()
	f, streams := clitest.NewFactory(&config.Config{Output: format})
	cmd := NewCmdRun(f, func(ctx context.Context, o *RunOptions) error {
		o.Now = fixedNow()
		return runRun(ctx, o)
	})
	err := clitest.Exec(cmd, args...)
	return streams.Out.String(), streams.ErrOut.String(), err
}

func TestRunBatchSummaryGolden(t *testing.T) {
	args := []string{"--orders", "1000", "--seed", "7", "--fault", "payment.decline=0.05", "--fault", "restaurant.reject=0.03",
		"--fault", "payment.throttle=0.1", "--virtual"}
	out, _, err := runCmd(t, "table", args...)
	if err != nil {
		t.Fatal(err)
	}
	clitest.Golden(t, "run-batch.table.golden", []byte(out))

	out, _, err = runCmd(t, "json", args...)
	if err != nil {
		t.Fatal(err)
	}
	clitest.Golden(t, "run-batch.json.golden", []byte(out))
	var rep map[string]any
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"orders", "succeeded", "failed", "violations", "retries", "latencyMs"} {
		if _, ok := rep[key]; !ok {
			t.Errorf("the JSON report has no %q", key)
		}
	}
	lat := rep["latencyMs"].(map[string]any)
	for _, key := range []string{"p50", "p95", "p99"} {
		if _, ok := lat[key]; !ok {
			t.Errorf("latencyMs has no %q", key)
		}
	}
	if rep["orders"].(float64) != 1000 || rep["violations"].(float64) != 0 {
		t.Fatalf("report %v", rep)
	}
}

func TestRunOneOrderTimelineGolden(t *testing.T) {
	out, _, err := runCmd(t, "table", "--orders", "1", "--seed", "3", "--fault", "payment.throttle=0.7", "--fault", "delivery.nocourier=1", "--virtual")
	if err != nil {
		t.Fatal(err)
	}
	clitest.Golden(t, "run-one.table.golden", []byte(out))
	for _, want := range []string{"ProcessPayment", "attempts: Payment.Throttled", "↩ compensating", "RefundPayment", "Delivery.NoCourier"} {
		if !strings.Contains(out, want) {
			t.Errorf("the timeline lacks %q:\n%s", want, out)
		}
	}
}

func TestRunSingleInput(t *testing.T) {
	input := `{"orderId":"ord_single","customerId":"cus_1","restaurantId":"rst_1","items":[{"sku":"PIZ-1","qty":2,"unitPriceCents":1250}],"currency":"EUR","totalCents":2500,"deliveryAddress":{"line1":"1 Main St","city":"Berlin","postalCode":"10115","country":"DE"},"placedAt":"2026-01-01T12:00:00Z"}`
	out, _, err := runCmd(t, "json", "--input", input, "--virtual")
	if err != nil {
		t.Fatal(err)
	}
	clitest.Golden(t, "run-input.json.golden", []byte(out))
	var rep struct {
		Status string `json:"status"`
		Output struct {
			OrderID string `json:"orderId"`
		} `json:"output"`
		Error  string           `json:"error"`
		Cause  string           `json:"cause"`
		Events []map[string]any `json:"events"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Status != "SUCCEEDED" || rep.Output.OrderID != "ord_single" {
		t.Fatalf("%+v", rep)
	}
	if first, last := rep.Events[0], rep.Events[len(rep.Events)-1]; first["type"] != "ExecutionStarted" || last["type"] != "ExecutionSucceeded" {
		t.Fatalf("events run %v … %v", first["type"], last["type"])
	}

	// A failing execution prints its error and cause and exits 1.
	out, _, err = runCmd(t, "json", "--input", input, "--virtual", "--fault", "payment.decline=1")
	var ee *cmdutil.ExitError
	if !errors.As(err, &ee) || ee.Code != cmdutil.ExitFailed {
		t.Fatalf("error %v, want exit 1", err)
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Status != "FAILED" || rep.Error != "Payment.Declined" || rep.Cause == "" {
		t.Fatalf("%+v", rep)
	}
}

// A definition that charges and then fails without refunding breaks the
// invariant: the run must say which order and exit 1.
func TestRunReportsInvariantViolations(t *testing.T) {
	def := filepath.Join(t.TempDir(), "leaky.asl.json")
	os.WriteFile(def, []byte(`{"StartAt":"Charge","States":{
	 "Charge":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"yafdp-payment-charge","Payload":{"orderId.$":"$.orderId","customerId.$":"$.customerId","amountCents.$":"$.totalCents","currency.$":"$.currency"}},"Next":"Oops"},
	 "Oops":{"Type":"Fail","Error":"Leaky.Saga","Cause":"forgot to refund"}}}`), 0o644)
	out, _, err := runCmd(t, "table", "--definition", def, "--orders", "3", "--virtual")
	var ee *cmdutil.ExitError
	if !errors.As(err, &ee) || ee.Code != cmdutil.ExitFailed {
		t.Fatalf("error %v, want exit 1", err)
	}
	if !strings.Contains(out, "violated for 3 orders") || !strings.Contains(out, "ord_") {
		t.Fatalf("the summary must name the violating orders:\n%s", out)
	}
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, saga.Definition, 0o644)
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"C":{"Type":"Wait","End":true}}}`), 0o644)

	run := func(format string, args ...string) (string, error) {
		f, streams := clitest.NewFactory(&config.Config{Output: format})
		err := clitest.Exec(NewCmdValidate(f, nil), args...)
		return streams.Out.String(), err
	}
	out, err := run("table", good)
	if err != nil || !strings.Contains(out, "is valid ASL: 15 states") {
		t.Fatalf("%q %v", out, err)
	}
	out, err = run("table", bad)
	var ee *cmdutil.ExitError
	if !errors.As(err, &ee) || ee.Code != 1 {
		t.Fatalf("an invalid document exits 1, got %v", err)
	}
	clitest.Golden(t, "validate-bad.table.golden", []byte(strings.ReplaceAll(out, dir, "DIR")))
	out, _ = run("json", bad)
	var v validation
	if err := json.Unmarshal([]byte(out), &v); err != nil || v.Valid || len(v.Problems) != 3 {
		t.Fatalf("%s %v", out, err)
	}
	_, err = run("table", filepath.Join(dir, "missing.json"))
	var ue *cmdutil.UsageError
	if !errors.As(err, &ue) {
		t.Fatalf("a missing file is a usage error (exit 2), got %v", err)
	}
}

func TestDefinitionPrintsTheEmbeddedSaga(t *testing.T) {
	for _, format := range []string{"table", "json", "jsonl"} {
		f, streams := clitest.NewFactory(&config.Config{Output: format})
		if err := clitest.Exec(NewCmdDefinition(f, nil)); err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(streams.Out.Bytes(), &doc); err != nil || doc["StartAt"] != "ProcessPayment" {
			t.Fatalf("%s: %v", format, err)
		}
		if lines := strings.Count(streams.Out.String(), "\n"); format == "jsonl" && lines != 1 {
			t.Fatalf("jsonl prints one line, got %d", lines)
		}
	}
}

// A Distributed Map of --definition reads its items through --s3-dir; an
// object that is not JSON fails it with AWS's error and exit 1.
func TestRunDistributedMapWithS3Dir(t *testing.T) {
	dir := t.TempDir()
	s3 := filepath.Join(dir, "s3")
	os.MkdirAll(filepath.Join(s3, "b"), 0o755)
	os.WriteFile(filepath.Join(s3, "b", "items.json"), []byte(`[{"n":1},{"n":2}]`), 0o644)
	os.WriteFile(filepath.Join(s3, "b", "notjson.json"), []byte(`n=1`), 0o644)
	def := filepath.Join(dir, "fan.asl.json")
	os.WriteFile(def, []byte(`{"StartAt":"Fan","States":{"Fan":{"Type":"Map",
	 "ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSON"},"Parameters":{"Bucket":"b","Key.$":"$.key"}},
	 "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
	 "End":true}}}`), 0o644)
	out, _, err := runCmd(t, "json", "--definition", def, "--input", `{"key":"items.json"}`, "--s3-dir", s3, "--virtual")
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Status  string `json:"status"`
		Output  any    `json:"output"`
		Error   string `json:"error"`
		MapRuns []struct {
			ARN       string `json:"map_run_arn"`
			Status    string `json:"status"`
			Items     int    `json:"items"`
			Succeeded int    `json:"succeeded"`
		} `json:"map_runs"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Status != "SUCCEEDED" || fmt.Sprint(rep.Output) != "[map[n:1] map[n:2]]" {
		t.Fatalf("%+v", rep)
	}
	if len(rep.MapRuns) != 1 || rep.MapRuns[0].Status != "SUCCEEDED" || rep.MapRuns[0].Items != 2 || rep.MapRuns[0].Succeeded != 2 ||
		!strings.Contains(rep.MapRuns[0].ARN, ":mapRun:fan/") {
		t.Fatalf("map runs %+v", rep.MapRuns)
	}
	table, _, err := runCmd(t, "table", "--definition", def, "--input", `{"key":"items.json"}`, "--s3-dir", s3, "--virtual")
	if err != nil || !strings.Contains(table, "SUCCEEDED · 2 items: 2 succeeded, 0 failed") {
		t.Fatalf("table %s %v", table, err)
	}
	out, _, err = runCmd(t, "json", "--definition", def, "--input", `{"key":"notjson.json"}`, "--s3-dir", s3, "--virtual")
	var ee *cmdutil.ExitError
	if !errors.As(err, &ee) || ee.Code != cmdutil.ExitFailed {
		t.Fatalf("error %v, want exit 1", err)
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Status != "FAILED" || rep.Error != "States.ItemReaderFailed" {
		t.Fatalf("%+v %v", rep, err)
	}
}
