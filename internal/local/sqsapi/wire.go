package sqsapi

import "github.com/yafdp/yafdp/internal/queue"

// The request shapes of the SQS API reference (JSON protocol), member for
// member. Optional numbers are pointers so that an explicit 0 can be told
// from an absent member; binary values are []byte, which encoding/json
// decodes from base64 as the protocol sends them.

type attributeValue struct {
	DataType    *string  `json:"DataType"`
	StringValue *string  `json:"StringValue"`
	BinaryValue []byte   `json:"BinaryValue"`
	StringList  []string `json:"StringListValues"`
	BinaryList  [][]byte `json:"BinaryListValues"`
}

type createQueueInput struct {
	QueueName  *string           `json:"QueueName"`
	Attributes map[string]string `json:"Attributes"`
	Tags       map[string]string `json:"tags"`
}

type getQueueURLInput struct {
	QueueName              *string `json:"QueueName"`
	QueueOwnerAWSAccountID *string `json:"QueueOwnerAWSAccountId"`
}

type listQueuesInput struct {
	QueueNamePrefix *string `json:"QueueNamePrefix"`
	NextToken       *string `json:"NextToken"`
	MaxResults      *int    `json:"MaxResults"`
}

// queueRef is a request addressed to one queue with nothing but its
// QueueUrl. The requests with more members have their QueueUrl as a member
// of their own, not an embedded queueRef, which encoding/json would name
// in its errors (and allocate for).
type queueRef struct {
	QueueURL *string `json:"QueueUrl"`
}

func (in *queueRef) queueURL() *string { return in.QueueURL }

type getQueueAttributesInput struct {
	QueueURL       *string  `json:"QueueUrl"`
	AttributeNames []string `json:"AttributeNames"`
}

func (in *getQueueAttributesInput) queueURL() *string { return in.QueueURL }

type setQueueAttributesInput struct {
	QueueURL   *string           `json:"QueueUrl"`
	Attributes map[string]string `json:"Attributes"`
}

func (in *setQueueAttributesInput) queueURL() *string { return in.QueueURL }

type sendMessageInput struct {
	QueueURL *string `json:"QueueUrl"`
	sendEntry
}

func (in *sendMessageInput) queueURL() *string { return in.QueueURL }

type sendEntry struct {
	ID                      *string                   `json:"Id"`
	MessageBody             *string                   `json:"MessageBody"`
	DelaySeconds            *int                      `json:"DelaySeconds"`
	MessageAttributes       map[string]attributeValue `json:"MessageAttributes"`
	MessageSystemAttributes map[string]attributeValue `json:"MessageSystemAttributes"`
	MessageDeduplicationID  *string                   `json:"MessageDeduplicationId"`
	MessageGroupID          *string                   `json:"MessageGroupId"`
}

type sendMessageBatchInput struct {
	QueueURL *string     `json:"QueueUrl"`
	Entries  []sendEntry `json:"Entries"`
}

func (in *sendMessageBatchInput) queueURL() *string { return in.QueueURL }

type receiveMessageInput struct {
	QueueURL                    *string  `json:"QueueUrl"`
	AttributeNames              []string `json:"AttributeNames"`
	MessageSystemAttributeNames []string `json:"MessageSystemAttributeNames"`
	MessageAttributeNames       []string `json:"MessageAttributeNames"`
	MaxNumberOfMessages         *int     `json:"MaxNumberOfMessages"`
	VisibilityTimeout           *int     `json:"VisibilityTimeout"`
	WaitTimeSeconds             *int     `json:"WaitTimeSeconds"`
	ReceiveRequestAttemptID     *string  `json:"ReceiveRequestAttemptId"`
}

func (in *receiveMessageInput) queueURL() *string { return in.QueueURL }

type deleteMessageInput struct {
	QueueURL      *string `json:"QueueUrl"`
	ReceiptHandle *string `json:"ReceiptHandle"`
}

func (in *deleteMessageInput) queueURL() *string { return in.QueueURL }

type batchEntry struct {
	ID                *string `json:"Id"`
	ReceiptHandle     *string `json:"ReceiptHandle"`
	VisibilityTimeout *int    `json:"VisibilityTimeout"`
}

type batchInput struct {
	QueueURL *string      `json:"QueueUrl"`
	Entries  []batchEntry `json:"Entries"`
}

func (in *batchInput) queueURL() *string { return in.QueueURL }

type changeVisibilityInput struct {
	QueueURL          *string `json:"QueueUrl"`
	ReceiptHandle     *string `json:"ReceiptHandle"`
	VisibilityTimeout *int    `json:"VisibilityTimeout"`
}

func (in *changeVisibilityInput) queueURL() *string { return in.QueueURL }

type listDeadLetterSourceQueuesInput struct {
	QueueURL   *string `json:"QueueUrl"`
	NextToken  *string `json:"NextToken"`
	MaxResults *int    `json:"MaxResults"`
}

func (in *listDeadLetterSourceQueuesInput) queueURL() *string { return in.QueueURL }

type startMessageMoveTaskInput struct {
	SourceArn                    *string `json:"SourceArn"`
	DestinationArn               *string `json:"DestinationArn"`
	MaxNumberOfMessagesPerSecond *int    `json:"MaxNumberOfMessagesPerSecond"`
}

type listMessageMoveTasksInput struct {
	SourceArn  *string `json:"SourceArn"`
	MaxResults *int    `json:"MaxResults"`
}

type cancelMessageMoveTaskInput struct {
	TaskHandle *string `json:"TaskHandle"`
}

type tagQueueInput struct {
	QueueURL *string           `json:"QueueUrl"`
	Tags     map[string]string `json:"Tags"`
}

func (in *tagQueueInput) queueURL() *string { return in.QueueURL }

type untagQueueInput struct {
	QueueURL *string  `json:"QueueUrl"`
	TagKeys  []string `json:"TagKeys"`
}

func (in *untagQueueInput) queueURL() *string { return in.QueueURL }

// deref returns *p, or "" when p is nil.
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// attributes converts message attributes to the model's. A data type left
// out becomes "", which the model rejects with AWS's message.
func attributes(in map[string]attributeValue) map[string]queue.MessageAttributeValue {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]queue.MessageAttributeValue, len(in))
	for k, v := range in {
		out[k] = queue.MessageAttributeValue{DataType: deref(v.DataType), StringValue: deref(v.StringValue), BinaryValue: v.BinaryValue}
	}
	return out
}
