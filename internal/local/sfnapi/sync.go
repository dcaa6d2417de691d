package sfnapi

import (
	"context"
	"time"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/value"
)

// StartSyncExecution runs an Express execution and answers with its end
// (a failed execution is a 200 with status FAILED, as on AWS). The SDKs
// send it to the host "sync-" + the endpoint's, as TestState.
func init() {
	operations["StartSyncExecution"] = op(func(req *startSyncExecutionRequest) *Error { return checkIncludedData(req.IncludedData) },
		func(s *Service, ctx context.Context, req *startSyncExecutionRequest) (syncExecutionOutput, *Error) {
			return s.startSyncExecution(ctx, req)
		}, same)
}

type startSyncExecutionRequest struct {
	startExecutionRequest
	IncludedData *string `json:"includedData"`
}

type syncExecutionOutput struct {
	ExecutionARN    string          `json:"executionArn"`
	StateMachineARN string          `json:"stateMachineArn"`
	Name            string          `json:"name"`
	StartDate       epoch           `json:"startDate"`
	StopDate        epoch           `json:"stopDate"`
	Status          string          `json:"status"`
	Error           string          `json:"error,omitempty"`
	Cause           string          `json:"cause,omitempty"`
	Input           *string         `json:"input,omitempty"`
	InputDetails    *dataDetails    `json:"inputDetails,omitempty"`
	Output          *string         `json:"output,omitempty"`
	OutputDetails   *dataDetails    `json:"outputDetails,omitempty"`
	TraceHeader     *string         `json:"traceHeader,omitempty"`
	BillingDetails  *billingDetails `json:"billingDetails,omitempty"`
}

// billingDetails is what an Express execution is billed for: its duration
// rounded up to the next 100 ms, and its memory in 64 MB steps.
type billingDetails struct {
	BilledMemoryUsedInMB         int64 `json:"billedMemoryUsedInMB"`
	BilledDurationInMilliseconds int64 `json:"billedDurationInMilliseconds"`
}

func billing(d time.Duration) *billingDetails {
	ms := (d.Milliseconds() + 99) / 100 * 100
	if ms < 100 {
		ms = 100
	}
	return &billingDetails{BilledMemoryUsedInMB: 64, BilledDurationInMilliseconds: ms}
}

// startSyncExecution starts an Express execution of the machine (with a
// mock config's test case, as StartExecution) and waits for its end, or
// for the request to be given up.
func (s *Service) startSyncExecution(ctx context.Context, req *startSyncExecutionRequest) (syncExecutionOutput, *Error) {
	mock, err := s.testCase(&req.startExecutionRequest)
	if err != nil {
		return syncExecutionOutput{}, err
	}
	m, name, input, in, err := s.checkStart(&req.startExecutionRequest)
	if err != nil {
		return syncExecutionOutput{}, err
	}
	if m.typ != TypeExpress {
		return syncExecutionOutput{}, newError(CodeStateMachineTypeNotSupported, "This operation is not supported by this type of state machine")
	}
	run, err := s.mockRun(mock, m, name)
	if err != nil {
		return syncExecutionOutput{}, err
	}
	ended := make(chan struct{})
	s.running.Add(1)
	opts, arn := s.expressStart(m, name, in, run, func(x *asl.Execution) { s.done(nil, x); close(ended) })
	x, serr := s.engine.Start(s.ctx, m.parsed, opts)
	if serr != nil {
		s.running.Add(-1)
		return syncExecutionOutput{}, newError(CodeInvalidExecutionInput, "Invalid State Machine Execution Input: '%s'", serr.Error())
	}
	select {
	case <-ended:
	case <-ctx.Done():
		// The caller gave up: the execution stops as a client that goes
		// away leaves nothing running here.
		x.Stop("States.Runtime", "the StartSyncExecution request was given up before the execution ended")
		<-ended
	}
	status, out, errName, cause := x.Result()
	res := syncExecutionOutput{
		ExecutionARN: arn, StateMachineARN: m.arn, Name: name,
		StartDate: epoch(x.StartTime()), StopDate: epoch(x.StopTime()), Status: string(status),
		Error: errName, Cause: cause, TraceHeader: req.TraceHeader,
		BillingDetails: billing(x.StopTime().Sub(x.StartTime())),
	}
	if req.IncludedData == nil || *req.IncludedData == "ALL_DATA" {
		res.Input, res.InputDetails = &input, &dataDetails{Included: true}
		if status == asl.StatusSucceeded {
			o := value.MustEncodeString(out)
			res.Output, res.OutputDetails = &o, &dataDetails{Included: true}
		}
	} else {
		res.Error, res.Cause = "", ""
	}
	return res, nil
}
