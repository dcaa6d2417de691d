package dlq

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/filter"
)

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

// Matches applies f to the message.
func (m Message) Matches(f *filter.Filter) bool {
	fm := &filter.Message{MessageID: m.MessageID, Body: m.Body, System: m.System, Attributes: map[string]filter.Attribute{}}
	for k, v := range m.Attributes {
		fm.Attributes[k] = filter.Attribute{DataType: aws.ToString(v.DataType), StringValue: aws.ToString(v.StringValue), BinaryValue: v.BinaryValue}
	}
	return f.Match(fm)
}

func fromSQS(msg types.Message) Message {
	return Message{
		MessageID:     aws.ToString(msg.MessageId),
		Body:          aws.ToString(msg.Body),
		Attributes:    msg.MessageAttributes,
		System:        msg.Attributes,
		ReceiptHandle: aws.ToString(msg.ReceiptHandle),
	}
}

// Receive reads up to n messages with every attribute, hiding them for vt.
func Receive(ctx context.Context, c awsops.SQSAPI, queueURL string, n int, vt, wait time.Duration) ([]Message, error) {
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

// SetVisibility changes the visibility of messages (0 makes them visible
// again at once). It runs even when ctx is cancelled: releasing what we
// hold is part of stopping cleanly. It returns how many it could change.
func SetVisibility(ctx context.Context, c awsops.SQSAPI, queueURL string, msgs []Message, vt time.Duration) int {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	changed := 0
	for chunk := range slices.Chunk(msgs, 10) {
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

// Delete deletes messages, retrying failed entries a few times, and
// returns the ids of those it deleted. It runs even when ctx is cancelled:
// the messages it is given were moved and must go.
func Delete(ctx context.Context, c awsops.SQSAPI, queueURL string, msgs []Message) []string {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 60*time.Second)
	defer cancel()
	var deleted []string
	pending := msgs
	for attempt := 0; attempt < 4 && len(pending) > 0; attempt++ {
		if attempt > 0 {
			_ = awsops.SleepContext(ctx, awsops.Backoff(attempt))
		}
		var again []Message
		for chunk := range slices.Chunk(pending, 10) {
			gone, kept := deleteBatch(ctx, c, queueURL, chunk)
			deleted, again = append(deleted, gone...), append(again, kept...)
		}
		pending = again
	}
	return deleted
}

// deleteBatch makes one DeleteMessageBatch call and returns the ids of the
// messages deleted and the messages that were not.
func deleteBatch(ctx context.Context, c awsops.SQSAPI, queueURL string, chunk []Message) (deleted []string, kept []Message) {
	in := &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(queueURL)}
	for i, m := range chunk {
		in.Entries = append(in.Entries, types.DeleteMessageBatchRequestEntry{Id: aws.String("d" + strconv.Itoa(i)), ReceiptHandle: aws.String(m.ReceiptHandle)})
	}
	out, err := c.DeleteMessageBatch(ctx, in)
	if err != nil {
		return nil, chunk
	}
	ok := map[string]bool{}
	for _, s := range out.Successful {
		ok[aws.ToString(s.Id)] = true
	}
	for i, m := range chunk {
		if ok["d"+strconv.Itoa(i)] {
			deleted = append(deleted, m.MessageID)
		} else {
			kept = append(kept, m)
		}
	}
	return deleted, kept
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
