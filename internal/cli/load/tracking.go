package load

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/executions"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/load/track"
	"github.com/yafdp/yafdp/internal/saga"
)

// TrackerSpec is what a tracker needs to follow a run's sagas.
type TrackerSpec struct {
	// Kind is --track: events, poll or none.
	Kind string
	// StateMachine is the saga's state machine (ARN or name); empty takes
	// the built-in saga's name on an endpoint on this machine (local up).
	StateMachine string
	// DLQ is the dead-letter queue (URL or name); empty takes the orders
	// queue's redrive policy's.
	DLQ string
	// QueueURL is the orders queue (for its redrive policy); empty with
	// --via api.
	QueueURL string
	// Keep leaves the rule and queue that events tracking creates
	// (--keep-tracking-resources).
	Keep bool
	// HistorySample is the share of ended executions whose history is
	// read (per-state durations, Payment.Throttled).
	HistorySample float64
	Seed          uint64
	// Local says the endpoint is on this machine.
	Local bool
}

// NewTracker returns the tracker --track selects, or nil for none: the
// EventBridge tracker (a rule into a temporary SQS queue) for events, the
// ListExecutions/DescribeExecution poller for poll, each combined with the
// dead-letter queue's watch when there is a dead-letter queue. Bad or
// missing settings are usage errors naming the flag.
func NewTracker(ctx context.Context, o *Options, spec TrackerSpec) (track.Tracker, error) {
	switch spec.Kind {
	case "none":
		return nil, nil
	case "events", "poll":
	default:
		return nil, cmdutil.FlagErrorf("--track: %q is not events, poll or none", spec.Kind)
	}
	sfnc, err := o.SFNClient(ctx)
	if err != nil {
		return nil, err
	}
	sqsc, err := o.SQSClient(ctx)
	if err != nil {
		return nil, err
	}
	ref := spec.StateMachine
	if ref == "" && spec.Local {
		ref = saga.StateMachineName
	}
	if ref == "" {
		return nil, cmdutil.FlagErrorf("--state-machine: no state machine to follow; pass its ARN or name, or select an environment that has one (--env)")
	}
	m, err := executions.ResolveStateMachine(ctx, sfnc, ref)
	if err != nil {
		return nil, cmdutil.InputError(err)
	}
	if m.Express() {
		return nil, cmdutil.UsageErrorf("--state-machine %s: an Express state machine sends no status changes and keeps no history to follow; load follows Standard sagas", m.Name)
	}
	history := track.HistoryOptions{SFN: sfnc, Sample: spec.HistorySample, Seed: spec.Seed}
	var follow track.Tracker
	if spec.Kind == "events" {
		ebc, err := o.EventsClient(ctx)
		if err != nil {
			return nil, err
		}
		follow, err = track.NewEventBridge(track.EventBridgeOptions{SQS: sqsc, Events: ebc, StateMachineARN: m.ARN, Keep: spec.Keep, History: history})
		if err != nil {
			return nil, err
		}
	} else {
		follow, err = track.NewPoll(track.PollOptions{SFN: sfnc, StateMachineARN: m.ARN, History: history})
		if err != nil {
			return nil, err
		}
	}
	dlq, err := deadLetterQueue(ctx, sqsc, spec)
	if err != nil {
		return nil, err
	}
	if dlq == "" {
		return follow, nil
	}
	dl, err := track.NewDeadLetters(track.DeadLetterOptions{SQS: sqsc, QueueURL: dlq})
	if err != nil {
		return nil, err
	}
	return track.Combine(follow, dl), nil
}

// deadLetterQueue returns the URL of the dead-letter queue to watch:
// --dlq's (or the environment's), or the one the orders queue's redrive
// policy names; "" when there is none.
func deadLetterQueue(ctx context.Context, c *sqs.Client, spec TrackerSpec) (string, error) {
	if spec.DLQ != "" {
		ref, err := awsops.ParseQueueRef("dlq", spec.DLQ)
		if err != nil {
			return "", cmdutil.FlagError(err)
		}
		q, err := awsops.ResolveQueue(ctx, c, "dlq", ref)
		if err != nil {
			return "", cmdutil.InputError(err)
		}
		return q.URL, nil
	}
	if spec.QueueURL == "" {
		return "", nil
	}
	out, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(spec.QueueURL),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameRedrivePolicy}})
	if err != nil {
		return "", fmt.Errorf("reading the orders queue's redrive policy: %w", err)
	}
	var policy struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	}
	raw := out.Attributes[string(sqstypes.QueueAttributeNameRedrivePolicy)]
	if raw == "" || json.Unmarshal([]byte(raw), &policy) != nil || policy.DeadLetterTargetArn == "" {
		return "", nil
	}
	// arn:aws:sqs:REGION:ACCOUNT:NAME
	parts := strings.Split(policy.DeadLetterTargetArn, ":")
	name := parts[len(parts)-1]
	ref, err := awsops.ParseQueueRef("dlq", name)
	if err != nil {
		return "", nil
	}
	q, err := awsops.ResolveQueue(ctx, c, "dlq", ref)
	if err != nil {
		return "", fmt.Errorf("the orders queue's dead-letter queue %s: %w", name, err)
	}
	return q.URL, nil
}
