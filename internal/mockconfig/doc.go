// Package mockconfig reads mock configs in the Step Functions Local format
// (the MockConfigFile.json that Step Functions Local and LocalStack take in
// SFN_MOCK_CONFIG) and answers a Task state's invocations from them.
//
// A config names state machines, each with test cases; a test case maps Task
// state names to mocked responses; a mocked response lists, by invocation
// index ("0", "1-2", ...), either a Return (the task's result, any JSON value)
// or a Throw (an Error and a Cause). The index counts a state's invocations
// within one execution, retries and Map iterations included, as Step
// Functions Local counts them.
//
// NewStarter writes a starter config for a definition's Task states, with
// the example result of each integration (package integration), for a
// user to edit.
//
// The package owns the file format and its validation: every problem is an
// *input.Error whose field is the path in the file
// (MockedResponses.R["1-2"].Throw.Error), saying what to do. It does not
// know how an engine calls tasks; package asl
// and the commands wire a Case in as a task answerer. It never imports the
// command line.
package mockconfig
