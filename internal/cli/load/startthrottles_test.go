package load

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/cli/clitest"
	"github.com/yafdp/yafdp/internal/config"
	"github.com/yafdp/yafdp/internal/load"
	"github.com/yafdp/yafdp/internal/local"
	"github.com/yafdp/yafdp/internal/local/sfnapi"
	"github.com/yafdp/yafdp/internal/sim"
	"github.com/yafdp/yafdp/internal/ui"
)

// Against local up whose StartExecution quota holds 20 starts (and
// refills one in 1,000 s), 60 orders: 20 start, 40 are throttled on each
// of their three deliveries and dead-lettered. load counts the 120
// throttles from the new-order function's log, and --compare, simulating
// the same quota (--fault sfn.start.*), predicts the same.
func TestLoadCountsStartThrottlesFromTheLog(t *testing.T) {
	srv, f, streams := localUpWith(t, "json", local.Options{Seed: 5,
		VisibilityTimeout: time.Second, MaxReceiveCount: 3,
		StartQuota: sfnapi.StartQuota{PerSecond: 0.001, Burst: 20},
		Consumer:   local.ConsumerOptions{Workers: 4, WaitTime: 100 * time.Millisecond}})
	err := clitest.Exec(NewCmdLoad(f, nil), "--rate", "60/s", "--duration", "1s", "--track", "events", "--history-sample", "0",
		"--drain-timeout", "60s", "--fault", "sfn.start.tps=0.001", "--fault", "sfn.start.burst=20", "--compare")
	if err != nil {
		t.Fatalf("%v\n%s", err, streams.ErrOut.String())
	}
	var out struct {
		load.Report
		Comparison []ComparisonRow `json:"comparison"`
	}
	if err := json.Unmarshal(streams.Out.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	// On a busy machine the pacer may leave the last orders unsent.
	o := out.Orders
	if o.Submitted < 40 || o.Succeeded != 20 || o.DLQ != o.Submitted-20 || !out.Accounting.Holds || !out.Drained {
		t.Fatalf("%+v %+v", o, out.Accounting)
	}
	throttles := 3 * o.DLQ
	l := out.LambdaLog
	if l == nil || l.Group != local.NewOrderLogGroup || l.Error != "" || l.StartThrottles != throttles || l.Pages < 1 {
		t.Fatalf("lambda log %+v, want %d throttles in %s", l, throttles, local.NewOrderLogGroup)
	}
	if st := srv.Status().StartThrottles; st != throttles {
		t.Fatalf("local up refused %d starts, want %d", st, throttles)
	}
	var row *ComparisonRow
	for i := range out.Comparison {
		if out.Comparison[i].Metric == "StartExecution throttles" {
			row = &out.Comparison[i]
		}
	}
	// The simulation sends all 60.
	if row == nil || row.Predicted != 120 || row.Observed != float64(throttles) {
		t.Fatalf("comparison row %+v, want 120 predicted and %d observed", row, throttles)
	}
}

// Where the count reads from: the flag, local up's group on a loopback
// endpoint, or nowhere (with a note saying how to ask for it).
func TestLambdaLogGroup(t *testing.T) {
	for _, c := range []struct {
		flag, endpoint, cfgGroup, group, note string
	}{
		{"", "https://states.example.com", "/aws/lambda/staging-new-order", "/aws/lambda/staging-new-order", ""},
		{"/aws/lambda/orders-in", "", "/aws/lambda/staging-new-order", "/aws/lambda/orders-in", ""},
		{"", "http://127.0.0.1:4566", "", local.NewOrderLogGroup, ""},
		{"/aws/lambda/orders-in", "", "", "/aws/lambda/orders-in", ""},
		{"off", "http://127.0.0.1:4566", "", "", "--lambda-log-group off"},
		{"", "", "", "", "pass --lambda-log-group with the new-order function's log group, /aws/lambda/FUNCTION"},
		{"", "https://states.example.com", "", "", "pass --lambda-log-group"},
	} {
		o := &Options{LambdaLog: c.flag}
		group, note := o.lambdaLogGroup(&config.Config{EndpointURL: c.endpoint, LambdaLogGroup: c.cfgGroup})
		if group != c.group || !strings.Contains(note, c.note) || (c.note == "") != (note == "") {
			t.Errorf("%+v: %q, %q", c, group, note)
		}
	}
}

// The table says what the log said: a count and where it came from, why
// it was not counted, or why nothing was read; --compare gets a row only
// when the log was read.
func TestStartThrottlesInTheTable(t *testing.T) {
	for _, c := range []struct {
		log  *load.LambdaLog
		want string
		row  bool
	}{
		{&load.LambdaLog{Group: "/aws/lambda/new-order", StartThrottles: 213673, Pages: 22}, "StartExecution  213,673 throttled  (ThrottlingException in /aws/lambda/new-order over the run)", true},
		{&load.LambdaLog{Group: "/aws/lambda/new-order", Error: "FilterLogEvents on /aws/lambda/new-order after 0 pages: denied"}, "StartExecution  throttles not counted: FilterLogEvents", false},
		{&load.LambdaLog{Note: "not read (--lambda-log-group off)"}, "StartExecution  throttles not read (--lambda-log-group off)", false},
		{nil, "", false},
	} {
		r := &load.Report{LambdaLog: c.log, Orders: load.Counts{Errors: map[string]int64{}, SendErrors: map[string]int64{}}}
		var b strings.Builder
		if err := (&tableView{r: r}).render(&b, ui.NewStyles(false)); err != nil {
			t.Fatal(err)
		}
		if got := b.String(); c.want != "" && !strings.Contains(got, c.want) || c.want == "" && strings.Contains(got, "StartExecution") {
			t.Errorf("%+v: %s", c.log, got)
		}
		p := &sim.Report{}
		p.StartExecution.Throttled = 132669
		found := false
		for _, row := range compare(p, r) {
			if row.Metric == "StartExecution throttles" {
				found = row.Predicted == 132669 && row.Observed == float64(c.log.StartThrottles)
			}
		}
		if found != c.row {
			t.Errorf("%+v: comparison row %v, want %v", c.log, found, c.row)
		}
	}
}
