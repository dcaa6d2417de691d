package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/yafdp/yafdp/internal/input"

	"github.com/spf13/cobra"

	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/cli/output"
	"github.com/yafdp/yafdp/internal/local"
	"github.com/yafdp/yafdp/internal/local/sfnapi"
	"github.com/yafdp/yafdp/internal/local/store"
	"github.com/yafdp/yafdp/internal/mockconfig"
	"github.com/yafdp/yafdp/internal/saga"
	"github.com/yafdp/yafdp/internal/sim"
	"github.com/yafdp/yafdp/internal/ui"
)

// UpOptions are the inputs of `yafdp local up`.
type UpOptions struct {
	cmdutil.Deps

	Addr              string
	Faults            []string
	Latencies         []string
	ScenarioFile      string
	Seed              uint64
	Workers           int
	BatchSize         int
	VisibilityTimeout time.Duration
	MaxReceiveCount   int
	DefinitionFile    string
	DataDir           string
	DrainTimeout      time.Duration
	KeepExecutions    int
	Compact           bool
	MockConfig        string
	S3Dir             string

	server local.Options
	// Ready, when set, is called with the running server (tests).
	Ready func(*local.Server)
}

var upLong = cmdutil.Heredoc(`
			Start the order pipeline on this machine: one port (127.0.0.1:4566 by
			default, loopback only) speaking the AWS JSON protocol of SQS and Step
			Functions, with the queues orders and orders-dlq (maxReceiveCount 3) and
			the order saga's state machine created at start, a new-order consumer that
			behaves like the Lambda behind the queue (batches of 10, 5 at a time,
			partial batch failures, one execution per order named after its orderId),
			and the fake services behind the saga with the same --fault and --latency
			settings as 'saga run' (or those of a --scenario file).

			Point anything at it with --endpoint-url:
			  yafdp --endpoint-url http://127.0.0.1:4566 --region us-east-1 order submit --generate 100 --queue orders
			  aws --endpoint-url http://127.0.0.1:4566 sqs list-queues
			Any credentials are accepted. A status line on standard error shows queue
			depths and sagas each second; Ctrl-C shuts down cleanly (exit 130, as for
			any interrupted command).

			Faults of the new-order function itself (poison: the message goes back to
			the queue, and to the DLQ after maxReceiveCount deliveries):
			  neworder.error=RATE         a share of deliveries fail
			  neworder.outage=START+DUR   every delivery fails in that window

			StartExecution of a Standard state machine is throttled as AWS throttles
			an account: a token bucket of 1,300 calls refilled at 300 a second (the
			large regions' quota; a --scenario file's step_functions.start_rate and
			start_burst replace it). It applies to every caller, the new-order
			function, the aws CLI and the SDKs alike, and every call takes a token,
			one for a name already started too. Over it the call is answered as AWS
			answers it: HTTP 400, ThrottlingException, "Rate exceeded", which the SDKs'
			retryers take for a throttle. The new-order function does not retry: the
			order's message fails, comes back after its visibility timeout, and goes
			to the DLQ after maxReceiveCount deliveries, as 'yafdp simulate' models
			it. Change the quota with the faults (the later setting wins):
			  sfn.start.tps=RATE          refill rate (300, 300/s, 18000/m); off (or 0) turns the quota off
			  sfn.start.burst=N           bucket size

			The new-order function (named new-order) writes its log to the CloudWatch
			Logs group /aws/lambda/new-order, as a Lambda function does: one event per
			failed order, with its error as the AWS SDK for Go v2 words it (operation
			error SFN: StartExecution, ... api error ThrottlingException: Rate
			exceeded), in streams named YYYY/MM/DD/[$LATEST]ID. Successes write nothing
			(nor START, END and REPORT lines), which keeps the log cheap at high rates.
			The group keeps its newest 1,000,000 events (256 MiB of messages), enough
			for every throttle of a 5 s burst at 20,000 orders/s; 'yafdp load' counts
			StartExecution throttles there, and the status (GET /) counts every
			refused StartExecution, whoever called.

			State lives in memory by default: it is gone when the server stops. With
			--data-dir DIR it is kept in DIR/yafdp-local.db (bbolt; DIR is created when
			missing) and comes back on the next start with the same --data-dir: queues
			with their attributes and tags, every message not deleted (body, attributes,
			ids, receive count, visibility timeout, FIFO groups and deduplication ids),
			state machines, and executions with their status, input, output and
			history. The queues and the state machine are not created twice, and the
			consumer picks up where the queue is. A send or delete is written to disk
			(fsync) before it is answered, so a crash, even kill -9, loses no
			acknowledged message. Message move tasks are listed again, but one that was
			running is FAILED (LocalUpRestarted): what it moved stays moved, the rest
			stays in the DLQ. Not kept: queue counters and the fake services' ledgers.
			An execution cannot resume in the middle: one still running when the
			server stopped is ended ABORTED at the next start, with error
			LocalUpRestarted and an ExecutionAborted event after the events it had
			reached (each is saved as it happens). Ctrl-C lets running
			executions finish for --drain-timeout first and aborts the rest (error
			LocalUpShutdown).
			Only one local up can use a data directory at a time.

			The file never shrinks by itself while in use: the space of deleted
			messages and forgotten executions is reused, not given back. At start,
			when at least half of it (and 4 MiB) is free, it is compacted (rewritten
			with only what is live); --compact compacts it whatever the gain.

			Step Functions Local's mock configs work unchanged: with --mock-config FILE
			(or SFN_MOCK_CONFIG=FILE), StartExecution on
			arn:aws:states:REGION:ACCOUNT:stateMachine:NAME#TESTCASE runs the execution
			with that test case of the config's state machine NAME answering its Task
			states (Return or Throw, by invocation), as Step Functions Local does. Any
			account id in an ARN means this server's (Step Functions Local's
			123456789012 and LocalStack's 000000000000 both work). A .waitForTaskToken
			Task that nothing answers waits for SendTaskSuccess, SendTaskFailure or
			SendTaskHeartbeat with its token ('yafdp saga send-task-success TOKEN'
			answers by hand). yafdp's extensions in the config (a top-level "Yafdp"
			key: latencies, chances, routes to the fakes) apply here too, drawn from
			--seed and each execution's name; docs/mock-config.md has the format.

			TestState tests one state (or one state of a whole definition) on the
			same engine, with AWS's mocks, context, variables, state configuration
			and inspection levels, and AWS's errors for requests it refuses.
			StartSyncExecution runs an Express execution and answers with its end.
			The SDKs call both on the host "sync-" + the endpoint's, which a local
			endpoint does not have: for the aws CLI set
			AWS_DISABLE_HOST_PREFIX_INJECTION=true, for the Go SDK
			smithyhttp.DisableEndpointHostPrefix. 'yafdp saga test-state' needs no
			server at all.

			Distributed Map states run each item as a child execution on this server;
			DescribeMapRun, ListMapRuns and ListExecutions with --map-run-arn follow
			them, UpdateMapRun changes a running one's concurrency and tolerances, and
			DescribeExecution and GetExecutionHistory serve each child. With
			--s3-dir DIR, s3://BUCKET/KEY is the file DIR/BUCKET/KEY: an ItemReader
			reads its JSON, JSON Lines or CSV object (or lists DIR/BUCKET for
			s3:listObjectsV2) there, and a ResultWriter writes its manifest and result
			files there. Without it, a test case of the mock config that names the Map
			state answers its ItemReader: a string is the object's body, an array the
			items. Map Runs and child executions live in memory only: --data-dir does
			not keep them. Not served: MANIFEST and PARQUET inputs.

			RedriveExecution resumes a Standard execution that ended FAILED, TIMED_OUT
			or ABORTED in the last 14 days from the state that did not finish, with
			that state's input and the variables then in scope, its retries counted
			anew; the history keeps its events and goes on after an ExecutionRedriven
			event. Executions restored from --data-dir are redriven from their
			history, and one started with a mock config's test case goes on with it.
			A Parallel or Map state that failed reruns only its branches or
			iterations that did not succeed, each from the state where it stopped,
			as on AWS. A Distributed Map state that failed redrives its Map Run, as
			on AWS: the same Map Run reruns only its child executions that did not
			succeed (a Standard child is redriven from where it stopped, an Express
			one started again) and starts those never started, the others keeping
			their results; the history records MapRunRedriven and DescribeMapRun its
			redriveCount and redriveDate. An execution restored from --data-dir has
			no Map Run left to redrive: its Distributed Map state starts a new Map
			Run that runs every item again.

			EventBridge (X-Amz-Target AWSEvents.*, AWS JSON 1.1) is served on the
			default event bus for following executions ('yafdp load' does): PutRule
			with an EventPattern, PutTargets with SQS queues, RemoveTargets,
			DeleteRule, DescribeRule, ListRules and ListTargetsByRule. Each Standard
			execution puts a "Step Functions Execution Status Change" event on the
			bus when it starts (RUNNING) and when it ends, in AWS's envelope, and
			every enabled rule whose pattern matches delivers it to its queues as the
			message body, a moment later. Not served: scheduled rules, other buses,
			PutEvents, Input, InputPath and InputTransformer, targets other than SQS;
			rules live in memory only.

			Express state machines (CreateStateMachine --type EXPRESS) run as on AWS:
			StartExecution answers at once with an ARN of the form
			arn:aws:states:REGION:ACCOUNT:express:MACHINE:NAME:UUID and keeps no record,
			so DescribeExecution, GetExecutionHistory and StopExecution answer
			InvalidArn and ListExecutions StateMachineTypeNotSupported, AWS's errors.
			An Express execution ends TIMED_OUT after five minutes (States.Timeout).
			AWS starts an asynchronous Express execution at least once, so a start
			may rarely run twice; local up runs each start exactly once ('yafdp
			simulate --type express' shows what duplicates do).

			CloudWatch Logs is served too (X-Amz-Target Logs_20140328.*, AWS JSON 1.1):
			CreateLogGroup, DeleteLogGroup, DescribeLogGroups, CreateLogStream,
			DescribeLogStreams, PutLogEvents, GetLogEvents and FilterLogEvents (terms,
			"quoted phrases", ?any, -not, and JSON patterns { $.type = "TaskFailed" }
			joined by && and ||). A state machine created with a loggingConfiguration
			(level ALL, ERROR or FATAL, includeExecutionData, a cloudWatchLogsLogGroup
			destination whose log group exists) writes each execution's events to
			that group as Step Functions does: one JSON record per event (id, type,
			details, previous_event_id, event_timestamp, execution_arn,
			redrive_count) in streams named states/MACHINE/YYYY-MM-DD-HH-MM/ID. This
			is how 'yafdp saga watch' and 'saga list' follow Express executions:
			  aws --endpoint-url http://127.0.0.1:4566 logs create-log-group --log-group-name /aws/vendedlogs/states/checkout
			  aws --endpoint-url http://127.0.0.1:4566 stepfunctions create-state-machine --type EXPRESS ... \
			    --logging-configuration '{"level":"ALL","includeExecutionData":true,"destinations":[{"cloudWatchLogsLogGroup":{"logGroupArn":"arn:aws:logs:us-east-1:000000000000:log-group:/aws/vendedlogs/states/checkout:*"}}]}'
			Logs live in memory only (not in --data-dir); each log group keeps its
			newest 100,000 events and 64 MiB of messages (the new-order function's,
			1,000,000 and 256 MiB). Not served: StartLiveTail
			(an HTTP/2 event stream; poll FilterLogEvents), Logs Insights queries,
			metric and subscription filters, retention policies.
		`)

