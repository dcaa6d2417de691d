package sfnapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/google/go-cmp/cmp"

	"github.com/yafdp/yafdp/internal/asl"
)

// post sends one raw request and returns the status and decoded body.
func post(t testing.TB, url, op, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	if op != "" {
		req.Header.Set("X-Amz-Target", TargetPrefix+op)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out map[string]any
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("%s: the body is not a JSON object: %v\n%s", op, err, raw)
	}
	return resp.StatusCode, out
}

// The wire errors for the cases whose AWS answers are known, in the order
// AWS checks: model constraints, then the machine, then name and input.
func TestWireErrors(t *testing.T) {
	_, c, url := local(t, nil, Options{})
	ctx := testCtx(t)
	arn := createMachine(t, ctx, c, "example", defPass)
	missing := "arn:aws:states:us-east-1:123456789012:stateMachine:missing"
	long := strings.Repeat("a", 81)
	const ns = "com.amazonaws.swf.service.v2.model#"
	const validate = "com.amazon.coral.validate#ValidationException"
	start := func(machine, name, input string) string {
		b, _ := json.Marshal(map[string]string{"stateMachineArn": machine, "name": name, "input": input})
		return string(b)
	}
	cases := []struct {
		op, body, typ, message string
	}{
		{"StartExecution", start("not-an-arn", "n", "{}"), ns + "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: not-an-arn'"},
		{"StartExecution", start(arn, long, "{}"), validate, "1 validation error detected: Value '" + long + "' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80"},
		{"StartExecution", start(arn, "n", `"`+strings.Repeat("a", 262144)+`"`), validate, "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have size less than or equal to 262144 bytes in UTF-8 encoding"},
		{"StartExecution", start(missing, long, "{}"), validate, "1 validation error detected: Value '" + long + "' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80"},
		{"StartExecution", start(missing, "a b", "{"), ns + "StateMachineDoesNotExist", "State Machine Does Not Exist: '" + missing + "'"},
		{"StartExecution", start(arn, "a b", "{}"), ns + "InvalidName", "Invalid Name: 'a b'"},
		{"StartExecution", `{"name":"n"}`, validate, "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null"},
		{"StartExecution", start(arn+"x", "n", "{}"), ns + "StateMachineDoesNotExist", "State Machine Does Not Exist: '" + arn + "x'"},
		{"DescribeExecution", `{"executionArn":"arn:aws:states:us-east-1:123456789012:execution:example:missing"}`, ns + "ExecutionDoesNotExist", "Execution Does Not Exist: 'arn:aws:states:us-east-1:123456789012:execution:example:missing'"},
		{"DescribeExecution", `{"executionArn":"` + arn + `"}`, ns + "InvalidArn", "Invalid Arn: 'Resource type not valid in this context: stateMachine'"},
		{"DescribeStateMachine", `{"stateMachineArn":"arn:aws:states:us-east-1:123456789012:execution:example:x"}`, ns + "InvalidArn", "Invalid Arn: 'Resource type not valid in this context: execution'"},
		{"GetExecutionHistory", `{"executionArn":"arn:aws:states:us-east-1:123456789012:express:example:x:0b0e5f5e-5d1c-4a35-9f3e-6e4b7c1d2a3f"}`, ns + "InvalidArn", "Invalid Arn: 'Resource type not valid in this context: express'"},
		{"ListExecutions", `{"stateMachineArn":"` + arn + `","maxResults":1001}`, validate, "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000"},
		{"ListExecutions", `{"stateMachineArn":"` + arn + `","statusFilter":"DONE"}`, validate, "1 validation error detected: Value 'DONE' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE]"},
		{"ListStateMachines", `{"nextToken":"x"}`, ns + "InvalidToken", "Invalid Token: 'Invalid token'"},
		{"SendTaskSuccess", `{"output":"{}"}`, validate, "1 validation error detected: Value null at 'taskToken' failed to satisfy constraint: Member must not be null"},
		{"SendTaskFailure", `{"taskToken":"x","error":"` + strings.Repeat("e", 257) + `"}`, validate, "1 validation error detected: Value at 'error' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"SendTaskHeartbeat", `{"taskToken":"NoSuchTaskToken"}`, ns + "InvalidToken", "Invalid Token: 'Invalid token'"},
		{"SendTaskSuccess", `{"taskToken":"NoSuchTaskToken","output":"{"}`, ns + "InvalidOutput", "Invalid Output: 'unexpected EOF'"},
		{"CreateStateMachine", `{}`, validate, "3 validation errors detected: Value null at 'name' failed to satisfy constraint: Member must not be null; Value null at 'definition' failed to satisfy constraint: Member must not be null; Value null at 'roleArn' failed to satisfy constraint: Member must not be null"},
		{"CreateStateMachine", `{"name":"x","definition":"{}","roleArn":"` + testRole + `","type":"FAST"}`, validate, "1 validation error detected: Value 'FAST' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]"},
		{"CreateStateMachine", `{"name":"example","definition":"{\"StartAt\":\"B\",\"States\":{\"B\":{\"Type\":\"Succeed\"}}}","roleArn":"` + testRole + `"}`, ns + "StateMachineAlreadyExists", "State Machine Already Exists: '" + arn + "'"},
		{"StartExecution", `{"stateMachineArn":5}`, "com.amazon.coral.service#SerializationException", ""},
		{"StartExecution", `[`, "com.amazon.coral.service#SerializationException", ""},
		{"Nope", `{}`, "com.amazon.coral.service#UnknownOperationException", ""},
	}
	for _, tc := range cases {
		status, body := post(t, url, tc.op, tc.body)
		if status != http.StatusBadRequest || body["__type"] != tc.typ || tc.message != "" && body["message"] != tc.message {
			t.Errorf("%s %.120s:\n got %d %v\nwant 400 %s %q", tc.op, tc.body, status, body, tc.typ, tc.message)
		}
	}
	status, body := post(t, url, "StartExecution", start(arn, "n", "{"))
	if msg, _ := body["message"].(string); status != 400 || body["__type"] != ns+"InvalidExecutionInput" || !strings.HasPrefix(msg, "Invalid State Machine Execution Input: '") {
		t.Errorf("input not JSON: %d %v", status, body)
	}
	// A request without an X-Amz-Target is not for this service.
	if status, body := post(t, url, "", `{}`); status != 400 || body["__type"] != "com.amazon.coral.service#UnknownOperationException" {
		t.Errorf("no target: %d %v", status, body)
	}
}

// Timestamps travel as epoch seconds (numbers with milliseconds), inputs
// as given and outputs as compact JSON.
func TestWireShapes(t *testing.T) {
	_, c, url := local(t, nil, Options{})
	ctx := testCtx(t)
	arn := createMachine(t, ctx, c, "shapes", defPass)
	_, created := post(t, url, "DescribeStateMachine", `{"stateMachineArn":"`+arn+`"}`)
	if _, ok := created["creationDate"].(json.Number); !ok {
		t.Fatalf("creationDate is %T, want a number: %v", created["creationDate"], created)
	}
	want := map[string]any{"level": "OFF", "includeExecutionData": false}
	if diff := cmp.Diff(want, created["loggingConfiguration"]); diff != "" {
		t.Errorf("loggingConfiguration (-want +got):\n%s", diff)
	}
	_, st := post(t, url, "StartExecution", `{"stateMachineArn":"`+arn+`","name":"one","input":"{\"a\": 1}"}`)
	if _, ok := st["startDate"].(json.Number); !ok || st["executionArn"] != "arn:aws:states:us-east-1:123456789012:execution:shapes:one" {
		t.Fatalf("StartExecution answered %v", st)
	}
	waitDone(t, ctx, c, st["executionArn"].(string))
	_, d := post(t, url, "DescribeExecution", `{"executionArn":"`+st["executionArn"].(string)+`"}`)
	if d["input"] != `{"a": 1}` || d["output"] != `{"a":1,"r":{"ok":true}}` || d["status"] != "SUCCEEDED" {
		t.Errorf("DescribeExecution answered %v", d)
	}
	for _, k := range []string{"startDate", "stopDate"} {
		if _, ok := d[k].(json.Number); !ok {
			t.Errorf("%s is %T, want a number", k, d[k])
		}
	}
	if diff := cmp.Diff(map[string]any{"included": true}, d["inputDetails"]); diff != "" {
		t.Errorf("inputDetails: %s", diff)
	}
	_, h := post(t, url, "GetExecutionHistory", `{"executionArn":"`+st["executionArn"].(string)+`"}`)
	events := h["events"].([]any)
	first := events[0].(map[string]any)
	if _, ok := first["timestamp"].(json.Number); !ok {
		t.Errorf("event timestamp is %T", first["timestamp"])
	}
	wantFirst := map[string]any{"timestamp": first["timestamp"], "type": "ExecutionStarted", "id": json.Number("1"), "previousEventId": json.Number("0"),
		"executionStartedEventDetails": map[string]any{"input": `{"a":1}`, "inputDetails": map[string]any{"truncated": false}, "roleArn": testRole}}
	if diff := cmp.Diff(wantFirst, first); diff != "" {
		t.Errorf("ExecutionStarted event (-want +got):\n%s", diff)
	}
	if _, ok := h["nextToken"]; ok {
		t.Errorf("a one-page history has a nextToken: %v", h)
	}
}

func TestIdempotentStart(t *testing.T) {
	svc, c, _ := local(t, nil, Options{})
	ctx := testCtx(t)
	slow := createMachine(t, ctx, c, "slow", defSlow)

	first, start1, err := svc.StartExecution(ctx, slow, "ord_1", `{"orderId":"ord_1"}`)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(slow), Name: aws.String("ord_1"), Input: aws.String(`{"orderId":"ord_1"}`)})
	if err != nil || aws.ToString(again.ExecutionArn) != first || !again.StartDate.Equal(start1.Truncate(time.Millisecond)) {
		t.Fatalf("same name and input while running: %v %v, want %s %v", again, err, first, start1)
	}
	_, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(slow), Name: aws.String("ord_1"), Input: aws.String(`{"orderId": "ord_1"}`)})
	var eae *types.ExecutionAlreadyExists
	if !errors.As(err, &eae) || aws.ToString(eae.Message) != "Execution Already Exists: '"+first+"'" {
		t.Fatalf("same name, other input text: %v", err)
	}
	if _, _, err := svc.StartExecution(ctx, slow, "ord_1", `{}`); !errors.Is(err, ErrExecutionAlreadyExists) {
		t.Fatalf("in-process, other input: %v", err)
	}
	if _, err := svc.StopExecution(ctx, first, "", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.StartExecution(ctx, slow, "ord_1", `{"orderId":"ord_1"}`); !errors.Is(err, ErrExecutionAlreadyExists) {
		t.Fatalf("same name and input after the end: %v", err)
	}
	var se *Error
	if _, _, err := svc.StartExecution(ctx, slow, "a/b", ``); !errors.As(err, &se) || se.Code != CodeInvalidName {
		t.Fatalf("bad name in-process: %v", err)
	}
	if _, _, err := svc.StartExecution(ctx, slow+"-nope", "x", ``); !errors.Is(err, ErrStateMachineDoesNotExist) {
		t.Fatalf("missing machine in-process: %v", err)
	}
}

