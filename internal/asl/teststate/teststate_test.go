package teststate_test

import (
	"context"
	"errors"
	"testing"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/teststate"
	"github.com/yafdp/yafdp/internal/clock"
)

func ptr[T any](v T) *T { return &v }

func run(t *testing.T, req teststate.Request, eng *asl.Engine) (*teststate.Response, *teststate.Error) {
	t.Helper()
	if eng == nil {
		eng = &asl.Engine{Clock: clock.NewVirtual(clock.Epoch)}
	}
	res, err := teststate.Run(context.Background(), req, teststate.Options{Engine: eng, ExecutionName: "x", StateMachineName: "m"})
	var te *teststate.Error
	if errors.As(err, &te) {
		return nil, te
	}
	if err != nil {
		t.Fatal(err)
	}
	return res, nil
}

func TestWaitDoesNotWait(t *testing.T) {
	res, bad := run(t, teststate.Request{
		Definition:      ptr(`{"Type":"Wait","Seconds":3600,"InputPath":"$.a","Next":"After"}`),
		Input:           ptr(`{"a":{"b":1}}`),
		InspectionLevel: teststate.LevelDebug,
	}, nil)
	if bad != nil {
		t.Fatal(bad)
	}
	if res.Status != "SUCCEEDED" || *res.Output != `{"b":1}` || *res.NextState != "After" || *res.InspectionData.AfterInputPath != `{"b":1}` {
		t.Errorf("%+v", res)
	}
}

func TestVariablesAfterAssign(t *testing.T) {
	res, bad := run(t, teststate.Request{
		Definition:      ptr(`{"QueryLanguage":"JSONata","Type":"Pass","Assign":{"total":"{% $states.input.n + $base %}"},"End":true}`),
		Input:           ptr(`{"n":2}`),
		Variables:       ptr(`{"base":40}`),
		InspectionLevel: teststate.LevelTrace,
	}, nil)
	if bad != nil {
		t.Fatal(bad)
	}
	if got := *res.InspectionData.Variables; got != `{"base":40,"total":42}` {
		t.Errorf("variables %s", got)
	}
}

func TestRetryBackoffIsCapped(t *testing.T) {
	res, bad := run(t, teststate.Request{
		Definition: ptr(`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},
			"Retry":[{"ErrorEquals":["Other"],"MaxAttempts":9},{"ErrorEquals":["States.ALL"],"IntervalSeconds":3,"BackoffRate":2,"MaxAttempts":9,"MaxDelaySeconds":10}],"End":true}`),
		Mock:               &teststate.Mock{ErrorOutput: &teststate.ErrorOutput{Error: ptr("Boom"), Cause: ptr("c")}},
		StateConfiguration: &teststate.StateConfiguration{RetrierRetryCount: ptr(int32(3))},
		InspectionLevel:    teststate.LevelDebug,
	}, nil)
	if bad != nil {
		t.Fatal(bad)
	}
	d := res.InspectionData.ErrorDetails
	if res.Status != "RETRIABLE" || *d.RetryIndex != 1 || *d.RetryBackoffIntervalSeconds != 10 {
		t.Errorf("%s %+v", res.Status, d)
	}
	// Out of attempts: the error fails the state.
	res, _ = run(t, teststate.Request{
		Definition:         ptr(`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},"Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":2}],"End":true}`),
		Mock:               &teststate.Mock{ErrorOutput: &teststate.ErrorOutput{Error: ptr("Boom")}},
		StateConfiguration: &teststate.StateConfiguration{RetrierRetryCount: ptr(int32(2))},
	}, nil)
	if res.Status != "FAILED" || *res.Error != "Boom" || res.Cause != nil {
		t.Errorf("%+v", res)
	}
}

func TestStrictWantsRequiredFields(t *testing.T) {
	def := ptr(`{"Type":"Task","Resource":"arn:aws:states:::states:startExecution","Parameters":{"StateMachineArn":"a"},"End":true}`)
	_, bad := run(t, teststate.Request{Definition: def, Mock: &teststate.Mock{Result: ptr(`{"StartDate":"2025-01-01T00:00:00Z"}`)}}, nil)
	if bad == nil || bad.Message != "Mock result schema validation error: Required field 'ExecutionArn' is missing" {
		t.Errorf("%v", bad)
	}
	if _, bad := run(t, teststate.Request{Definition: def, Mock: &teststate.Mock{Result: ptr(`{}`), FieldValidationMode: "PRESENT"}}, nil); bad != nil {
		t.Errorf("PRESENT: %v", bad)
	}
	_, bad = run(t, teststate.Request{Definition: def, Mock: &teststate.Mock{Result: ptr(`{}`), FieldValidationMode: "LAX"}}, nil)
	if bad == nil || bad.Code != teststate.CodeValidation {
		t.Errorf("unknown mode: %v", bad)
	}
}

func TestUnmockedTaskCallsTheEngineHandler(t *testing.T) {
	eng := &asl.Engine{Clock: clock.NewVirtual(clock.Epoch), Resources: asl.Resources{
		"arn:aws:states:::lambda:invoke": asl.TaskHandlerFunc(func(_ context.Context, req *asl.TaskRequest, done func(any, error)) {
			done(map[string]any{"Payload": req.Input}, nil)
		}),
	}}
	def := ptr(`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f","Payload.$":"$"},"ResultSelector":{"p.$":"$.Payload.Payload"},"End":true}`)
	res, bad := run(t, teststate.Request{Definition: def, Input: ptr(`{"k":1}`), RoleArn: ptr("arn:aws:iam::123456789012:role/r")}, eng)
	if bad != nil {
		t.Fatal(bad)
	}
	if *res.Output != `{"p":{"k":1}}` {
		t.Errorf("output %s", *res.Output)
	}
	// Without a role AWS refuses to call the service.
	if _, bad := run(t, teststate.Request{Definition: def}, eng); bad == nil || bad.Message != "RoleArn must be specified when testing a Task state" {
		t.Errorf("no role: %v", bad)
	}
}

func TestBadRequests(t *testing.T) {
	for name, tc := range map[string]struct {
		req        teststate.Request
		code, text string
	}{
		"no definition":         {teststate.Request{}, teststate.CodeValidation, "1 validation error detected: Value null at 'definition' failed to satisfy constraint: Member must not be null"},
		"definition not JSON":   {teststate.Request{Definition: ptr(`{`)}, teststate.CodeInvalidDefinition, ""},
		"input not JSON":        {teststate.Request{Definition: ptr(`{"Type":"Pass","End":true}`), Input: ptr(`{`)}, teststate.CodeInvalidExecutionInput, ""},
		"bad level":             {teststate.Request{Definition: ptr(`{"Type":"Pass","End":true}`), InspectionLevel: "ALL"}, teststate.CodeValidation, ""},
		"callback without mock": {teststate.Request{Definition: ptr(`{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"QueueUrl":"q","MessageBody.$":"$$.Task.Token"},"End":true}`), RoleArn: ptr("arn:aws:iam::123456789012:role/r")}, teststate.CodeInvalidDefinition, ""},
		"unknown state":         {teststate.Request{Definition: ptr(`{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`), StateName: ptr("B")}, teststate.CodeValidation, "State not found in definition"},
	} {
		_, bad := run(t, tc.req, nil)
		if bad == nil || bad.Code != tc.code || tc.text != "" && bad.Message != tc.text {
			t.Errorf("%s: %v", name, bad)
		}
	}
}
