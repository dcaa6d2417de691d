package load

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/cli/clitest"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/config"
	"github.com/yafdp/yafdp/internal/load"
	"github.com/yafdp/yafdp/internal/load/track"
	"github.com/yafdp/yafdp/internal/rate"
	"github.com/yafdp/yafdp/internal/sim"
)

// fakeClock moves only when the pacer sleeps: a run on it is the same
// every time.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(_ context.Context, d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(max(d, 0))
}

// echoSender accepts every order 4 ms after its call begins (when the
// pacer let it go) and passes it on to echoTracker; every 25th order is
// throttled instead.
type echoSender struct{ sent chan load.Outgoing }

func (s echoSender) MaxBatch() int { return 10 }

func (s echoSender) Send(_ context.Context, b []load.Outgoing, out []load.Outcome) {
	for i, o := range b {
		out[i] = load.Outcome{SentAt: o.Dispatched, AnsweredAt: o.Dispatched.Add(4 * time.Millisecond)}
		if o.Index%25 == 24 {
			out[i].Err, out[i].Throttles = "ThrottlingException", 1
			continue
		}
		out[i].Accepted = true
		s.sent <- o
	}
}

// echoTracker ends each order's saga as its index decides: one in ten
// declined, one in fifty dead-lettered.
type echoTracker struct {
	t0   time.Time
	sent chan load.Outgoing
}

func (echoTracker) Setup(context.Context) error    { return nil }
func (echoTracker) Teardown(context.Context) error { return nil }

func (e echoTracker) Run(ctx context.Context, out chan<- track.Event) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case o := <-e.sent:
			start := e.t0.Add(o.Due + time.Duration(20+o.Index%7)*time.Millisecond)
			stop := start.Add(time.Duration(300+o.Index%300) * time.Millisecond)
			switch {
			case o.Index%50 == 13:
				out <- track.Event{Kind: track.DeadLettered, OrderID: o.OrderID, Start: start}
			case o.Index%10 == 3:
				out <- track.Event{Kind: track.Ended, OrderID: o.OrderID, Status: "FAILED", Error: "Payment.Declined", Start: start, Stop: stop,
					Steps: map[string]time.Duration{"ProcessPayment": stop.Sub(start) / 2}, PaymentThrottles: 1}
			default:
				out <- track.Event{Kind: track.Ended, OrderID: o.OrderID, Status: "SUCCEEDED", Start: start, Stop: stop,
					Steps: map[string]time.Duration{"ProcessPayment": stop.Sub(start) / 2, "ScheduleDelivery": stop.Sub(start) / 4}}
			}
		}
	}
}

// shardReport runs one shard of a 1,000-order run at 500/s on the fake
// clock and writes its JSON report.
func shardReport(t *testing.T, dir string, shard load.Shard) string {
	t.Helper()
	t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	clk := &fakeClock{t: t0}
	sent := make(chan load.Outgoing, 2000)
	sc := sim.Defaults()
	sc.Name = "flags"
	sc.Arrivals = sim.Arrivals{Process: "constant", Rate: rate.PerSecond(500), Duration: sim.Duration(2 * time.Second)}
	var ths []load.Threshold
	for _, s := range []string{"e2e.p99<1s", "dlq==0", "failed<15%"} {
		th, err := load.ParseThreshold(s)
		if err != nil {
			t.Fatal(err)
		}
		ths = append(ths, th)
	}
	rep, err := load.Run(context.Background(), load.Options{Scenario: sc, Shard: shard, RunKey: 0xabc, Clock: clk,
		Sender: echoSender{sent}, Tracker: echoTracker{t0: t0, sent: sent}, Thresholds: ths,
		Target: load.Target{Via: "sqs", Endpoint: "http://127.0.0.1:4566", Queue: "orders", Track: "events"}})
	if err != nil {
		t.Fatal(err)
	}
	// How many senders started and how often the pacer found them all
	// busy depend on goroutine scheduling, not on the fake clock.
	rep.Pacing.Senders, rep.Pacing.HeldForSender = 32, 1
	path := filepath.Join(dir, strings.ReplaceAll(shard.String(), "/", "-of-")+".json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := writeJSON(f, rep); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMergeGolden(t *testing.T) {
	dir := t.TempDir()
	a, b := shardReport(t, dir, load.Shard{K: 1, N: 2}), shardReport(t, dir, load.Shard{K: 2, N: 2})
	for _, format := range []string{"table", "json"} {
		f, streams := clitest.NewFactory(&config.Config{Output: format})
		err := clitest.Exec(NewCmdMerge(f, nil), a, b)
		// dlq==0 is breached: exit 1, with the report printed.
		var ee *cmdutil.ExitError
		if !errors.As(err, &ee) || ee.Code != 1 || !strings.Contains(err.Error(), "threshold breached: dlq==0") {
			t.Fatalf("%s: %v", format, err)
		}
		clitest.Golden(t, "merge."+format+".golden", streams.Out.Bytes())
		if format == "json" {
			var rep load.Report
			if err := json.Unmarshal(streams.Out.Bytes(), &rep); err != nil {
				t.Fatal(err)
			}
			o := rep.Orders
			if o.Submitted != 1000 || o.NotAccepted != 40 || o.DLQ != 20 || !rep.Accounting.Holds || len(rep.Shards) != 2 {
				t.Fatalf("%+v", o)
			}
		}
	}
	// The merged shards match one process sending every order, in what
	// the sagas did (each shard batched its own orders: its jitter and
	// accept latencies are its own).
	whole := shardReport(t, dir, load.Whole)
	var w, m load.Report
	data, _ := os.ReadFile(whole)
	_ = json.Unmarshal(data, &w)
	f, streams := clitest.NewFactory(&config.Config{Output: "json"})
	_ = clitest.Exec(NewCmdMerge(f, nil), a, b)
	_ = json.Unmarshal(streams.Out.Bytes(), &m)
	if m.LatencyMS.EndToEnd != w.LatencyMS.EndToEnd || m.LatencyMS.Saga != w.LatencyMS.Saga || m.LatencyMS.QueueWait != w.LatencyMS.QueueWait ||
		m.Orders.Succeeded != w.Orders.Succeeded || m.Histograms["e2e"] != w.Histograms["e2e"] {
		t.Fatalf("merged %+v\nwhole  %+v", m.LatencyMS, w.LatencyMS)
	}
}

func TestMergeBadInput(t *testing.T) {
	dir := t.TempDir()
	a := shardReport(t, dir, load.Shard{K: 1, N: 2})
	junk := filepath.Join(dir, "junk.json")
	_ = os.WriteFile(junk, []byte(`{"hello": 1}`), 0o600)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{filepath.Join(dir, "nope.json")}, "no such file"},
		{[]string{junk}, "not the JSON report of yafdp load"},
		{[]string{a, a}, "shard 1/2 is in another report too"},
		{[]string{a, "--threshold", "dlq=0"}, "--threshold"},
	} {
		f, _ := clitest.NewFactory(nil)
		err := clitest.Exec(NewCmdMerge(f, nil), c.args...)
		var ue *cmdutil.UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
}
