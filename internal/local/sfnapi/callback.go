package sfnapi

import (
	"context"
	"errors"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/value"
)

// The task-token API: a .waitForTaskToken Task that nothing answers waits
// for SendTaskSuccess or SendTaskFailure with its token ($$.Task.Token),
// and SendTaskHeartbeat keeps one with HeartbeatSeconds alive.

// The callback errors, as Step Functions names them.
const (
	CodeTaskTimedOut  = "TaskTimedOut"
	CodeInvalidOutput = "InvalidOutput"
)

type sendTaskSuccessRequest struct {
	TaskToken *string `json:"taskToken"`
	Output    *string `json:"output"`
}

type sendTaskFailureRequest struct {
	TaskToken *string `json:"taskToken"`
	Error     *string `json:"error"`
	Cause     *string `json:"cause"`
}

type sendTaskHeartbeatRequest struct {
	TaskToken *string `json:"taskToken"`
}

// SendTaskSuccess answers the task waiting for token with output (JSON).
func (s *Service) SendTaskSuccess(token, output string) error {
	return errOrNil(s.sendTaskSuccess(&sendTaskSuccessRequest{TaskToken: &token, Output: &output}))
}

func (s *Service) sendTaskSuccess(req *sendTaskSuccessRequest) *Error {
	var v validation
	v.required("taskToken", req.TaskToken != nil)
	v.length("taskToken", req.TaskToken, 1, 2048, false)
	v.required("output", req.Output != nil)
	v.bytesAtMost("output", req.Output, MaxInputBytes)
	if err := v.err(); err != nil {
		return err
	}
	out, err := value.Decode([]byte(*req.Output))
	if err != nil {
		return newError(CodeInvalidOutput, "Invalid Output: '%s'", err.Error())
	}
	return tokenError(s.engine.SendTaskSuccess(*req.TaskToken, out))
}

func (s *Service) sendTaskFailure(req *sendTaskFailureRequest) *Error {
	var v validation
	v.required("taskToken", req.TaskToken != nil)
	v.length("taskToken", req.TaskToken, 1, 2048, false)
	v.length("error", req.Error, 0, 256, true)
	v.length("cause", req.Cause, 0, 32768, true)
	if err := v.err(); err != nil {
		return err
	}
	var name, cause string
	if req.Error != nil {
		name = *req.Error
	}
	if req.Cause != nil {
		cause = *req.Cause
	}
	return tokenError(s.engine.SendTaskFailure(*req.TaskToken, name, cause))
}

func (s *Service) sendTaskHeartbeat(req *sendTaskHeartbeatRequest) *Error {
	var v validation
	v.required("taskToken", req.TaskToken != nil)
	v.length("taskToken", req.TaskToken, 1, 2048, false)
	if err := v.err(); err != nil {
		return err
	}
	return tokenError(s.engine.SendTaskHeartbeat(*req.TaskToken))
}

// tokenError words the engine's answer to a token for the API.
func tokenError(err error) *Error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, asl.ErrInvalidToken):
		return errInvalidToken()
	case errors.Is(err, asl.ErrTaskTimedOut):
		return newError(CodeTaskTimedOut, "Task Timed Out: 'Provided task does not exist anymore'")
	}
	return newError(CodeInternalFailure, "%v", err)
}

// errOrNil turns a nil *Error into a nil error.
func errOrNil(e *Error) error {
	if e == nil {
		return nil
	}
	return e
}

func init() {
	operations["SendTaskSuccess"] = op(nil, func(s *Service, _ context.Context, req *sendTaskSuccessRequest) (struct{}, *Error) {
		return struct{}{}, s.sendTaskSuccess(req)
	}, same)
	operations["SendTaskFailure"] = op(nil, func(s *Service, _ context.Context, req *sendTaskFailureRequest) (struct{}, *Error) {
		return struct{}{}, s.sendTaskFailure(req)
	}, same)
	operations["SendTaskHeartbeat"] = op(nil, func(s *Service, _ context.Context, req *sendTaskHeartbeatRequest) (struct{}, *Error) {
		return struct{}{}, s.sendTaskHeartbeat(req)
	}, same)
}
