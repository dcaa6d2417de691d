package saga

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/yafdp/yafdp/internal/cli/clitest"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/config"
)

func TestWatchListDescribeParseFlags(t *testing.T) {
	f, _ := clitest.NewFactory(&config.Config{Output: "table", StateMachine: "order-saga"})
	var w *WatchOptions
	if err := clitest.Exec(NewCmdWatch(f, func(_ context.Context, o *WatchOptions) error { w = o; return nil }), "ord_1", "--interval", "2s"); err != nil ||
		w.Execution != "ord_1" || w.StateMachine != "order-saga" || w.Interval != 2*time.Second {
		t.Fatalf("watch: %v %+v", err, w)
	}
	arn := "arn:aws:states:eu-west-1:123456789012:execution:order-saga:ord_1"
	f2, _ := clitest.NewFactory(nil) // an ARN needs no state machine
	if err := clitest.Exec(NewCmdWatch(f2, func(_ context.Context, o *WatchOptions) error { w = o; return nil }), arn); err != nil || w.Execution != arn {
		t.Fatalf("watch ARN: %v %+v", err, w)
	}
	var l *ListOptions
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	cmd := NewCmdList(f, func(_ context.Context, o *ListOptions) error { l = o; return nil })
	if err := clitest.Exec(cmd, "--status", "failed", "--since", "2h", "--order", "ord_2", "--limit", "5"); err != nil {
		t.Fatal(err)
	}
	if l.Status != "FAILED" || l.Order != "ord_2" || l.Limit != 5 || l.since.IsZero() || time.Since(l.since) < 2*time.Hour-time.Minute {
		t.Fatalf("list: %+v", l)
	}
	cmd = NewCmdList(f, func(_ context.Context, o *ListOptions) error { l = o; return nil })
	if err := clitest.Exec(cmd, "--since", "2026-01-01T10:00:00Z"); err != nil || !l.since.Equal(now.Add(-2*time.Hour)) {
		t.Fatalf("list --since time: %v %+v", err, l)
	}
	var d *DescribeOptions
	if err := clitest.Exec(NewCmdDescribe(f, func(_ context.Context, o *DescribeOptions) error { d = o; return nil }), "ord_9", "--state-machine", "other"); err != nil ||
		d.Execution != "ord_9" || d.StateMachine != "other" {
		t.Fatalf("describe: %v %+v", err, d)
	}
}

func sagaFactory(t *testing.T, format string, c *sfn.Client) (*cmdutil.Factory, clitest.Streams) {
	f, streams := clitest.NewFactory(&config.Config{Output: format, StateMachine: "order-saga"})
	f.SFNClient = func(context.Context) (*sfn.Client, error) { return c, nil }
	return f, streams
}