var upExample = cmdutil.Examples(`
			$ yafdp local up
			$ yafdp local up --addr 127.0.0.1:4600 --fault payment.decline=0.05 --fault payment.tps=20
			$ yafdp local up --scenario scenarios/payment-outage.yaml --fault neworder.outage=10s+20s
			$ yafdp local up --data-dir ~/.local/share/yafdp/local --drain-timeout 30s
			$ yafdp local up --mock-config statemachine/test/MockConfigFile.json
			$ yafdp local up --definition fan-out.asl.json --s3-dir ./s3
		`)

// NewCmdUp returns `yafdp local up`.
func NewCmdUp(f *cmdutil.Factory, runF func(context.Context, *UpOptions) error) *cobra.Command {
	opts := &UpOptions{Deps: f.Deps()}
	cmd := &cobra.Command{
		Use:     "up",
		Short:   "Serve the pipeline on 127.0.0.1 with SQS, Step Functions and CloudWatch Logs endpoints",
		Long:    upLong,
		Example: upExample,
		Args:    cobra.NoArgs,
		RunE:    cmdutil.RunE(opts, opts.parse, runF, runUp),
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Addr, "addr", local.DefaultAddr, "Listen on `host:port` (use 0.0.0.0 only if you mean it)")
	fl.StringArrayVar(&opts.Faults, "fault", nil, "Inject a `fault` (as in 'saga run', plus neworder.*); repeatable")
	fl.StringArrayVar(&opts.Latencies, "latency", nil, "Set a fake service's `latency`, SERVICE=DIST; repeatable")
	fl.StringVar(&opts.ScenarioFile, "scenario", "", "Take faults, latencies and the payment quota from a scenario `file`")
	fl.Uint64Var(&opts.Seed, "seed", 1, "Seed of the fakes' faults and the retries' jitter")
	fl.IntVar(&opts.Workers, "workers", 5, "Batches the new-order function runs at once")
	fl.IntVar(&opts.BatchSize, "batch-size", 10, "Messages per batch, 1 to 10")
	fl.DurationVar(&opts.VisibilityTimeout, "visibility-timeout", 30*time.Second, "The orders queue's visibility timeout")
	fl.IntVar(&opts.MaxReceiveCount, "max-receive-count", 3, "Deliveries before a message moves to the DLQ")
	fl.StringVar(&opts.DefinitionFile, "definition", "", "Run the ASL document in `file` instead of the built-in saga")
	fl.StringVar(&opts.MockConfig, "mock-config", "", "Answer Tasks from the Step Functions Local mock config in `file` (default $SFN_MOCK_CONFIG)")
	fl.StringVar(&opts.S3Dir, "s3-dir", "", "Stand in for S3 with `dir`: Distributed Maps read and write s3://BUCKET/KEY as DIR/BUCKET/KEY")
	fl.StringVar(&opts.DataDir, "data-dir", "", "Keep queues, messages, executions and histories in `dir` across restarts")
	fl.DurationVar(&opts.DrainTimeout, "drain-timeout", 10*time.Second, "On Ctrl-C, how long running executions may finish before they are aborted")
	fl.IntVar(&opts.KeepExecutions, "keep-executions", 10000, "Finished executions kept with their histories, oldest forgotten first (0: all; each saga takes ~20 KB)")
	fl.BoolVar(&opts.Compact, "compact", false, "Compact the --data-dir file before starting, to give back the space of deleted messages")
	_ = cmd.MarkFlagDirname("data-dir")
	_ = cmd.MarkFlagDirname("s3-dir")
	_ = cmd.MarkFlagFilename("scenario", "yaml", "yml")
	_ = cmd.MarkFlagFilename("definition", "json")
	_ = cmd.MarkFlagFilename("mock-config", "json")
	_ = cmd.RegisterFlagCompletionFunc("fault", cmdutil.CompleteSettings(slices.Concat(local.NewOrderFaults, local.StartQuotaSettings, saga.FaultNames())))
	return cmd
}

