package track

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"golang.org/x/sync/errgroup"

	"github.com/yafdp/yafdp/internal/awsops"
)

// The event Step Functions puts on EventBridge at each status change of a
// Standard execution.
const (
	eventSource     = "aws.states"
	eventDetailType = "Step Functions Execution Status Change"
)

// EventBridgeOptions configure an EventBridge tracker.
type EventBridgeOptions struct {
	SQS    SQSAPI
	Events EventsAPI
	// StateMachineARN is the saga whose executions are followed.
	StateMachineARN string
	// Name starts the names of the rule and the queue ("yafdp-load" when
	// empty); Suffix ends them (8 random hex digits when empty), so that
	// runs in parallel do not share them.
	Name, Suffix string
	// Receivers long-poll the queue concurrently (4 when zero); Wait is
	// each poll's wait (10 s when zero, at most 20 s).
	Receivers int
	Wait      time.Duration
	// EndsOnly makes the rule match only the terminal statuses: no Started
	// events, half the events to deliver and receive at high rates (each
	// Ended carries the execution's start).
	EndsOnly bool
	// Keep leaves the rule, its target and the queue in place at Teardown
	// (--keep-tracking-resources).
	Keep bool
	// History, when set, reads a sample of the ended executions' histories.
	History HistoryOptions
}

// EventBridge follows executions through an EventBridge rule on "Step
// Functions Execution Status Change" events of one state machine, which
// delivers them into a temporary SQS queue: Setup creates the queue (with
// a policy that lets the rule send to it), the rule and its target.
// EventBridge delivers these events at least once and in no set order, so
// a change may arrive twice, and an execution's end before its start;
// each (execution, kind) is reported once.
type EventBridge struct {
	opts    EventBridgeOptions
	region  string
	name    string
	history *historyReader
	seen    *seen

	// What Setup created, for Teardown.
	QueueURL, QueueARN, RuleARN string
	targetPut                   bool

	received, duplicates, malformed, historyErrors atomic.Int64
}

var _ Tracker = (*EventBridge)(nil)

// NewEventBridge checks the options and returns a tracker; nothing is
// created before Setup.
func NewEventBridge(opts EventBridgeOptions) (*EventBridge, error) {
	if opts.SQS == nil || opts.Events == nil {
		return nil, errors.New("track: the EventBridge tracker needs SQS and EventBridge clients")
	}
	region, ok := arnRegion(opts.StateMachineARN)
	if !ok {
		return nil, fmt.Errorf("track: %q is not a state machine ARN", opts.StateMachineARN)
	}
	if opts.Name == "" {
		opts.Name = "yafdp-load"
	}
	if opts.Suffix == "" {
		var b [4]byte
		_, _ = rand.Read(b[:])
		opts.Suffix = hex.EncodeToString(b[:])
	}
	if opts.Receivers <= 0 {
		opts.Receivers = 4
	}
	if opts.Wait <= 0 || opts.Wait > 20*time.Second {
		opts.Wait = 10 * time.Second
	}
	return &EventBridge{opts: opts, region: region, name: opts.Name + "-" + opts.Suffix,
		history: newHistoryReader(opts.History, region), seen: newSeen()}, nil
}

// arnRegion returns the region of an ARN.
func arnRegion(arn string) (string, bool) {
	p := strings.SplitN(arn, ":", 7)
	if len(p) < 7 || p[0] != "arn" || p[2] != "states" || p[3] == "" || p[5] != "stateMachine" {
		return "", false
	}
	return p[3], true
}

// Name is the name of the rule and of the queue.
func (t *EventBridge) Name() string { return t.name }