// Many clients starting the same names at once get one execution per name:
// the others get the same ARN (same input, still running) or
// ExecutionAlreadyExists.
func TestConcurrentStarts(t *testing.T) {
	svc, c, _ := local(t, nil, Options{})
	ctx := testCtx(t)
	slow := createMachine(t, ctx, c, "slow", defSlow)
	pass := createMachine(t, ctx, c, "pass", defPass)
	const names, clients = 20, 8
	var mu sync.Mutex
	arns := map[string]map[string]bool{}
	var wg sync.WaitGroup
	for k := 0; k < clients; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < names; i++ {
				name := fmt.Sprintf("ord_%d", i)
				for _, m := range []string{slow, pass} {
					out, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(m), Name: aws.String(name), Input: aws.String(`{"i":1}`)})
					var eae *types.ExecutionAlreadyExists
					switch {
					case err == nil:
						mu.Lock()
						if arns[m] == nil {
							arns[m] = map[string]bool{}
						}
						arns[m][aws.ToString(out.ExecutionArn)] = true
						mu.Unlock()
					case errors.As(err, &eae) && m == pass:
						// The pass execution had ended already.
					default:
						t.Errorf("%s %s: %v", m, name, err)
					}
				}
				_, _ = c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(slow), MaxResults: 3})
			}
		}()
	}
	wg.Wait()
	if len(arns[slow]) != names || len(arns[pass]) != names {
		t.Fatalf("%d and %d distinct executions, want %d each", len(arns[slow]), len(arns[pass]), names)
	}
	st := svc.Stats()
	if st.Running != names || st.Succeeded != names {
		t.Fatalf("stats %+v", st)
	}
}