// parse checks the flags and builds the server's options: the fakes (from
// a scenario file, then --fault and --latency), the new-order function's
// faults, and the definition.
func (o *UpOptions) parse(*cobra.Command, []string) error {
	if err := o.checkFlags(); err != nil {
		return err
	}
	fakes := saga.RealisticLatencies()
	// StartExecution's quota: AWS's, the scenario's, then --fault's.
	quota := sfnapi.AWSStartQuota
	if o.ScenarioFile != "" {
		sc, err := sim.LoadFile(o.ScenarioFile)
		if err != nil {
			return cmdutil.ScenarioError(o.ScenarioFile, err)
		}
		if fakes, err = sc.FakeConfig(); err != nil {
			return cmdutil.UsageErrorf("--scenario %s: %v", o.ScenarioFile, err)
		}
		quota = sfnapi.StartQuota{PerSecond: sc.StepFunctions.StartRate.PerSecond(), Burst: sc.StepFunctions.StartBurst}
	}
	faults, err := local.ApplyStartQuota(&quota, o.Faults)
	if err != nil {
		return cmdutil.FlagError(err)
	}
	cons := local.ConsumerOptions{Workers: o.Workers, BatchSize: o.BatchSize, Seed: o.Seed}
	if err := cons.ApplyFaults(&fakes, faults, o.Latencies); err != nil {
		return cmdutil.FlagError(err)
	}
	var def []byte
	if o.DefinitionFile != "" {
		d, err := saga.LoadDefinition(o.DefinitionFile)
		if err != nil {
			return cmdutil.InputError(err)
		}
		def = d.Source
	}
	mock, err := o.loadMock()
	if err != nil {
		return err
	}
	o.server = local.Options{
		Addr: o.Addr, Fakes: fakes, Seed: o.Seed, Definition: def,
		VisibilityTimeout: o.VisibilityTimeout, MaxReceiveCount: o.MaxReceiveCount, Consumer: cons,
		DataDir: o.DataDir, DrainTimeout: o.DrainTimeout, MaxFinishedExecutions: o.KeepExecutions,
		Mock: mock, S3Dir: o.S3Dir, StartQuota: quota,
	}
	return nil
}

