package sfnapi

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/mockconfig"
)

// memLogs is a LogSink that keeps every message.
type memLogs struct {
	mu     sync.Mutex
	groups map[string]bool
	msgs   []string
}

func (l *memLogs) LogGroupExists(name string) bool { return l.groups[name] }

func (l *memLogs) PutLogEvent(group, stream string, t time.Time, message string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, message)
	return nil
}

func (l *memLogs) records(t *testing.T) []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, m := range l.msgs {
		var r map[string]any
		if err := json.Unmarshal([]byte(m), &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// An Express execution ends TIMED_OUT after five minutes on the engine's
// clock, unless the machine's own TimeoutSeconds is shorter; a Standard
// execution of the same machine runs on.
func TestExpressFiveMinuteLimit(t *testing.T) {
	for _, tc := range []struct {
		name, def, typ, cause string
		after                 time.Duration
	}{
		{"express", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":600,"End":true}}}`, TypeExpress, asl.ExpressTimeoutCause, ExpressMaxDuration},
		{"own timeout", `{"StartAt":"W","TimeoutSeconds":60,"States":{"W":{"Type":"Wait","Seconds":600,"End":true}}}`, TypeExpress, "The execution exceeded its TimeoutSeconds of 60.", time.Minute},
		{"standard", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":600,"End":true}}}`, TypeStandard, "", 600 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
			clk := clock.NewVirtual(start)
			logs := &memLogs{groups: map[string]bool{"g": true}}
			svc := New(&asl.Engine{Clock: clk}, Options{Logs: logs})
			defer svc.Close()
			m, err := svc.CreateStateMachine(StateMachineSpec{Name: "M", Definition: tc.def, RoleARN: testRole, Type: tc.typ,
				LoggingConfiguration: map[string]any{"level": "ALL", "includeExecutionData": false,
					"destinations": []any{map[string]any{"cloudWatchLogsLogGroup": map[string]any{"logGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:g:*"}}}}})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := svc.StartExecution(context.Background(), m.ARN, "x1", `{}`); err != nil {
				t.Fatal(err)
			}
			for svc.Stats().Running > 0 && clk.Step() {
			}
			recs := logs.records(t)
			last := recs[len(recs)-1]
			if got := clk.Now().Sub(start); got != tc.after {
				t.Errorf("ended after %v, want %v", got, tc.after)
			}
			if tc.typ == TypeStandard {
				if last["type"] != "ExecutionSucceeded" || svc.Stats().Succeeded != 1 {
					t.Errorf("Standard: %v", last)
				}
				return
			}
			d, _ := last["details"].(map[string]any)
			if last["type"] != "ExecutionTimedOut" || d["error"] != "States.Timeout" || d["cause"] != tc.cause || svc.Stats().TimedOut != 1 {
				t.Errorf("last record %v", last)
			}
			if !strings.Contains(last["execution_arn"].(string), ":express:M:x1:") {
				t.Errorf("execution_arn %v", last["execution_arn"])
			}
		})
	}
}

// A LoggingConfiguration is read as CreateStateMachine takes it: an
// unknown level is a ValidationException, a destination that is not a log
// group ARN or does not exist InvalidLoggingConfiguration, OFF nothing.
func TestCreateStateMachineLoggingConfiguration(t *testing.T) {
	svc := New(&asl.Engine{}, Options{Logs: &memLogs{groups: map[string]bool{"g": true}}})
	defer svc.Close()
	dest := func(arn string) []any {
		return []any{map[string]any{"cloudWatchLogsLogGroup": map[string]any{"logGroupArn": arn}}}
	}
	for _, tc := range []struct {
		cfg  map[string]any
		code string
	}{
		{map[string]any{"level": "LOUD"}, CodeValidationException},
		{map[string]any{"level": "ALL"}, CodeInvalidLoggingConfiguration},
		{map[string]any{"level": "ALL", "destinations": dest("arn:aws:logs:us-east-1:123456789012:log-group:missing:*")}, CodeInvalidLoggingConfiguration},
		{map[string]any{"level": "ERROR", "destinations": dest("not-an-arn")}, CodeInvalidLoggingConfiguration},
		{map[string]any{"level": "FATAL", "destinations": dest("arn:aws:logs:us-east-1:123456789012:log-group:g:*")}, ""},
		{map[string]any{"level": "OFF"}, ""},
	} {
		_, err := svc.CreateStateMachine(StateMachineSpec{Name: "M" + strings.ToLower(tc.code), Definition: `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`,
			RoleARN: testRole, LoggingConfiguration: tc.cfg})
		var code string
		if e, ok := err.(*Error); ok {
			code = e.Code
		} else if err != nil {
			code = err.Error()
		}
		if code != tc.code {
			t.Errorf("%v: got %q (%v), want %q", tc.cfg, code, err, tc.code)
		}
		if tc.code == "" {
			_ = svc.DeleteStateMachine(svc.StateMachineARN("M"))
		}
	}
}

// $$.Execution.Id of an Express execution is its express ARN, as AWS
// gives it.
func TestExpressContextObjectID(t *testing.T) {
	_, c, _ := local(t, nil, Options{})
	ctx := testCtx(t)
	out, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("Ctx"), RoleArn: aws.String(testRole), Type: types.StateMachineTypeExpress,
		Definition: aws.String(`{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"id.$":"$$.Execution.Id","name.$":"$$.Execution.Name"},"End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: out.StateMachineArn, Name: aws.String("n1")}, noHostPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"id":"` + aws.ToString(res.ExecutionArn) + `","name":"n1"}`; aws.ToString(res.Output) != want || !strings.Contains(want, ":express:Ctx:n1:") {
		t.Errorf("output %s, want %s", aws.ToString(res.Output), want)
	}
}

// CreateStateMachine refuses, for an Express machine, what AWS refuses,
// with AWS's messages; the same definitions are fine for Standard.
func TestExpressRefusesCallbacksAndActivities(t *testing.T) {
	svc := New(&asl.Engine{}, Options{})
	defer svc.Close()
	for _, tc := range []struct{ def, msg string }{
		{`{"StartAt":"Publish","States":{"Publish":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"QueueUrl":"q","MessageBody":{"t.$":"$$.Task.Token"}},"End":true}}}`,
			"Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine does not support '.waitForTaskToken' service integration  at /States/Publish/Resource'"},
		{`{"StartAt":"StartExecution","States":{"StartExecution":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2","Parameters":{"StateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:x"},"End":true}}}`,
			"Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine does not support '.sync' service integration at /States/StartExecution/Resource'"},
		{`{"StartAt":"ActivityTask","States":{"ActivityTask":{"Type":"Task","Resource":"arn:aws:states:us-east-1:123456789012:activity:a","End":true}}}`,
			"Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine does not support Activity ARN at /States/ActivityTask/Resource'"},
		{`{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:states:::ecs:runTask.sync","End":true}}}]}}}`,
			"Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine does not support '.sync' service integration at /States/P/Branches/0/States/A/Resource'"},
	} {
		_, err := svc.CreateStateMachine(StateMachineSpec{Name: "X", Definition: tc.def, RoleARN: testRole, Type: TypeExpress})
		if e, ok := err.(*Error); !ok || e.Code != CodeInvalidDefinition || e.Message != tc.msg {
			t.Errorf("got %v\nwant %s", err, tc.msg)
		}
		if _, err := svc.CreateStateMachine(StateMachineSpec{Name: "S", Definition: tc.def, RoleARN: testRole}); err != nil {
			t.Errorf("Standard: %v", err)
		}
		_ = svc.DeleteStateMachine(svc.StateMachineARN("S"))
	}
}

// A logged input over 248 KB, escaped, is cut there and marked truncated;
// a smaller one is logged whole.
func TestLogRecordTruncatesLargePayloads(t *testing.T) {
	big := strings.Repeat(`ab"c`, 60<<10) // 240 KiB, 300 KiB escaped
	for _, tc := range []struct {
		in        any
		truncated bool
	}{{big, true}, {"small", false}} {
		e := asl.HistoryEvent{ID: 1, Type: types.HistoryEventTypeExecutionStarted, Payload: tc.in, Timestamp: time.Unix(1, 0)}
		msg, err := LogRecord(&e, "arn:aws:states:us-east-1:123456789012:express:M:n:u", testRole, true, 0)
		if err != nil {
			t.Fatal(err)
		}
		var rec struct {
			Details struct {
				Input        string
				InputDetails struct{ Truncated bool }
			}
		}
		if err := json.Unmarshal([]byte(msg), &rec); err != nil {
			t.Fatal(err)
		}
		escaped, _ := json.Marshal(rec.Details.Input)
		if rec.Details.InputDetails.Truncated != tc.truncated || len(escaped)-2 > MaxLoggedPayload ||
			!tc.truncated && rec.Details.Input != `"small"` || tc.truncated && len(escaped)-2 < MaxLoggedPayload-2 {
			t.Errorf("truncated %v, %d bytes escaped", rec.Details.InputDetails.Truncated, len(escaped)-2)
		}
	}
}

// A redriven Standard execution of a machine that logs goes on logging
// after its ExecutionRedriven event, each record with the redrive count.
func TestRedriveLogsWithTheRedriveCount(t *testing.T) {
	cfg, err := mockconfig.Parse([]byte(payMock))
	if err != nil {
		t.Fatal(err)
	}
	logs := &memLogs{groups: map[string]bool{"g": true}}
	svc, c, _ := local(t, &asl.Engine{}, Options{Mock: cfg, Logs: logs})
	ctx := testCtx(t)
	m, err := svc.CreateStateMachine(StateMachineSpec{Name: "Pay", Definition: defPay, RoleARN: testRole,
		LoggingConfiguration: map[string]any{"level": "ALL", "includeExecutionData": false,
			"destinations": []any{map[string]any{"cloudWatchLogsLogGroup": map[string]any{"logGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:g:*"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(m.ARN + "#Outage"), Name: aws.String("ord_1"), Input: aws.String(`{"orderId":"ord_1"}`)})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, ctx, c, aws.ToString(st.ExecutionArn))
	if _, err := c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: st.ExecutionArn}); err != nil {
		t.Fatal(err)
	}
	if d := waitDone(t, ctx, c, aws.ToString(st.ExecutionArn)); d.Status != types.ExecutionStatusSucceeded {
		t.Fatalf("after the redrive: %s", d.Status)
	}
	recs := logs.records(t)
	redriven := -1
	for i, r := range recs {
		if r["type"] == "ExecutionRedriven" {
			redriven = i
		}
	}
	if redriven < 0 || recs[len(recs)-1]["type"] != "ExecutionSucceeded" {
		t.Fatalf("records: %v", recs)
	}
	for i, r := range recs {
		want := "0"
		if i >= redriven {
			want = "1"
		}
		if r["redrive_count"] != want || r["execution_arn"] != aws.ToString(st.ExecutionArn) {
			t.Errorf("record %d (%v): redrive_count %v, want %s", i, r["type"], r["redrive_count"], want)
		}
	}
}
