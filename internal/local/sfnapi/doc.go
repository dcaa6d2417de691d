// Package sfnapi is the Step Functions half of `yafdp local up`: an
// in-memory service of state machines and their executions, run by the ASL
// engine (internal/asl), served over HTTP in the protocol of the Step
// Functions API, awsJson1_0 (POST, X-Amz-Target:
// AWSStepFunctions.<Operation>, Content-Type application/x-amz-json-1.0),
// so that the aws CLI and any AWS SDK can use it with --endpoint-url, and
// callable in-process by the pipeline's new-order consumer.
//
// It serves CreateStateMachine, DescribeStateMachine, ListStateMachines,
// DeleteStateMachine, StartExecution, DescribeExecution, ListExecutions,
// GetExecutionHistory, StopExecution, RedriveExecution (redrive.go) and
// DescribeStateMachineForExecution,
// with AWS's validation order, error codes and messages, so that the SDKs
// return their typed errors. Histories carry the engine's events, which use
// the real Step Functions event types. docs/local-conformance.md lists how it
// compares with moto and where it knowingly differs from AWS.
//
// Each operation is one entry of the table in ops.go: its request shape,
// its checks, its call on the Service and its answer, which op
// (handler.go) assembles into one step: decode, check, call, encode. The
// Service's methods (service.go) make AWS's checks themselves, so that an
// in-process caller meets the same errors as an SDK. With a Store
// (persist.go), state machines, executions and every history event outlive
// the process.
//
// The package owns the Step Functions API and the executions' lifecycle;
// running an execution is the engine's. It imports the engine, the clock,
// awsjson and binrec, never the SQS side (queue, sqsapi), the store that
// implements its Store (internal/local/store imports it), the local server
// or the CLI (cobra, viper, lipgloss, internal/cli, internal/ui).
package sfnapi
