package awsops

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// SourceQueue is a queue that sends its failed messages to a DLQ.
type SourceQueue struct {
	URL             string `json:"url"`
	Name            string `json:"name"`
	MaxReceiveCount int    `json:"maxReceiveCount,omitempty"`
}

// DeadLetterQueue is one DLQ as `dlq list` shows it.
type DeadLetterQueue struct {
	Queue
	ARN      string `json:"arn"`
	Visible  int64  `json:"visible"`
	InFlight int64  `json:"inFlight"`
	Delayed  int64  `json:"delayed"`
	// OldestAge is CloudWatch's ApproximateAgeOfOldestMessage, nil when
	// CloudWatch has no recent figure.
	OldestAge *time.Duration `json:"-"`
	Sources   []SourceQueue  `json:"sources"`
	// OwnRedrivePolicy is set when the DLQ itself has a dead-letter queue,
	// so that receiving from it (peek) counts toward that policy.
	OwnRedrivePolicy string `json:"ownRedrivePolicy,omitempty"`
}

// MarshalJSON adds oldestAgeSeconds (null when unknown).
func (d DeadLetterQueue) MarshalJSON() ([]byte, error) {
	type plain DeadLetterQueue
	var age *float64
	if d.OldestAge != nil {
		s := d.OldestAge.Seconds()
		age = &s
	}
	return json.Marshal(struct {
		plain
		OldestAgeSeconds *float64 `json:"oldestAgeSeconds"`
	}{plain(d), age})
}

// redrivePolicy is a queue's RedrivePolicy attribute.
type redrivePolicy struct {
	DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	MaxReceiveCount     any    `json:"maxReceiveCount"`
}

func parseRedrivePolicy(s string) (redrivePolicy, bool) {
	var p redrivePolicy
	if s == "" || json.Unmarshal([]byte(s), &p) != nil || p.DeadLetterTargetArn == "" {
		return p, false
	}
	return p, true
}

func (p redrivePolicy) maxReceives() int {
	switch v := p.MaxReceiveCount.(type) {
	case float64:
		return int(v)
	case string:
		n, _ := strconv.Atoi(v)
		return n
	}
	return 0
}

// ListDLQOptions are the inputs of ListDLQs.
type ListDLQOptions struct {
	// Queue, when set, lists only this DLQ.
	Queue *Queue
	// Prefix limits discovery to queues whose names start with it.
	Prefix string
}

// ListDLQs finds the dead-letter queues (every queue another queue's
// RedrivePolicy names, or just opts.Queue) with their depth, the age of
// their oldest message (from CloudWatch, when metrics is not nil) and
// their source queues.
func ListDLQs(ctx context.Context, c SQSAPI, metrics MetricsAPI, opts ListDLQOptions) ([]DeadLetterQueue, error) {
	var dlqs []Queue
	if opts.Queue != nil {
		dlqs = []Queue{*opts.Queue}
	} else {
		urls, err := listQueues(ctx, c, opts.Prefix)
		if err != nil {
			return nil, err
		}
		targets := map[string]bool{}
		arnToURL := map[string]string{}
		for _, u := range urls {
			out, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(u),
				AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn, types.QueueAttributeNameRedrivePolicy}})
			if err != nil {
				if isQueueMissing(err) {
					continue // deleted while we listed
				}
				return nil, err
			}
			arnToURL[out.Attributes["QueueArn"]] = u
			if p, ok := parseRedrivePolicy(out.Attributes["RedrivePolicy"]); ok {
				targets[p.DeadLetterTargetArn] = true
			}
		}
		for arn := range targets {
			if u, ok := arnToURL[arn]; ok {
				name := queueNameFromURL(u)
				dlqs = append(dlqs, Queue{URL: u, Name: name, FIFO: isFIFOName(name)})
			}
		}
		sort.Slice(dlqs, func(i, j int) bool { return dlqs[i].Name < dlqs[j].Name })
	}
	out := make([]DeadLetterQueue, 0, len(dlqs))
	for _, q := range dlqs {
		st, err := Stats(ctx, c, q.URL)
		if err != nil {
			return out, err
		}
		d := DeadLetterQueue{Queue: q, ARN: st.ARN, Visible: st.Visible, InFlight: st.InFlight, Delayed: st.Delayed, OwnRedrivePolicy: st.RedrivePolicy}
		if d.Sources, err = sourceQueues(ctx, c, q.URL); err != nil {
			return out, err
		}
		if metrics != nil {
			d.OldestAge = oldestAge(ctx, metrics, q.Name)
		}
		out = append(out, d)
	}
	return out, nil
}

func isFIFOName(name string) bool { return len(name) > 5 && name[len(name)-5:] == ".fifo" }

