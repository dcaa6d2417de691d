package local

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/cli/clitest"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/config"
	"github.com/yafdp/yafdp/internal/local"
	"github.com/yafdp/yafdp/internal/local/sfnapi"
	"github.com/yafdp/yafdp/internal/local/store"
)

// A data directory that another local up holds is refused with a usage
// error (exit 2) that names the flag and the way out.
func TestUpDataDirInUse(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f, _ := clitest.NewFactory(&config.Config{Output: "json"})
	err = clitest.Exec(NewCmdUp(f, nil), "--addr", "127.0.0.1:0", "--data-dir", dir)
	var ue *cmdutil.UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "--data-dir: "+dir+" is in use by another yafdp local up") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("%v, want a one-line usage error", err)
	}
}

func TestUpFlags(t *testing.T) {
	f, _ := clitest.NewFactory(nil)
	var got *UpOptions
	cmd := NewCmdUp(f, func(_ context.Context, o *UpOptions) error { got = o; return nil })
	err := clitest.Exec(cmd, "--addr", "127.0.0.1:0", "--fault", "payment.decline=0.1", "--fault", "neworder.error=5%",
		"--fault", "neworder.outage=10s+20s", "--latency", "payment=0", "--workers", "8", "--batch-size", "5",
		"--visibility-timeout", "2s", "--max-receive-count", "4")
	if err != nil {
		t.Fatal(err)
	}
	s := got.server
	if s.Addr != "127.0.0.1:0" || s.Fakes.Payment.RefusalRate != 0.1 || s.Consumer.ErrorRate != 0.05 ||
		len(s.Consumer.Outages) != 1 || s.Consumer.Outages[0] != (local.Window{Start: 10 * time.Second, Duration: 20 * time.Second}) ||
		s.Consumer.Workers != 8 || s.Consumer.BatchSize != 5 || s.VisibilityTimeout != 2*time.Second || s.MaxReceiveCount != 4 ||
		s.StartQuota != sfnapi.AWSStartQuota {
		t.Fatalf("%+v", s)
	}
}