// Pattern is the rule's event pattern.
func (t *EventBridge) Pattern() string {
	detail := map[string]any{"stateMachineArn": []string{t.opts.StateMachineARN}}
	if t.opts.EndsOnly {
		detail["status"] = []string{"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}
	}
	b, _ := json.Marshal(map[string]any{
		"source":      []string{eventSource},
		"detail-type": []string{eventDetailType},
		"detail":      detail,
	})
	return string(b)
}

// Setup creates the queue, the rule, the queue's policy and the target.
func (t *EventBridge) Setup(ctx context.Context) error {
	q, err := call(ctx, nil, func(ctx context.Context) (*sqs.CreateQueueOutput, error) {
		return t.opts.SQS.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(t.name), Attributes: map[string]string{
			// A day is enough for any run, and long enough to inspect
			// with --keep-tracking-resources.
			"MessageRetentionPeriod": "86400",
			// Messages are deleted as soon as they are handed on; a
			// history read may hold one for a while.
			"VisibilityTimeout": "120",
		}})
	})
	if err != nil {
		return fmt.Errorf("creating the tracking queue %s: %w", t.name, err)
	}
	t.QueueURL = aws.ToString(q.QueueUrl)
	attrs, err := call(ctx, nil, func(ctx context.Context) (*sqs.GetQueueAttributesOutput, error) {
		return t.opts.SQS.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
			AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
	})
	if err != nil {
		return fmt.Errorf("reading the tracking queue's ARN: %w", err)
	}
	t.QueueARN = attrs.Attributes[string(types.QueueAttributeNameQueueArn)]
	rule, err := call(ctx, nil, func(ctx context.Context) (*eventbridge.PutRuleOutput, error) {
		return t.opts.Events.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(t.name), EventPattern: aws.String(t.Pattern()),
			State: ebtypes.RuleStateEnabled, Description: aws.String("yafdp load: status changes of " + t.opts.StateMachineARN)})
	})
	if err != nil {
		return fmt.Errorf("creating the EventBridge rule %s: %w", t.name, err)
	}
	t.RuleARN = aws.ToString(rule.RuleArn)
	// EventBridge sends to a queue only when the queue's policy lets the
	// service do so on behalf of the rule.
	_, err = call(ctx, nil, func(ctx context.Context) (*sqs.SetQueueAttributesOutput, error) {
		return t.opts.SQS.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: q.QueueUrl,
			Attributes: map[string]string{"Policy": QueuePolicy(t.QueueARN, t.RuleARN)}})
	})
	if err != nil {
		return fmt.Errorf("letting the rule send to the tracking queue: %w", err)
	}
	pt, err := call(ctx, nil, func(ctx context.Context) (*eventbridge.PutTargetsOutput, error) {
		return t.opts.Events.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(t.name),
			Targets: []ebtypes.Target{{Id: aws.String("yafdp-load-queue"), Arn: aws.String(t.QueueARN)}}})
	})
	if err == nil && pt.FailedEntryCount > 0 {
		err = fmt.Errorf("%s: %s", aws.ToString(pt.FailedEntries[0].ErrorCode), aws.ToString(pt.FailedEntries[0].ErrorMessage))
	}
	if err != nil {
		return fmt.Errorf("making the tracking queue the rule's target: %w", err)
	}
	t.targetPut = true
	return nil
}

// QueuePolicy is the policy that lets EventBridge send a rule's events to
// a queue.
func QueuePolicy(queueARN, ruleARN string) string {
	b, _ := json.Marshal(map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Sid":       "yafdp-load-tracking",
			"Effect":    "Allow",
			"Principal": map[string]string{"Service": "events.amazonaws.com"},
			"Action":    "sqs:SendMessage",
			"Resource":  queueARN,
			"Condition": map[string]any{"ArnEquals": map[string]string{"aws:SourceArn": ruleARN}},
		}},
	})
	return string(b)
}

// Teardown removes the target, the rule and the queue, unless Keep.
func (t *EventBridge) Teardown(ctx context.Context) error {
	if t.opts.Keep {
		return nil
	}
	var errs []error
	if t.targetPut {
		_, err := call(ctx, nil, func(ctx context.Context) (*eventbridge.RemoveTargetsOutput, error) {
			return t.opts.Events.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String(t.name), Ids: []string{"yafdp-load-queue"}})
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("removing the rule's target: %w", err))
		}
	}
	if t.RuleARN != "" {
		_, err := call(ctx, nil, func(ctx context.Context) (*eventbridge.DeleteRuleOutput, error) {
			return t.opts.Events.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String(t.name)})
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("deleting the rule %s: %w", t.name, err))
		}
	}
	if t.QueueURL != "" {
		_, err := call(ctx, nil, func(ctx context.Context) (*sqs.DeleteQueueOutput, error) {
			return t.opts.SQS.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(t.QueueURL)})
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("deleting the queue %s: %w", t.name, err))
		}
	}
	return errors.Join(errs...)
}

// EventBridgeStats counts what the tracker received.
type EventBridgeStats struct {
	// Received is every message; Duplicates those that repeated a change
	// already reported; Malformed those that were no status change of the
	// state machine; HistoryErrors the histories that could not be read
	// (their Ended events are reported without Steps).
	Received, Duplicates, Malformed, HistoryErrors int64
}

// Stats returns the counts so far.
func (t *EventBridge) Stats() EventBridgeStats {
	return EventBridgeStats{Received: t.received.Load(), Duplicates: t.duplicates.Load(),
		Malformed: t.malformed.Load(), HistoryErrors: t.historyErrors.Load()}
}

// pending is an event waiting for its history, with the message to
// delete once it is handed on.
type pending struct {
	e       Event
	receipt *string
}

