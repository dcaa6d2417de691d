package saga

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/output"
	"github.com/yafdp/yafdp/internal/input"
	"github.com/yafdp/yafdp/internal/mockconfig"
	"github.com/yafdp/yafdp/internal/saga"
	"github.com/yafdp/yafdp/internal/ui"
)

// RunOptions are the inputs of `yafdp saga run`.
type RunOptions struct {
	cmdutil.Deps
	// Now is the wall clock, for the "simulated in" figure; tests fix it.
	Now func() time.Time

	Orders         int
	Seed           uint64
	Faults         []string
	Latencies      []string
	Virtual        bool
	Concurrency    int
	DefinitionFile string
	Input          string
	MockConfig     string
	TestCase       string
	MachineName    string
	S3Dir          string

	// Parsed from the flags by the command.
	fakes      saga.FakeConfig
	definition *saga.DefinitionFile
	input      any
	hasInput   bool
	mock       *mockconfig.Case
}

var runLong = cmdutil.Heredoc(`
			Run the order saga locally, in-process, against fake Payment, Restaurant,
			Delivery, Notification and order-status services.

			By default --orders generated orders run concurrently (at most --concurrency
			at a time) in real time: retries really wait their back-off. With --virtual they run on a virtual clock, where
			a 20-second back-off costs no wall time. The summary shows outcomes, retries,
			compensations, saga latency percentiles and the saga invariant check: every
			SUCCEEDED order charged once, accepted, scheduled, notified and CONFIRMED;
			every FAILED order refunded, cancelled everywhere, CANCELLED and told; a
			compensation that kept failing named in a Saga.CompensationFailed ending.

			With --orders 1 the order's step-by-step timeline is printed. With --input
			one execution runs on that input and its output (or error and cause) is
			printed. --definition runs another ASL document instead of the built-in
			saga; its lambda:invoke tasks reach the same fakes by FunctionName (a
			name, or a function ARN), as do Tasks whose Resource is a fake's
			function ARN.

			--mock-config answers Task states from a mock config in the Step Functions
			Local format (MockConfigFile.json: StateMachines.NAME.TestCases.CASE.STATE
			names a response in MockedResponses, whose "0", "1-2", ... answers are a
			Return or a Throw, by invocation). --test-case picks the test case (needed
			when the state machine has several), --state-machine-name the state
			machine (needed when the file names several and none is named as the
			definition file). Tasks the test case does not mock reach the fakes; one
			that nothing answers fails the execution with States.Runtime, naming it.
			'yafdp saga mock-config --definition FILE' writes a starter mock config.
			yafdp's extensions, under a top-level "Yafdp" key that the AWS tools
			ignore, give a response a Latency, Chances (answers with a probability, such
			as a 5% throttle) or a Fake (a route to a built-in fake, whose ledger and
			invariant checker then see the call); docs/mock-config.md has the format.

			A Distributed Map runs each item as a child execution on the same clock.
			Its ItemReader reads s3://BUCKET/KEY from DIR/BUCKET/KEY with --s3-dir DIR
			(where its ResultWriter writes too), or takes the answer the test case
			gives under the Map state's name (a string: the object's body; an array:
			the items).

			Faults (--fault SERVICE.KIND=VALUE, repeatable):
			  rates in [0,1] or percent:  payment.throttle, payment.decline, payment.error,
			    payment.timeout, restaurant.reject, restaurant.error, restaurant.timeout,
			    delivery.nocourier, delivery.error, delivery.timeout, notify.error,
			    notify.timeout, orders.error, orders.timeout
			  payment quota:              payment.tps=50 (or 50/s, 3000/m), payment.burst=100
			  outage windows:             SERVICE.outage=START+DURATION, e.g. payment.outage=30s+2m
			Latency (--latency SERVICE=DIST, repeatable): 0, 50ms, fixed(50ms),
			uniform(20ms,80ms), lognormal(MEDIAN,P99). Without it the fakes answer like
			real services: payment lognormal(180ms,900ms), restaurant lognormal(90ms,400ms),
			delivery lognormal(120ms,500ms), notify lognormal(40ms,150ms),
			orders lognormal(8ms,30ms).

			Exit codes: 0 the run finished and the invariant holds (orders may have
			failed and been compensated); 1 the invariant was violated, or with --input
			the execution did not succeed; 2 bad flags, faults, definition or input;
			130 interrupted (what ran so far is reported).
		`)

