package sfnapi

import (
	"context"
	"errors"

	"github.com/yafdp/yafdp/internal/asl/teststate"
)

// TestState runs one state on the engine (package teststate): a request
// AWS would refuse gets AWS's error; an unmocked Task is answered by the
// engine's handlers, as an execution's would be.
func init() {
	operations["TestState"] = op(checkTestState, func(s *Service, ctx context.Context, req *teststate.Request) (*teststate.Response, *Error) {
		return s.testState(ctx, req)
	}, same)
}

// checkTestState checks a TestState request against the API's model, as
// AWS's request validator does before the service sees it.
func checkTestState(req *teststate.Request) *Error {
	var v validation
	v.required("definition", req.Definition != nil)
	v.length("definition", req.Definition, 1, 1048576, true)
	v.length("roleArn", req.RoleArn, 1, 256, false)
	v.bytesAtMost("input", req.Input, 262144)
	v.bytesAtMost("variables", req.Variables, 262144)
	v.bytesAtMost("context", req.Context, 262144)
	v.length("stateName", req.StateName, 1, 80, false)
	if req.InspectionLevel != "" {
		v.enum("inspectionLevel", &req.InspectionLevel, teststate.LevelInfo, teststate.LevelDebug, teststate.LevelTrace)
	}
	if m := req.Mock; m != nil {
		v.bytesAtMost("mock.result", m.Result, 262144)
		if m.FieldValidationMode != "" {
			v.enum("mock.fieldValidationMode", &m.FieldValidationMode, teststate.ModeStrict, teststate.ModePresent, teststate.ModeNone)
		}
		if e := m.ErrorOutput; e != nil {
			v.length("mock.errorOutput.error", e.Error, 0, 256, true)
			v.length("mock.errorOutput.cause", e.Cause, 0, 32768, true)
		}
	}
	if c := req.StateConfiguration; c != nil {
		v.rangeOf("stateConfiguration.retrierRetryCount", int64p(c.RetrierRetryCount), 0, 1<<31-1)
		v.rangeOf("stateConfiguration.mapIterationFailureCount", int64p(c.MapIterationFailureCount), 0, 1<<31-1)
		v.length("stateConfiguration.errorCausedByState", c.ErrorCausedByState, 1, 80, false)
		v.bytesAtMost("stateConfiguration.mapItemReaderData", c.MapItemReaderData, 262144)
	}
	return v.err()
}

func int64p(n *int32) *int64 {
	if n == nil {
		return nil
	}
	v := int64(*n)
	return &v
}

func (s *Service) testState(ctx context.Context, req *teststate.Request) (*teststate.Response, *Error) {
	res, err := teststate.Run(ctx, *req, teststate.Options{Engine: s.engine, ExecutionName: newUUID(), StateMachineName: newUUID()})
	var te *teststate.Error
	switch {
	case errors.As(err, &te):
		return nil, &Error{Code: te.Code, Message: te.Message}
	case err != nil:
		return nil, newError(CodeInternalFailure, "%v", err)
	}
	return res, nil
}
