package simulate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/cli/clitest"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/config"
	"github.com/yafdp/yafdp/internal/sim"
)

func capture(t *testing.T, args ...string) (*Options, error) {
	t.Helper()
	f, _ := clitest.NewFactory(nil)
	var got *Options
	err := clitest.Exec(NewCmdSimulate(f, func(_ context.Context, o *Options) error { got = o; return nil }), args...)
	return got, err
}

func TestFlagsWithoutAScenario(t *testing.T) {
	o, err := capture(t, "--rate", "30000/m", "--duration", "1h", "--payment-tps", "200", "--max-concurrency", "20",
		"--batch-size", "5", "--seed", "9", "--process", "constant", "--fault", "payment.decline=0.1", "--start-rate", "500/s")
	if err != nil {
		t.Fatal(err)
	}
	sc := o.scenario
	if sc.Arrivals.Rate.PerSecond() != 500 || sc.Arrivals.Duration.D() != time.Hour || sc.Arrivals.Process != "constant" {
		t.Fatalf("arrivals %+v", sc.Arrivals)
	}
	if sc.Payment.TPS.PerSecond() != 200 || sc.Lambda.MaximumConcurrency != 20 || sc.Lambda.BatchSize != 5 || sc.Seed != 9 || sc.StepFunctions.StartRate.PerSecond() != 500 {
		t.Fatalf("scenario %+v", sc)
	}
	if len(sc.Faults) != 1 {
		t.Fatalf("faults %v", sc.Faults)
	}
	// With no flags at all: 500/s for 10 minutes, AWS defaults.
	o, err = capture(t)
	if err != nil {
		t.Fatal(err)
	}
	if o.scenario.Arrivals.Rate.PerSecond() != 500 || o.scenario.Arrivals.Duration.D() != 10*time.Minute || o.scenario.StepFunctions.StartRate.PerSecond() != 300 {
		t.Fatalf("defaults %+v", o.scenario)
	}
}

func TestFlagsOverrideAScenario(t *testing.T) {
	o, err := capture(t, "--scenario", "../../../scenarios/lunch-peak.yaml", "--payment-tps", "900/s", "--seed", "4")
	if err != nil {
		t.Fatal(err)
	}
	if o.scenario.Name != "lunch-peak" || o.scenario.Payment.TPS.PerSecond() != 900 || o.scenario.Seed != 4 || len(o.scenario.Arrivals.Phases) != 3 {
		t.Fatalf("%+v", o.scenario)
	}
	o, err = capture(t, "--scenario", "../../../scenarios/lunch-peak.yaml", "--rate", "100/s")
	if err != nil {
		t.Fatal(err)
	}
	if len(o.scenario.Arrivals.Phases) != 0 || o.scenario.Arrivals.Duration.D() != 8*time.Minute {
		t.Fatalf("--rate replaces the phases over the same duration: %+v", o.scenario.Arrivals)
	}
	o, err = capture(t, "--scenario", "../../../scenarios/retry-storm.yaml")
	if err != nil || o.machine == nil {
		t.Fatalf("the scenario's definition is read next to the file: %v", err)
	}
}

func TestBadInputExitsTwo(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("arrivals:\n  rate: 500/s\n  duration: 1m\nlambda:\n  batchsize: 10\n"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--rate", "fast"}, `invalid argument "fast" for "--rate"`},
		{[]string{"--rate", "-5/s"}, "must not be negative"},
		{[]string{"--duration", "0s"}, "--duration: must be more than 0"},
		{[]string{"--max-concurrency", "1"}, "--max-concurrency: must be between 2 and 1000"},
		{[]string{"--batch-size", "0"}, "--batch-size: must be between 1"},
		{[]string{"--process", "bursty"}, `--process: "bursty" is not a process`},
		{[]string{"--fault", "payment.nope=1"}, "faults[0]"},
		{[]string{"--latency", "payment"}, "--latency"},
		{[]string{"--scenario", filepath.Join(dir, "none.yaml")}, "does not exist"},
		{[]string{"--scenario", bad}, `bad.yaml:5: unknown key "batchsize" in lambda`},
		{[]string{"--definition", filepath.Join(dir, "none.json")}, "--definition"},
		{[]string{"--report", "out.svg"}, `--report: "out.svg" must end in .html, .png or .json`},
		{[]string{"--payment-burst", "0"}, "--payment-burst: must be at least 1"},
		{[]string{"--start-rate", "0"}, "--start-rate: must be more than 0"},
		{[]string{"extra"}, "unknown command"},
		{[]string{"--type", "turbo"}, `--type: "turbo" is not a workflow type; use standard or express`},
		{[]string{"--duplicate-starts", "0.5"}, "--duplicate-starts: applies to Express workflows only; set --type to express"},
		{[]string{"--type", "express", "--duplicate-starts", "2"}, "--duplicate-starts: must be a chance from 0 to 1, not 2"},
		{[]string{"--test-case", "Busy"}, "--test-case: picks a test case from a mock config, and there is none; give --mock-config too"},
		{[]string{"--mock-config", filepath.Join(dir, "none.json")}, "--mock-config: " + filepath.Join(dir, "none.json") + ": no such file"},
		{[]string{"--definition", fiveTasks, "--mock-config", fiveTasksMock}, `--test-case: the state machine "five-tasks" of ` + fiveTasksMock + ` has 3 test cases`},
		{[]string{"--definition", fiveTasks, "--mock-config", fiveTasksMock, "--test-case", "Lazy"}, `--test-case: the state machine "five-tasks" of ` + fiveTasksMock + ` has no test case "Lazy"`},
		{[]string{"--mock-config", fiveTasksMock, "--test-case", "Busy"}, `TestCases.Busy.Announce: the state machine has no state named "Announce"`},
	} {
		_, err := capture(t, c.args...)
		var ue *cmdutil.UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want a usage error containing %q", c.args, err, c.want)
		}
	}
}

