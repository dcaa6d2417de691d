// Package track follows the sagas a load run starts to their end: it turns
// Step Functions' execution status changes (from an EventBridge rule into a
// temporary SQS queue, or from polling DescribeExecution and ListExecutions)
// and arrivals in the dead-letter queue into Events that `yafdp load` counts.
//
// A Tracker never reports the same (execution, kind) twice, even when its
// source delivers a change more than once, and reports every execution that
// ends while it runs.
package track

import (
	"context"
	"time"
)

// Kind says what happened to an order.
type Kind int

const (
	// Started: the saga's execution began (its status RUNNING).
	Started Kind = iota + 1
	// Ended: the execution reached SUCCEEDED, FAILED, TIMED_OUT or ABORTED.
	Ended
	// DeadLettered: the order's message arrived in the dead-letter queue,
	// so no saga runs for it.
	DeadLettered
)

// Event is one change in an order's fate.
type Event struct {
	Kind Kind
	// OrderID is the order's id: the execution's name, or the orderId in
	// the dead-lettered message's body.
	OrderID      string
	ExecutionARN string
	// Status is the execution's status: RUNNING for Started, the terminal
	// status for Ended, empty for DeadLettered.
	Status string
	// Error and Cause are the execution's, for an Ended that did not succeed.
	Error, Cause string
	// Start and Stop are the execution's startDate and stopDate as Step
	// Functions reports them (Stop is zero until Ended); for DeadLettered,
	// Start is when the tracker saw the message.
	Start, Stop time.Time
	// Steps holds how long each state of the execution took (entered to
	// exited), by state name, and PaymentThrottles how many times a Task
	// failed with Payment.Throttled, when the tracker read the execution's
	// history (HistoryRead); empty otherwise.
	Steps            map[string]time.Duration
	PaymentThrottles int
	HistoryRead      bool
}

// Tracker follows executions of one state machine and the dead-letter
// queue for the duration of a load run.
type Tracker interface {
	// Setup creates what the tracker needs (a rule, a queue, a baseline of
	// the dead-letter queue) before the first order is sent.
	Setup(ctx context.Context) error
	// Run sends Events to out until ctx ends or a fatal error occurs; it
	// does not close out.
	Run(ctx context.Context, out chan<- Event) error
	// Teardown deletes what Setup created, unless told to keep it; it is
	// called even when Setup or Run failed, with a context of its own.
	Teardown(ctx context.Context) error
}