func listQueues(ctx context.Context, c SQSAPI, prefix string) ([]string, error) {
	in := &sqs.ListQueuesInput{MaxResults: aws.Int32(1000)}
	if prefix != "" {
		in.QueueNamePrefix = aws.String(prefix)
	}
	var urls []string
	for {
		out, err := c.ListQueues(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("listing queues: %w", err)
		}
		urls = append(urls, out.QueueUrls...)
		if out.NextToken == nil || aws.ToString(out.NextToken) == "" {
			return urls, nil
		}
		in.NextToken = out.NextToken
	}
}

// sourceQueues lists the queues whose RedrivePolicy names the DLQ, with
// their maxReceiveCount.
func sourceQueues(ctx context.Context, c SQSAPI, dlqURL string) ([]SourceQueue, error) {
	in := &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String(dlqURL), MaxResults: aws.Int32(1000)}
	var out []SourceQueue
	for {
		res, err := c.ListDeadLetterSourceQueues(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("listing the source queues of %s: %w", dlqURL, err)
		}
		for _, u := range res.QueueUrls {
			s := SourceQueue{URL: u, Name: queueNameFromURL(u)}
			if st, err := Stats(ctx, c, u); err == nil {
				if p, ok := parseRedrivePolicy(st.RedrivePolicy); ok {
					s.MaxReceiveCount = p.maxReceives()
				}
			}
			out = append(out, s)
		}
		if res.NextToken == nil || aws.ToString(res.NextToken) == "" {
			return out, nil
		}
		in.NextToken = res.NextToken
	}
}

// oldestAge reads the newest ApproximateAgeOfOldestMessage figure of the
// last 15 minutes; nil when there is none or CloudWatch cannot be read.
func oldestAge(ctx context.Context, m MetricsAPI, queueName string) *time.Duration {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	end := time.Now()
	out, err := m.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(end.Add(-15 * time.Minute)),
		EndTime:   aws.Time(end),
		ScanBy:    cwtypes.ScanByTimestampDescending,
		MetricDataQueries: []cwtypes.MetricDataQuery{{
			Id: aws.String("age"),
			MetricStat: &cwtypes.MetricStat{
				Metric: &cwtypes.Metric{Namespace: aws.String("AWS/SQS"), MetricName: aws.String("ApproximateAgeOfOldestMessage"),
					Dimensions: []cwtypes.Dimension{{Name: aws.String("QueueName"), Value: aws.String(queueName)}}},
				Period: aws.Int32(60),
				Stat:   aws.String("Maximum"),
			},
		}},
	})
	if err != nil || len(out.MetricDataResults) == 0 || len(out.MetricDataResults[0].Values) == 0 {
		return nil
	}
	d := time.Duration(out.MetricDataResults[0].Values[0] * float64(time.Second))
	return &d
}

// Message is a message read from a queue, with everything needed to show
// it or send an identical copy.
type Message struct {
	MessageID     string                                 `json:"messageId"`
	Body          string                                 `json:"body"`
	Attributes    map[string]types.MessageAttributeValue `json:"-"`
	System        map[string]string                      `json:"-"`
	ReceiptHandle string                                 `json:"-"`
}

// ReceiveCount is ApproximateReceiveCount, this receive included.
func (m Message) ReceiveCount() int {
	n, _ := strconv.Atoi(m.System[string(types.MessageSystemAttributeNameApproximateReceiveCount)])
	return n
}

// SentAt is when the message was first sent (SentTimestamp).
func (m Message) SentAt() time.Time {
	ms, err := strconv.ParseInt(m.System[string(types.MessageSystemAttributeNameSentTimestamp)], 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

func (m Message) filterView() *FilterMessage {
	fm := &FilterMessage{MessageID: m.MessageID, Body: m.Body, System: m.System, Attributes: map[string]FilterAttribute{}}
	for k, v := range m.Attributes {
		fm.Attributes[k] = FilterAttribute{DataType: aws.ToString(v.DataType), StringValue: aws.ToString(v.StringValue), BinaryValue: v.BinaryValue}
	}
	return fm
}

// MatchFilter applies f to the message.
func (m Message) MatchFilter(f *Filter) bool { return f.Match(m.filterView()) }

func fromSQS(msg types.Message) Message {
	return Message{
		MessageID:     aws.ToString(msg.MessageId),
		Body:          aws.ToString(msg.Body),
		Attributes:    msg.MessageAttributes,
		System:        msg.Attributes,
		ReceiptHandle: aws.ToString(msg.ReceiptHandle),
	}
}

// receive reads up to n messages with every attribute, hiding them for vt.
func receive(ctx context.Context, c SQSAPI, queueURL string, n int, vt, wait time.Duration) ([]Message, error) {
	out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:                    aws.String(queueURL),
		MaxNumberOfMessages:         int32(min(max(n, 1), 10)),
		VisibilityTimeout:           int32(vt / time.Second),
		WaitTimeSeconds:             int32(wait / time.Second),
		MessageAttributeNames:       []string{"All"},
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
	})
	if err != nil {
		return nil, err
	}
	msgs := make([]Message, len(out.Messages))
	for i, m := range out.Messages {
		msgs[i] = fromSQS(m)
	}
	return msgs, nil
}

