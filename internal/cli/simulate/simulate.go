package simulate

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/output"
	"github.com/yafdp/yafdp/internal/mockconfig"
	"github.com/yafdp/yafdp/internal/rate"
	"github.com/yafdp/yafdp/internal/saga"
	"github.com/yafdp/yafdp/internal/sim"
	"github.com/yafdp/yafdp/internal/ui"
)

// Options are the inputs of `yafdp simulate`.
type Options struct {
	cmdutil.Deps
	// Now is the wall clock, for the "simulated in" figure; tests fix it.
	Now func() time.Time

	ScenarioFile   string
	Rate           rate.Rate
	Duration       sim.Duration
	Process        string
	Seed           uint64
	PaymentTPS     rate.Rate
	PaymentBurst   int
	StartRate      rate.Rate
	MaxConcurrency int
	BatchSize      int
	// Type and DuplicateStarts: Express semantics.
	Type            string
	DuplicateStarts float64
	Definition      string
	MockConfig      string
	TestCase        string
	MachineName     string
	Faults          []string
	Latencies       []string
	MaxDrain        sim.Duration
	ReportFile      string

	scenario sim.Scenario
	machine  *asl.StateMachine
	mock     *mockconfig.Case
}

var simulateLong = cmdutil.Heredoc(`
			Simulate the whole order pipeline under load, in virtual time: API Gateway's
			rate limit, the SQS queue and its dead-letter queue, the new-order Lambda
			behind its event source mapping (5 concurrent batches at first, up to 300
			more per minute, MaximumConcurrency), the StartExecution throttle, and every
			saga run by the real ASL engine against the fake services, with the payment
			provider's quota as a token bucket. An hour of traffic takes seconds.

			The report answers, before the peak and without spending a cent: do the
			orders get through, how long do they take (p50 to p99.9, accept to saga
			end), how deep and how old does the queue get, what lands in the DLQ, how
			long does the backlog take to drain, how many payment calls are throttled
			and retried, what does it cost (Standard and Express side by side), and
			does the saga invariant hold for every order.

			Without --scenario, orders arrive at --rate (500/s) for --duration (10m) with
			AWS's defaults everywhere. A scenario file (see scenarios/) sets any of it;
			flags override the file. Rates: 500/s, 30000/m or 500.

			--definition runs a team's own state machine instead of the saga, its Task
			states answered by the built-in fakes (by function name or ARN) or by a mock
			config in the Step Functions Local format (--mock-config, --test-case,
			--state-machine-name; the scenario's step_functions.mock_config). The mock
			config's yafdp extensions (a top-level "Yafdp" key: per-response Latency,
			Chances such as a 5% throttle, Fake to route to a built-in fake) make the
			run a load test of that machine; see docs/mock-config.md.

			--type express (step_functions.type: express) runs the saga with Express
			semantics, and the report says what changed: an execution ends TIMED_OUT
			after five minutes with no compensation run (its effects stay: counted
			as interrupted with effects); a start runs twice with the chance
			--duplicate-starts (step_functions.duplicate_starts; AWS publishes no
			rate, 0.001 is an assumption), drawn from the seed and the order; and an
			order the queue delivers again starts its saga again, since Express does
			not deduplicate executions by name. Runs of one order that overlap share
			the fake services' idempotency by order id and are judged together; the
			report counts the extra runs, their payment charge calls, the orders
			whose runs ended differently and those charged twice. Every run is
			billed as an execution.

			--report FILE writes charts of the per-second series: .html (interactive,
			self-contained: ECharts is inside the page, which opens offline) or .png;
			.json writes the JSON report. The same scenario and seed give a
			byte-identical JSON report.

			While it runs, the Go garbage collector works with GOGC=800, lowered to
			keep the heap within 64 MiB of what is live once more than 8 MiB is, and a
			soft memory limit of 768 MiB (fewer collections; a simulated day at 500
			orders/s stays far below 1 GiB); set GOGC or GOMEMLIMIT in the environment
			to override.

			Exit codes: 0 the run finished and the invariant holds; 1 the invariant was
			violated (the orders are listed); 2 bad flags or scenario (file, line and
			key named); 130 interrupted (what was simulated so far is reported).
		`)

var simulateExample = cmdutil.Examples(`
			# The headline question: 500 orders/s for 10 minutes, AWS defaults
			$ yafdp simulate --rate 500/s --duration 10m

			# A shipped scenario, with the payment quota raised
			$ yafdp simulate --scenario scenarios/lunch-peak.yaml --payment-tps 800

			# Does MaximumConcurrency sized to the payment quota protect it?
			$ yafdp simulate --scenario scenarios/retry-storm.yaml --max-concurrency 20

			# Charts and the JSON report
			$ yafdp simulate --scenario scenarios/flash-sale.yaml --report flash-sale.html
			$ yafdp simulate --rate 1500/s --duration 5m --output json > report.json

			# A team's own state machine, its Tasks answered by a mock config
			$ yafdp simulate --definition order.asl.json --mock-config MockConfigFile.json --test-case Busy
		`)

