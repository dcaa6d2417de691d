package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/rate"
)

// passMachine is a one-state saga: the tests of the pipeline's queueing
// model do not need the real saga's work.
func passMachine(t *testing.T) *asl.StateMachine {
	t.Helper()
	m, err := asl.Parse([]byte(`{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func run(t *testing.T, sc Scenario, m *asl.StateMachine) *Report {
	t.Helper()
	r, err := Run(context.Background(), sc, Options{Machine: m})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// API Gateway's token bucket admits exactly rate × t + burst of an
// overload.
func TestAPIGatewayAdmitsRateTimesTPlusBurst(t *testing.T) {
	sc := Defaults()
	sc.Arrivals.Process = "constant"
	sc.Arrivals.Rate = rate.PerSecond(20000)
	sc.Arrivals.Duration = Duration(10 * time.Second)
	sc.StepFunctions.StartRate = rate.PerSecond(1e6)
	sc.StepFunctions.StartBurst = 1e6
	r := run(t, sc, passMachine(t))
	want := int64(10000*10 + 5000)
	if d := r.Orders.Accepted - want; d < -1 || d > 1 {
		t.Fatalf("accepted %d of %d offered, want %d (rate × t + burst)", r.Orders.Accepted, r.Orders.Offered, want)
	}
	if r.Orders.Accepted+r.Orders.Rejected429 != r.Orders.Offered {
		t.Fatalf("accepted + rejected = %d, offered %d", r.Orders.Accepted+r.Orders.Rejected429, r.Orders.Offered)
	}
}

// StartExecution's token bucket: 300/s and a burst of 1,300.
func TestStartExecutionThrottleAdmitsRateTimesTPlusBurst(t *testing.T) {
	sc := Defaults()
	sc.Arrivals.Process = "constant"
	sc.Arrivals.Rate = rate.PerSecond(1000)
	sc.Arrivals.Duration = Duration(20 * time.Second)
	sc.MaxDrain = Duration(time.Second)
	sc.Lambda.InitialConcurrency = 1000
	r := run(t, sc, passMachine(t))
	// In the first 20 s at most 300 × 20 + 1,300 starts succeed; the run
	// goes on one second longer (max_drain), which adds at most 300.
	if got, hi := r.StartExecution.Executions, int64(300*21+1300); got > hi || got < hi-400 {
		t.Fatalf("%d executions started, want about %d", got, hi)
	}
	if r.StartExecution.Throttled == 0 {
		t.Fatal("no StartExecution throttles at 1,000/s against 300/s")
	}
}

// The event source starts at 5 concurrent batches and adds up to 300 a
// minute while messages wait: it reaches the account's 1,000 within the
// fourth minute ((1000−5)/300 = 3.3 minutes), not before.
func TestLambdaScalingReachesConcurrencyAtTheDocumentedMinute(t *testing.T) {
	sc := Defaults()
	sc.Arrivals.Process = "constant"
	sc.Arrivals.Rate = rate.PerSecond(1000)
	sc.Arrivals.Duration = Duration(270 * time.Second)
	// 20-second invocations keep every slot busy: 1,000 slots take at most
	// 500 messages a second, so a backlog builds and scaling never stops.
	sc.Lambda.Duration = Duration(20 * time.Second)
	sc.StepFunctions.StartRate = rate.PerSecond(1e6)
	sc.StepFunctions.StartBurst = 1e6
	sc.MaxDrain = 0
	r := run(t, sc, passMachine(t))
	reached := -1
	for _, s := range r.Series {
		if s.LambdaConcurrency >= 1000 {
			reached = s.T
			break
		}
	}
	if reached < 180 || reached >= 240 {
		t.Fatalf("concurrency reached 1,000 at second %d, want within the fourth minute", reached)
	}
	if c := r.Series[60].LambdaConcurrency; c < 290 || c > 310 {
		t.Fatalf("after one minute concurrency is %d, want about 5 + 300", c)
	}
	if r.Lambda.PeakConcurrency != 1000 {
		t.Fatalf("peak %d, want the account's 1,000", r.Lambda.PeakConcurrency)
	}
}

// MaximumConcurrency caps the event source.
func TestMaximumConcurrencyCaps(t *testing.T) {
	sc := Defaults()
	sc.Arrivals.Rate = rate.PerSecond(1000)
	sc.Arrivals.Duration = Duration(time.Minute)
	sc.Lambda.MaximumConcurrency = 20
	sc.StepFunctions.StartRate = rate.PerSecond(1e6)
	r := run(t, sc, passMachine(t))
	if r.Lambda.PeakConcurrency != 20 {
		t.Fatalf("peak concurrency %d, want 20", r.Lambda.PeakConcurrency)
	}
}

// With Poisson arrivals, one poller taking one message at a time and a
// fixed function duration, the queue is M/D/1: the mean wait is
// ρ / (2μ(1−ρ)). At λ = 80/s and a 10 ms service time, ρ = 0.8 and the
// mean wait is 20 ms.
func TestQueueWaitMatchesMD1(t *testing.T) {
	sc := Defaults()
	sc.Arrivals.Process = "poisson"
	sc.Arrivals.Rate = rate.PerSecond(80)
	sc.Arrivals.Duration = Duration(2000 * time.Second)
	sc.Lambda.BatchSize = 1
	sc.Lambda.InitialConcurrency = 1
	sc.Lambda.AccountConcurrency = 1
	sc.Lambda.ScalePerMinute = 0
	sc.Lambda.Duration = Duration(10 * time.Millisecond)
	sc.Lambda.PerMessage = 0
	sc.StepFunctions.StartRate = rate.PerSecond(1e6)
	sc.Seed = 3
	r := run(t, sc, passMachine(t))
	rho, mu := 0.8, 100.0
	want := rho / (2 * mu * (1 - rho)) * 1000 // ms
	if got := r.QueueWaitMS.Mean; math.Abs(got-want)/want > 0.06 {
		t.Fatalf("mean queue wait %.2f ms, M/D/1 gives %.2f ms", got, want)
	}
}

// Messages whose StartExecution keeps being throttled are delivered
// exactly max_receive_count times, then land in the dead-letter queue.
func TestThrottledMessagesReachTheDLQ(t *testing.T) {
	sc := Defaults()
	sc.Arrivals.Process = "constant"
	sc.Arrivals.Rate = rate.PerSecond(100)
	sc.Arrivals.Duration = Duration(10 * time.Second)
	sc.StepFunctions.StartRate = rate.PerSecond(0.001)
	sc.StepFunctions.StartBurst = 1
	sc.Queue.VisibilityTimeout = Duration(5 * time.Second)
	r := run(t, sc, passMachine(t))
	if r.Orders.InDLQ != 999 || r.StartExecution.Executions != 1 {
		t.Fatalf("DLQ %d, executions %d; want 999 and 1", r.Orders.InDLQ, r.StartExecution.Executions)
	}
	// Each message in the DLQ was throttled once per delivery.
	if r.StartExecution.Throttled != 999*3 {
		t.Fatalf("%d throttled starts, want 999 × 3", r.StartExecution.Throttled)
	}
	if r.DrainS < 0 {
		t.Fatal("the pipeline should drain once everything is in the DLQ")
	}
}

func smallScenario() Scenario {
	sc := Defaults()
	sc.Arrivals.Rate = rate.PerSecond(200)
	sc.Arrivals.Duration = Duration(20 * time.Second)
	sc.Payment.TPS = rate.PerSecond(150)
	sc.Faults = []string{"payment.decline=0.05", "delivery.nocourier=0.02", "notify.error=0.05"}
	return sc
}

func TestSameSeedSameReport(t *testing.T) {
	sc := smallScenario()
	a, _ := json.Marshal(run(t, sc, nil))
	b, _ := json.Marshal(run(t, sc, nil))
	if string(a) != string(b) {
		t.Fatal("same scenario and seed, different JSON reports")
	}
	sc.Seed = 2
	c, _ := json.Marshal(run(t, sc, nil))
	if string(a) == string(c) {
		t.Fatal("a different seed gave the same report")
	}
}

func TestSmallRunAccountsForEveryOrder(t *testing.T) {
	r := run(t, smallScenario(), nil)
	o := r.Orders
	if o.Offered != o.Accepted+o.Rejected429 {
		t.Fatalf("offered %d, accepted %d, rejected %d", o.Offered, o.Accepted, o.Rejected429)
	}
	if ended := o.Succeeded + o.Failed + o.TimedOut + o.Aborted + o.InDLQ + o.StillQueued; ended != o.Accepted {
		t.Fatalf("accepted %d but %d accounted for: %+v", o.Accepted, ended, o)
	}
	if r.Payment.Throttled == 0 || r.Payment.Retries == 0 {
		t.Fatalf("200/s against a 150/s quota must throttle and retry: %+v", r.Payment)
	}
	if r.Invariant.Violations != 0 {
		t.Fatalf("invariant: %+v", r.Invariant)
	}
	if len(r.Series) < 20 {
		t.Fatalf("%d seconds of series", len(r.Series))
	}
	var arrivals int
	for _, s := range r.Series {
		arrivals += s.Arrivals
	}
	if int64(arrivals) != o.Offered {
		t.Fatalf("series arrivals %d, offered %d", arrivals, o.Offered)
	}
	if r.Cost.PerMillion.Standard <= r.Cost.PerMillion.Express || r.Cost.PerMonth.Standard <= 0 {
		t.Fatalf("cost %+v", r.Cost)
	}
}

func TestCancelStopsEarlyAndReports(t *testing.T) {
	sc := smallScenario()
	sc.Arrivals.Duration = Duration(time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	r, err := Run(ctx, sc, Options{Progress: func(sim, _ time.Duration) {
		if sim >= 30*time.Second {
			cancel()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Interrupted || r.SimulatedS > 60 {
		t.Fatalf("interrupted %v after %.0f simulated s", r.Interrupted, r.SimulatedS)
	}
	if r.Invariant.Violations != 0 {
		t.Fatalf("an interrupted run is not a violation: %+v", r.Invariant)
	}
	// The arrivals lasted as long as the run, not the hour planned: the
	// offered rate, and the month's orders at it, are 200/s.
	if r.ArrivalsS != r.SimulatedS {
		t.Errorf("arrivals %.0fs, run %.0fs", r.ArrivalsS, r.SimulatedS)
	}
	if want := 200 * USEast1.SecondsPerBillingMonth; math.Abs(r.Cost.OrdersPerMonth-want) > want*0.05 {
		t.Errorf("%.0f orders a month, want about %.0f", r.Cost.OrdersPerMonth, want)
	}
}

// TestShippedScenariosKeepTheInvariant runs every file in scenarios/ as
// shipped and checks the saga invariant over every order.
func TestShippedScenariosKeepTheInvariant(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "scenarios", "*.yaml"))
	if err != nil || len(files) < 6 {
		t.Fatalf("want the six shipped scenarios, found %v (%v)", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if testing.Short() {
				t.Skip("full-length scenario; run without -short")
			}
			t.Parallel()
			sc, err := LoadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var m *asl.StateMachine
			if def := sc.StepFunctions.Definition; def != "" {
				data, err := os.ReadFile(filepath.Join(filepath.Dir(f), def))
				if err != nil {
					t.Fatal(err)
				}
				if m, err = asl.Parse(data); err != nil {
					t.Fatal(err)
				}
			}
			r := run(t, sc, m)
			if r.Invariant.Violations != 0 {
				t.Fatalf("%d violations, e.g. %+v", r.Invariant.Violations, r.Invariant.ViolatingOrders)
			}
			if r.Orders.Offered == 0 || r.Orders.Succeeded == 0 {
				t.Fatalf("nothing went through: %+v", r.Orders)
			}
			t.Logf("%s: %d orders, %d succeeded, %d failed, %d in DLQ, p99 %.0f ms", sc.Name, r.Orders.Offered, r.Orders.Succeeded, r.Orders.Failed, r.Orders.InDLQ, r.LatencyMS.P99)
		})
	}
}

func TestScenarioErrorsNameFileLineAndKey(t *testing.T) {
	cases := []struct{ doc, want string }{
		{"arrivals:\n  rate: 500/s\n  duration: 1m\nlambda:\n  batchsize: 10\n", `s.yaml:5: unknown key "batchsize" in lambda`},
		{"arrivals:\n  rate: fast\n  duration: 1m\n", `s.yaml:2: rate "fast" is not a number`},
		{"arrivals:\n  rate: 500/s\n  duration: soon\n", `s.yaml:3: duration "soon"`},
		{"arrivals:\n  rate: 500/s\n  duration: 1m\nlambda:\n  batch_size: 0\n", "s.yaml:5: lambda.batch_size: must be between 1 and 10,000"},
		{"arrivals:\n  rate: 500/s\n  duration: 1m\nqueue:\n  max_receive_count: 0\n", "s.yaml:5: queue.max_receive_count"},
		{"arrivals:\n  rate: 500/s\n  duration: 1m\nfaults: [payment.nope=1]\n", "faults[0]"},
		{"arrivals:\n  process: bursty\n  rate: 500/s\n  duration: 1m\n", `s.yaml:2: arrivals.process: "bursty" is not a process`},
		{"arrivals:\n  rate: 500/s\n", "arrivals.duration: must be more than 0"},
		{"arrivals:\n  phases:\n    - {for: 1m}\n", "arrivals.phases[0].rate: give rate, or from and to"},
		{"", "the file is empty"},
		{"arrivals: [1, 2]\n", "s.yaml:1:"},
		// Wrong types name the key and what it takes.
		{"arrivals:\n  rate: 500/s\n  duration: 1m\nlambda:\n  maximum_concurrency: lots\n", `s.yaml:5: maximum_concurrency: "lots" is not a whole number`},
		{"arrivals:\n  rate: 500/s\n  duration: 1m\nqueue:\n  fifo: 3\n", `s.yaml:5: fifo: "3" is not true or false`},
		{"arrivals:\n  rate: 500/s\n  duration: 1m\nfaults: payment\n", `s.yaml:4: faults: "payment" is not a list`},
		// A second document is not silently ignored.
		{"arrivals:\n  rate: 500/s\n  duration: 1m\n---\nname: other\n", "more than one YAML document"},
	}
	for _, c := range cases {
		_, err := Parse("s.yaml", []byte(c.doc))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want an error containing %q", c.doc, err, c.want)
		}
	}
}

// A FIFO queue delivers each customer's orders one at a time: everything
// still gets through, and the invariant holds.
func TestFIFOQueue(t *testing.T) {
	sc := smallScenario()
	sc.Queue.FIFO = true
	r := run(t, sc, nil)
	if r.Orders.Succeeded+r.Orders.Failed != r.Orders.Accepted || r.Invariant.Violations != 0 {
		t.Fatalf("orders %+v, invariant %+v", r.Orders, r.Invariant)
	}
}

// Report.WriteJSON writes what encoding/json's Encoder writes, indented
// and not, with a series, an empty one and none.
func TestReportWriteJSONIsTheEncoders(t *testing.T) {
	sc := Defaults()
	sc.Name = `<a & b>` // not escaped
	sc.Arrivals.Rate = rate.PerSecond(50)
	sc.Arrivals.Duration = Duration(20 * time.Second)
	full := run(t, sc, passMachine(t))
	if len(full.Series) < 20 {
		t.Fatalf("a series of %d seconds", len(full.Series))
	}
	empty, none := *full, *full
	empty.Series, none.Series = []Second{}, nil
	for name, r := range map[string]*Report{"series": full, "empty series": &empty, "no series": &none} {
		for _, indent := range []bool{true, false} {
			var want, got bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			if indent {
				enc.SetIndent("", "  ")
			}
			if err := enc.Encode(r); err != nil {
				t.Fatal(err)
			}
			if err := r.WriteJSON(&got, indent); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(want.Bytes(), got.Bytes()) {
				t.Errorf("%s, indent %v: WriteJSON differs from the Encoder:\n%s", name, indent, cmp.Diff(want.String(), got.String()))
			}
		}
	}
}
