// Package mototest starts moto (the AWS emulator, a Python package) for a
// test on a free port of 127.0.0.1 and stops it when the test ends. When
// moto is not installed the test is skipped with a message saying so,
// except in CI (CI=true), where it fails: there the emulator is required.
//
// moto 5.2.1 in server mode cannot start a second execution of a state
// machine ("cannot pickle '_thread.RLock' object": StartExecution deep-copies
// the state machine together with its running executions). The launcher
// patches StateMachine.__deepcopy__ to share the backend and the execution
// list, which is what the copy needs.
//
// A state machine's service tasks (dynamodb:putItem, aws-sdk:s3:putObject)
// are run by moto calling its own endpoint; Start tells it the port
// (MOTO_PORT), so they reach the server the test started.
package mototest
