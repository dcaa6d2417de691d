package asl

import (
	"context"
	"time"
)

// TaskRequest is what a Task state hands its handler.
type TaskRequest struct {
	// Resource is the state's Resource ARN, e.g. "arn:aws:states:::lambda:invoke".
	Resource string
	// State is the name of the Task state.
	State string
	// Input is the effective input: the state input after InputPath and
	// Parameters. Handlers must not modify it.
	Input any
	// Execution is the execution's name (for the order saga: the order id).
	Execution string
	// Attempt is 0 on the first try and n on the n-th retry.
	Attempt int
	// Timeout is the state's TimeoutSeconds (0 when none). The engine enforces
	// it; a handler may use it to give up early.
	Timeout time.Duration
	// Function is set when the Resource is a Lambda function's ARN: the
	// function's name. The handler of the lambda:invoke integration is
	// then called with the function's payload as Input, and answers with
	// the function's result itself, not lambda:invoke's wrapper of it.
	Function string

	answerIn    time.Duration
	knowsAnswer bool
	answerMax   int
}

// AnswerIn tells the engine, during Invoke, that done will be called d from
// now on the engine's clock. The engine then arms the state's timeout only
// when d reaches it, which saves a timer per task for a handler whose
// latency is drawn in virtual time. A handler that does not know when it
// will answer simply does not call it; one that calls it must keep its word.
func (r *TaskRequest) AnswerIn(d time.Duration) { r.answerIn, r.knowsAnswer = d, true }

// AnswerWithin tells the engine, during Invoke, that the answer will encode
// to at most n bytes of JSON. When n is within the payload limit the engine
// then takes the answer without measuring it. Like AnswerIn, a handler that
// calls it must keep its word.
func (r *TaskRequest) AnswerWithin(n int) { r.answerMax = n }

// AnswerRecycler is a TaskHandler that takes its answers back for reuse.
// The engine hands an answer back only when nothing can see it any more: in
// an execution without history or Observer, once the state's ResultSelector
// has built its result and kept only strings, numbers, booleans and nulls.
// The handler must not hand out what it gets back to anyone else first.
type AnswerRecycler interface {
	RecycleAnswer(answer any)
}

// TaskHandler runs the work behind a Task state. The engine looks handlers up
// by the state's Resource.
type TaskHandler interface {
	// Invoke starts the task and must call done exactly once: with the
	// task's output, or with an error. A *states.Error names the failure
	// (what Retry and Catch match); any other error counts as
	// States.TaskFailed with the error text as cause. done may be called
	// before Invoke returns or later from any goroutine; a handler that takes
	// virtual time schedules done on the engine's clock. req is valid
	// until done is called: the engine reuses it for the state's next call.
	Invoke(ctx context.Context, req *TaskRequest, done func(output any, err error))
}

// TaskHandlerFunc adapts a function to TaskHandler.
type TaskHandlerFunc func(ctx context.Context, req *TaskRequest, done func(output any, err error))

// Invoke calls f.
func (f TaskHandlerFunc) Invoke(ctx context.Context, req *TaskRequest, done func(output any, err error)) {
	f(ctx, req, done)
}

// Resources maps Resource ARNs to their handlers.
type Resources map[string]TaskHandler

// TaskMock answers Task states of one execution in place of their
// handlers: a test case of a Step Functions Local mock config (package
// mockconfig). A mocked state's pattern is kept (.sync and
// .waitForTaskToken states still record TaskSubmitted), and its answer is
// the state's result as the service would give it.
type TaskMock interface {
	// Answer returns the answer to the state's next invocation; ok is
	// false when the test case does not mock the state.
	Answer(state string) (a MockAnswer, ok bool)
}

// UnansweredExplainer is a TaskMock that words the failure of a Task state
// that neither it nor a handler answers (which test case to add the state
// to, and how).
type UnansweredExplainer interface {
	Unanswered(state, resource string) string
}

// MockAnswer is one mocked invocation's answer: an Output, or an error
// (a *states.Error names the failure; one named States.Timeout or
// States.HeartbeatTimeout times the task out), after Delay on the
// engine's clock. When Handler is set, the mock hands the call to it
// instead (a built-in fake a mock config names), as if it were the
// Resource's handler.
type MockAnswer struct {
	Output  any
	Err     error
	Delay   time.Duration
	Handler TaskHandler
}
