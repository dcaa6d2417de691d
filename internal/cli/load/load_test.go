package load

import (
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/yafdp/yafdp/internal/cli/clitest"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/config"
	"github.com/yafdp/yafdp/internal/load"
	"github.com/yafdp/yafdp/internal/load/track"
	"github.com/yafdp/yafdp/internal/local"
	"github.com/yafdp/yafdp/internal/saga"
)

func TestLoadFlags(t *testing.T) {
	f, _ := clitest.NewFactory(&config.Config{Queue: "orders"})
	var got *Options
	cmd := NewCmdLoad(f, func(_ context.Context, o *Options) error { got = o; return nil })
	err := clitest.Exec(cmd, "--rate", "2000/s", "--duration", "30s", "--shard", "2/3", "--run-key", "ff",
		"--threshold", "saga.p99<30s", "--threshold", "dlq==0", "--abort-on-fail", "--track", "poll", "--batch-window", "2ms",
		"--process", "poisson", "--seed", "9")
	if err != nil {
		t.Fatal(err)
	}
	sc := got.scenario
	if sc.Arrivals.Rate.PerSecond() != 2000 || sc.ArrivalDuration() != 30*time.Second || sc.Arrivals.Process != "poisson" || sc.Seed != 9 {
		t.Fatalf("scenario %+v", sc.Arrivals)
	}
	if got.shard != (load.Shard{K: 2, N: 3}) || got.runKey != 0xff || len(got.thresholds) != 2 || !got.AbortOnFail ||
		got.Track != "poll" || got.BatchWindow != 2*time.Millisecond || got.queue.String() != "orders" {
		t.Fatalf("%+v", got)
	}
	// A scenario file gives the arrivals; --rate replaces them.
	got = nil
	if err := clitest.Exec(NewCmdLoad(f, func(_ context.Context, o *Options) error { got = o; return nil }),
		"--scenario", "../../../scenarios/lunch-peak.yaml"); err != nil {
		t.Fatal(err)
	}
	if len(got.scenario.Arrivals.Phases) == 0 || got.runKey == 0 {
		t.Fatalf("%+v", got.scenario.Arrivals)
	}
}

func TestLoadBadInputExitsTwo(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--rate", "fast"}, "--rate"},
		{[]string{"--duration", "0s"}, "duration"},
		{[]string{"--rate", "0/s"}, "--rate: must be more than 0"},
		{[]string{"--process", "bursty"}, "poisson or constant"},
		{[]string{"--shard", "3/2"}, "--shard"},
		{[]string{"--shard", "1/2"}, "--run-key: shards of one run must share a run key"},
		{[]string{"--run-key", "xyz"}, "--run-key"},
		{[]string{"--threshold", "saga<30s"}, `--threshold "saga<30s": saga is a latency and needs an aggregation`},
		{[]string{"--threshold", "sagas.p99<30s"}, "unknown metric"},
		{[]string{"--abort-on-fail"}, "--abort-on-fail: give at least one --threshold"},
		{[]string{"--track", "psychic"}, "--track"},
		{[]string{"--track", "poll", "--keep-tracking-resources"}, "--keep-tracking-resources goes with --track events"},
		{[]string{"--via", "carrier-pigeon"}, "--via"},
		{[]string{"--via", "api"}, "api-url"},
		{[]string{"--api-url", "http://127.0.0.1/orders"}, "--api-url and --api-key go with --via api"},
		{[]string{"--via", "api", "--api-url", "http://127.0.0.1/orders", "--batch-window", "1ms"}, "--batch-window goes with --via sqs"},
		{[]string{"--send-timeout", "0s"}, "--send-timeout"},
		{[]string{"--drain-timeout", "-1s"}, "--drain-timeout"},
		{[]string{"--report", "out.txt"}, "--report"},
		{[]string{"--scenario", "/nope.yaml"}, "does not exist"},
		{[]string{"--concurrency", "0"}, "--concurrency"},
		{[]string{"--max-connections", "8"}, "--max-connections: must be from --concurrency (32)"},
		{[]string{"--concurrency", "64", "--max-connections", "200000"}, "--max-connections"},
	} {
		f, _ := clitest.NewFactory(&config.Config{Queue: "orders"})
		ran := false
		err := clitest.Exec(NewCmdLoad(f, func(context.Context, *Options) error { ran = true; return nil }), c.args...)
		var ue *cmdutil.UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") || ran {
			t.Errorf("%v: %v, want a one-line usage error with %q", c.args, err, c.want)
		}
	}
	// No queue anywhere.
	f, _ := clitest.NewFactory(nil)
	err := clitest.Exec(NewCmdLoad(f, func(context.Context, *Options) error { return nil }))
	if err == nil || !strings.Contains(err.Error(), "--queue: no queue given") {
		t.Fatalf("%v", err)
	}
	// An endpoint on this machine is local up's: its queue is orders.
	f, _ = clitest.NewFactory(&config.Config{EndpointURL: "http://127.0.0.1:4566"})
	var got *Options
	if err := clitest.Exec(NewCmdLoad(f, func(_ context.Context, o *Options) error { got = o; return nil })); err != nil || got == nil {
		t.Fatalf("on local up: %v", err)
	}
	if got.Queue != "orders" {
		t.Errorf("on local up the queue is %q, want orders", got.Queue)
	}
}

