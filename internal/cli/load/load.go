package load

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/apisubmit"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/output"
	"github.com/yafdp/yafdp/internal/config"
	"github.com/yafdp/yafdp/internal/load"
	"github.com/yafdp/yafdp/internal/load/track"
	"github.com/yafdp/yafdp/internal/local"
	"github.com/yafdp/yafdp/internal/local/sfnapi"
	"github.com/yafdp/yafdp/internal/rate"
	"github.com/yafdp/yafdp/internal/sim"
)

// Options are the inputs of `yafdp load`.
type Options struct {
	cmdutil.Deps
	// HTTPClient carries --via api requests (nil: load.NewHTTPClient).
	HTTPClient *http.Client
	// NewTracker replaces the package's NewTracker (tests).
	NewTracker func(context.Context, *Options, TrackerSpec) (track.Tracker, error)
	// Clock replaces the wall clock of the pacer (tests).
	Clock load.Clock
	// Confirm asks the user on a terminal; tests replace it.
	Confirm func(question string) bool
	// EventsClient returns the EventBridge client of --track events.
	EventsClient func(context.Context) (*eventbridge.Client, error)
	// LogsClient returns the CloudWatch Logs client --lambda-log-group is
	// read with.
	LogsClient func(context.Context) (track.LogsAPI, error)

	ScenarioFile  string
	Rate          rate.Rate
	Duration      sim.Duration
	Process       string
	Seed          uint64
	Faults        []string
	PaymentTPS    rate.Rate
	Via           string
	Queue         string
	APIURL        string
	APIKey        string
	Track         string
	StateMachine  string
	DLQ           string
	KeepTracking  bool
	HistorySample float64
	Shard         string
	RunKey        string
	Concurrency   int
	MaxConns      int
	BatchWindow   time.Duration
	SendTimeout   time.Duration
	DrainTimeout  time.Duration
	Thresholds    []string
	AbortOnFail   bool
	Compare       bool
	ReportFile    string
	LambdaLog     string
	Yes           bool

	scenario   sim.Scenario
	shard      load.Shard
	runKey     uint64
	thresholds []load.Threshold
	queue      awsops.QueueRef
	queueURL   string
}