// StartExecution's quota: AWS's by default, a scenario's, then --fault's.
func TestUpStartQuota(t *testing.T) {
	scenario := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(scenario, []byte("arrivals:\n  rate: 10/s\n  duration: 1m\nstep_functions:\n  start_rate: 50/s\n  start_burst: 80\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want sfnapi.StartQuota
	}{
		{nil, sfnapi.AWSStartQuota},
		{[]string{"--fault", "sfn.start.tps=off"}, sfnapi.NoStartQuota},
		{[]string{"--fault", "sfn.start.tps=20000/s", "--fault", "sfn.start.burst=50000"}, sfnapi.StartQuota{PerSecond: 20000, Burst: 50000}},
		{[]string{"--scenario", scenario}, sfnapi.StartQuota{PerSecond: 50, Burst: 80}},
		{[]string{"--scenario", scenario, "--fault", "sfn.start.burst=10"}, sfnapi.StartQuota{PerSecond: 50, Burst: 10}},
	} {
		f, _ := clitest.NewFactory(nil)
		var got *UpOptions
		if err := clitest.Exec(NewCmdUp(f, func(_ context.Context, o *UpOptions) error { got = o; return nil }), c.args...); err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if got.server.StartQuota != c.want {
			t.Errorf("%v: quota %+v, want %+v", c.args, got.server.StartQuota, c.want)
		}
	}
}

func TestUpBadInput(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	badFake := filepath.Join(t.TempDir(), "mock.json")
	if err := os.WriteFile(badFake, []byte(`{"StateMachines": {}, "MockedResponses": {}, "Yafdp": {"MockedResponses": {"R": {"Fake": "bank.charge"}}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--fault", "neworder.error=2"}, "the rate must be between 0 and 1"},
		{[]string{"--fault", "neworder.outage=soon"}, "START+DURATION"},
		{[]string{"--fault", "bank.error=1"}, "--fault"},
		{[]string{"--fault", "sfn.start.tps=fast"}, "sfn.start.tps=300"},
		{[]string{"--fault", "sfn.start.burst=0"}, "sfn.start.burst=1300"},
		{[]string{"--latency", "payment=fast"}, "--latency"},
		{[]string{"--workers", "0"}, "--workers: must be between 1 and 1000"},
		{[]string{"--batch-size", "11"}, "--batch-size: must be between 1 and 10"},
		{[]string{"--visibility-timeout", "0s"}, "--visibility-timeout"},
		{[]string{"--max-receive-count", "0"}, "--max-receive-count"},
		{[]string{"--scenario", "/nope.yaml"}, "does not exist"},
		{[]string{"--definition", "/nope.json"}, "--definition"},
		{[]string{"--data-dir", file}, "--data-dir " + file + ": not a directory"},
		{[]string{"--drain-timeout", "-1s"}, "--drain-timeout"},
		{[]string{"--addr", "nonsense"}, `--addr: "nonsense" is not host:port`},
		{[]string{"--addr", "127.0.0.1:99999"}, "--addr: port \"99999\" must be a number from 0 to 65535"},
		{[]string{"--addr", ":4566"}, "has no host"},
		{[]string{"--keep-executions", "-1"}, "--keep-executions"},
		{[]string{"--compact"}, "--compact: there is nothing to compact without --data-dir"},
		{[]string{"--s3-dir", file}, "--s3-dir " + file + ": not a directory"},
		{[]string{"--mock-config", file}, "--mock-config: " + file + ": not valid JSON"},
		{[]string{"--mock-config", badFake}, `Yafdp.MockedResponses.R.Fake: no built-in fake named "bank.charge"; the fakes are payment.charge,`},
	} {
		f, _ := clitest.NewFactory(nil)
		err := clitest.Exec(NewCmdUp(f, func(context.Context, *UpOptions) error { return nil }), c.args...)
		var ue *cmdutil.UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want a usage error with %q", c.args, err, c.want)
		}
	}
}

// TestUpServesUntilCancelled starts local up as the command does, checks it
// answers, cancels it as Ctrl-C does, and compares what it printed (table
// and JSON) with the golden files, the port aside.
func TestUpServesUntilCancelled(t *testing.T) {
	for _, format := range []string{"table", "json"} {
		t.Run(format, func(t *testing.T) {
			f, streams := clitest.NewFactory(&config.Config{Output: format})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ready := make(chan *local.Server, 1)
			cmd := NewCmdUp(f, func(ctx context.Context, o *UpOptions) error {
				o.Ready = func(s *local.Server) { ready <- s }
				return runUp(ctx, o)
			})
			errc := make(chan error, 1)
			go func() {
				cmd.SetContext(ctx)
				errc <- clitest.ExecContext(ctx, cmd, "--addr", "127.0.0.1:0")
			}()
			var srv *local.Server
			select {
			case srv = <-ready:
			case err := <-errc:
				t.Fatalf("local up ended early: %v", err)
			case <-time.After(10 * time.Second):
				t.Fatal("local up did not start")
			}
			resp, err := http.Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("GET / = %d", resp.StatusCode)
			}
			cancel()
			if err := <-errc; err != nil {
				t.Fatalf("shutdown: %v", err)
			}
			if !strings.Contains(streams.ErrOut.String(), "shutting down") {
				t.Fatalf("stderr %s", streams.ErrOut.String())
			}
			out := strings.ReplaceAll(streams.Out.String(), srv.URL, "http://127.0.0.1:PORT")
			clitest.Golden(t, "up."+format+".golden", []byte(out))
		})
	}
}

// --compact compacts the data directory's file before the server starts,
// and says so on standard error.
func TestUpCompact(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	f, streams := clitest.NewFactory(&config.Config{Output: "json"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := NewCmdUp(f, func(ctx context.Context, o *UpOptions) error {
		o.Ready = func(*local.Server) { cancel() }
		return runUp(ctx, o)
	})
	cmd.SetContext(ctx)
	if err := clitest.ExecContext(ctx, cmd, "--addr", "127.0.0.1:0", "--data-dir", dir, "--compact"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(streams.ErrOut.String(), "data dir "+dir+": compacted, ") {
		t.Fatalf("stderr %s", streams.ErrOut.String())
	}
}

// TestUpDistributedMap runs a Distributed Map through local up as a user
// starts it (--definition, --s3-dir), over a real socket: StartExecution,
// then DescribeMapRun and ListMapRuns, and the file the ResultWriter wrote.
func TestUpDistributedMap(t *testing.T) {
	dir := t.TempDir()
	s3 := filepath.Join(dir, "s3")
	if err := os.MkdirAll(filepath.Join(s3, "in"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s3, "in", "orders.jsonl"), []byte("{\"id\":1}\n{\"id\":2}\n{\"id\":3}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	def := filepath.Join(dir, "fan.asl.json")
	if err := os.WriteFile(def, []byte(`{"StartAt":"Fan","States":{"Fan":{"Type":"Map","Label":"Orders",
	 "ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSONL"},"Parameters":{"Bucket":"in","Key.$":"$.key"}},
	 "ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"out","Prefix":"runs"}},
	 "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},
	 "End":true}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	f, _ := clitest.NewFactory(nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan *local.Server, 1)
	cmd := NewCmdUp(f, func(ctx context.Context, o *UpOptions) error {
		o.Ready = func(s *local.Server) { ready <- s }
		return runUp(ctx, o)
	})
	errc := make(chan error, 1)
	go func() {
		errc <- clitest.ExecContext(ctx, cmd, "--addr", "127.0.0.1:0", "--definition", def, "--s3-dir", s3)
	}()
	var srv *local.Server
	select {
	case srv = <-ready:
	case err := <-errc:
		t.Fatalf("local up ended early: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("local up did not start")
	}
	c := awstest.SFN(srv.URL, nil)
	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(srv.StateMachineARN), Input: aws.String(`{"key":"orders.jsonl"}`)})
	if err != nil {
		t.Fatal(err)
	}
	var d *sfn.DescribeExecutionOutput
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if d, err = c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: start.ExecutionArn}); err != nil {
			t.Fatal(err)
		}
		if d.Status != sfntypes.ExecutionStatusRunning || time.Now().After(deadline) {
			break
		}
	}
	if d.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("%s %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	runs, err := c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: start.ExecutionArn})
	if err != nil || len(runs.MapRuns) != 1 {
		t.Fatalf("ListMapRuns: %v %v", runs, err)
	}
	run, err := c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: runs.MapRuns[0].MapRunArn})
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != sfntypes.MapRunStatusSucceeded || run.ItemCounts.Succeeded != 3 || run.ItemCounts.ResultsWritten != 3 {
		t.Fatalf("map run %s items %+v", run.Status, *run.ItemCounts)
	}
	var out struct{ ResultWriterDetails struct{ Bucket, Key string } }
	if err := json.Unmarshal([]byte(aws.ToString(d.Output)), &out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(s3, out.ResultWriterDetails.Bucket, filepath.FromSlash(out.ResultWriterDetails.Key))); err != nil {
		t.Fatalf("the manifest %s: %v", aws.ToString(d.Output), err)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}
