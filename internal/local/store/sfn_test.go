package store

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/google/go-cmp/cmp"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/local/sfnapi"
)

const machineDef = `{"StartAt":"Route","States":{
  "Route":{"Type":"Choice","Choices":[
    {"Variable":"$.kind","StringEquals":"fail","Next":"Boom"},
    {"Variable":"$.kind","StringEquals":"slow","Next":"Sleep"}],"Default":"Done"},
  "Sleep":{"Type":"Wait","Seconds":3600,"Next":"Done"},
  "Boom":{"Type":"Fail","Error":"Declined","Cause":"card declined"},
  "Done":{"Type":"Pass","Result":{"ok":true},"ResultPath":"$.result","End":true}}}`

func sfnService(t *testing.T, clk clock.Clock, db *DB) (*sfnapi.Service, *sfn.Client) {
	t.Helper()
	eng := &asl.Engine{Clock: clk, Account: "000000000000"}
	svc := sfnapi.New(eng, sfnapi.Options{Store: db.SFN()})
	srv := httptest.NewServer(svc.Handler())
	t.Cleanup(srv.Close)
	return svc, awstest.SFN(srv.URL, nil)
}

type execView struct {
	Info    sfnapi.ExecutionInfo
	History []asl.HistoryEvent
}

func view(t *testing.T, svc *sfnapi.Service, arn string) execView {
	t.Helper()
	in, err := svc.DescribeExecution(arn)
	if err != nil {
		t.Fatal(err)
	}
	h, _, err := svc.GetExecutionHistory(arn, 1000, "", false)
	if err != nil {
		t.Fatal(err)
	}
	return execView{in, h}
}

// TestExecutionsSurviveReopen: finished executions come back as they were,
// with their histories; one that was running when the process stopped
// (no Close: as after kill -9) comes back ABORTED with an ExecutionAborted
// event that says why.
func TestExecutionsSurviveReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clk := clock.NewVirtual(clock.Epoch)
	db := open(t, dir)
	svc, _ := sfnService(t, clk, db)
	sm, err := svc.CreateStateMachine(sfnapi.StateMachineSpec{Name: "saga", Definition: machineDef, RoleARN: "arn:aws:iam::000000000000:role/r"})
	if err != nil {
		t.Fatal(err)
	}
	arns := map[string]string{}
	for _, kind := range []string{"ok", "fail", "slow"} {
		arn, _, err := svc.StartExecution(ctx, sm.ARN, "ord_"+kind, `{"kind":"`+kind+`"}`)
		if err != nil {
			t.Fatal(err)
		}
		arns[kind] = arn
	}
	clk.Advance(time.Minute)
	before := map[string]execView{}
	for k, arn := range arns {
		before[k] = view(t, svc, arn)
	}
	if before["ok"].Info.Status != asl.StatusSucceeded || before["fail"].Info.Status != asl.StatusFailed || before["slow"].Info.Status != asl.StatusRunning {
		t.Fatalf("before the restart: %+v", before)
	}
	if err := db.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil { // the service is never closed: a crash
		t.Fatal(err)
	}

	db = open(t, dir)
	defer db.Close()
	svc2, client := sfnService(t, clk, db)
	n, err := svc2.Restore()
	if err != nil || n != 1 {
		t.Fatalf("Restore: %d aborted, %v; want 1", n, err)
	}
	for _, k := range []string{"ok", "fail"} {
		if diff := cmp.Diff(before[k], view(t, svc2, arns[k])); diff != "" {
			t.Errorf("%s after the restart (-before +after):\n%s", k, diff)
		}
	}
	slow := view(t, svc2, arns["slow"])
	if slow.Info.Status != asl.StatusAborted || slow.Info.Error != sfnapi.RestartError || slow.Info.Stop.IsZero() {
		t.Errorf("the running execution after the restart: %+v", slow.Info)
	}
	// Its history is what it had done, saved event by event, then the
	// abort.
	if diff := cmp.Diff(before["slow"].History, slow.History[:len(slow.History)-1]); diff != "" {
		t.Errorf("the running execution's events before the crash (-before +after):\n%s", diff)
	}
	last := slow.History[len(slow.History)-1]
	if last.Type != "ExecutionAborted" || last.Cause != sfnapi.RestartCause || last.PreviousEventID != last.ID-1 || len(slow.History) < 4 {
		t.Errorf("its history: %+v", slow.History)
	}
	// The name stays taken, the machine is not duplicated, and listing
	// shows each execution once, newest first.
	if _, _, err := svc2.StartExecution(ctx, sm.ARN, "ord_ok", `{"kind":"ok"}`); err == nil {
		t.Error("a restored execution's name could be used again")
	}
	if _, err := svc2.CreateStateMachine(sfnapi.StateMachineSpec{Name: "saga", Definition: machineDef, RoleARN: "arn:aws:iam::000000000000:role/r"}); err != nil {
		t.Errorf("CreateStateMachine again with the same definition: %v", err)
	}
	ms, err := client.ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	if err != nil || len(ms.StateMachines) != 1 {
		t.Fatalf("ListStateMachines: %v %v", ms, err)
	}
	if diff := cmp.Diff([]string{"ord_slow", "ord_fail", "ord_ok"}, executionNames(t, ctx, client, sm.ARN)); diff != "" {
		t.Errorf("ListExecutions:\n%s", diff)
	}
	// A new execution after the restart gets a later place in the list.
	if _, _, err := svc2.StartExecution(ctx, sm.ARN, "ord_new", `{"kind":"ok"}`); err != nil {
		t.Fatal(err)
	}
	ls, _ := client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(sm.ARN), MaxResults: 1})
	if len(ls.Executions) != 1 || aws.ToString(ls.Executions[0].Name) != "ord_new" {
		t.Errorf("newest execution: %+v", ls.Executions)
	}
	// The ABORTED state was written back: a second restart aborts nothing.
	svc2.Close()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = open(t, dir)
	svc3, _ := sfnService(t, clk, db)
	if n, err := svc3.Restore(); err != nil || n != 0 {
		t.Errorf("second Restore: %d aborted, %v; want 0", n, err)
	}
	if got := view(t, svc3, arns["slow"]); !cmp.Equal(got, slow) {
		t.Errorf("the aborted execution changed on a second restart:\n%s", cmp.Diff(slow, got))
	}
}