func TestListExecutionsPaging(t *testing.T) {
	_, c, _ := local(t, nil, Options{})
	ctx := testCtx(t)
	order := createMachine(t, ctx, c, "order", defOrder)
	var want []string
	for i := 0; i < 7; i++ {
		name := fmt.Sprintf("ord_%d", i)
		total := 100
		if i%3 == 0 {
			total = 20000
		}
		_, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(order), Name: aws.String(name), Input: aws.String(fmt.Sprintf(`{"totalCents":%d}`, total))})
		if err != nil {
			t.Fatal(err)
		}
		want = append([]string{name}, want...) // newest first
	}
	running, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(order), StatusFilter: types.ExecutionStatusRunning})
	if err != nil || len(running.Executions) != 7 || running.Executions[0].StopDate != nil {
		t.Fatalf("RUNNING: %+v %v", running, err)
	}
	list := func(in sfn.ListExecutionsInput) ([]string, int) {
		var names []string
		pages := 0
		for {
			out, err := c.ListExecutions(ctx, &in)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, x := range out.Executions {
				names = append(names, aws.ToString(x.Name))
			}
			if out.NextToken == nil {
				return names, pages
			}
			in.NextToken = out.NextToken
		}
	}
	got, pages := list(sfn.ListExecutionsInput{StateMachineArn: aws.String(order), MaxResults: 3})
	if diff := cmp.Diff(want, got); diff != "" || pages != 3 {
		t.Fatalf("%d pages (-want +got):\n%s", pages, diff)
	}
	// A page boundary holds while new executions start.
	first, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(order), MaxResults: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(order), Name: aws.String("late"), Input: aws.String(`{"totalCents":1}`)}); err != nil {
		t.Fatal(err)
	}
	rest, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(order), MaxResults: 2, NextToken: first.NextToken})
	if err != nil || aws.ToString(rest.Executions[0].Name) != want[2] {
		t.Fatalf("second page after a start: %+v %v", rest, err)
	}
	// A token belongs to its listing.
	_, err = c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(order), StatusFilter: types.ExecutionStatusFailed, NextToken: first.NextToken})
	var it *types.InvalidToken
	if !errors.As(err, &it) {
		t.Fatalf("token reused with another filter: %v", err)
	}

	for _, name := range append(want, "late") {
		waitDone(t, ctx, c, "arn:aws:states:us-east-1:123456789012:execution:order:"+name)
	}
	failed, _ := list(sfn.ListExecutionsInput{StateMachineArn: aws.String(order), StatusFilter: types.ExecutionStatusFailed, MaxResults: 1})
	if diff := cmp.Diff([]string{"ord_6", "ord_3", "ord_0"}, failed); diff != "" {
		t.Fatalf("FAILED (-want +got):\n%s", diff)
	}
}

