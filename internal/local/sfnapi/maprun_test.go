package sfnapi

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/states"
	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/mockconfig"
)

// A Distributed Map over a JSON object in S3, with a label, tolerating one
// failed item, whose children double each item's n with a Pass state and
// fail on n = 0.
const defFanOut = `{"StartAt":"Fan","States":{"Fan":{"Type":"Map","Label":"Orders","MaxConcurrency":2,"ToleratedFailureCount":1,
 "ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSON"},"Parameters":{"Bucket.$":"$.bucket","Key.$":"$.key"}},
 "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"Check","States":{
  "Check":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericEquals":0,"Next":"Bad"}],"Default":"Double"},
  "Bad":{"Type":"Fail","Error":"Item.Zero","Cause":"n is 0"},
  "Double":{"Type":"Pass","Parameters":{"twice.$":"States.MathAdd($.n, $.n)"},"End":true}}},
 "End":true}}}`

func s3Dir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// StartExecution over a real socket runs the Map Run; DescribeMapRun,
// ListMapRuns, ListExecutions with mapRunArn, DescribeExecution and
// GetExecutionHistory of a child follow it as on AWS.
func TestDistributedMapOverTheAPI(t *testing.T) {
	dir := s3Dir(t, map[string]string{
		"in/orders.json": `[{"n":1},{"n":0},{"n":3}]`,
		"in/broken.json": `{"n":1`,
	})
	_, c, _ := local(t, &asl.Engine{Objects: asl.DirStore{Dir: dir}}, Options{})
	ctx := testCtx(t)
	arn := createMachine(t, ctx, c, "FanOut", defFanOut)
	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn), Name: aws.String("run1"), Input: aws.String(`{"bucket":"in","key":"orders.json"}`)})
	if err != nil {
		t.Fatal(err)
	}
	d := waitDone(t, ctx, c, aws.ToString(start.ExecutionArn))
	if d.Status != types.ExecutionStatusSucceeded {
		t.Fatalf("status %s: %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	if !strings.Contains(aws.ToString(d.Output), `{"twice":2}`) || !strings.Contains(aws.ToString(d.Output), `"Error":"Item.Zero"`) {
		t.Errorf("output %s", aws.ToString(d.Output))
	}

	runs, err := c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: start.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs.MapRuns) != 1 {
		t.Fatalf("%d map runs", len(runs.MapRuns))
	}
	item := runs.MapRuns[0]
	runARN := aws.ToString(item.MapRunArn)
	if !strings.HasPrefix(runARN, "arn:aws:states:us-east-1:123456789012:mapRun:FanOut/Orders:") ||
		aws.ToString(item.StateMachineArn) != "arn:aws:states:us-east-1:123456789012:stateMachine:FanOut/Orders" ||
		aws.ToString(item.ExecutionArn) != aws.ToString(start.ExecutionArn) || item.StopDate == nil {
		t.Errorf("list item %s %s %s stop %v", runARN, aws.ToString(item.StateMachineArn), aws.ToString(item.ExecutionArn), item.StopDate)
	}

	desc, err := c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: aws.String(runARN)})
	if err != nil {
		t.Fatal(err)
	}
	if desc.Status != types.MapRunStatusSucceeded || desc.MaxConcurrency != 2 || desc.ToleratedFailureCount != 1 ||
		desc.ItemCounts.Total != 3 || desc.ItemCounts.Succeeded != 2 || desc.ItemCounts.Failed != 1 ||
		desc.ExecutionCounts.Total != 3 || desc.ExecutionCounts.Failed != 1 || desc.StopDate == nil {
		t.Errorf("describe %+v items %+v executions %+v", desc, *desc.ItemCounts, *desc.ExecutionCounts)
	}

	kids, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{MapRunArn: aws.String(runARN)})
	if err != nil {
		t.Fatal(err)
	}
	if len(kids.Executions) != 3 {
		t.Fatalf("%d children", len(kids.Executions))
	}
	failed, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{MapRunArn: aws.String(runARN), StatusFilter: types.ExecutionStatusFailed})
	if err != nil || len(failed.Executions) != 1 {
		t.Fatalf("failed children %v %v", failed, err)
	}
	child := failed.Executions[0]
	if aws.ToString(child.MapRunArn) != runARN || !strings.Contains(aws.ToString(child.ExecutionArn), ":execution:FanOut/Orders:") {
		t.Errorf("child %s of %s", aws.ToString(child.ExecutionArn), aws.ToString(child.MapRunArn))
	}
	cd, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: child.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	if cd.Status != types.ExecutionStatusFailed || aws.ToString(cd.Error) != "Item.Zero" || aws.ToString(cd.Input) != `{"n":0}` || aws.ToString(cd.MapRunArn) != runARN {
		t.Errorf("child described %s %s %s %s", cd.Status, aws.ToString(cd.Error), aws.ToString(cd.Input), aws.ToString(cd.MapRunArn))
	}
	ch, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: child.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(ch.Events); n == 0 || ch.Events[n-1].Type != types.HistoryEventTypeExecutionFailed {
		t.Errorf("child history of %d events", n)
	}

	h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: start.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	var typesSeen []string
	for _, e := range h.Events {
		typesSeen = append(typesSeen, string(e.Type))
		if e.Type == types.HistoryEventTypeMapRunStarted && aws.ToString(e.MapRunStartedEventDetails.MapRunArn) != runARN {
			t.Errorf("MapRunStarted names %s", aws.ToString(e.MapRunStartedEventDetails.MapRunArn))
		}
	}
	if got := strings.Join(typesSeen, " "); got != "ExecutionStarted MapStateEntered MapStateStarted MapRunStarted MapRunSucceeded MapStateSucceeded MapStateExited ExecutionSucceeded" {
		t.Errorf("parent history %s", got)
	}

	// An ItemReader object that is not JSON fails the Map Run as AWS names it.
	bad, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn), Name: aws.String("broken"), Input: aws.String(`{"bucket":"in","key":"broken.json"}`)})
	if err != nil {
		t.Fatal(err)
	}
	bd := waitDone(t, ctx, c, aws.ToString(bad.ExecutionArn))
	if bd.Status != types.ExecutionStatusFailed || aws.ToString(bd.Error) != "States.ItemReaderFailed" {
		t.Fatalf("broken input: %s %s %s", bd.Status, aws.ToString(bd.Error), aws.ToString(bd.Cause))
	}
	bh, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: bad.ExecutionArn, ReverseOrder: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range bh.Events {
		if e.Type == types.HistoryEventTypeMapRunFailed {
			if d := e.MapRunFailedEventDetails; d == nil || aws.ToString(d.Error) != "States.ItemReaderFailed" {
				t.Errorf("MapRunFailed details %+v", d)
			}
		}
	}
	badRuns, err := c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: bad.ExecutionArn})
	if err != nil || len(badRuns.MapRuns) != 1 {
		t.Fatalf("map runs of the failed execution: %v %v", badRuns, err)
	}
	bdesc, err := c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: badRuns.MapRuns[0].MapRunArn})
	if err != nil || bdesc.Status != types.MapRunStatusFailed {
		t.Fatalf("failed map run: %+v %v", bdesc, err)
	}
}

