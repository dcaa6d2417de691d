package sfnapi

import (
	"time"

	"github.com/yafdp/yafdp/internal/asl"
)

// Express workflows, as AWS runs them: an execution ARN of the form
// arn:aws:states:REGION:ACCOUNT:express:MACHINE:NAME:UUID, no record kept
// (DescribeExecution, GetExecutionHistory, StopExecution and
// DescribeStateMachineForExecution answer InvalidArn for an express ARN,
// ListExecutions StateMachineTypeNotSupported), at most five minutes of
// run time, and their events only in CloudWatch Logs when the machine has
// a LoggingConfiguration.
//
// AWS starts an asynchronous Express execution at least once: a start may,
// rarely, run twice. local up runs each start exactly once; `yafdp
// simulate --type express` models the duplicates.

// ExpressMaxDuration is the longest an Express execution runs
// (asl.ExpressMaxDuration).
const ExpressMaxDuration = asl.ExpressMaxDuration

// expressStart returns the start options of an Express execution, with
// its ARN: its events go to the machine's log group under that ARN.
func (s *Service) expressStart(m *machine, name string, in any, mock asl.TaskMock, onDone func(*asl.Execution)) (asl.StartOptions, string) {
	arn := s.expressARN(m.name, name)
	return asl.StartOptions{
		Name: name, Input: in, StateMachineName: m.name,
		OnDone: onDone, Mock: mock,
		Observer:    s.logObserver(m, arn, s.clk.Now()),
		MaxDuration: ExpressMaxDuration, MaxDurationCause: asl.ExpressTimeoutCause, ARN: arn,
	}, arn
}

// startExpress runs an asynchronous Express execution: not idempotent, not
// kept, not visible to DescribeExecution or GetExecutionHistory, as on AWS.
func (s *Service) startExpress(m *machine, name string, in any, mock asl.TaskMock) (string, time.Time, *Error) {
	opts, arn := s.expressStart(m, name, in, mock, func(x *asl.Execution) { s.done(nil, x) })
	s.running.Add(1)
	x, err := s.engine.Start(s.ctx, m.parsed, opts)
	if err != nil {
		s.running.Add(-1)
		return "", time.Time{}, newError(CodeInvalidExecutionInput, "Invalid State Machine Execution Input: '%s'", err.Error())
	}
	return arn, x.StartTime(), nil
}
