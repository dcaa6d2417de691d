package local_test

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/local"
)

const expressDef = `{"StartAt":"Reserve","States":{
  "Reserve":{"Type":"Pass","Result":{"ok":true},"ResultPath":"$.reserved","Next":"Check"},
  "Check":{"Type":"Choice","Choices":[{"Variable":"$.fail","IsPresent":true,"Next":"Refuse"}],"Default":"Done"},
  "Refuse":{"Type":"Fail","Error":"Order.Refused","Cause":"the order asked to fail"},
  "Done":{"Type":"Succeed"}}}`

func startLocal(t *testing.T) *local.Server {
	t.Helper()
	srv, err := local.Start(context.Background(), local.Options{Addr: "127.0.0.1:0", Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return srv
}

func logging(level string, include bool, group string) *sfntypes.LoggingConfiguration {
	return &sfntypes.LoggingConfiguration{Level: sfntypes.LogLevel(level), IncludeExecutionData: include,
		Destinations: []sfntypes.LogDestination{{CloudWatchLogsLogGroup: &sfntypes.CloudWatchLogsLogGroup{
			LogGroupArn: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:" + group + ":*")}}}}
}

// logRecords polls FilterLogEvents for an execution's records until one of
// type last is there.
func logRecords(t *testing.T, ctx context.Context, c *cloudwatchlogs.Client, group, execARN, last string) []map[string]any {
	t.Helper()
	for {
		out, err := c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group),
			FilterPattern: aws.String(`{ $.execution_arn = "` + execARN + `" }`)})
		if err != nil {
			t.Fatal(err)
		}
		var recs []map[string]any
		for _, e := range out.Events {
			var r map[string]any
			if err := json.Unmarshal([]byte(aws.ToString(e.Message)), &r); err != nil {
				t.Fatalf("a log message that is not JSON: %s", aws.ToString(e.Message))
			}
			recs = append(recs, r)
		}
		if len(recs) > 0 && recs[len(recs)-1]["type"] == last {
			return recs
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no %s record for %s: %v", last, execARN, recs)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// An asynchronous Express execution over real sockets: AWS's ARN form, the
// answers AWS gives to the operations Express does not serve, and its
// events in the machine's log group in Step Functions' log record shape.
func TestExpressExecutionLogsToCloudWatch(t *testing.T) {
	srv := startLocal(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sc, lc := awstest.SFN(srv.URL, nil), awstest.Logs(srv.URL, nil)
	const group = "/aws/vendedlogs/states/checkout"

	_, err := sc.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("Checkout"), Definition: aws.String(expressDef),
		RoleArn: aws.String("arn:aws:iam::000000000000:role/r"), Type: sfntypes.StateMachineTypeExpress, LoggingConfiguration: logging("ALL", true, group)})
	if !errors.As(err, new(*sfntypes.InvalidLoggingConfiguration)) {
		t.Fatalf("a destination that does not exist: %v", err)
	}
	if _, err := lc.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	sm, err := sc.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("Checkout"), Definition: aws.String(expressDef),
		RoleArn: aws.String("arn:aws:iam::000000000000:role/r"), Type: sfntypes.StateMachineTypeExpress, LoggingConfiguration: logging("ALL", true, group)})
	if err != nil {
		t.Fatal(err)
	}
	start, err := sc.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String("o1"), Input: aws.String(`{"orderId":"o1"}`)})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(start.ExecutionArn)
	if !regexp.MustCompile(`^arn:aws:states:us-east-1:000000000000:express:Checkout:o1:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`).MatchString(arn) {
		t.Errorf("express execution ARN %s", arn)
	}

	var api smithy.APIError
	for name, call := range map[string]func() error{
		"DescribeExecution": func() error {
			_, err := sc.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: &arn})
			return err
		},
		"GetExecutionHistory": func() error {
			_, err := sc.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: &arn})
			return err
		},
		"StopExecution": func() error {
			_, err := sc.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: &arn})
			return err
		},
		"DescribeStateMachineForExecution": func() error {
			_, err := sc.DescribeStateMachineForExecution(ctx, &sfn.DescribeStateMachineForExecutionInput{ExecutionArn: &arn})
			return err
		},
	} {
		err := call()
		if !errors.As(err, &api) || api.ErrorCode() != "InvalidArn" || api.ErrorMessage() != "Invalid Arn: 'Resource type not valid in this context: express'" {
			t.Errorf("%s of an express execution: %v", name, err)
		}
	}
	_, err = sc.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: sm.StateMachineArn})
	if !errors.As(err, &api) || api.ErrorCode() != "StateMachineTypeNotSupported" || api.ErrorMessage() != "This operation is not supported by this type of state machine" {
		t.Errorf("ListExecutions of an Express machine: %v", err)
	}

	recs := logRecords(t, ctx, lc, group, arn, "ExecutionSucceeded")
	var types []string
	for _, r := range recs {
		types = append(types, r["type"].(string))
		if r["execution_arn"] != arn || r["redrive_count"] != "0" {
			t.Errorf("record %v", r)
		}
		if !regexp.MustCompile(`^\d{13}$`).MatchString(r["event_timestamp"].(string)) {
			t.Errorf("event_timestamp %v", r["event_timestamp"])
		}
	}
	want := "ExecutionStarted PassStateEntered PassStateExited ChoiceStateEntered ChoiceStateExited SucceedStateEntered SucceedStateExited ExecutionSucceeded"
	if strings.Join(types, " ") != want {
		t.Errorf("logged %s, want %s", strings.Join(types, " "), want)
	}
	started, _ := json.Marshal(recs[0])
	if string(started) != `{"details":{"input":"{\"orderId\":\"o1\"}","inputDetails":{"truncated":false},"roleArn":"arn:aws:iam::000000000000:role/r"},"event_timestamp":"`+recs[0]["event_timestamp"].(string)+`","execution_arn":"`+arn+`","id":"1","previous_event_id":"0","redrive_count":"0","type":"ExecutionStarted"}` {
		t.Errorf("ExecutionStarted record: %s", started)
	}

	// The raw message keeps Step Functions' member order.
	raw, err := lc.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group), FilterPattern: aws.String(`ExecutionSucceeded`)})
	if err != nil || len(raw.Events) != 1 {
		t.Fatalf("FilterLogEvents by term: %v %v", raw, err)
	}
	if m := aws.ToString(raw.Events[0].Message); !regexp.MustCompile(`^\{"id":"8","type":"ExecutionSucceeded","details":\{"output":"\{\\"orderId\\":\\"o1\\",\\"reserved\\":\{\\"ok\\":true\}\}","outputDetails":\{"truncated":false\}\},"previous_event_id":"7","event_timestamp":"\d+","execution_arn":"[^"]+","redrive_count":"0"\}$`).MatchString(m) {
		t.Errorf("ExecutionSucceeded message: %s", m)
	}
	streams, err := lc.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String(group)})
	if err != nil || len(streams.LogStreams) != 1 || !regexp.MustCompile(`^states/Checkout/\d{4}-\d\d-\d\d-\d\d-\d\d/[0-9a-f]{8}$`).MatchString(aws.ToString(streams.LogStreams[0].LogStreamName)) {
		t.Fatalf("DescribeLogStreams: %+v %v", streams, err)
	}
	page, err := lc.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: streams.LogStreams[0].LogStreamName,
		StartFromHead: aws.Bool(true), Limit: aws.Int32(5)})
	if err != nil || len(page.Events) != 5 {
		t.Fatalf("GetLogEvents: %+v %v", page, err)
	}
	rest, err := lc.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: streams.LogStreams[0].LogStreamName,
		StartFromHead: aws.Bool(true), NextToken: page.NextForwardToken})
	if err != nil || len(rest.Events) != 3 || !strings.Contains(aws.ToString(rest.Events[2].Message), "ExecutionSucceeded") {
		t.Fatalf("GetLogEvents, second page: %+v %v", rest, err)
	}
}