const (
	fiveTasks     = "../../saga/testdata/five-tasks.asl.json"
	fiveTasksMock = "../../saga/testdata/five-tasks.mock.json"
)

// TestMockConfigRunsAsItsTestCaseSays runs a team's own machine with a
// mock config's extensions, as a user types it: the table names no
// invariant verdict for orders that never called the fakes.
func TestMockConfigRunsAsItsTestCaseSays(t *testing.T) {
	out, err := runCmd(t, "table", "--rate", "100/s", "--duration", "20s", "--definition", fiveTasks, "--mock-config", fiveTasksMock, "--test-case", "Busy")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"succeeded", "Invariant           not checked: the definition never called the fake services"} {
		if !strings.Contains(out, want) {
			t.Errorf("the table lacks %q:\n%s", want, out)
		}
	}
}

func runCmd(t *testing.T, format string, args ...string) (string, error) {
	t.Helper()
	f, streams := clitest.NewFactory(&config.Config{Output: format})
	cmd := NewCmdSimulate(f, func(ctx context.Context, o *Options) error {
		tick := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		o.Now = func() time.Time { tick = tick.Add(time.Second); return tick }
		return runSimulate(ctx, o)
	})
	err := clitest.Exec(cmd, args...)
	return streams.Out.String(), err
}

var goldenArgs = []string{"--rate", "200/s", "--duration", "30s", "--payment-tps", "150", "--fault", "payment.decline=0.05", "--fault", "notify.error=0.05"}

func TestGoldenTableAndJSON(t *testing.T) {
	out, err := runCmd(t, "table", goldenArgs...)
	if err != nil {
		t.Fatal(err)
	}
	clitest.Golden(t, "simulate.table.golden", []byte(out))
	for _, want := range []string{"Latency", "Queue depth", "▁", "Cost per 1M orders", "Standard", "Express", "holds for all"} {
		if !strings.Contains(out, want) {
			t.Errorf("the table lacks %q", want)
		}
	}
	out, err = runCmd(t, "json", goldenArgs...)
	if err != nil {
		t.Fatal(err)
	}
	clitest.Golden(t, "simulate.json.golden", []byte(out))
	var rep sim.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Series) < 30 || rep.Orders.Offered == 0 || rep.Invariant.Violations != 0 {
		t.Fatalf("report %+v", rep.Orders)
	}
}

func TestReportFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"r.html", "r.png", "r.json"} {
		path := filepath.Join(dir, name)
		if _, err := runCmd(t, "table", append([]string{"--report", path}, goldenArgs...)...); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		switch filepath.Ext(name) {
		case ".html":
			if !bytes.Contains(data, []byte("echarts")) || !bytes.Contains(data, []byte("Queue")) {
				t.Errorf("%s is not the charts page", name)
			}
		case ".png":
			if !bytes.HasPrefix(data, []byte("\x89PNG")) {
				t.Errorf("%s is not a PNG", name)
			}
		case ".json":
			// What --output json prints.
			want, err := os.ReadFile(filepath.Join("testdata", "simulate.json.golden"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(data, want) {
				t.Errorf("%s is not what --output json prints (testdata/simulate.json.golden)", name)
			}
		}
	}
}