// setVisibility changes the visibility of messages (0 makes them visible
// again at once). It runs even when ctx is cancelled: releasing what we
// hold is part of stopping cleanly. It returns how many it could change.
func setVisibility(ctx context.Context, c SQSAPI, queueURL string, msgs []Message, vt time.Duration) int {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	changed := 0
	for start := 0; start < len(msgs); start += 10 {
		chunk := msgs[start:min(start+10, len(msgs))]
		in := &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(queueURL)}
		for i, m := range chunk {
			in.Entries = append(in.Entries, types.ChangeMessageVisibilityBatchRequestEntry{
				Id: aws.String("v" + strconv.Itoa(i)), ReceiptHandle: aws.String(m.ReceiptHandle), VisibilityTimeout: int32(vt / time.Second)})
		}
		out, err := c.ChangeMessageVisibilityBatch(ctx, in)
		if err == nil {
			changed += len(out.Successful)
		}
	}
	return changed
}

// PeekOptions are the inputs of Peek.
type PeekOptions struct {
	Queue Queue
	// Max is the number of messages to show.
	Max int
	// Hold is how long messages stay hidden while the peek collects them;
	// they are made visible again as soon as it is done (default 30s).
	Hold time.Duration
	// Wait is the long-poll time of each receive (default 1s).
	Wait time.Duration
}

// PeekResult is what Peek saw.
type PeekResult struct {
	Messages []Message
	// OwnRedrivePolicy is the queue's own RedrivePolicy: when set, each
	// peek counts toward moving the messages on to another queue.
	OwnRedrivePolicy string
	MaxReceiveCount  int
	// Visible is the queue's depth before the peek.
	Visible int64
	// Released counts the messages made visible again.
	Released int
}

// Peek shows up to Max messages without deleting them: it receives them
// (hidden for Hold so each is seen once), then makes them visible again.
// Every receive adds one to a message's receive count; the result carries
// the queue's own redrive policy so the caller can warn about it.
func Peek(ctx context.Context, c SQSAPI, opts PeekOptions) (*PeekResult, error) {
	st, err := Stats(ctx, c, opts.Queue.URL)
	if err != nil {
		return nil, err
	}
	res := &PeekResult{OwnRedrivePolicy: st.RedrivePolicy, Visible: st.Visible}
	if p, ok := parseRedrivePolicy(st.RedrivePolicy); ok {
		res.MaxReceiveCount = p.maxReceives()
	}
	hold := opts.Hold
	if hold <= 0 {
		hold = 30 * time.Second
	}
	wait := opts.Wait
	if wait <= 0 {
		wait = time.Second
	}
	seen := map[string]bool{}
	empty := 0
	for len(res.Messages) < opts.Max && empty < 2 && ctx.Err() == nil {
		msgs, err := receive(ctx, c, opts.Queue.URL, opts.Max-len(res.Messages), hold, wait)
		if err != nil {
			res.Released = setVisibility(ctx, c, opts.Queue.URL, res.Messages, 0)
			if isCanceled(ctx, err) {
				return res, ctx.Err()
			}
			return res, fmt.Errorf("receiving from %s: %w", opts.Queue.Name, err)
		}
		if len(msgs) == 0 {
			empty++
			continue
		}
		empty = 0
		for _, m := range msgs {
			if seen[m.MessageID] {
				// The same message again (its hold ran out): keep the
				// newest receipt so the release below applies to it.
				for i := range res.Messages {
					if res.Messages[i].MessageID == m.MessageID {
						res.Messages[i] = m
					}
				}
				continue
			}
			seen[m.MessageID] = true
			res.Messages = append(res.Messages, m)
		}
	}
	res.Released = setVisibility(ctx, c, opts.Queue.URL, res.Messages, 0)
	return res, ctx.Err()
}

// MarshalJSON writes the message with its attributes as SQS returns them:
// dataType and stringValue, or binaryValue in base64.
func (m Message) MarshalJSON() ([]byte, error) {
	type attr struct {
		DataType    string `json:"dataType"`
		StringValue string `json:"stringValue,omitempty"`
		BinaryValue []byte `json:"binaryValue,omitempty"`
	}
	attrs := make(map[string]attr, len(m.Attributes))
	for k, v := range m.Attributes {
		attrs[k] = attr{DataType: aws.ToString(v.DataType), StringValue: aws.ToString(v.StringValue), BinaryValue: v.BinaryValue}
	}
	sys := m.System
	if sys == nil {
		sys = map[string]string{}
	}
	return json.Marshal(struct {
		MessageID    string            `json:"messageId"`
		ReceiveCount int               `json:"receiveCount"`
		SentAt       string            `json:"sentAt,omitempty"`
		Body         string            `json:"body"`
		Attributes   map[string]attr   `json:"messageAttributes"`
		System       map[string]string `json:"attributes"`
	}{m.MessageID, m.ReceiveCount(), formatTime(m.SentAt()), m.Body, attrs, sys})
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
