package mockconfig

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

func TestNewStarter(t *testing.T) {
	tasks := []StarterTask{
		{State: "Pay", Resource: "arn:aws:states:::lambda:invoke",
			Retry: []StarterRetrier{{ErrorEquals: []string{"Lambda.TooManyRequestsException"}, MaxAttempts: 2}, {ErrorEquals: []string{"States.ALL"}, MaxAttempts: 5}},
			Catch: [][]string{{"States.ALL"}}},
		{State: "Queue", Resource: "arn:aws:states:::sqs:sendMessage",
			Retry: []StarterRetrier{{ErrorEquals: []string{"States.TaskFailed"}, MaxAttempts: 3}},
			Catch: [][]string{{"Custom.Error", "Other"}}},
		{State: "Each", Resource: "arn:aws:states:::aws-sdk:s3:getObject", InMap: true},
		{State: "Fn", Resource: "arn:aws:lambda:us-east-1:123456789012:function:notify",
			Catch: [][]string{{"States.ALL"}}},
		{State: "Timed", Resource: "arn:aws:states:::sns:publish",
			Retry: []StarterRetrier{{ErrorEquals: []string{"States.TaskFailed"}, MaxAttempts: 4}},
			Catch: [][]string{{"States.Timeout"}}},
	}
	st, err := NewStarter("orders", "HappyPath", tasks)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(st.Document)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), `{"StateMachines":`) {
		t.Errorf("StateMachines should come first: %.40s", data)
	}
	c, err := Parse(data)
	if err != nil {
		t.Fatalf("the starter does not parse: %v\n%s", err, data)
	}
	kinds := map[string]StateKind{"Pay": TaskState, "Queue": TaskState, "Each": TaskState, "Fn": TaskState, "Timed": TaskState}
	if err := c.Check("orders", func(s string) StateKind { return kinds[s] }); err != nil {
		t.Fatal(err)
	}
	k, err := c.Case("orders", "HappyPath")
	if err != nil {
		t.Fatal(err)
	}
	run := k.NewRun(RunOptions{})
	if a, _, _, _ := run.Next("Pay"); !hasKeys(a.Return, "Payload", "StatusCode", "SdkHttpMetadata") {
		t.Errorf("Pay returns lambda:invoke's result: %v", a.Return)
	}
	for i := 0; i < MapInvocations; i++ {
		if _, _, _, err := run.Next("Each"); err != nil {
			t.Fatalf("a Task in a Map answers %d invocations: %v", MapInvocations, err)
		}
	}

	for name, want := range map[string]struct {
		idx, err string
	}{
		"PayFailure":   {"0-2", "Lambda.TooManyRequestsException"}, // first retrier: 2 retries
		"QueueFailure": {"0-3", "Custom.Error"},                    // States.TaskFailed retries it 3 times
		"FnFailure":    {"0", "States.TaskFailed"},                 // only States.ALL: no name of its own
		"TimedFailure": {"0", "States.Timeout"},                    // States.TaskFailed does not match a timeout
	} {
		resp, ok := c.Responses[name]
		if !ok || len(resp.Answers) != 1 {
			t.Errorf("%s: %+v", name, resp)
			continue
		}
		a := resp.Answers[0]
		if idx := rangeString(a.From, a.To); idx != want.idx || a.Throw == nil || a.Throw.Error != want.err || a.Throw.Cause != StarterCause {
			t.Errorf("%s: %s %+v, want %s throwing %s", name, idx, a.Throw, want.idx, want.err)
		}
	}
	if _, ok := c.Responses["EachFailure"]; ok {
		t.Error("a Task without Retry or Catch gets no failure response")
	}
	if len(st.Notes) != 1 || st.Notes[0].State != "Fn" || !strings.Contains(st.Notes[0].Message, "notify") {
		t.Errorf("notes: %+v", st.Notes)
	}
}

func rangeString(from, to int) string {
	if from == to {
		return strconv.Itoa(from)
	}
	return strconv.Itoa(from) + "-" + strconv.Itoa(to)
}

func hasKeys(v any, keys ...string) bool {
	obj, ok := v.(map[string]any)
	for _, k := range keys {
		if _, has := obj[k]; !has {
			return false
		}
	}
	return ok
}

func TestNewStarterErrors(t *testing.T) {
	if _, err := NewStarter("m", "c", nil); err == nil || !strings.Contains(err.Error(), "no Task state") {
		t.Errorf("no tasks: %v", err)
	}
	if _, err := NewStarter("m", "c", []StarterTask{{State: "X", Resource: "payment"}}); err == nil || !strings.Contains(err.Error(), `state "X"`) {
		t.Errorf("bad resource: %v", err)
	}
}

func TestUnmockedError(t *testing.T) {
	err := &UnmockedError{State: "Pay", Resource: "arn:aws:states:::lambda:invoke", Machine: "orders", Case: "Happy Path", File: "mocks.json", Definition: "saga.json"}
	for _, want := range []string{`state "Pay"`, "lambda:invoke", `test case "Happy Path"`, "mocks.json", `StateMachines.orders.TestCases["Happy Path"]`, "saga mock-config --definition saga.json"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if strings.Contains((&UnmockedError{State: "S"}).Error(), "\n") {
		t.Error("one line")
	}
}

// A Distributed Map's ItemReader gets a response under the Map state's
// name that returns no items, with a note saying what to put there.
func TestStarterAnswersItemReaders(t *testing.T) {
	st, err := NewStarter("Fan", "HappyPath", []StarterTask{{State: "Fan", ItemReader: true}, {State: "Inner", ItemReader: true, InMap: true}})
	if err != nil {
		t.Fatal(err)
	}
	tc := st.Document.StateMachines["Fan"].TestCases["HappyPath"]
	if tc["Fan"] != "FanItems" || tc["Inner"] != "InnerItems" {
		t.Fatalf("test case %v", tc)
	}
	if r := st.Document.MockedResponses["FanItems"]["0"]["Return"]; r == nil || len(r.([]any)) != 0 {
		t.Fatalf("FanItems %v", st.Document.MockedResponses["FanItems"])
	}
	if _, ok := st.Document.MockedResponses["InnerItems"]["0-999"]; !ok {
		t.Fatalf("InnerItems answers %v, want one per item of the outer Map", st.Document.MockedResponses["InnerItems"])
	}
	if len(st.Notes) != 2 || !strings.Contains(st.Notes[0].Message, "ItemReader") {
		t.Fatalf("notes %v", st.Notes)
	}
}