func TestSafetyRefusesEndpointsNotOnThisMachine(t *testing.T) {
	parse := func(t *testing.T, cfg *config.Config, args ...string) (*Options, error) {
		t.Helper()
		f, streams := clitest.NewFactory(cfg)
		var got *Options
		if err := clitest.Exec(NewCmdLoad(f, func(_ context.Context, o *Options) error { got = o; return nil }),
			append([]string{"--rate", "10/s", "--duration", "2s"}, args...)...); err != nil {
			t.Fatal(err)
		}
		err := got.safety(context.Background(), cfg)
		if !strings.Contains(streams.ErrOut.String(), "20 orders") || !strings.Contains(streams.ErrOut.String(), "estimated AWS cost $") {
			t.Fatalf("no cost estimate: %q", streams.ErrOut.String())
		}
		return got, err
	}
	local := &config.Config{Queue: "orders", EndpointURL: "http://127.0.0.1:4566"}
	if _, err := parse(t, local); err != nil {
		t.Fatalf("loopback: %v", err)
	}
	remote := &config.Config{Queue: "orders", EndpointURL: "https://sqs.eu-west-1.amazonaws.com"}
	_, err := parse(t, remote)
	var ue *cmdutil.UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "pass --yes") {
		t.Fatalf("remote: %v", err)
	}
	if _, err := parse(t, remote, "--yes"); err != nil {
		t.Fatalf("remote with --yes: %v", err)
	}
	// Named by the selected environment: asked on a terminal, refused
	// without one unless --yes.
	named := &config.Config{Queue: "orders", Env: "staging", Environments: map[string]config.Environment{"staging": {Queue: "orders"}}}
	if _, err := parse(t, named); err == nil || !strings.Contains(err.Error(), "--yes: loading AWS") {
		t.Fatalf("named, no terminal: %v", err)
	}
	f, _ := clitest.NewFactory(named)
	var got *Options
	if err := clitest.Exec(NewCmdLoad(f, func(_ context.Context, o *Options) error { got = o; return nil }), "--rate", "10/s", "--duration", "2s"); err != nil {
		t.Fatal(err)
	}
	got.IO.SetStdinTTY(true)
	got.IO.SetStderrTTY(true)
	var asked string
	got.Confirm = func(q string) bool { asked = q; return false }
	err = got.safety(context.Background(), named)
	var ee *cmdutil.ExitError
	if !errors.As(err, &ee) || ee.Code != 1 || !strings.Contains(asked, "Send 20 orders to AWS") {
		t.Fatalf("named on a terminal: %v, asked %q", err, asked)
	}
	// --via api: the environment's api_url is the default --api-url and
	// names it; another URL is not named.
	const stage = "https://abc123.execute-api.eu-west-1.amazonaws.com/prod/orders"
	api := &config.Config{APIURL: stage, Env: "staging", Environments: map[string]config.Environment{"staging": {APIURL: stage}}}
	o, err := parse(t, api, "--via", "api")
	if o.APIURL != stage || err == nil || !strings.Contains(err.Error(), "--yes: loading "+stage) {
		t.Fatalf("api_url from the environment: %q, %v", o.APIURL, err)
	}
	if _, err := parse(t, api, "--via", "api", "--api-url", "https://elsewhere.example/orders"); err == nil || !strings.Contains(err.Error(), "does not name it") {
		t.Fatalf("another API URL: %v", err)
	}
}

// pollTracker is the tests' tracker: it lists the state machine's
// executions on local up every 50 ms, as a real poller would, and reports
// each start and end once (an end's error from DescribeExecution).
type pollTracker struct {
	c       *sfn.Client
	machine string
}

func (p *pollTracker) Setup(context.Context) error    { return nil }
func (p *pollTracker) Teardown(context.Context) error { return nil }