var loadLong = cmdutil.Heredoc(`
			Drive the pipeline at a paced rate, follow every order to its end, and
			hold what happened against thresholds and against the simulation.

			Orders are generated as 'order submit --generate' makes them and sent
			open loop: the pacer never waits for an answer, and an order it reaches
			after its due time is sent at once and counted late (as vegeta's pacer
			does). Without --scenario, orders arrive at --rate for --duration, evenly
			spaced (--process constant) or as a Poisson process; a scenario file (the
			same as simulate's, with ramps and steps) sets the arrivals instead.

			--via sqs (the default) puts them on --queue (by default the environment's,
			or local up's orders on an endpoint on this machine) with
			SendMessageBatch, up to ten a call, gathered for at most --batch-window after the first is due;
			--via api POSTs each to --api-url. Every send gives up after --send-timeout.

			Each call in flight has a connection of its own: --concurrency senders
			wait for work, and while all are busy more start, as many as the rate
			times the quick calls' answer time (Little's law, three times over) asks
			for, up to --max-connections; meanwhile the pacer waits and its orders
			are late. A target that stalls for a moment thus gets a few more
			connections rather than one for every order sent during the stall, whose
			opening would take the CPU the pacer needs to catch up.

			Latencies are measured from the intended send time, so a slow answer never
			hides the orders that should have gone meanwhile: accept (the front door's
			answer), queue wait (saga start), saga (start to stop), end to end (stop),
			and the pacer's own jitter (actual − intended send time), all in HDR
			histograms.

			Each saga is followed to its end by --track: events (an EventBridge rule
			for Step Functions' status changes into a temporary SQS queue, deleted at
			the end unless --keep-tracking-resources), poll (DescribeExecution and
			ListExecutions within AWS's quotas), or none (send only: every accepted
			order ends the report still running). Arrivals in the dead-letter queue are
			counted too (--dlq, or the dead-letter queue of the orders queue's redrive
			policy), and --history-sample of the ended sagas' histories are read for
			per-state durations and Payment.Throttled. --state-machine defaults to the
			environment's, or to the built-in saga's name on an endpoint on this
			machine (local up). After the last send the run waits up to --drain-timeout for
			the sagas still running. Every order is counted once: succeeded + failed +
			timed out + aborted + in the DLQ + still running + not accepted =
			submitted, and the report says whether that holds.

			--threshold sets a pass/fail criterion as in k6 (repeatable):
			METRIC[.AGG]OP VALUE, where METRIC is a latency (accept, queue_wait, saga,
			e2e, jitter; AGG p50, p90, p99, p99.9, max, mean or count) or a count
			(submitted, accepted, not_accepted, succeeded, failed, timed_out,
			aborted, dlq, still_running, send_errors, late, throttles,
			sqs_throttles, api_429, payment_throttles; AGG count or rate), OP one of
			< <= > >= == !=, and VALUE a number, a duration (30s, 250ms; a plain
			number is milliseconds) or a share (1%); payment_throttles counts those in
			the histories read (--history-sample). --abort-on-fail stops sending
			once a threshold is breached for good (a count that only grows is past
			its bound).

			StartExecution throttles are counted where AWS reports them: in the
			new-order function's log. After the run, load counts the events of
			--lambda-log-group that match the filter pattern ThrottlingException
			(FilterLogEvents, every page, within its quota) over the run's window,
			whoever's orders they were; on an endpoint on this machine it reads
			local up's /aws/lambda/new-order, elsewhere only when given or named by
			the environment's lambda_log_group (the report says so), and 'off' turns
			it off. The count is in the report, not in the
			live view, and thresholds do not see it.

			--compare first simulates the same scenario and seed (in virtual time)
			and prints prediction and observation side by side, StartExecution
			throttles included when the log was read; --fault sfn.start.tps and
			sfn.start.burst (local up's settings of the quota) set the simulated one. --shard K/N runs one
			of N processes of one run (each sends every Nth order, with ids of its
			own); 'yafdp load merge' combines their --output json reports.

			Before it sends, load prints the estimated AWS cost of the run (the
			simulator's cost model). It refuses an endpoint that is not on this
			machine unless the selected environment (--env) names it (its
			endpoint_url or queue, or with --via api its api_url), and asks on a
			terminal; --yes skips both (and is required when not on a terminal).

			A live view (progress, rates, sagas in flight, p50/p99, DLQ, errors) is
			drawn on standard error when it is a terminal.

			Exit codes: 0 the run finished and every threshold held; 1 a threshold
			was breached, the accounting did not add up, or tracking failed; 2 bad
			flags, scenario or threshold (nothing sent); 130 interrupted: Ctrl-C
			stops sending, waits up to --drain-timeout for the sagas in flight, and
			reports.
		`)

var loadExample = cmdutil.Examples(`
			# 500 orders a second for ten minutes into the local pipeline
			$ yafdp --endpoint-url http://127.0.0.1:4566 load --rate 500/s --duration 10m

			# A scenario file's ramps, with thresholds and the simulation beside it
			$ yafdp load --scenario scenarios/lunch-peak.yaml --threshold 'saga.p99<30s' --threshold 'dlq==0' --threshold 'failed<1%' --compare

			# Through the API, sending only (no tracking)
			$ yafdp load --via api --api-url http://127.0.0.1:8080/orders --rate 5000/s --duration 30s --track none

			# Two processes of one run, merged
			$ yafdp load --rate 20000/s --duration 1m --shard 1/2 --run-key 7 --output json > a.json
			$ yafdp load --rate 20000/s --duration 1m --shard 2/2 --run-key 7 --output json > b.json
			$ yafdp load merge a.json b.json
		`)

