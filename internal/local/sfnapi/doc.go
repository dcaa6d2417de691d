// Package sfnapi is the Step Functions half of `yafdp local up`: an
// in-memory service of state machines and their executions, run by the ASL
// engine (internal/asl), served over the AWS JSON 1.0 protocol so that the
// aws CLI and any AWS SDK can use it with --endpoint-url, and callable
// in-process by the pipeline's new-order consumer.
//
// It serves CreateStateMachine, DescribeStateMachine, ListStateMachines,
// DeleteStateMachine, StartExecution, DescribeExecution, ListExecutions,
// GetExecutionHistory, StopExecution and DescribeStateMachineForExecution,
// with AWS's validation order, error codes and messages, so that the SDKs
// return their typed errors. Histories carry the engine's events, which use
// the real Step Functions event types. docs/local-conformance.md lists how it
// compares with moto and where it knowingly differs from AWS.
package sfnapi