var runExample = cmdutil.Examples(`
			# A thousand orders with declines and rejections, on the virtual clock
			$ yafdp saga run --orders 1000 --seed 7 --fault payment.decline=0.05 --fault restaurant.reject=0.03 --virtual

			# One order's timeline while the payment provider throttles hard
			$ yafdp saga run --orders 1 --fault payment.throttle=0.6

			# A payment outage and a tight payment quota, as JSON
			$ yafdp saga run --orders 500 --virtual --fault payment.outage=10s+1m --fault payment.tps=20 --output json

			# Run your own definition on one input
			$ yafdp saga run --definition my-saga.asl.json --input @order.json

			# ... its Tasks answered by a Step Functions Local mock config
			$ yafdp saga run --definition my-saga.asl.json --input @order.json --mock-config MockConfigFile.json --test-case HappyPath

			# ... or two thousand executions of it, with the mock config's latencies and chances
			$ yafdp saga run --definition my-saga.asl.json --mock-config MockConfigFile.json --test-case Busy --orders 2000 --virtual
		`)

// NewCmdRun returns `yafdp saga run`. runF replaces runRun in tests.
func NewCmdRun(f *cmdutil.Factory, runF func(context.Context, *RunOptions) error) *cobra.Command {
	opts := &RunOptions{Deps: f.Deps(), Now: time.Now}
	cmd := &cobra.Command{
		Use:     "run",
		Short:   "Run the order saga locally with fake services and fault injection",
		Long:    runLong,
		Example: runExample,
		Args:    cobra.NoArgs,
		RunE:    cmdutil.RunE(opts, opts.parse, runF, runRun),
	}
	fl := cmd.Flags()
	fl.IntVarP(&opts.Orders, "orders", "n", 100, "Run `n` generated orders (at most 500,000)")
	fl.Uint64Var(&opts.Seed, "seed", 1, "Seed for orders, faults, latencies and jitter: same seed, same run")
	fl.StringArrayVar(&opts.Faults, "fault", nil, "Inject a `fault`, SERVICE.KIND=VALUE (repeatable; see above)")
	fl.StringArrayVar(&opts.Latencies, "latency", nil, "Set a fake service's `latency`, SERVICE=DIST (repeatable)")
	fl.BoolVar(&opts.Virtual, "virtual", false, "Run on the virtual clock: back-offs and latencies cost no wall time")
	fl.IntVar(&opts.Concurrency, "concurrency", 1000, "Keep at most `n` executions in flight (0: no limit)")
	fl.StringVar(&opts.DefinitionFile, "definition", "", "Run the ASL document in `file` instead of the built-in saga")
	fl.StringVar(&opts.Input, "input", "", "Run one execution with this `input`: JSON, or @FILE")
	fl.StringVar(&opts.MockConfig, "mock-config", "", "Answer Task states from the Step Functions Local mock config in `file`")
	fl.StringVar(&opts.TestCase, "test-case", "", "The mock config's test `case` to run")
	fl.StringVar(&opts.MachineName, "state-machine-name", "", "The `name` of the state machine in the mock config")
	fl.StringVar(&opts.S3Dir, "s3-dir", "", "Stand in for S3 with `dir`: Distributed Maps read and write s3://BUCKET/KEY as DIR/BUCKET/KEY")
	_ = cmd.MarkFlagDirname("s3-dir")

	_ = cmd.RegisterFlagCompletionFunc("fault", cmdutil.CompleteSettings(saga.FaultNames()))
	_ = cmd.RegisterFlagCompletionFunc("latency", cmdutil.CompleteSettings(saga.ServiceNames()))
	_ = cmd.MarkFlagFilename("definition", "json")
	_ = cmd.MarkFlagFilename("mock-config", "json")
	return cmd
}