func TestMapRunAPIErrors(t *testing.T) {
	_, c, _ := local(t, &asl.Engine{}, Options{})
	ctx := testCtx(t)
	createMachine(t, ctx, c, "FanOut", defFanOut)
	for _, tc := range []struct {
		arn, code string
	}{
		{"arn:aws:states:us-east-1:123456789012:mapRun:FanOut/Orders:00000000-0000-4000-8000-000000000000", CodeResourceNotFound},
		{"arn:aws:states:us-east-1:123456789012:mapRun:Nope/Orders:00000000-0000-4000-8000-000000000000", CodeResourceNotFound},
		{"arn:aws:states:us-east-1:123456789012:execution:FanOut:x", CodeInvalidArn},
		{"not-an-arn", CodeInvalidArn},
	} {
		_, err := c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: aws.String(tc.arn)})
		if code := errCode(err); code != tc.code {
			t.Errorf("DescribeMapRun %s: %v, want %s", tc.arn, err, tc.code)
		}
	}
	_, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{MapRunArn: aws.String("arn:aws:states:us-east-1:123456789012:mapRun:FanOut/Orders:x")})
	if errCode(err) != CodeResourceNotFound {
		t.Errorf("ListExecutions of an unknown map run: %v", err)
	}
	_, err = c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: aws.String("arn:aws:states:us-east-1:123456789012:execution:FanOut:none")})
	if errCode(err) != CodeExecutionDoesNotExist {
		t.Errorf("ListMapRuns of an unknown execution: %v", err)
	}
	_, err = c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String("arn:aws:states:us-east-1:123456789012:execution:FanOut/Orders:none")})
	if errCode(err) != CodeExecutionDoesNotExist {
		t.Errorf("DescribeExecution of an unknown child: %v", err)
	}
}