// NewCmd returns `yafdp load` with its merge subcommand. runF replaces
// runLoad in tests.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := NewCmdLoad(f, nil)
	cmd.AddCommand(NewCmdMerge(f, nil))
	return cmd
}

// NewCmdLoad returns `yafdp load` alone.
func NewCmdLoad(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Deps: f.Deps(), Rate: rate.PerSecond(500), Duration: sim.Duration(time.Minute)}
	opts.EventsClient = func(ctx context.Context) (*eventbridge.Client, error) {
		c, err := f.AWSConfig(ctx)
		if err != nil {
			return nil, err
		}
		return eventbridge.NewFromConfig(c), nil
	}
	opts.LogsClient = func(ctx context.Context) (track.LogsAPI, error) {
		c, err := f.AWSConfig(ctx)
		if err != nil {
			return nil, err
		}
		return cloudwatchlogs.NewFromConfig(c), nil
	}
	cmd := &cobra.Command{
		Use:     "load",
		Short:   "Drive the pipeline at a paced rate and follow every saga to its end",
		Long:    loadLong,
		Example: loadExample,
		Args:    cobra.NoArgs,
		RunE:    cmdutil.RunE(opts, opts.parse, runF, runLoad),
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.ScenarioFile, "scenario", "", "Take the arrivals (and --compare's settings) from the scenario in `file` (YAML)")
	fl.Var(cmdutil.RateFlag(&opts.Rate), "rate", "Orders per second or minute, e.g. 500/s (replaces the scenario's arrivals)")
	fl.Var(&opts.Duration, "duration", "How long orders are sent")
	fl.StringVar(&opts.Process, "process", "constant", "Arrival `process`: constant (evenly spaced) or poisson")
	fl.Uint64Var(&opts.Seed, "seed", 1, "Seed of the orders' contents, the Poisson arrivals and --compare's simulation")
	fl.StringArrayVar(&opts.Faults, "fault", nil, "For --compare: a fault of the pipeline under test, as local up's --fault (repeatable)")
	fl.Var(cmdutil.RateFlag(&opts.PaymentTPS), "payment-tps", "For --compare: the payment provider's quota per second")
	fl.StringVar(&opts.Via, "via", "sqs", "Send through `sqs` (SendMessageBatch) or api (POST to --api-url)")
	fl.StringVar(&opts.Queue, "queue", "", "With --via sqs: the queue `URL|NAME` (default: the environment's queue, or local up's orders on an endpoint on this machine)")
	fl.StringVar(&opts.APIURL, "api-url", "", "With --via api: the orders resource `URL` of the API Gateway stage (default: the environment's api_url)")
	fl.StringVar(&opts.APIKey, "api-key", "", "With --via api: send this `key` as x-api-key")
	fl.StringVar(&opts.Track, "track", "events", "Follow the sagas by `events` (EventBridge), poll, or none")
	fl.StringVar(&opts.StateMachine, "state-machine", "", "The saga's state machine `ARN` to follow (default: the environment's)")
	fl.StringVar(&opts.DLQ, "dlq", "", "The dead-letter queue `URL|NAME` to watch (default: the environment's)")
	fl.BoolVar(&opts.KeepTracking, "keep-tracking-resources", false, "Keep the EventBridge rule and queue --track events creates")
	fl.Float64Var(&opts.HistorySample, "history-sample", 0.05, "Read the history of this `share` of ended sagas (per-state durations, Payment.Throttled)")
	fl.StringVar(&opts.Shard, "shard", "1/1", "Run shard `K/N` of a run split over N processes")
	fl.StringVar(&opts.RunKey, "run-key", "", "The run's `key` (hex): shards of one run share it (default: random)")
	fl.IntVar(&opts.Concurrency, "concurrency", 32, "Senders waiting for work at the start (more start when all are busy)")
	fl.IntVar(&opts.MaxConns, "max-connections", 10000, "Most calls in flight at once, each on a connection of its own")
	fl.DurationVar(&opts.BatchWindow, "batch-window", 5*time.Millisecond, "With --via sqs: hold an order at most this long for others to share its call")
	fl.DurationVar(&opts.SendTimeout, "send-timeout", 10*time.Second, "Give up on one send after this long")
	fl.DurationVar(&opts.DrainTimeout, "drain-timeout", 2*time.Minute, "After the last send, wait at most this long for the sagas still running")
	fl.StringArrayVar(&opts.Thresholds, "threshold", nil, "A pass/fail `criterion`, such as 'saga.p99<30s', 'dlq==0' or 'failed<1%' (repeatable)")
	fl.BoolVar(&opts.AbortOnFail, "abort-on-fail", false, "Stop sending once a threshold is breached for good")
	fl.BoolVar(&opts.Compare, "compare", false, "Simulate the same scenario and seed first and show prediction beside observation")
	fl.StringVar(&opts.LambdaLog, "lambda-log-group", "", "Count StartExecution throttles in the new-order function's log `group` (default: the environment's lambda_log_group, or local up's /aws/lambda/new-order on an endpoint on this machine; off: none)")
	fl.StringVar(&opts.ReportFile, "report", "", "Write charts to `file`.html or .png, or the report to file.json")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "Do not ask before loading an endpoint that is not on this machine")
	_ = cmd.MarkFlagFilename("scenario", "yaml", "yml")
	_ = cmd.RegisterFlagCompletionFunc("process", cobra.FixedCompletions([]string{"constant", "poisson"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("via", cobra.FixedCompletions([]string{"sqs", "api"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("track", cobra.FixedCompletions([]string{"events", "poll", "none"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("queue", cmdutil.CompleteQueues(f))
	return cmd
}

// parse checks every flag; each error is one line, exit 2, nothing sent.
func (o *Options) parse(cmd *cobra.Command, _ []string) error {
	fl := cmd.Flags()
	sc := sim.Defaults()
	sc.Name = "flags"
	if o.ScenarioFile != "" {
		var err error
		if sc, err = sim.LoadFile(o.ScenarioFile); err != nil {
			return cmdutil.ScenarioError(o.ScenarioFile, err)
		}
	}
	if fl.Changed("rate") && o.Rate.IsZero() {
		return cmdutil.FlagErrorf("--rate: must be more than 0, such as 500/s")
	}
	faults, err := o.startQuotaOverrides(&sc)
	if err != nil {
		return err
	}
	ov := sim.Overrides{Faults: faults}
	arrivals := o.ScenarioFile == ""
	if arrivals || fl.Changed("rate") {
		ov.Rate = &o.Rate
	}
	if arrivals || fl.Changed("duration") {
		ov.Duration = &o.Duration
	}
	if arrivals || fl.Changed("process") {
		ov.Process = &o.Process
	}
	if fl.Changed("seed") {
		ov.Seed = &o.Seed
	}
	if fl.Changed("payment-tps") {
		ov.PaymentTPS = &o.PaymentTPS
	}
	if err := sc.Apply(ov); err != nil {
		return cmdutil.FlagError(err)
	}
	if sc.ArrivalDuration() <= 0 {
		return cmdutil.FlagErrorf("--duration: must be more than 0, such as 1m")
	}
	o.scenario = sc
	if err := o.parseRun(fl); err != nil {
		return err
	}
	return o.checkTarget(fl)
}

// startQuotaOverrides applies --fault's StartExecution quota settings
// (sfn.start.tps, sfn.start.burst, as local up takes them) to the scenario
// --compare simulates, and returns the other faults. A quota turned off is
// simulated as one no run reaches.
func (o *Options) startQuotaOverrides(sc *sim.Scenario) ([]string, error) {
	q := sfnapi.StartQuota{PerSecond: sc.StepFunctions.StartRate.PerSecond(), Burst: sc.StepFunctions.StartBurst}
	rest, err := local.ApplyStartQuota(&q, o.Faults)
	if err != nil {
		return nil, cmdutil.FlagError(err)
	}
	if q.Unlimited() {
		q = sfnapi.StartQuota{PerSecond: 1e9, Burst: 1 << 30}
	}
	sc.StepFunctions.StartRate, sc.StepFunctions.StartBurst = rate.PerSecond(q.PerSecond), q.Burst
	return rest, nil
}

// parseRun checks the flags of the run itself: shards and run key,
// thresholds, tracking, limits and the report file.
func (o *Options) parseRun(fl *pflag.FlagSet) error {
	var err error
	if o.shard, err = load.ParseShard(o.Shard); err != nil {
		return cmdutil.FlagErrorf("--shard: %v", err)
	}
	if o.RunKey != "" {
		if o.runKey, err = strconv.ParseUint(strings.TrimPrefix(o.RunKey, "0x"), 16, 64); err != nil {
			return cmdutil.FlagErrorf("--run-key: %q is not a hexadecimal number of up to 16 digits", o.RunKey)
		}
	} else if o.shard.N > 1 {
		return cmdutil.FlagErrorf("--run-key: shards of one run must share a run key; give the same --run-key to each")
	} else {
		var b [8]byte
		_, _ = rand.Read(b[:])
		o.runKey = binary.LittleEndian.Uint64(b[:])
	}
	for _, t := range o.Thresholds {
		th, err := load.ParseThreshold(t)
		if err != nil {
			return cmdutil.FlagErrorf("--threshold %v", err)
		}
		o.thresholds = append(o.thresholds, th)
	}
	if o.AbortOnFail && len(o.thresholds) == 0 {
		return cmdutil.FlagErrorf("--abort-on-fail: give at least one --threshold to abort on")
	}
	switch o.Track {
	case "events", "poll", "none":
	default:
		return cmdutil.FlagErrorf("--track: %q is not events, poll or none", o.Track)
	}
	if fl.Changed("keep-tracking-resources") && o.Track != "events" {
		return cmdutil.FlagErrorf("--keep-tracking-resources goes with --track events")
	}
	switch {
	case o.HistorySample < 0 || o.HistorySample > 1:
		return cmdutil.FlagErrorf("--history-sample: must be a share from 0 to 1, such as 0.05")
	case o.Concurrency < 1 || o.Concurrency > 10000:
		return cmdutil.FlagErrorf("--concurrency: must be 1 to 10000, not %d", o.Concurrency)
	case o.MaxConns < o.Concurrency || o.MaxConns > 100000:
		return cmdutil.FlagErrorf("--max-connections: must be from --concurrency (%d) to 100000, not %d", o.Concurrency, o.MaxConns)
	case o.BatchWindow < 0 || o.BatchWindow > time.Second:
		return cmdutil.FlagErrorf("--batch-window: must be between 0s and 1s, such as 5ms")
	case o.SendTimeout <= 0:
		return cmdutil.FlagErrorf("--send-timeout: must be more than 0, such as 10s")
	case o.DrainTimeout <= 0:
		return cmdutil.FlagErrorf("--drain-timeout: must be more than 0, such as 2m")
	}
	if o.ReportFile != "" {
		switch strings.ToLower(filepath.Ext(o.ReportFile)) {
		case ".html", ".png", ".json":
		default:
			return cmdutil.FlagErrorf("--report: %q must end in .html, .png or .json", o.ReportFile)
		}
	}
	return nil
}

// checkTarget checks where the orders go.
func (o *Options) checkTarget(fl *pflag.FlagSet) error {
	switch o.Via {
	case "sqs":
		if fl.Changed("api-url") || fl.Changed("api-key") {
			return cmdutil.FlagErrorf("--api-url and --api-key go with --via api")
		}
		if fl.Changed("batch-window") && o.BatchWindow == 0 {
			o.BatchWindow = time.Nanosecond
		}
		cfg, err := o.Config()
		if err != nil {
			return err
		}
		if o.Queue == "" {
			o.Queue = cfg.Queue
		}
		if o.Queue == "" && cfg.EndpointURL != "" && IsLoopback(cfg.EndpointURL) {
			o.Queue = local.OrdersQueue // local up's
		}
		if o.Queue == "" {
			return cmdutil.FlagErrorf("--queue: no queue given; pass --queue URL|NAME or select an environment with a queue (--env)")
		}
		if o.queue, err = awsops.ParseQueueRef("queue", o.Queue); err != nil {
			return cmdutil.FlagError(err)
		}
	case "api":
		if fl.Changed("queue") {
			return cmdutil.FlagErrorf("--queue goes with --via sqs; --via api sends to --api-url")
		}
		if fl.Changed("batch-window") {
			return cmdutil.FlagErrorf("--batch-window goes with --via sqs; --via api sends one order a POST")
		}
		cfg, err := o.Config()
		if err != nil {
			return err
		}
		if o.APIURL == "" {
			o.APIURL = cfg.APIURL
		}
		if err := apisubmit.CheckURL(o.APIURL); err != nil {
			return cmdutil.FlagError(err)
		}
	default:
		return cmdutil.FlagErrorf("--via: %q is not sqs or api", o.Via)
	}
	return nil
}

// endpoint is where the orders go: the API URL, or the AWS endpoint (""
// for AWS itself).
func (o *Options) endpoint(cfg *config.Config) string {
	if o.Via == "api" {
		return o.APIURL
	}
	return cfg.EndpointURL
}

// IsLoopback reports whether raw is a URL on this machine.
func IsLoopback(raw string) bool {
	if raw == "" {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// namedInEnv reports whether the selected environment of the config file
// names the endpoint (or, for AWS itself, the queue) the orders go to.
func (o *Options) namedInEnv(cfg *config.Config) bool {
	if cfg.Env == "" {
		return false
	}
	env, ok := cfg.Environments[cfg.Env]
	if !ok {
		return false
	}
	if o.Via == "api" {
		return env.APIURL != "" && env.APIURL == o.APIURL
	}
	if cfg.EndpointURL != "" {
		return env.EndpointURL == cfg.EndpointURL
	}
	return env.Queue != "" && env.Queue == o.Queue
}

// safety prints the estimated cost and decides whether the run may go:
// a loopback endpoint always may; another one only when the environment
// names it or --yes says so, and on a terminal after asking.
func (o *Options) safety(ctx context.Context, cfg *config.Config) error {
	est, err := estimateCost(ctx, o.scenario, o.shard)
	if err != nil {
		return err
	}
	ep := o.endpoint(cfg)
	where := ep
	if where == "" {
		where = "AWS (" + regionOr(cfg.Region) + ")"
	}
	fmt.Fprintf(o.IO.ErrOut, "Load: %s orders to %s · estimated AWS cost %s with Standard workflows, %s with Express (the simulator's cost model)\n",
		fmtCount(est.orders), where, dollars(est.standard), dollars(est.express))
	if IsLoopback(ep) || o.Yes {
		return nil
	}
	if !o.namedInEnv(cfg) {
		return cmdutil.UsageErrorf("%s is not on this machine and the selected environment does not name it; select its environment with --env, or pass --yes to load it anyway", where)
	}
	if !o.IO.IsStdinTTY() || !o.IO.IsStderrTTY() {
		return cmdutil.UsageErrorf("--yes: loading %s (not on this machine) needs --yes when there is no terminal to ask on", where)
	}
	if !o.confirm(fmt.Sprintf("Send %s orders to %s (environment %s)? [y/N] ", fmtCount(est.orders), where, cfg.Env)) {
		return &cmdutil.ExitError{Code: cmdutil.ExitFailed, Err: errors.New("not confirmed; nothing was sent")}
	}
	return nil
}

func regionOr(r string) string {
	if r == "" {
		return "the default region"
	}
	return r
}

// confirm asks a yes/no question on the terminal.
func (o *Options) confirm(q string) bool {
	if o.Confirm != nil {
		return o.Confirm(q)
	}
	fmt.Fprint(o.IO.ErrOut, q)
	line, _ := bufio.NewReader(o.IO.In).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true
	}
	return false
}

func runLoad(ctx context.Context, o *Options) error {
	p, err := o.Printer()
	if err != nil {
		return err
	}
	cfg, err := o.Config()
	if err != nil {
		return err
	}
	if err := o.safety(ctx, cfg); err != nil {
		return err
	}
	var prediction *sim.Report
	if o.Compare {
		m, name, err := o.scenario.Machine()
		if err != nil {
			return cmdutil.InputError(err)
		}
		k, err := o.scenario.Mock(m, name)
		if err != nil {
			return cmdutil.InputError(err)
		}
		if prediction, err = sim.Run(ctx, o.scenario, sim.Options{Machine: m, Mock: k}); err != nil {
			return cmdutil.InputError(err)
		}
		if ctx.Err() != nil {
			return cmdutil.ErrInterrupted
		}
	}
	opts := load.Options{
		Scenario: o.scenario, Shard: o.shard, RunKey: o.runKey, Clock: o.Clock,
		BatchWindow: o.BatchWindow, Concurrency: o.Concurrency, MaxInFlight: o.MaxConns, DrainTimeout: o.DrainTimeout,
		Thresholds: o.thresholds, AbortOnFail: o.AbortOnFail,
		Target: load.Target{Via: o.Via, Endpoint: o.endpoint(cfg), Track: o.Track, HistorySample: o.HistorySample},
	}
	if err := o.sender(ctx, &opts); err != nil {
		return err
	}
	newTracker := o.NewTracker
	if newTracker == nil {
		newTracker = NewTracker
	}
	spec := TrackerSpec{Kind: o.Track, StateMachine: firstOf(o.StateMachine, cfg.StateMachine), DLQ: firstOf(o.DLQ, cfg.DLQ),
		QueueURL: o.queueURL, Keep: o.KeepTracking, HistorySample: o.HistorySample, Seed: o.scenario.Seed, Local: IsLoopback(o.endpoint(cfg))}
	tr, err := newTracker(ctx, o, spec)
	if err != nil {
		return err
	}
	opts.Tracker = tr
	var live *liveView
	if o.IO.CanRedraw() {
		live = newLiveView(o.IO.ErrOut, o.IO.ErrColorEnabled(), load.Planned(&o.scenario, o.shard))
		opts.Tick = live.draw
	}
	// The estimate and the simulation leave garbage behind: collect it
	// now rather than in the first seconds of pacing.
	runtime.GC()
	rep, runErr := load.Run(ctx, opts)
	live.done()
	if rep == nil {
		return runErr
	}
	rep.LambdaLog = o.countStartThrottles(ctx, cfg, rep)
	if o.ReportFile != "" {
		if err := writeReportFile(o.ReportFile, rep); err != nil {
			return err
		}
		fmt.Fprintf(o.IO.ErrOut, "wrote %s\n", o.ReportFile)
	}
	v := &tableView{r: rep, prediction: prediction}
	if err := output.PrintWith(p, outputOf(rep, prediction), v.render); err != nil {
		return err
	}
	return exitOf(ctx, rep, runErr)
}

// lambdaLogGroup is the log group --lambda-log-group names: the flag's,
// or local up's on an endpoint on this machine; "" and a note saying where
// it would be read from when there is none.
func (o *Options) lambdaLogGroup(cfg *config.Config) (group, note string) {
	switch {
	case o.LambdaLog == "off":
		return "", "not read (--lambda-log-group off)"
	case o.LambdaLog != "":
		return o.LambdaLog, ""
	case cfg.LambdaLogGroup != "":
		return cfg.LambdaLogGroup, ""
	case IsLoopback(cfg.EndpointURL):
		return local.NewOrderLogGroup, ""
	}
	return "", "not read (the endpoint is not on this machine): pass --lambda-log-group with the new-order function's log group, /aws/lambda/FUNCTION, or set lambda_log_group in the environment"
}

// countStartThrottles counts the StartExecution throttles in the
// new-order function's log over the run's window. It runs after Ctrl-C
// too, within its own timeout; a failure is reported, not fatal.
func (o *Options) countStartThrottles(ctx context.Context, cfg *config.Config, rep *load.Report) *load.LambdaLog {
	group, note := o.lambdaLogGroup(cfg)
	if group == "" {
		return &load.LambdaLog{Note: note}
	}
	out := &load.LambdaLog{Group: group}
	if o.LogsClient == nil {
		out.Error = "no CloudWatch Logs client"
		return out
	}
	c, err := o.LogsClient(ctx)
	if err != nil {
		out.Error = err.Error()
		return out
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	n, err := track.CountStartThrottles(cctx, track.StartThrottleOptions{Logs: c, LogGroup: group, Start: rep.StartedAt, End: rep.EndedAt})
	out.StartThrottles, out.Pages = n.Count, n.Pages
	if err != nil {
		out.Error = err.Error()
	}
	return out
}

// outputOf is what --output json prints: the report, with the
// simulation's prediction beside it under --compare.
func outputOf(rep *load.Report, prediction *sim.Report) any {
	if prediction == nil {
		return rep
	}
	return struct {
		*load.Report
		Comparison []ComparisonRow `json:"comparison"`
	}{rep, compare(prediction, rep)}
}

// exitOf maps the run's outcome to the exit code.
func exitOf(ctx context.Context, rep *load.Report, runErr error) error {
	if ctx.Err() != nil || rep.Interrupted {
		return cmdutil.ErrInterrupted
	}
	if runErr != nil {
		return &cmdutil.ExitError{Code: cmdutil.ExitFailed, Err: runErr}
	}
	if !rep.Accounting.Holds {
		return &cmdutil.ExitError{Code: cmdutil.ExitFailed, Err: fmt.Errorf("the accounting does not add up: %d orders in the buckets, %d submitted", rep.Accounting.Sum, rep.Orders.Submitted)}
	}
	var failed []string
	for _, t := range rep.Thresholds {
		if !t.Pass {
			failed = append(failed, t.Threshold)
		}
	}
	if len(failed) > 0 {
		return &cmdutil.ExitError{Code: cmdutil.ExitFailed, Err: fmt.Errorf("threshold breached: %s", strings.Join(failed, ", "))}
	}
	return nil
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// sender builds the sender of --via.
func (o *Options) sender(ctx context.Context, opts *load.Options) error {
	if o.Via == "api" {
		c := o.HTTPClient
		if c == nil {
			c = load.NewHTTPClient(o.SendTimeout, o.MaxConns)
		}
		opts.Sender = &load.APISender{Client: c, URL: o.APIURL, APIKey: o.APIKey, Timeout: o.SendTimeout}
		return nil
	}
	c, err := o.SQSClient(ctx)
	if err != nil {
		return err
	}
	q, err := awsops.ResolveQueue(ctx, c, "queue", o.queue)
	if err != nil {
		return cmdutil.InputError(err)
	}
	opts.FIFO = q.FIFO
	opts.Target.Queue = q.Name
	o.queueURL = q.URL
	opts.Sender = &load.SQSSender{Client: load.SQSClientFor(c, o.MaxConns), QueueURL: q.URL, Timeout: o.SendTimeout}
	return nil
}

// writeReportFile writes --report: charts or the JSON report.
func writeReportFile(path string, rep *load.Report) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("--report: %w", err)
	}
	err = writeReport(f, path, rep)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("--report: %w", err)
	}
	return nil
}