// Run long-polls the queue with several receivers until ctx ends.
func (t *EventBridge) Run(ctx context.Context, out chan<- Event) error {
	if t.QueueURL == "" {
		return errors.New("track: EventBridge.Run before Setup")
	}
	g, gctx := errgroup.WithContext(ctx)
	var hist chan pending
	var workers sync.WaitGroup
	if t.history != nil {
		hist = make(chan pending, 1000)
		for range t.history.opts.Workers {
			workers.Go(func() {
				for p := range hist {
					if err := t.history.fill(gctx, &p.e); err != nil {
						t.historyErrors.Add(1)
					}
					if send(gctx, out, p.e) {
						t.delete(gctx, []*string{p.receipt})
					}
				}
			})
		}
	}
	for range t.opts.Receivers {
		g.Go(func() error { return t.receive(gctx, out, hist) })
	}
	err := g.Wait()
	if hist != nil {
		close(hist)
		workers.Wait()
	}
	if ctx.Err() != nil {
		return nil
	}
	return err
}

func (t *EventBridge) receive(ctx context.Context, out chan<- Event, hist chan<- pending) error {
	fails := 0
	for ctx.Err() == nil {
		res, err := call(ctx, nil, func(ctx context.Context) (*sqs.ReceiveMessageOutput, error) {
			return t.opts.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(t.QueueURL),
				MaxNumberOfMessages: 10, WaitTimeSeconds: int32(t.opts.Wait / time.Second)})
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if fails++; fails >= 10 || awsops.ErrorCode(err) == "AWS.SimpleQueueService.NonExistentQueue" || awsops.ErrorCode(err) == "QueueDoesNotExist" {
				return fmt.Errorf("receiving from the tracking queue %s: %w", t.name, err)
			}
			_ = awsops.SleepContext(ctx, time.Duration(fails)*200*time.Millisecond)
			continue
		}
		fails = 0
		var done []*string
		for _, m := range res.Messages {
			t.received.Add(1)
			e, ok := t.decode(aws.ToString(m.Body))
			if !ok {
				t.malformed.Add(1)
				done = append(done, m.ReceiptHandle)
				continue
			}
			if !t.seen.first(e.ExecutionARN, e.Kind) {
				t.duplicates.Add(1)
				done = append(done, m.ReceiptHandle)
				continue
			}
			if e.Kind == Ended && hist != nil && t.history.wants(e.ExecutionARN) {
				select {
				case hist <- pending{e, m.ReceiptHandle}:
					continue
				case <-ctx.Done():
					return nil
				}
			}
			if !send(ctx, out, e) {
				return nil
			}
			done = append(done, m.ReceiptHandle)
		}
		t.delete(ctx, done)
	}
	return nil
}

// statusEvent is what the tracker reads of a status change.
type statusEvent struct {
	Source     string `json:"source"`
	DetailType string `json:"detail-type"`
	Detail     struct {
		ExecutionArn    string  `json:"executionArn"`
		StateMachineArn string  `json:"stateMachineArn"`
		Name            string  `json:"name"`
		Status          string  `json:"status"`
		StartDate       int64   `json:"startDate"`
		StopDate        *int64  `json:"stopDate"`
		Error           *string `json:"error"`
		Cause           *string `json:"cause"`
	} `json:"detail"`
}

func (t *EventBridge) decode(body string) (Event, bool) {
	var s statusEvent
	if err := json.Unmarshal([]byte(body), &s); err != nil || s.Source != eventSource || s.DetailType != eventDetailType {
		return Event{}, false
	}
	d := s.Detail
	if d.ExecutionArn == "" || d.StateMachineArn != t.opts.StateMachineARN {
		return Event{}, false
	}
	e := Event{OrderID: d.Name, ExecutionARN: d.ExecutionArn, Status: d.Status, Start: time.UnixMilli(d.StartDate).UTC()}
	switch d.Status {
	case "RUNNING":
		e.Kind = Started
	case "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED":
		e.Kind = Ended
		if d.StopDate != nil {
			e.Stop = time.UnixMilli(*d.StopDate).UTC()
		}
		e.Error, e.Cause = aws.ToString(d.Error), aws.ToString(d.Cause)
	default:
		// PENDING_REDRIVE and anything new: not an order's fate.
		return Event{}, false
	}
	return e, true
}

// delete deletes handled messages; one that fails is delivered again and
// then dropped as a duplicate.
func (t *EventBridge) delete(ctx context.Context, receipts []*string) {
	if len(receipts) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), callTimeout)
	defer cancel()
	for i := 0; i < len(receipts); i += 10 {
		in := &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(t.QueueURL)}
		for j, r := range receipts[i:min(i+10, len(receipts))] {
			in.Entries = append(in.Entries, types.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(j)), ReceiptHandle: r})
		}
		_, _ = t.opts.SQS.DeleteMessageBatch(ctx, in)
	}
}