func (p *pollTracker) Run(ctx context.Context, out chan<- track.Event) error {
	started, ended := map[string]bool{}, map[string]bool{}
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		pages := sfn.NewListExecutionsPaginator(p.c, &sfn.ListExecutionsInput{StateMachineArn: aws.String(p.machine), MaxResults: 1000})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
			for _, e := range page.Executions {
				name := aws.ToString(e.Name)
				if !started[name] {
					started[name] = true
					out <- track.Event{Kind: track.Started, OrderID: name, ExecutionARN: aws.ToString(e.ExecutionArn), Status: "RUNNING", Start: aws.ToTime(e.StartDate)}
				}
				if e.Status == sfntypes.ExecutionStatusRunning || ended[name] {
					continue
				}
				ended[name] = true
				ev := track.Event{Kind: track.Ended, OrderID: name, ExecutionARN: aws.ToString(e.ExecutionArn), Status: string(e.Status),
					Start: aws.ToTime(e.StartDate), Stop: aws.ToTime(e.StopDate)}
				if e.Status != sfntypes.ExecutionStatusSucceeded {
					d, err := p.c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: e.ExecutionArn})
					if err == nil {
						ev.Error, ev.Cause = aws.ToString(d.Error), aws.ToString(d.Cause)
					}
				}
				out <- ev
				// A source that delivers twice must not count twice.
				out <- ev
			}
		}
	}
}

// localUp starts local up for a test, with the faults given, poisoned
// orders (one in ten) dead-lettered after two receives a second apart,
// and every third status change delivered twice; and a Factory whose AWS
// clients point at it.
func localUp(t *testing.T, format string, faults ...string) (*local.Server, *cmdutil.Factory, clitest.Streams) {
	t.Helper()
	var fakes saga.FakeConfig
	for _, f := range faults {
		if err := fakes.ApplyFault(f); err != nil {
			t.Fatal(err)
		}
	}
	return localUpWith(t, format, local.Options{Fakes: fakes, Seed: 5,
		VisibilityTimeout: time.Second, MaxReceiveCount: 2, DuplicateEvents: 3,
		Consumer: local.ConsumerOptions{Workers: 8, WaitTime: 100 * time.Millisecond, Poison: poisoned}})
}

// localUpWith starts local up with opts on 127.0.0.1 (shut down when the
// test ends) and returns a factory whose AWS clients talk to it, with
// output in format.
func localUpWith(t *testing.T, format string, opts local.Options) (*local.Server, *cmdutil.Factory, clitest.Streams) {
	t.Helper()
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	opts.Addr = "127.0.0.1:0"
	srv, err := local.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	cfg := &config.Config{Output: format, EndpointURL: srv.URL, Region: "us-east-1", Queue: "orders"}
	f, streams := clitest.NewFactory(cfg)
	awsCfg, err := cmdutil.LoadAWSConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.AWSConfig = func(context.Context) (aws.Config, error) { return awsCfg, nil }
	f.SQSClient = func(context.Context) (*sqs.Client, error) { return sqs.NewFromConfig(awsCfg), nil }
	f.SFNClient = func(context.Context) (*sfn.Client, error) { return sfn.NewFromConfig(awsCfg), nil }
	return srv, f, streams
}

// poisoned marks one order in ten as one the new-order function fails on
// every time: its message ends in the dead-letter queue.
func poisoned(id string) bool {
	h := fnv.New32a()
	h.Write([]byte(id))
	return h.Sum32()%10 == 0
}