// parse checks the flags and turns them into the run's inputs. Every error
// is a usage error: one line naming the flag, exit 2, nothing run.
func (o *RunOptions) parse(cmd *cobra.Command, _ []string) error {
	if o.Orders < 1 {
		return cmdutil.FlagErrorf("--orders: must be at least 1, not %d", o.Orders)
	}
	if o.Orders > saga.MaxBatchOrders {
		return cmdutil.FlagErrorf("--orders: at most %s in one run (each order's ledger is kept for the invariant check); for more, 'yafdp simulate' runs millions of sagas in virtual time",
			ui.Count(saga.MaxBatchOrders))
	}
	if o.Concurrency < 0 {
		return cmdutil.FlagErrorf("--concurrency: must be 0 (no limit) or more, not %d", o.Concurrency)
	}
	if cmd.Flags().Changed("input") && cmd.Flags().Changed("orders") {
		return cmdutil.FlagErrorf("--input runs one execution; drop --orders")
	}
	if o.S3Dir != "" {
		if fi, err := os.Stat(o.S3Dir); err != nil || !fi.IsDir() {
			return cmdutil.FlagErrorf("--s3-dir %s: not a directory (give a directory holding one subdirectory per bucket)", o.S3Dir)
		}
		if !cmd.Flags().Changed("input") {
			return cmdutil.FlagErrorf("--s3-dir serves a Distributed Map of the --definition run with --input; add --input")
		}
	}
	o.fakes = saga.RealisticLatencies()
	if err := o.fakes.ApplySpecs(o.Faults, o.Latencies); err != nil {
		return cmdutil.FlagError(err)
	}
	if o.DefinitionFile != "" {
		d, err := saga.LoadDefinition(o.DefinitionFile)
		if err != nil {
			return cmdutil.InputError(err)
		}
		o.definition = d
	}
	if cmd.Flags().Changed("input") {
		v, err := o.readInput()
		if err != nil {
			return cmdutil.UsageErrorf("--input: %v", err)
		}
		o.input, o.hasInput = v, true
	}
	return o.parseMock(cmd)
}

// parseMock loads --mock-config for the machine to run.
func (o *RunOptions) parseMock(cmd *cobra.Command) error {
	if o.MockConfig == "" {
		if cmd.Flags().Changed("test-case") || cmd.Flags().Changed("state-machine-name") {
			return cmdutil.FlagErrorf("--test-case and --state-machine-name pick from a mock config; give --mock-config too")
		}
		return nil
	}
	m, name := o.machine()
	if m == nil {
		var err error
		if m, err = saga.BuiltIn(); err != nil {
			return err
		}
	}
	k, err := saga.LoadMock(saga.MockOptions{File: o.MockConfig, Machine: o.MachineName, TestCase: o.TestCase}, m, name)
	if err != nil {
		return cmdutil.InputError(err)
	}
	o.mock = k
	return nil
}

// readInput reads --input: inline JSON, or @FILE.
func (o *RunOptions) readInput() (any, error) {
	data, what := []byte(o.Input), "the value"
	if path, ok := strings.CutPrefix(o.Input, "@"); ok {
		b, err := input.ReadFile(path, input.LimitExecutionInput)
		if err != nil {
			return nil, err
		}
		data, what = b, path
	}
	return saga.ParseInput(data, what, o.definition == nil)
}

// machine is the state machine to run and its name; nil for the
// built-in saga.
func (o *RunOptions) machine() (*asl.StateMachine, string) {
	if o.definition == nil {
		return nil, saga.StateMachineName
	}
	return o.definition.Machine, o.definition.Name
}

func runRun(ctx context.Context, o *RunOptions) error {
	p, err := o.Printer()
	if err != nil {
		return err
	}
	if o.hasInput {
		return runSingle(ctx, o, p)
	}
	wall := o.Now()
	progress := newProgress(o.IO, o.Orders)
	machine, name := o.machine()
	res, err := saga.RunBatch(ctx, saga.BatchOptions{
		Machine:        machine,
		MachineName:    name,
		Orders:         o.Orders,
		Seed:           o.Seed,
		Faults:         o.fakes,
		Clock:          saga.NewClock(o.Virtual),
		Concurrency:    o.Concurrency,
		KeepExecutions: o.Orders == 1,
		Progress:       progress.update,
		Mock:           o.mock,
	})
	progress.done()
	if err != nil {
		return err
	}
	rep := newBatchReport(o, res, o.Now().Sub(wall))
	if err := output.PrintWith(p, rep, rep.render); err != nil {
		return err
	}
	switch {
	case res.Interrupted:
		return cmdutil.ErrInterrupted
	case res.CheckRan && !res.Check.OK():
		return &cmdutil.ExitError{Code: cmdutil.ExitFailed, Err: fmt.Errorf("the saga invariant was violated for %d orders", len(res.Check.Violations))}
	}
	return nil
}