// Level ERROR without execution data: only the failure's events, and no
// input or output in them.
func TestExpressLoggingLevelError(t *testing.T) {
	srv := startLocal(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sc, lc := awstest.SFN(srv.URL, nil), awstest.Logs(srv.URL, nil)
	if _, err := lc.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("errors")}); err != nil {
		t.Fatal(err)
	}
	sm, err := sc.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("Refuser"), Definition: aws.String(expressDef),
		RoleArn: aws.String("arn:aws:iam::000000000000:role/r"), Type: sfntypes.StateMachineTypeExpress, LoggingConfiguration: logging("ERROR", false, "errors")})
	if err != nil {
		t.Fatal(err)
	}
	ok, err := sc.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{}`)}, noHostPrefix)
	if err != nil {
		t.Fatal(err)
	}
	bad, err := sc.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{"fail":true}`)}, noHostPrefix)
	if err != nil || bad.Status != sfntypes.SyncExecutionStatusFailed {
		t.Fatalf("%+v %v", bad, err)
	}
	recs := logRecords(t, ctx, lc, "errors", aws.ToString(bad.ExecutionArn), "ExecutionFailed")
	if len(recs) != 2 || recs[0]["type"] != "FailStateEntered" || recs[0]["details"].(map[string]any)["name"] != "Refuse" ||
		recs[0]["details"].(map[string]any)["input"] != nil {
		t.Errorf("records: %v", recs)
	}
	if d := recs[1]["details"].(map[string]any); d["error"] != "Order.Refused" || d["cause"] != "the order asked to fail" {
		t.Errorf("ExecutionFailed details: %v", d)
	}
	all, err := lc.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("errors"),
		FilterPattern: aws.String(`{ $.execution_arn = "` + aws.ToString(ok.ExecutionArn) + `" }`)})
	if err != nil || len(all.Events) != 0 {
		t.Errorf("the execution that succeeded logged at level ERROR: %+v %v", all, err)
	}
	_, err = lc.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("nope")})
	if !errors.As(err, new(*logtypes.ResourceNotFoundException)) {
		t.Errorf("a missing group: %v", err)
	}
}