func TestHistoryPaging(t *testing.T) {
	svc, c, _ := local(t, nil, Options{})
	ctx := testCtx(t)
	flow := createMachine(t, ctx, c, "flow", defFlow)
	out, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(flow), Input: aws.String(`{"items":[1,2,3,4,5]}`)})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.ExecutionArn)
	waitDone(t, ctx, c, arn)
	x, err := svc.Execution(arn)
	if err != nil {
		t.Fatal(err)
	}
	recorded := x.Events()
	for _, reverse := range []bool{false, true} {
		for _, size := range []int32{1, 4, 1000} {
			var ids []int64
			in := &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), MaxResults: size, ReverseOrder: reverse}
			for {
				page, err := c.GetExecutionHistory(ctx, in)
				if err != nil {
					t.Fatal(err)
				}
				if len(page.Events) > int(size) {
					t.Fatalf("page of %d events for maxResults %d", len(page.Events), size)
				}
				for _, e := range page.Events {
					ids = append(ids, e.Id)
				}
				if page.NextToken == nil {
					break
				}
				in.NextToken = page.NextToken
			}
			if len(ids) != len(recorded) {
				t.Fatalf("reverse %v size %d: %d events, want %d", reverse, size, len(ids), len(recorded))
			}
			for i, id := range ids {
				want := int64(i + 1)
				if reverse {
					want = int64(len(recorded) - i)
				}
				if id != want {
					t.Fatalf("reverse %v size %d: event %d has id %d, want %d", reverse, size, i, id, want)
				}
			}
		}
	}
	// The token remembers the direction.
	page, _ := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), MaxResults: 2})
	_, err = c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), MaxResults: 2, ReverseOrder: true, NextToken: page.NextToken})
	var it *types.InvalidToken
	if !errors.As(err, &it) {
		t.Fatalf("forward token used in reverse: %v", err)
	}
	// Without execution data the payloads go, the rest stays.
	bare, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), IncludeExecutionData: aws.Bool(false)})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range bare.Events {
		if d := e.StateEnteredEventDetails; d != nil && (d.Input != nil || d.Name == nil) {
			t.Fatalf("event %d keeps its input: %+v", e.Id, d)
		}
		if d := e.ExecutionStartedEventDetails; d != nil && (d.Input != nil || aws.ToString(d.RoleArn) != testRole) {
			t.Fatalf("ExecutionStarted without data: %+v", d)
		}
	}
	// In-process, the same pages.
	events, next, err := svc.GetExecutionHistory(arn, 3, "", true)
	if err != nil || len(events) != 3 || events[0].ID != int64(len(recorded)) || next == "" {
		t.Fatalf("in-process page: %d events, next %q, %v", len(events), next, err)
	}
}

