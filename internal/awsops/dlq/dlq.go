package dlq

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

	"github.com/yafdp/yafdp/internal/awsops"
)

// SourceQueue is a queue that sends its failed messages to a DLQ.
type SourceQueue struct {
	URL             string `json:"url"`
	Name            string `json:"name"`
	MaxReceiveCount int    `json:"maxReceiveCount,omitempty"`
}

// DeadLetterQueue is one DLQ as `dlq list` shows it.
type DeadLetterQueue struct {
	awsops.Queue
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

// RedrivePolicy is a queue's RedrivePolicy attribute.
type RedrivePolicy struct {
	DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	MaxReceiveCount     any    `json:"maxReceiveCount"`
}

// ParseRedrivePolicy reads a RedrivePolicy attribute; false when there is
// none.
func ParseRedrivePolicy(s string) (RedrivePolicy, bool) {
	var p RedrivePolicy
	if s == "" || json.Unmarshal([]byte(s), &p) != nil || p.DeadLetterTargetArn == "" {
		return p, false
	}
	return p, true
}

// MaxReceives is the policy's maxReceiveCount.
func (p RedrivePolicy) MaxReceives() int {
	switch v := p.MaxReceiveCount.(type) {
	case float64:
		return int(v)
	case string:
		n, _ := strconv.Atoi(v)
		return n
	}
	return 0
}

// ListOptions are the inputs of List.
type ListOptions struct {
	// Queue, when set, lists only this DLQ.
	Queue *awsops.Queue
	// Prefix limits discovery to queues whose names start with it.
	Prefix string
}

// List finds the dead-letter queues (every queue another queue's
// RedrivePolicy names, or just opts.Queue) with their depth, the age of
// their oldest message (from CloudWatch, when metrics is not nil) and
// their source queues.
func List(ctx context.Context, c awsops.SQSAPI, metrics awsops.MetricsAPI, opts ListOptions) ([]DeadLetterQueue, error) {
	dlqs := []awsops.Queue{}
	if opts.Queue != nil {
		dlqs = append(dlqs, *opts.Queue)
	} else {
		var err error
		if dlqs, err = find(ctx, c, opts.Prefix); err != nil {
			return nil, err
		}
	}
	out := make([]DeadLetterQueue, 0, len(dlqs))
	for _, q := range dlqs {
		st, err := awsops.Stats(ctx, c, "", q.URL)
		if err != nil {
			return out, err
		}
		d := DeadLetterQueue{Queue: q, ARN: st.ARN, Visible: st.Visible, InFlight: st.InFlight, Delayed: st.Delayed, OwnRedrivePolicy: st.RedrivePolicy}
		if d.Sources, err = Sources(ctx, c, q.URL); err != nil {
			return out, err
		}
		if metrics != nil {
			d.OldestAge = oldestAge(ctx, metrics, q.Name)
		}
		out = append(out, d)
	}
	return out, nil
}

// find lists the queues that another queue's RedrivePolicy names, by name.
func find(ctx context.Context, c awsops.SQSAPI, prefix string) ([]awsops.Queue, error) {
	urls, err := listQueues(ctx, c, prefix)
	if err != nil {
		return nil, err
	}
	targets := map[string]bool{}
	arnToURL := map[string]string{}
	for _, u := range urls {
		out, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(u),
			AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn, types.QueueAttributeNameRedrivePolicy}})
		if err != nil {
			if awsops.IsQueueMissing(err) {
				continue // deleted while we listed
			}
			return nil, err
		}
		arnToURL[out.Attributes["QueueArn"]] = u
		if p, ok := ParseRedrivePolicy(out.Attributes["RedrivePolicy"]); ok {
			targets[p.DeadLetterTargetArn] = true
		}
	}
	var dlqs []awsops.Queue
	for arn := range targets {
		if u, ok := arnToURL[arn]; ok {
			dlqs = append(dlqs, awsops.QueueAt(u))
		}
	}
	sort.Slice(dlqs, func(i, j int) bool { return dlqs[i].Name < dlqs[j].Name })
	return dlqs, nil
}

func listQueues(ctx context.Context, c awsops.SQSAPI, prefix string) ([]string, error) {
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

// Sources lists the queues whose RedrivePolicy names the DLQ, with their
// maxReceiveCount.
func Sources(ctx context.Context, c awsops.SQSAPI, dlqURL string) ([]SourceQueue, error) {
	in := &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String(dlqURL), MaxResults: aws.Int32(1000)}
	var out []SourceQueue
	for {
		res, err := c.ListDeadLetterSourceQueues(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("listing the source queues of %s: %w", dlqURL, err)
		}
		for _, u := range res.QueueUrls {
			s := SourceQueue{URL: u, Name: awsops.QueueAt(u).Name}
			if st, err := awsops.Stats(ctx, c, "", u); err == nil {
				if p, ok := ParseRedrivePolicy(st.RedrivePolicy); ok {
					s.MaxReceiveCount = p.MaxReceives()
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
func oldestAge(ctx context.Context, m awsops.MetricsAPI, queueName string) *time.Duration {
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

// PeekOptions are the inputs of Peek.
type PeekOptions struct {
	Queue awsops.Queue
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
func Peek(ctx context.Context, c awsops.SQSAPI, opts PeekOptions) (*PeekResult, error) {
	st, err := awsops.Stats(ctx, c, "", opts.Queue.URL)
	if err != nil {
		return nil, err
	}
	res := &PeekResult{OwnRedrivePolicy: st.RedrivePolicy, Visible: st.Visible}
	if p, ok := ParseRedrivePolicy(st.RedrivePolicy); ok {
		res.MaxReceiveCount = p.MaxReceives()
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
		msgs, err := Receive(ctx, c, opts.Queue.URL, opts.Max-len(res.Messages), hold, wait)
		if err != nil {
			res.Released = SetVisibility(ctx, c, opts.Queue.URL, res.Messages, 0)
			if awsops.IsCanceled(ctx, err) {
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
	res.Released = SetVisibility(ctx, c, opts.Queue.URL, res.Messages, 0)
	return res, ctx.Err()
}