// TestForgottenExecutionsLeaveNothing: executions evicted past
// MaxFinishedExecutions, and those of a deleted machine, are deleted from
// the store with their events.
func TestForgottenExecutionsLeaveNothing(t *testing.T) {
	ctx := context.Background()
	db := open(t, t.TempDir())
	defer db.Close()
	clk := clock.NewVirtual(clock.Epoch)
	svc := sfnapi.New(&asl.Engine{Clock: clk}, sfnapi.Options{Store: db.SFN(), MaxFinishedExecutions: 1})
	defer svc.Close()
	count := func(kind string) int {
		t.Helper()
		if err := db.Sync(); err != nil {
			t.Fatal(err)
		}
		n := 0
		if err := db.SFN().Each(kind, func(string, []byte) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	sm, err := svc.CreateStateMachine(sfnapi.StateMachineSpec{Name: "m", Definition: machineDef, RoleARN: "arn:aws:iam::123456789012:role/r"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, _, err := svc.StartExecution(ctx, sm.ARN, fmt.Sprint("x", i), `{"kind":"ok"}`); err != nil {
			t.Fatal(err)
		}
	}
	one := count(sfnapi.KindEvent)
	if n := count(sfnapi.KindExecution); n != 1 || one == 0 {
		t.Fatalf("%d executions and %d events kept, want 1 execution and its events", n, one)
	}
	if err := svc.DeleteStateMachine(sm.ARN); err != nil {
		t.Fatal(err)
	}
	if m, x, e := count(sfnapi.KindMachine), count(sfnapi.KindExecution), count(sfnapi.KindEvent); m+x+e != 0 {
		t.Fatalf("after DeleteStateMachine: %d machines, %d executions, %d events left", m, x, e)
	}
}

// A restart with a lower MaxFinishedExecutions (local up --keep-executions)
// forgets the oldest restored executions, on disk too, and keeps counting
// the restored ones toward the limit afterwards.
func TestRestoredExecutionsCountTowardTheLimit(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clk := clock.NewVirtual(clock.Epoch)
	db := open(t, dir)
	svc := sfnapi.New(&asl.Engine{Clock: clk}, sfnapi.Options{Store: db.SFN()})
	sm, err := svc.CreateStateMachine(sfnapi.StateMachineSpec{Name: "m", Definition: machineDef, RoleARN: "arn:aws:iam::123456789012:role/r"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		clk.Advance(time.Second)
		if _, _, err := svc.StartExecution(ctx, sm.ARN, fmt.Sprint("x", i), `{"kind":"ok"}`); err != nil {
			t.Fatal(err)
		}
	}
	svc.Close()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = open(t, dir)
	defer db.Close()
	svc = sfnapi.New(&asl.Engine{Clock: clk}, sfnapi.Options{Store: db.SFN(), MaxFinishedExecutions: 3})
	defer svc.Close()
	if _, err := svc.Restore(); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(svc.Handler())
	defer srv.Close()
	c := awstest.SFN(srv.URL, nil)
	names := func() []string { return executionNames(t, ctx, c, sm.ARN) }
	if got := names(); !cmp.Equal(got, []string{"x4", "x3", "x2"}) {
		t.Fatalf("after restart with a limit of 3: %v, want the newest three", got)
	}
	clk.Advance(time.Second)
	if _, _, err := svc.StartExecution(ctx, sm.ARN, "x5", `{"kind":"ok"}`); err != nil {
		t.Fatal(err)
	}
	if got := names(); !cmp.Equal(got, []string{"x5", "x4", "x3"}) {
		t.Fatalf("after one more: %v", got)
	}
	if err := db.Sync(); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := db.SFN().Each(sfnapi.KindExecution, func(string, []byte) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("%d executions on disk, want 3", n)
	}
}

// executionNames lists the names of a machine's executions, newest first.
func executionNames(t *testing.T, ctx context.Context, c *sfn.Client, machineARN string) []string {
	t.Helper()
	page, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(machineARN)})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range page.Executions {
		out = append(out, aws.ToString(e.Name))
	}
	return out
}