// loadMock reads --mock-config, or the file SFN_MOCK_CONFIG names, as Step
// Functions Local and LocalStack take it.
func (o *UpOptions) loadMock() (*mockconfig.Config, error) {
	path := o.MockConfig
	if path == "" {
		path = os.Getenv("SFN_MOCK_CONFIG")
	}
	if path == "" {
		return nil, nil
	}
	cfg, err := mockconfig.Load(path)
	if err != nil {
		if e, ok := input.As(err); ok && e.Field == "" {
			return nil, cmdutil.InputError(input.Errorf("mock_config", "%s: %s", e.File, e.Problem))
		}
		return nil, cmdutil.InputError(err)
	}
	if err := cfg.CheckFakes(saga.IsFake, saga.FakeNames()); err != nil {
		return nil, cmdutil.InputError(err)
	}
	return cfg, nil
}

// checkFlags checks the flags that need nothing read.
func (o *UpOptions) checkFlags() error {
	if err := checkAddr(o.Addr); err != nil {
		return cmdutil.FlagErrorf("--addr: %v", err)
	}
	switch {
	case o.Workers < 1 || o.Workers > 1000:
		return cmdutil.FlagErrorf("--workers: must be between 1 and 1000")
	case o.BatchSize < 1 || o.BatchSize > 10:
		return cmdutil.FlagErrorf("--batch-size: must be between 1 and 10")
	case o.VisibilityTimeout < time.Second || o.VisibilityTimeout > 12*time.Hour:
		return cmdutil.FlagErrorf("--visibility-timeout: must be between 1s and 12h, whole seconds")
	case o.MaxReceiveCount < 1 || o.MaxReceiveCount > 1000:
		return cmdutil.FlagErrorf("--max-receive-count: must be between 1 and 1000")
	case o.KeepExecutions < 0:
		return cmdutil.FlagErrorf("--keep-executions: must be 0 (keep all) or more")
	case o.DrainTimeout < 0 || o.DrainTimeout > time.Hour:
		return cmdutil.FlagErrorf("--drain-timeout: must be between 0s and 1h")
	case o.Compact && o.DataDir == "":
		return cmdutil.FlagErrorf("--compact: there is nothing to compact without --data-dir")
	}
	if o.S3Dir != "" {
		if fi, err := os.Stat(o.S3Dir); err != nil || !fi.IsDir() {
			return cmdutil.FlagErrorf("--s3-dir %s: not a directory (give a directory holding one subdirectory per bucket)", o.S3Dir)
		}
	}
	if o.DataDir != "" {
		if fi, err := os.Stat(o.DataDir); err == nil && !fi.IsDir() {
			return cmdutil.FlagErrorf("--data-dir %s: not a directory (give a directory; it is created when missing)", o.DataDir)
		}
	}
	return nil
}