// NewCmdSimulate returns `yafdp simulate`. runF replaces runSimulate in tests.
func NewCmdSimulate(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Deps: f.Deps(), Now: time.Now, Rate: rate.PerSecond(500), Duration: sim.Duration(10 * time.Minute)}
	cmd := &cobra.Command{
		Use:     "simulate",
		Short:   "Simulate load on the pipeline and the throttled payment path, in virtual time",
		Long:    simulateLong,
		Example: simulateExample,
		Args:    cobra.NoArgs,
		RunE:    cmdutil.RunE(opts, opts.parse, runF, runSimulate),
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.ScenarioFile, "scenario", "", "Load the scenario in `file` (YAML); flags override it")
	fl.Var(cmdutil.RateFlag(&opts.Rate), "rate", "Offered load, e.g. 500/s or 30000/m (replaces the scenario's arrivals)")
	fl.Var(&opts.Duration, "duration", "How long orders arrive")
	fl.StringVar(&opts.Process, "process", "poisson", "Arrival `process`: poisson or constant")
	fl.Uint64Var(&opts.Seed, "seed", 1, "Seed: same scenario and seed, same report")
	fl.Var(cmdutil.RateFlag(&opts.PaymentTPS), "payment-tps", "The payment provider's quota in requests per second (0: none)")
	fl.IntVar(&opts.PaymentBurst, "payment-burst", 0, "Burst of the payment quota (default: one second of --payment-tps)")
	fl.Var(cmdutil.RateFlag(&opts.StartRate), "start-rate", "StartExecution quota per second (AWS's default; raise it as your account is)")
	fl.IntVar(&opts.MaxConcurrency, "max-concurrency", 0, "The event source's MaximumConcurrency, 2 to 1000 (0: unset)")
	fl.IntVar(&opts.BatchSize, "batch-size", 10, "The event source's BatchSize")
	fl.StringVar(&opts.Definition, "definition", "", "Run the ASL document in `file` instead of the built-in saga")
	fl.StringVar(&opts.MockConfig, "mock-config", "", "Answer Task states from the Step Functions Local mock config in `file`")
	fl.StringVar(&opts.TestCase, "test-case", "", "The mock config's test `case` to run")
	fl.StringVar(&opts.MachineName, "state-machine-name", "", "The `name` of the state machine in the mock config")
	fl.StringVar(&opts.Type, "type", sim.TypeStandard, "Run the saga as a `standard` or express workflow (step_functions.type)")
	fl.Float64Var(&opts.DuplicateStarts, "duplicate-starts", sim.DefaultDuplicateStarts, "With --type express, the `chance` that a start runs twice (at-least-once)")
	fl.StringArrayVar(&opts.Faults, "fault", nil, "Add a fault to the fake services, as in 'saga run' (repeatable)")
	fl.StringArrayVar(&opts.Latencies, "latency", nil, "Set a fake service's `latency`, SERVICE=DIST (repeatable)")
	fl.Var(&opts.MaxDrain, "max-drain", "Stop this long after the arrivals end even if orders remain")
	fl.StringVar(&opts.ReportFile, "report", "", "Write charts to `file`.html or .png, or the report to file.json")
	// Help shows the defaults a run uses (the scenario's), not the zero
	// values the flags start from.
	def := sim.Defaults()
	fl.Lookup("max-drain").DefValue = def.MaxDrain.String()
	fl.Lookup("start-rate").DefValue = def.StepFunctions.StartRate.String()
	fl.Lookup("payment-tps").DefValue = defaultOr(def.Payment.TPS, "none")
	_ = cmd.MarkFlagFilename("scenario", "yaml", "yml")
	_ = cmd.MarkFlagFilename("definition", "json")
	_ = cmd.MarkFlagFilename("mock-config", "json")
	_ = cmd.RegisterFlagCompletionFunc("process", cobra.FixedCompletions([]string{"poisson", "constant"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("fault", cmdutil.CompleteSettings(saga.FaultNames()))
	return cmd
}

// defaultOr is a rate as help shows it, or none when it is zero.
func defaultOr(r rate.Rate, none string) string {
	if r.IsZero() {
		return none
	}
	return r.String()
}

// parse builds the scenario from the file and the flags. Every error is a
// usage error: one line, exit 2, nothing simulated.
func (o *Options) parse(cmd *cobra.Command, _ []string) error {
	sc := sim.Defaults()
	sc.Name = "flags"
	if o.ScenarioFile != "" {
		var err error
		if sc, err = sim.LoadFile(o.ScenarioFile); err != nil {
			return cmdutil.ScenarioError(o.ScenarioFile, err)
		}
	}
	if err := sc.Apply(o.overrides(cmd.Flags())); err != nil {
		return cmdutil.FlagError(err)
	}
	m, name, err := sc.Machine()
	if err != nil {
		return cmdutil.InputError(err)
	}
	k, err := sc.Mock(m, name)
	if err != nil {
		return cmdutil.InputError(err)
	}
	if o.ReportFile != "" {
		switch strings.ToLower(filepath.Ext(o.ReportFile)) {
		case ".html", ".png", ".json":
		default:
			return cmdutil.FlagErrorf("--report: %q must end in .html, .png or .json", o.ReportFile)
		}
	}
	o.scenario, o.machine, o.mock = sc, m, k
	return nil
}

// overrides are the flags set; without a scenario file the arrivals come
// from the flags, defaults included.
func (o *Options) overrides(fl *pflag.FlagSet) sim.Overrides {
	ov := sim.Overrides{Faults: o.Faults, Latencies: o.Latencies}
	arrivals := o.ScenarioFile == ""
	given := func(name string) bool { return fl.Changed(name) }
	setIf(arrivals || given("rate"), &ov.Rate, &o.Rate)
	setIf(arrivals || given("duration"), &ov.Duration, &o.Duration)
	setIf(arrivals || given("process"), &ov.Process, &o.Process)
	setIf(given("seed"), &ov.Seed, &o.Seed)
	setIf(given("payment-tps"), &ov.PaymentTPS, &o.PaymentTPS)
	setIf(given("payment-burst"), &ov.PaymentBurst, &o.PaymentBurst)
	setIf(given("start-rate"), &ov.StartRate, &o.StartRate)
	setIf(given("max-concurrency"), &ov.MaxConcurrency, &o.MaxConcurrency)
	setIf(given("batch-size"), &ov.BatchSize, &o.BatchSize)
	setIf(given("max-drain"), &ov.MaxDrain, &o.MaxDrain)
	setIf(given("definition"), &ov.Definition, &o.Definition)
	setIf(given("mock-config"), &ov.MockConfig, &o.MockConfig)
	setIf(given("test-case"), &ov.TestCase, &o.TestCase)
	setIf(given("state-machine-name"), &ov.StateMachineName, &o.MachineName)
	setIf(given("type"), &ov.Type, &o.Type)
	setIf(given("duplicate-starts"), &ov.DuplicateStarts, &o.DuplicateStarts)
	return ov
}

// setIf points an override at the flag's value when the flag counts.
func setIf[T any](ok bool, override **T, value *T) {
	if ok {
		*override = value
	}
}

func runSimulate(ctx context.Context, o *Options) error {
	p, err := o.Printer()
	if err != nil {
		return err
	}
	var bar *ui.Progress
	arrivals := o.scenario.ArrivalDuration()
	draining := false
	if o.IO.IsStderrTTY() && o.IO.CanRedraw() {
		bar = ui.NewProgress(o.IO.ErrOut, int64(arrivals.Seconds()), "simulated seconds of arrivals")
	}
	wall := o.Now()
	gc := tuneGC()
	var ticks int
	rep, err := sim.Run(ctx, o.scenario, sim.Options{
		Machine: o.machine,
		Mock:    o.mock,
		Progress: func(simulated, _ time.Duration) {
			if ticks++; ticks%60 == 0 {
				gc.retune()
			}
			if bar == nil {
				return
			}
			if simulated > arrivals && !draining {
				// The arrivals are over; the queue drains, for at most
				// max_drain.
				draining = true
				bar.Done()
				bar = ui.NewProgress(o.IO.ErrOut, int64(o.scenario.MaxDrain.D().Seconds()), "simulated seconds of draining after the arrivals (at most max_drain)")
			}
			if draining {
				bar.Set(int64((simulated - arrivals).Seconds()))
				return
			}
			bar.Set(int64(simulated.Seconds()))
		},
	})
	gc.restore()
	if bar != nil {
		bar.Done()
	}
	if err != nil {
		return err
	}
	elapsed := o.Now().Sub(wall)
	if o.ReportFile != "" {
		if err := writeReportFile(o.ReportFile, rep); err != nil {
			return err
		}
		fmt.Fprintf(o.IO.ErrOut, "wrote %s\n", o.ReportFile)
	}
	view := &tableView{r: rep, wall: elapsed}
	if err := output.PrintWith(p, rep, view.render); err != nil {
		return err
	}
	switch {
	case rep.Interrupted:
		return cmdutil.ErrInterrupted
	case rep.Invariant.Violations > 0:
		return &cmdutil.ExitError{Code: cmdutil.ExitFailed, Err: fmt.Errorf("the saga invariant was violated for %d orders", rep.Invariant.Violations)}
	}
	return nil
}

func writeReportFile(path string, rep *sim.Report) error {
	var buf bytes.Buffer
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		// Written as it is made: a day's series is tens of megabytes.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			return fmt.Errorf("--report: %w", err)
		}
		err = rep.WriteJSON(f, true)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("--report: %w", err)
		}
		return nil
	case ".png":
		if err := ui.WritePNG(&buf, charts(rep)); err != nil {
			return err
		}
	default:
		if err := ui.WriteHTML(&buf, "yafdp simulate: "+rep.Scenario.Name, charts(rep)); err != nil {
			return err
		}
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("--report: %w", err)
	}
	return nil
}