// noHostPrefix keeps StartSyncExecution on the endpoint's host: the SDK
// would send it to "sync-" + the host.
func noHostPrefix(o *sfn.Options) {
	o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("noHostPrefix",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
			}), middleware.After)
	})
}

// `saga watch`, `saga describe` and `saga list` on Express executions, against local up
// over real sockets: they read the machine's CloudWatch Logs, draw the
// same timeline as for Standard, and say how to enable logging when the
// machine has none.
func TestSagaWatchAndListExpressThroughLogs(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	srv := startLocal(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sc, lc := awstest.SFN(srv.URL, nil), awstest.Logs(srv.URL, nil)
	if _, err := lc.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/aws/vendedlogs/states/fast")}); err != nil {
		t.Fatal(err)
	}
	def := `{"StartAt":"Reserve","States":{
	  "Reserve":{"Type":"Pass","Next":"Wait"},
	  "Wait":{"Type":"Wait","Seconds":1,"Next":"Check"},
	  "Check":{"Type":"Choice","Choices":[{"Variable":"$.fail","IsPresent":true,"Next":"Refuse"}],"Default":"Done"},
	  "Refuse":{"Type":"Fail","Error":"Order.Refused","Cause":"the order asked to fail"},
	  "Done":{"Type":"Succeed"}}}`
	sm, err := sc.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("Fast"), Definition: aws.String(def),
		RoleArn: aws.String("arn:aws:iam::000000000000:role/r"), Type: sfntypes.StateMachineTypeExpress, LoggingConfiguration: logging("ALL", true, "/aws/vendedlogs/states/fast")})
	if err != nil {
		t.Fatal(err)
	}
	ok, err := sc.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String("ord-ok"), Input: aws.String(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String("ord-bad"), Input: aws.String(`{"fail":1}`)}); err != nil {
		t.Fatal(err)
	}
	base := []string{"--endpoint-url", srv.URL, "--region", "us-east-1", "saga"}

	// By ARN, while it runs (it waits a second): the watch follows it to its end.
	code, out, errOut := yafdp(t, append(base, "watch", aws.ToString(ok.ExecutionArn), "--interval", "100ms", "--output", "json")...)
	if code != 0 {
		t.Fatalf("watch by ARN: exit %d\n%s\n%s", code, out, errOut)
	}
	var rep struct {
		Execution struct{ Status, Name, ExecutionArn string }
		Timeline  []struct{ State, Outcome string }
		Events    []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, s := range rep.Timeline {
		steps = append(steps, s.State+"="+s.Outcome)
	}
	if rep.Execution.Status != "SUCCEEDED" || rep.Execution.Name != "ord-ok" || len(rep.Events) != 10 ||
		strings.Join(steps, " ") != "Reserve=succeeded Wait=succeeded Check=succeeded Done=succeeded" {
		t.Errorf("watch report: %+v\n%s", rep, out)
	}

	// By order id of the Express machine, a failed one: exit 1, its cause shown.
	code, out, errOut = yafdp(t, append(base, "watch", "ord-bad", "--state-machine", "Fast", "--interval", "100ms")...)
	if code != 1 || !strings.Contains(out, "Order.Refused") || !strings.Contains(out, "FAILED") {
		t.Errorf("watch by order id: exit %d\n%s\n%s", code, out, errOut)
	}
	code, _, errOut = yafdp(t, append(base, "watch", "ord-none", "--state-machine", "Fast")...)
	if code != 2 || !strings.Contains(errOut, `no Express execution named "ord-none"`) {
		t.Errorf("watch of an unknown order: exit %d\n%s", code, errOut)
	}

	code, out, errOut = yafdp(t, append(base, "describe", "ord-bad", "--state-machine", "Fast", "--output", "json")...)
	var desc struct {
		Execution struct{ Status, Error, Input string }
		Timeline  []struct{ State, Outcome string }
	}
	if code != 0 || json.Unmarshal([]byte(out), &desc) != nil || desc.Execution.Status != "FAILED" || desc.Execution.Error != "Order.Refused" ||
		desc.Execution.Input != `{"fail":1}` || len(desc.Timeline) != 4 {
		t.Errorf("describe: exit %d\n%s\n%s", code, out, errOut)
	}
	code, _, errOut = yafdp(t, append(base, "describe", strings.Replace(aws.ToString(ok.ExecutionArn), ":ord-ok:", ":ord-gone:", 1))...)
	if code != 2 || !strings.Contains(errOut, "no record of") {
		t.Errorf("describe of an unknown express ARN: exit %d\n%s", code, errOut)
	}

	code, out, errOut = yafdp(t, append(base, "list", "--state-machine", "Fast", "--output", "json")...)
	var xs []struct{ Name, Status, ExecutionArn string }
	if code != 0 || json.Unmarshal([]byte(out), &xs) != nil || len(xs) != 2 {
		t.Fatalf("list: exit %d\n%s\n%s", code, out, errOut)
	}
	got := map[string]string{}
	for _, x := range xs {
		got[x.Name] = x.Status
		if !strings.Contains(x.ExecutionArn, ":express:Fast:"+x.Name+":") {
			t.Errorf("listed ARN %s", x.ExecutionArn)
		}
	}
	if got["ord-ok"] != "SUCCEEDED" || got["ord-bad"] != "FAILED" {
		t.Errorf("list: %v", got)
	}
	code, out, _ = yafdp(t, append(base, "list", "--state-machine", "Fast", "--status", "FAILED", "--order", "ord-")...)
	if code != 0 || !strings.Contains(out, "ord-bad") || strings.Contains(out, "ord-ok") {
		t.Errorf("list --status FAILED: exit %d\n%s", code, out)
	}

	// A machine without logging: one line that says how to enable it.
	quiet, err := sc.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("Quiet"), Definition: aws.String(def),
		RoleArn: aws.String("arn:aws:iam::000000000000:role/r"), Type: sfntypes.StateMachineTypeExpress})
	if err != nil {
		t.Fatal(err)
	}
	q, err := sc.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: quiet.StateMachineArn})
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"watch", aws.ToString(q.ExecutionArn)}, {"list", "--state-machine", "Quiet"}} {
		code, _, errOut = yafdp(t, append(base, args...)...)
		if code != 2 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.Contains(errOut, "without logging") || !strings.Contains(errOut, "--logging-configuration") {
			t.Errorf("%v without logging: exit %d\n%s", args, code, errOut)
		}
	}
}