// endpoint is the record `local up` prints when it is ready.
type endpoint struct {
	Endpoint        string `json:"endpoint"`
	Region          string `json:"region"`
	OrdersQueueURL  string `json:"ordersQueueUrl"`
	DLQURL          string `json:"dlqUrl"`
	StateMachineARN string `json:"stateMachineArn"`
	// StartQuota is StartExecution's quota in force ("300/s, burst 1300"
	// or "off"); NewOrderLogGroup the new-order function's log group.
	StartQuota       string `json:"startExecutionQuota"`
	NewOrderLogGroup string `json:"newOrderLogGroup"`
}

func runUp(ctx context.Context, o *UpOptions) error {
	p, err := o.Printer()
	if err != nil {
		return err
	}
	if err := o.compact(); err != nil {
		return err
	}
	srv, err := local.Start(ctx, o.server)
	if err != nil {
		if _, ok := input.As(err); ok {
			return cmdutil.InputError(err)
		}
		return cmdutil.UsageErrorf("%v", err)
	}
	ep := endpoint{Endpoint: srv.URL, Region: "us-east-1", OrdersQueueURL: srv.OrdersURL, DLQURL: srv.DLQURL, StateMachineARN: srv.StateMachineARN,
		StartQuota: srv.StartQuota.String(), NewOrderLogGroup: local.NewOrderLogGroup}
	if err := output.PrintWith(p, ep, func(w io.Writer, s *ui.Styles) error {
		return ui.RenderTable(w, ui.Table{Rows: [][]string{
			{s.Header("Endpoint"), ep.Endpoint},
			{s.Header("Queues"), ep.OrdersQueueURL + "  " + ep.DLQURL},
			{s.Header("State machine"), ep.StateMachineARN},
			{s.Header("StartExecution"), "quota " + ep.StartQuota + " (Standard, any caller; --fault sfn.start.tps=N|off)"},
			{s.Header("Function log"), ep.NewOrderLogGroup + " (" + local.NewOrderFunction + "'s failed orders)"},
			{s.Header("Try"), "yafdp --endpoint-url " + ep.Endpoint + " --region us-east-1 order submit --generate 100 --queue orders"},
		}}, s)
	}); err != nil {
		return err
	}
	if o.DataDir != "" {
		r := srv.Restored
		fmt.Fprintf(o.IO.ErrOut, "data dir %s: restored %s, %s, %s, %s", o.DataDir, ui.Plural(r.Queues, "queue"), ui.Plural(r.Messages, "message"), ui.Plural(r.StateMachines, "state machine"), ui.Plural(r.Executions, "execution"))
		if r.Aborted > 0 {
			fmt.Fprintf(o.IO.ErrOut, " (%d were running when local up stopped: now ABORTED)", r.Aborted)
		}
		fmt.Fprintln(o.IO.ErrOut)
	}
	if o.Ready != nil {
		o.Ready(srv)
	}

	live := o.IO.IsStderrTTY() && o.IO.CanRedraw()
	s := ui.NewStyles(o.IO.ErrColorEnabled())
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-tick.C:
			if live {
				fmt.Fprintf(o.IO.ErrOut, "\r\033[K%s", statusLine(srv.Status(), s))
			}
		}
	}
	if live {
		fmt.Fprint(o.IO.ErrOut, "\r\033[K")
	}
	fmt.Fprintln(o.IO.ErrOut, "shutting down: finishing the batches in progress…")
	if n := srv.Draining(); n > 0 && o.DrainTimeout > 0 {
		fmt.Fprintf(o.IO.ErrOut, "letting %d running sagas finish (up to %s; Ctrl-C again to quit at once)…\n", n, o.DrainTimeout)
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second+o.DrainTimeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	fmt.Fprintln(o.IO.ErrOut, statusLine(srv.Status(), s))
	return err
}