func TestStopAndTimeOut(t *testing.T) {
	_, c, _ := local(t, nil, Options{})
	ctx := testCtx(t)
	slow := createMachine(t, ctx, c, "slow", defSlow)
	short := createMachine(t, ctx, c, "short", `{"TimeoutSeconds":1,"StartAt":"Sleep","States":{"Sleep":{"Type":"Wait","Seconds":30,"End":true}}}`)
	out, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(slow), Name: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	stop, err := c.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: out.ExecutionArn, Error: aws.String("Ops.Cancelled"), Cause: aws.String("by hand")})
	if err != nil || stop.StopDate == nil {
		t.Fatalf("StopExecution: %+v %v", stop, err)
	}
	d, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: out.ExecutionArn})
	if err != nil || d.Status != types.ExecutionStatusAborted || aws.ToString(d.Error) != "Ops.Cancelled" || aws.ToString(d.Cause) != "by hand" || !d.StopDate.Equal(*stop.StopDate) {
		t.Fatalf("after StopExecution: %+v %v", d, err)
	}
	again, err := c.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: out.ExecutionArn})
	if err != nil || !again.StopDate.Equal(*stop.StopDate) {
		t.Fatalf("stopping again: %+v %v", again, err)
	}
	h, _ := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: out.ExecutionArn, ReverseOrder: true, MaxResults: 1})
	if e := h.Events[0]; e.Type != types.HistoryEventTypeExecutionAborted || aws.ToString(e.ExecutionAbortedEventDetails.Error) != "Ops.Cancelled" {
		t.Fatalf("last event %+v", e)
	}

	tout, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(short)})
	if err != nil {
		t.Fatal(err)
	}
	d = waitDone(t, ctx, c, aws.ToString(tout.ExecutionArn))
	if d.Status != types.ExecutionStatusTimedOut || d.Error != nil || d.Cause != nil || d.Output != nil {
		t.Fatalf("timed out: %+v", d)
	}
}