// TestLoadAgainstLocalUp runs the command against local up over real
// sockets with each of the real trackers: 200 orders at 100/s on the
// queue, every saga followed to its end (or to the dead-letter queue),
// each counted once although the bus delivers some changes twice, the
// payment declines named, per-state durations from the histories.
func TestLoadAgainstLocalUp(t *testing.T) {
	for _, kind := range []string{"events", "poll"} {
		t.Run(kind, func(t *testing.T) {
			_, f, streams := localUp(t, "json", "payment.decline=0.1", "payment.throttle=0.1")
			report := filepath.Join(t.TempDir(), "run.html")
			err := clitest.Exec(NewCmdLoad(f, nil), "--rate", "100/s", "--duration", "2s", "--track", kind, "--drain-timeout", "60s",
				"--history-sample", "1", "--threshold", "dlq==0", "--threshold", "failed<50%", "--threshold", "e2e.p99<1m", "--report", report)
			// Poisoned orders reach the dead-letter queue: dlq==0 is breached.
			var ee *cmdutil.ExitError
			if !errors.As(err, &ee) || ee.Code != 1 || !strings.Contains(err.Error(), "threshold breached: dlq==0") {
				t.Fatalf("%v\n%s", err, streams.ErrOut.String())
			}
			var rep load.Report
			if err := json.Unmarshal(streams.Out.Bytes(), &rep); err != nil {
				t.Fatalf("%v: %s", err, streams.Out.String())
			}
			o := rep.Orders
			// On a busy machine the pacer may fall behind and leave the
			// last orders unsent when the two seconds are over; every
			// order sent is followed to its end.
			if o.Planned != 200 || o.Submitted < 100 || o.Submitted+o.Unsent != 200 || o.Accepted != o.Submitted ||
				o.Succeeded+o.Failed+o.DLQ != o.Submitted || o.StillRunning != 0 || !rep.Drained || !rep.Accounting.Holds {
				t.Fatalf("%+v %+v", o, rep.Accounting)
			}
			if o.Failed == 0 || o.Errors["Payment.Declined"] != o.Failed || o.DLQ == 0 || o.PaymentThrottles == 0 {
				t.Fatalf("failed %d, errors %v, dlq %d, payment throttles %d", o.Failed, o.Errors, o.DLQ, o.PaymentThrottles)
			}
			l := rep.LatencyMS
			// The fakes answer at once, except for the retries of throttled
			// payments: most sagas take under a millisecond.
			if l.EndToEnd.P50 <= 0 || l.Accept.P50 <= 0 || l.QueueWait.P50 <= 0 || l.Saga.Max <= 0 || rep.StepsMS["ProcessPayment"].Max <= 0 {
				t.Fatalf("latencies %+v, steps %v", l, rep.StepsMS)
			}
			if data, err := os.ReadFile(report); err != nil || !strings.Contains(string(data), "Sagas per second") {
				t.Fatalf("report: %v", err)
			}
		})
	}
}

// TestPollTrackerDeliveringTwice: a source that reports every end twice
// (the tests' own poller) has each order counted once.
func TestPollTrackerDeliveringTwice(t *testing.T) {
	srv, f, streams := localUp(t, "json", "payment.decline=0.1")
	sfnClient, _ := f.SFNClient(context.Background())
	cmd := NewCmdLoad(f, func(ctx context.Context, o *Options) error {
		o.NewTracker = func(context.Context, *Options, TrackerSpec) (track.Tracker, error) {
			return &pollTracker{c: sfnClient, machine: srv.StateMachineARN}, nil
		}
		return runLoad(ctx, o)
	})
	// The poisoned orders, which this tracker does not see reach the
	// dead-letter queue, are still running when the drain gives up.
	if err := clitest.Exec(cmd, "--rate", "100/s", "--duration", "1s", "--track", "poll", "--drain-timeout", "8s"); err != nil {
		t.Fatalf("%v\n%s", err, streams.ErrOut.String())
	}
	var rep load.Report
	if err := json.Unmarshal(streams.Out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	o := rep.Orders
	ended := o.Succeeded + o.Failed
	if ended == 0 || rep.Events.Duplicate != ended || !rep.Accounting.Holds {
		t.Fatalf("%+v %+v %+v", o, rep.Events, rep.Accounting)
	}
}

// TestLiveViewRedraws checks what the live view draws, and that it draws
// over its previous lines.
func TestLiveViewRedraws(t *testing.T) {
	var b strings.Builder
	v := newLiveView(&b, false, 1000)
	r := &load.Report{Orders: load.Counts{Submitted: 400, Late: 2, StillRunning: 50, Succeeded: 340, Failed: 10, DLQ: 1,
		Errors: map[string]int64{"Payment.Declined": 10}, SendErrors: map[string]int64{}}, Series: []load.Second{{Sent: 100, Succeeded: 95}}}
	r.LatencyMS.EndToEnd.P50, r.LatencyMS.EndToEnd.P99 = 1200, 4500
	v.draw(r)
	v.draw(r)
	v.done()
	got := b.String()
	for _, want := range []string{"sent 400/1,000 40.0% · 100/s · late 2", "sagas in flight 50 · ended 350 (95/s) · failed 10 · DLQ 1 · end to end p50 1.2s p99 4.5s",
		"errors: Payment.Declined 10", "\033[1A\033[K\033[1A\033[K\033[1A\033[K"} {
		if !strings.Contains(got, want) {
			t.Fatalf("%q lacks %q", got, want)
		}
	}
}