// compact compacts the data directory's file for --compact; a directory
// without one has nothing to compact.
func (o *UpOptions) compact() error {
	if !o.Compact {
		return nil
	}
	c, err := store.Compact(o.DataDir, local.LockTimeout)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case errors.Is(err, store.ErrLocked):
		return cmdutil.FlagErrorf("--data-dir: %s is in use by another yafdp local up", o.DataDir)
	case err != nil:
		return fmt.Errorf("--compact: %w", err)
	}
	fmt.Fprintf(o.IO.ErrOut, "data dir %s: compacted, %s → %s\n", o.DataDir, mib(c.Before), mib(c.After))
	return nil
}

func mib(n int64) string { return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB" }

func statusLine(st local.Status, s *ui.Styles) string {
	line := fmt.Sprintf("orders %s visible · %s in flight │ dlq %s │ sagas %s running · %s %s · %s %s",
		ui.Count(int64(st.OrdersVisible)), ui.Count(int64(st.OrdersInFlight)), ui.Count(int64(st.DLQVisible)),
		ui.Count(st.SagasRunning), s.SuccessIcon(), ui.Count(st.SagasSucceeded),
		s.FailureIcon(), ui.Count(st.SagasFailed+st.SagasTimedOut+st.SagasAborted))
	if st.StartThrottles > 0 {
		line += " │ StartExecution throttled " + ui.Count(st.StartThrottles)
	}
	return line
}

// checkAddr accepts host:port with a numeric port (0 picks a free one) and
// a host that is an IP address or a name, as net.Listen takes it.
func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port; for example 127.0.0.1:4566", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q must be a number from 0 to 65535 (0 picks a free port)", port)
	}
	if host == "" {
		return fmt.Errorf("%q has no host, which would listen on every interface; say 127.0.0.1 (or 0.0.0.0 if you mean it)", addr)
	}
	return nil
}
