package track

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// DeadLetterOptions configure the watch on the dead-letter queue.
type DeadLetterOptions struct {
	SQS SQSAPI
	// QueueURL is the dead-letter queue's URL.
	QueueURL string
	// Interval is how often the queue's depth is read (2 s when zero); the
	// queue is read through when its depth changed, and at least every
	// tenth interval.
	Interval time.Duration
	// Hold is how long a read keeps messages hidden before it makes them
	// visible again (30 s when zero); it only needs to outlast one read
	// through the queue.
	Hold time.Duration
	// Now dates DeadLettered events; time.Now when nil.
	Now func() time.Time
}

// DeadLetters reports the orders whose messages arrive in the dead-letter
// queue while it runs, once each, without deleting or moving any message:
// it receives them hidden for a moment and makes them visible again, as
// `yafdp dlq peek` does, so they stay for `yafdp dlq redrive`. Messages
// already in the queue at Setup (its baseline) are never reported. Each
// read adds one to the messages' receive counts.
type DeadLetters struct {
	opts     DeadLetterOptions
	baseline map[string]bool // message ids present at Setup
	reported map[string]bool // message ids reported (or unreadable, counted once)
	orders   *seen
	depth    int64
	ready    bool
}

// NewDeadLetters returns a dead-letter watch; Setup takes the baseline.
func NewDeadLetters(opts DeadLetterOptions) (*DeadLetters, error) {
	if opts.SQS == nil || opts.QueueURL == "" {
		return nil, errors.New("track: a dead-letter watch needs an SQS client and the queue's URL")
	}
	if opts.Interval <= 0 {
		opts.Interval = 2 * time.Second
	}
	if opts.Hold <= 0 {
		opts.Hold = 30 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &DeadLetters{opts: opts, baseline: map[string]bool{}, reported: map[string]bool{}, orders: newSeen(), depth: -1}, nil
}

var _ Tracker = (*DeadLetters)(nil)

// Setup reads through the queue once and remembers what is there.
func (d *DeadLetters) Setup(ctx context.Context) error {
	msgs, err := d.readThrough(ctx)
	if err != nil {
		return fmt.Errorf("reading the dead-letter queue's baseline: %w", err)
	}
	for _, m := range msgs {
		d.baseline[aws.ToString(m.MessageId)] = true
	}
	d.ready = true
	return nil
}

// Run reports new arrivals until ctx ends.
func (d *DeadLetters) Run(ctx context.Context, out chan<- Event) error {
	if !d.ready {
		return errors.New("track: DeadLetters.Run before Setup")
	}
	tick := time.NewTicker(d.opts.Interval)
	defer tick.Stop()
	for n := 0; ; n++ {
		depth, err := d.readDepth(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err == nil && (depth != d.depth || n%10 == 0) {
			if err := d.scan(ctx, out); err != nil && ctx.Err() == nil {
				return err
			}
			d.depth = depth
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// Teardown has nothing to delete.
func (d *DeadLetters) Teardown(context.Context) error { return nil }

func (d *DeadLetters) readDepth(ctx context.Context) (int64, error) {
	out, err := call(ctx, nil, func(ctx context.Context) (*sqs.GetQueueAttributesOutput, error) {
		return d.opts.SQS.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(d.opts.QueueURL),
			AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages, types.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	})
	if err != nil {
		return 0, err
	}
	a, _ := strconv.ParseInt(out.Attributes[string(types.QueueAttributeNameApproximateNumberOfMessages)], 10, 64)
	b, _ := strconv.ParseInt(out.Attributes[string(types.QueueAttributeNameApproximateNumberOfMessagesNotVisible)], 10, 64)
	return a + b, nil
}

func (d *DeadLetters) scan(ctx context.Context, out chan<- Event) error {
	msgs, err := d.readThrough(ctx)
	if err != nil {
		return err
	}
	now := d.opts.Now()
	for _, m := range msgs {
		id := aws.ToString(m.MessageId)
		if d.baseline[id] || d.reported[id] {
			continue
		}
		d.reported[id] = true
		var o struct {
			OrderID string `json:"orderId"`
		}
		_ = json.Unmarshal([]byte(aws.ToString(m.Body)), &o)
		key := o.OrderID
		if key == "" {
			key = "message:" + id // an unreadable body is reported once, by its message id
		}
		if !d.orders.first(key, DeadLettered) {
			continue
		}
		if !send(ctx, out, Event{Kind: DeadLettered, OrderID: o.OrderID, Start: now}) {
			return nil
		}
	}
	return nil
}

// readThrough receives every message of the queue once, hidden for Hold,
// and makes them visible again before it returns (even when ctx ended).
func (d *DeadLetters) readThrough(ctx context.Context) ([]types.Message, error) {
	var all []types.Message
	got := map[string]int{}
	defer func() { d.release(ctx, all) }()
	for empty := 0; empty < 2; {
		out, err := call(ctx, nil, func(ctx context.Context) (*sqs.ReceiveMessageOutput, error) {
			return d.opts.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(d.opts.QueueURL),
				MaxNumberOfMessages: 10, VisibilityTimeout: int32(d.opts.Hold / time.Second), WaitTimeSeconds: 1})
		})
		if err != nil {
			return nil, err
		}
		if len(out.Messages) == 0 {
			empty++
			continue
		}
		empty = 0
		for _, m := range out.Messages {
			id := aws.ToString(m.MessageId)
			if i, ok := got[id]; ok {
				all[i] = m // its hold ran out: keep the newest receipt to release
				continue
			}
			got[id] = len(all)
			all = append(all, m)
		}
	}
	return all, nil
}

func (d *DeadLetters) release(ctx context.Context, msgs []types.Message) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), callTimeout)
	defer cancel()
	for chunk := range slices.Chunk(msgs, 10) {
		in := &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(d.opts.QueueURL)}
		for i, m := range chunk {
			in.Entries = append(in.Entries, types.ChangeMessageVisibilityBatchRequestEntry{
				Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0})
		}
		_, _ = d.opts.SQS.ChangeMessageVisibilityBatch(ctx, in)
	}
}