// A mock config's test case answers the ItemReader under the Map state's
// name, so a Distributed Map runs with no S3 stand-in at all.
func TestDistributedMapReaderFromMockConfig(t *testing.T) {
	cfg, err := mockconfig.Parse([]byte(`{"StateMachines":{"FanOut":{"TestCases":{"Two":{"Fan":"TwoItems"}}}},
	 "MockedResponses":{"TwoItems":{"0":{"Return":[{"n":4},{"n":5}]}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	_, c, _ := local(t, &asl.Engine{}, Options{Mock: cfg})
	ctx := testCtx(t)
	arn := createMachine(t, ctx, c, "FanOut", defFanOut)
	out, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn + "#Two"), Input: aws.String(`{"bucket":"b","key":"k"}`)})
	if err != nil {
		t.Fatal(err)
	}
	d := waitDone(t, ctx, c, aws.ToString(out.ExecutionArn))
	if d.Status != types.ExecutionStatusSucceeded || aws.ToString(d.Output) != `[{"twice":8},{"twice":10}]` {
		t.Fatalf("%s %s %s %s", d.Status, aws.ToString(d.Output), aws.ToString(d.Error), aws.ToString(d.Cause))
	}
}

func errCode(err error) string {
	var ae interface{ ErrorCode() string }
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// UpdateMapRun over the API: bad settings are AWS's ValidationException,
// an unknown Map Run ResourceNotFound, and a good one changes what
// DescribeMapRun says of a running Map Run.
func TestUpdateMapRunOverTheAPI(t *testing.T) {
	release := make(chan struct{})
	slow := asl.TaskHandlerFunc(func(_ context.Context, req *asl.TaskRequest, done func(any, error)) {
		go func() { <-release; done(req.Input, nil) }()
	})
	eng := &asl.Engine{Resources: asl.Resources{"arn:aws:states:::lambda:invoke": slow}}
	_, c, _ := local(t, eng, Options{})
	ctx := testCtx(t)
	arn := createMachine(t, ctx, c, "Slow", `{"StartAt":"Fan","States":{"Fan":{"Type":"Map","MaxConcurrency":1,
	 "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"W","States":{"W":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}},
	 "End":true}}}`)
	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn), Input: aws.String(`[1,2,3]`)})
	if err != nil {
		t.Fatal(err)
	}
	var runARN *string
	for runARN == nil {
		runs, err := c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: start.ExecutionArn})
		if err != nil {
			t.Fatal(err)
		}
		if len(runs.MapRuns) > 0 {
			runARN = runs.MapRuns[0].MapRunArn
		} else {
			time.Sleep(5 * time.Millisecond)
		}
	}
	for _, bad := range []*sfn.UpdateMapRunInput{
		{MapRunArn: runARN},
		{MapRunArn: runARN, ToleratedFailurePercentage: aws.Float32(101)},
		{MapRunArn: runARN, MaxConcurrency: aws.Int32(-1)},
	} {
		if _, err := c.UpdateMapRun(ctx, bad); errCode(err) != CodeValidationException {
			t.Errorf("UpdateMapRun %+v: %v, want ValidationException", bad, err)
		}
	}
	if _, err := c.UpdateMapRun(ctx, &sfn.UpdateMapRunInput{MapRunArn: aws.String(*runARN + "x"), MaxConcurrency: aws.Int32(3)}); errCode(err) != CodeResourceNotFound {
		t.Errorf("unknown map run: %v", err)
	}
	if _, err := c.UpdateMapRun(ctx, &sfn.UpdateMapRunInput{MapRunArn: runARN, MaxConcurrency: aws.Int32(3), ToleratedFailureCount: aws.Int64(2)}); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: runARN})
	if err != nil {
		t.Fatal(err)
	}
	if d.MaxConcurrency != 3 || d.ToleratedFailureCount != 2 || d.Status != types.MapRunStatusRunning {
		t.Errorf("after the update: %s concurrency %d tolerated %d", d.Status, d.MaxConcurrency, d.ToleratedFailureCount)
	}
	close(release)
	if out := waitDone(t, ctx, c, aws.ToString(start.ExecutionArn)); out.Status != types.ExecutionStatusSucceeded {
		t.Fatalf("%s", out.Status)
	}
}

// RedriveExecution of an execution whose Distributed Map failed (an item
// failed past the tolerance) redrives its Map Run over the API: only the
// child that failed runs again, redriven, and those never started start;
// DescribeMapRun counts the redrive and the history records MapRunRedriven.
func TestRedriveOfAFailedMapRunOverTheAPI(t *testing.T) {
	var mu sync.Mutex
	calls := map[string]int{}
	flaky := asl.TaskHandlerFunc(func(_ context.Context, req *asl.TaskRequest, done func(any, error)) {
		n, _ := value.Float(req.Input)
		key := fmt.Sprint(req.Input)
		mu.Lock()
		calls[key]++
		first := calls[key] == 1
		mu.Unlock()
		if first && key == "2" {
			done(nil, states.New("Item.Flaky", "first try"))
			return
		}
		done(map[string]any{"n": n * 10}, nil)
	})
	_, c, _ := local(t, &asl.Engine{Resources: asl.Resources{"arn:aws:states:::lambda:invoke": flaky}}, Options{})
	ctx := testCtx(t)
	arn := createMachine(t, ctx, c, "Flaky", `{"StartAt":"Fan","States":{"Fan":{"Type":"Map","Label":"Items","MaxConcurrency":1,
	 "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
	  "StartAt":"Work","States":{"Work":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","End":true}}},"End":true}}}`)
	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn), Name: aws.String("r1"), Input: aws.String(`[1,2,3,4,5]`)})
	if err != nil {
		t.Fatal(err)
	}
	d := waitDone(t, ctx, c, aws.ToString(start.ExecutionArn))
	if d.Status != types.ExecutionStatusFailed || aws.ToString(d.Error) != "States.ExceedToleratedFailureThreshold" {
		t.Fatalf("first run %s %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	runs, err := c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: start.ExecutionArn})
	if err != nil || len(runs.MapRuns) != 1 {
		t.Fatalf("map runs %v %v", runs, err)
	}
	runARN := runs.MapRuns[0].MapRunArn
	desc, err := c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: runARN})
	if err != nil {
		t.Fatal(err)
	}
	if desc.Status != types.MapRunStatusFailed || desc.RedriveCount == nil || *desc.RedriveCount != 0 || desc.RedriveDate != nil ||
		desc.ItemCounts.Succeeded != 1 || desc.ItemCounts.Failed != 1 || desc.ItemCounts.Pending != 3 || desc.ItemCounts.Total != 5 {
		t.Errorf("before the redrive: %s redrives %v items %+v", desc.Status, desc.RedriveCount, *desc.ItemCounts)
	}

	if _, err := c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: start.ExecutionArn}); err != nil {
		t.Fatal(err)
	}
	d = waitDone(t, ctx, c, aws.ToString(start.ExecutionArn))
	if d.Status != types.ExecutionStatusSucceeded || aws.ToString(d.Output) != `[{"n":10},{"n":20},{"n":30},{"n":40},{"n":50}]` {
		t.Fatalf("after the redrive %s %s %s %s", d.Status, aws.ToString(d.Output), aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	mu.Lock()
	if calls["1"] != 1 || calls["2"] != 2 || calls["3"] != 1 || calls["5"] != 1 {
		t.Errorf("task calls %v: item 1 must not run again, item 2 twice", calls)
	}
	mu.Unlock()
	desc, err = c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: runARN})
	if err != nil {
		t.Fatal(err)
	}
	if desc.Status != types.MapRunStatusSucceeded || aws.ToInt32(desc.RedriveCount) != 1 || desc.RedriveDate == nil || desc.StopDate == nil ||
		desc.ItemCounts.Succeeded != 5 || desc.ItemCounts.Failed != 0 || desc.ItemCounts.Pending != 0 || desc.ItemCounts.Total != 5 ||
		aws.ToInt64(desc.ItemCounts.PendingRedrive) != 0 ||
		desc.ExecutionCounts.Succeeded != 5 || desc.ExecutionCounts.Failed != 0 || desc.ExecutionCounts.Total != 5 {
		t.Errorf("after the redrive: %s redrives %v date %v items %+v executions %+v", desc.Status, desc.RedriveCount, desc.RedriveDate, *desc.ItemCounts, *desc.ExecutionCounts)
	}
	runs, err = c.ListMapRuns(ctx, &sfn.ListMapRunsInput{ExecutionArn: start.ExecutionArn})
	if err != nil || len(runs.MapRuns) != 1 || aws.ToString(runs.MapRuns[0].MapRunArn) != aws.ToString(runARN) {
		t.Fatalf("map runs after the redrive %v %v", runs, err)
	}
	h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: start.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	redriven := 0
	for _, e := range h.Events {
		if e.Type == types.HistoryEventTypeMapRunRedriven {
			redriven++
			if dt := e.MapRunRedrivenEventDetails; dt == nil || aws.ToString(dt.MapRunArn) != aws.ToString(runARN) || aws.ToInt32(dt.RedriveCount) != 1 {
				t.Errorf("MapRunRedriven details %+v", dt)
			}
		}
	}
	if redriven != 1 {
		t.Errorf("%d MapRunRedriven events, want 1", redriven)
	}
	// The child that failed was redriven: it succeeded, keeping its ARN.
	kids, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{MapRunArn: runARN})
	if err != nil || len(kids.Executions) != 5 {
		t.Fatalf("children %v %v", kids, err)
	}
	redrivenKids := 0
	for _, k := range kids.Executions {
		if k.Status != types.ExecutionStatusSucceeded {
			t.Errorf("child %s %s", aws.ToString(k.ExecutionArn), k.Status)
		}
		if aws.ToInt32(k.RedriveCount) == 1 {
			redrivenKids++
		}
	}
	if redrivenKids != 1 {
		t.Errorf("%d children redriven, want 1", redrivenKids)
	}
}