func noWait(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// A saga whose payment is throttled and whose restaurant rejects the
// order: watch follows it to the end, shows retries and compensations,
// and exits 1 because it FAILED.
func TestWatchGolden(t *testing.T) {
	failed := runSaga(t, 4, "payment.throttle=0.5", "restaurant.reject=1")
	if failed.status != "FAILED" {
		t.Fatalf("the scenario ended %s", failed.status)
	}
	failed.reveal = 6
	for _, format := range []string{"table", "json", "jsonl"} {
		failed.shown = 0
		c := startFakeSFN(t, failed)
		f, streams := sagaFactory(t, format, c)
		polls := 0
		cmd := NewCmdWatch(f, func(ctx context.Context, o *WatchOptions) error {
			o.Sleep = func(ctx context.Context, d time.Duration) error { polls++; return ctx.Err() }
			return runWatch(ctx, o)
		})
		err := clitest.Exec(cmd, failed.name)
		var ee *cmdutil.ExitError
		if !errors.As(err, &ee) || ee.Code != cmdutil.ExitFailed {
			t.Fatalf("%s: err %v, want exit 1", format, err)
		}
		if polls < 3 {
			t.Fatalf("%s: %d polls: watch did not follow the execution", format, polls)
		}
		clitest.Golden(t, "watch."+format+".golden", streams.Out.Bytes())
		out := streams.Out.String()
		switch format {
		case "table":
			for _, want := range []string{"FAILED", "attempts: Payment.Throttled", "↩ compensating", "RefundPayment", "Restaurant.Rejected"} {
				if !strings.Contains(out, want) {
					t.Errorf("the timeline lacks %q:\n%s", want, out)
				}
			}
		case "jsonl":
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != len(failed.events) {
				t.Fatalf("%d lines for %d events", len(lines), len(failed.events))
			}
			var last map[string]any
			json.Unmarshal([]byte(lines[len(lines)-1]), &last)
			if last["type"] != "ExecutionFailed" {
				t.Fatalf("last event %v", last)
			}
		}
	}
}

func TestWatchSucceededExitsZeroAndRedrawsOnATerminal(t *testing.T) {
	ok := runSaga(t, 2)
	if ok.status != "SUCCEEDED" {
		t.Fatalf("the scenario ended %s", ok.status)
	}
	ok.reveal = 5
	c := startFakeSFN(t, ok)
	f, streams := sagaFactory(t, "table", c)
	f.IOStreams.SetStdoutTTY(true)
	cmd := NewCmdWatch(f, func(ctx context.Context, o *WatchOptions) error {
		o.Sleep = noWait
		return runWatch(ctx, o)
	})
	if err := clitest.Exec(cmd, ok.name); err != nil {
		t.Fatalf("a SUCCEEDED saga exits 0: %v", err)
	}
	if out := streams.Out.String(); !strings.Contains(out, "\x1b[J") || !strings.Contains(out, "SUCCEEDED") {
		t.Fatalf("no live redraw: %q", out)
	}
}

func TestListAndDescribeGolden(t *testing.T) {
	failed := runSaga(t, 4, "payment.throttle=0.5", "restaurant.reject=1")
	ok := runSaga(t, 2)
	fixedNow := func() time.Time { return time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC) }
	for _, format := range []string{"table", "json"} {
		c := startFakeSFN(t, failed, ok)
		f, streams := sagaFactory(t, format, c)
		cmd := NewCmdList(f, func(ctx context.Context, o *ListOptions) error { o.Now = fixedNow; return runList(ctx, o) })
		if err := clitest.Exec(cmd); err != nil {
			t.Fatal(err)
		}
		clitest.Golden(t, "list."+format+".golden", streams.Out.Bytes())

		f, streams = sagaFactory(t, format, c)
		cmd = NewCmdList(f, func(ctx context.Context, o *ListOptions) error { o.Now = fixedNow; return runList(ctx, o) })
		if err := clitest.Exec(cmd, "--status", "SUCCEEDED"); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(streams.Out.String(), failed.name) || !strings.Contains(streams.Out.String(), ok.name) {
			t.Fatalf("--status SUCCEEDED: %s", streams.Out)
		}

		f, streams = sagaFactory(t, format, c)
		dcmd := NewCmdDescribe(f, func(ctx context.Context, o *DescribeOptions) error { o.Now = fixedNow; return runDescribe(ctx, o) })
		if err := clitest.Exec(dcmd, failed.name); err != nil {
			t.Fatal(err)
		}
		clitest.Golden(t, "describe."+format+".golden", streams.Out.Bytes())
	}
}

// Watching an execution that has already failed never draws it as
// RUNNING first.
func TestWatchOfAFailedExecutionNeverDrawsRunning(t *testing.T) {
	failed := runSaga(t, 4, "restaurant.reject=1")
	if failed.status != "FAILED" {
		t.Fatalf("the scenario ended %s", failed.status)
	}
	c := startFakeSFN(t, failed)
	f, streams := sagaFactory(t, "table", c)
	f.IOStreams.SetStdoutTTY(true)
	cmd := NewCmdWatch(f, func(ctx context.Context, o *WatchOptions) error {
		o.Sleep = noWait
		return runWatch(ctx, o)
	})
	_ = clitest.Exec(cmd, failed.name)
	if out := streams.Out.String(); strings.Contains(out, "RUNNING") || !strings.Contains(out, "FAILED") {
		t.Fatalf("%q", out)
	}
}
