package sfnapi

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/corpus/teststatecases"
	"github.com/yafdp/yafdp/internal/asl/teststate"
)

// TestTestStateCorpusThroughSDK sends every TestState call recorded against
// AWS (../shared/conformance-tasks, kind "test_state") to local up over a
// real socket with the Go SDK, and compares the answer, or the error the
// SDK reports, with AWS's.
func TestTestStateCorpusThroughSDK(t *testing.T) {
	cases, cannot := teststatecases.Load(t)
	ctx := testCtx(t)
	_, client, _ := local(t, &asl.Engine{Seed: 1, Account: "111111111111"}, Options{})
	passed := 0
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			if reason, ok := cannot[c.Name]; ok {
				t.Skipf("cannot match: %s", reason)
			}
			out, err := client.TestState(ctx, sdkTestStateInput(teststatecases.RequestOf(t, c)), noHostPrefix)
			var api smithy.APIError
			switch {
			case err == nil:
				teststatecases.Check(t, c, fromSDK(out), "", "")
			case errors.As(err, &api):
				teststatecases.Check(t, c, nil, api.ErrorCode(), api.ErrorMessage())
			default:
				t.Fatal(err)
			}
			if !t.Failed() {
				passed++
			}
		})
	}
	t.Logf("%d of %d TestState cases pass through local up (%d listed as not matchable)", passed, len(cases), len(cannot))
}

func sdkTestStateInput(r teststate.Request) *sfn.TestStateInput {
	in := &sfn.TestStateInput{Definition: r.Definition, RoleArn: r.RoleArn, Input: r.Input, InspectionLevel: types.InspectionLevel(r.InspectionLevel),
		RevealSecrets: r.RevealSecrets, Variables: r.Variables, StateName: r.StateName, Context: r.Context}
	if m := r.Mock; m != nil {
		in.Mock = &types.MockInput{Result: m.Result, FieldValidationMode: types.MockResponseValidationMode(m.FieldValidationMode)}
		if e := m.ErrorOutput; e != nil {
			in.Mock.ErrorOutput = &types.MockErrorOutput{Error: e.Error, Cause: e.Cause}
		}
	}
	if c := r.StateConfiguration; c != nil {
		in.StateConfiguration = &types.TestStateConfiguration{RetrierRetryCount: c.RetrierRetryCount, ErrorCausedByState: c.ErrorCausedByState,
			MapIterationFailureCount: c.MapIterationFailureCount, MapItemReaderData: c.MapItemReaderData}
	}
	return in
}

func fromSDK(out *sfn.TestStateOutput) *teststate.Response {
	r := &teststate.Response{Status: string(out.Status), Output: out.Output, Error: out.Error, Cause: out.Cause, NextState: out.NextState}
	d := out.InspectionData
	if d == nil {
		return r
	}
	r.InspectionData = &teststate.InspectionData{Input: d.Input, AfterInputPath: d.AfterInputPath, AfterParameters: d.AfterParameters,
		AfterArguments: d.AfterArguments, AfterItemsPath: d.AfterItemsPath, AfterItemSelector: d.AfterItemSelector, Result: d.Result,
		AfterResultSelector: d.AfterResultSelector, AfterResultPath: d.AfterResultPath, Variables: d.Variables,
		MaxConcurrency: intp(d.MaxConcurrency), ToleratedFailureCount: intp(d.ToleratedFailureCount)}
	if p := d.ToleratedFailurePercentage; p != nil {
		f := float64(*p)
		r.InspectionData.ToleratedFailurePercentage = &f
	}
	if e := d.ErrorDetails; e != nil {
		r.InspectionData.ErrorDetails = &teststate.ErrorDetails{RetryIndex: intp(e.RetryIndex), RetryBackoffIntervalSeconds: intp(e.RetryBackoffIntervalSeconds), CatchIndex: intp(e.CatchIndex)}
	}
	return r
}

func intp(n *int32) *int {
	if n == nil {
		return nil
	}
	v := int(*n)
	return &v
}

// TestTestStateModelChecks: requests the API's model refuses get the
// request validator's ValidationException before the service runs them,
// and a definition the service cannot read InvalidDefinition.
func TestTestStateModelChecks(t *testing.T) {
	ctx := testCtx(t)
	_, client, url := local(t, nil, Options{})
	const validate = "com.amazon.coral.validate#ValidationException"
	for _, tc := range []struct{ body, typ, message string }{
		{`{}`, validate, "1 validation error detected: Value null at 'definition' failed to satisfy constraint: Member must not be null"},
		{`{"definition":"{}","inspectionLevel":"ALL"}`, validate, "1 validation error detected: Value 'ALL' at 'inspectionLevel' failed to satisfy constraint: Member must satisfy enum value set: [INFO, DEBUG, TRACE]"},
		{`{"definition":"{}","stateConfiguration":{"retrierRetryCount":-1}}`, validate, "1 validation error detected: Value '-1' at 'stateConfiguration.retrierRetryCount' failed to satisfy constraint: Member must have value greater than or equal to 0"},
		{`{"definition":"{}","mock":{"result":"{}","fieldValidationMode":"LAX"}}`, validate, "1 validation error detected: Value 'LAX' at 'mock.fieldValidationMode' failed to satisfy constraint: Member must satisfy enum value set: [STRICT, PRESENT, NONE]"},
		{`{"definition":5}`, "com.amazon.coral.service#SerializationException", ""},
	} {
		status, body := post(t, url, "TestState", tc.body)
		if status != 400 || body["__type"] != tc.typ || tc.message != "" && body["message"] != tc.message {
			t.Errorf("%s:\n got %d %v\nwant 400 %s %q", tc.body, status, body, tc.typ, tc.message)
		}
	}
	_, err := client.TestState(ctx, &sfn.TestStateInput{Definition: aws.String(`{"Type":"Nope","End":true}`)}, noHostPrefix)
	var bad *types.InvalidDefinition
	if !errors.As(err, &bad) {
		t.Errorf("a state of no known type: %v, want InvalidDefinition", err)
	}
	out, err := client.TestState(ctx, &sfn.TestStateInput{Definition: aws.String(`{"Type":"Pass","Result":{"ok":true},"Next":"Then"}`), InspectionLevel: types.InspectionLevelDebug}, noHostPrefix)
	if err != nil || out.Status != types.TestExecutionStatusSucceeded || aws.ToString(out.Output) != `{"ok":true}` || aws.ToString(out.NextState) != "Then" || aws.ToString(out.InspectionData.Result) != `{"ok":true}` {
		t.Errorf("a Pass state: %+v %v", out, err)
	}
}

// noHostPrefix keeps the SDK from calling TestState on "sync-" + the
// endpoint's host, as it does for AWS's endpoints: a local endpoint has no
// such host.
func noHostPrefix(o *sfn.Options) {
	o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("yafdpNoHostPrefix",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
			}), middleware.After)
	})
}