func TestStateMachines(t *testing.T) {
	svc, c, _ := local(t, nil, Options{})
	ctx := testCtx(t)
	a := createMachine(t, ctx, c, "a", defPass)
	if again := createMachine(t, ctx, c, "a", defPass); again != a {
		t.Fatalf("idempotent create gave %s", again)
	}
	_, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("a"), Definition: aws.String(defPass), RoleArn: aws.String(testRole), Type: types.StateMachineTypeExpress})
	var exists *types.StateMachineAlreadyExists
	if !errors.As(err, &exists) {
		t.Fatalf("same name, other type: %v", err)
	}
	_, err = c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("bad"), RoleArn: aws.String(testRole),
		Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nowhere"}}}`)})
	var bad *types.InvalidDefinition
	if !errors.As(err, &bad) || !strings.Contains(aws.ToString(bad.Message), "Nowhere") || !strings.HasPrefix(aws.ToString(bad.Message), "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: ") {
		t.Fatalf("invalid definition: %v", err)
	}
	for i := 0; i < 5; i++ {
		createMachine(t, ctx, c, fmt.Sprintf("m%d", i), defPass)
	}
	var names []string
	in := &sfn.ListStateMachinesInput{MaxResults: 4}
	for {
		out, err := c.ListStateMachines(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.StateMachines {
			names = append(names, aws.ToString(m.Name))
			if m.Type != types.StateMachineTypeStandard || m.CreationDate == nil {
				t.Fatalf("list item %+v", m)
			}
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	if diff := cmp.Diff([]string{"a", "m0", "m1", "m2", "m3", "m4"}, names); diff != "" {
		t.Fatalf("ListStateMachines (-want +got):\n%s", diff)
	}

	// Deleting a machine stops its executions and forgets them.
	slow := createMachine(t, ctx, c, "slow", defSlow)
	arn, _, err := svc.StartExecution(ctx, slow, "", "")
	if err != nil {
		t.Fatal(err)
	}
	x, _ := svc.Execution(arn)
	if err := svc.DeleteStateMachine(slow); err != nil {
		t.Fatal(err)
	}
	if err := x.Wait(ctx); err != nil || x.Status() != asl.StatusAborted {
		t.Fatalf("the running execution is %s (%v)", x.Status(), err)
	}
	if _, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)}); !errors.As(err, new(*types.ExecutionDoesNotExist)) {
		t.Fatalf("execution of a deleted machine: %v", err)
	}
	if _, err := svc.DescribeStateMachine(slow); !errors.Is(err, ErrStateMachineDoesNotExist) {
		t.Fatalf("deleted machine: %v", err)
	}

	fe, err := c.DescribeStateMachineForExecution(ctx, &sfn.DescribeStateMachineForExecutionInput{ExecutionArn: aws.String(mustStart(t, svc, a))})
	if err != nil || aws.ToString(fe.Definition) != defPass || aws.ToString(fe.RoleArn) != testRole || fe.UpdateDate == nil {
		t.Fatalf("DescribeStateMachineForExecution: %+v %v", fe, err)
	}
}

func mustStart(t testing.TB, svc *Service, machine string) string {
	t.Helper()
	arn, _, err := svc.StartExecution(context.Background(), machine, "", "")
	if err != nil {
		t.Fatal(err)
	}
	return arn
}

func TestExpress(t *testing.T) {
	svc, c, _ := local(t, nil, Options{})
	ctx := testCtx(t)
	out, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("quick"), Definition: aws.String(defPass), RoleArn: aws.String(testRole), Type: types.StateMachineTypeExpress})
	if err != nil {
		t.Fatal(err)
	}
	x1, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: out.StateMachineArn, Name: aws.String("same")})
	if err != nil {
		t.Fatal(err)
	}
	x2, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: out.StateMachineArn, Name: aws.String("same")})
	if err != nil || aws.ToString(x1.ExecutionArn) == aws.ToString(x2.ExecutionArn) {
		t.Fatalf("Express starts are not idempotent: %v %v", x2, err)
	}
	if !strings.HasPrefix(aws.ToString(x1.ExecutionArn), "arn:aws:states:us-east-1:123456789012:express:quick:same:") {
		t.Fatalf("Express ARN %s", aws.ToString(x1.ExecutionArn))
	}
	_, err = c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: x1.ExecutionArn})
	var ia *types.InvalidArn
	if !errors.As(err, &ia) || aws.ToString(ia.Message) != "Invalid Arn: 'Resource type not valid in this context: express'" {
		t.Fatalf("GetExecutionHistory of an Express execution: %v", err)
	}
	_, err = c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: out.StateMachineArn})
	if !errors.As(err, new(*types.StateMachineTypeNotSupported)) {
		t.Fatalf("ListExecutions of an Express machine: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for svc.Stats().Succeeded < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if st := svc.Stats(); st.Succeeded != 2 || st.Running != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// With MaxFinishedExecutions the oldest finished executions are forgotten;
// running ones never are.
func TestMaxFinishedExecutions(t *testing.T) {
	var mu sync.Mutex
	var ended []string
	svc, c, _ := local(t, nil, Options{MaxFinishedExecutions: 3, OnDone: func(x *asl.Execution) {
		mu.Lock()
		ended = append(ended, x.Name)
		mu.Unlock()
	}})
	ctx := testCtx(t)
	pass := createMachine(t, ctx, c, "pass", defPass)
	slow := createMachine(t, ctx, c, "slow", defSlow)
	running := mustStart(t, svc, slow)
	for i := 0; i < 10; i++ {
		if _, _, err := svc.StartExecution(ctx, pass, fmt.Sprintf("p%d", i), ""); err != nil {
			t.Fatal(err)
		}
	}
	out, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(pass)})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, x := range out.Executions {
		names = append(names, aws.ToString(x.Name))
	}
	if diff := cmp.Diff([]string{"p9", "p8", "p7"}, names); diff != "" {
		t.Fatalf("kept (-want +got):\n%s", diff)
	}
	if _, err := svc.DescribeExecution(running); err != nil {
		t.Fatalf("the running execution was forgotten: %v", err)
	}
	// A forgotten name may be used again.
	if _, _, err := svc.StartExecution(ctx, pass, "p0", ""); err != nil {
		t.Fatalf("reusing a forgotten name: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(ended) != 11 {
		t.Fatalf("OnDone saw %d executions end: %v", len(ended), ended)
	}
}

// Close aborts what runs and refuses new work.
func TestClose(t *testing.T) {
	svc := New(&asl.Engine{}, Options{})
	ctx := testCtx(t)
	m, err := svc.CreateStateMachine(StateMachineSpec{Name: "slow", Definition: defSlow, RoleARN: testRole})
	if err != nil {
		t.Fatal(err)
	}
	arn := mustStart(t, svc, m.ARN)
	svc.Close()
	d, err := svc.DescribeExecution(arn)
	if err != nil || d.Status != asl.StatusAborted {
		t.Fatalf("after Close: %+v %v", d, err)
	}
	if _, _, err := svc.StartExecution(ctx, m.ARN, "", ""); err == nil {
		t.Fatal("StartExecution after Close succeeded")
	}
}
