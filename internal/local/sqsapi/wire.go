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

// queueRef is the QueueUrl of a request addressed to one queue.
type queueRef struct {
	QueueURL *string `json:"QueueUrl"`
}

func (r *queueRef) queueURL() *string { return r.QueueURL }

type getQueueAttributesInput struct {
	queueRef
	AttributeNames []string `json:"AttributeNames"`
}

type setQueueAttributesInput struct {
	queueRef
	Attributes map[string]string `json:"Attributes"`
}

type sendMessageInput struct {
	queueRef
	sendEntry
}

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
	queueRef
	Entries []sendEntry `json:"Entries"`
}

type receiveMessageInput struct {
	queueRef
	AttributeNames              []string `json:"AttributeNames"`
	MessageSystemAttributeNames []string `json:"MessageSystemAttributeNames"`
	MessageAttributeNames       []string `json:"MessageAttributeNames"`
	MaxNumberOfMessages         *int     `json:"MaxNumberOfMessages"`
	VisibilityTimeout           *int     `json:"VisibilityTimeout"`
	WaitTimeSeconds             *int     `json:"WaitTimeSeconds"`
	ReceiveRequestAttemptID     *string  `json:"ReceiveRequestAttemptId"`
}

type deleteMessageInput struct {
	queueRef
	ReceiptHandle *string `json:"ReceiptHandle"`
}

type batchEntry struct {
	ID                *string `json:"Id"`
	ReceiptHandle     *string `json:"ReceiptHandle"`
	VisibilityTimeout *int    `json:"VisibilityTimeout"`
}

type batchInput struct {
	queueRef
	Entries []batchEntry `json:"Entries"`
}

type changeVisibilityInput struct {
	queueRef
	ReceiptHandle     *string `json:"ReceiptHandle"`
	VisibilityTimeout *int    `json:"VisibilityTimeout"`
}

type listDeadLetterSourceQueuesInput struct {
	queueRef
	NextToken  *string `json:"NextToken"`
	MaxResults *int    `json:"MaxResults"`
}

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
	queueRef
	Tags map[string]string `json:"Tags"`
}

type untagQueueInput struct {
	queueRef
	TagKeys []string `json:"TagKeys"`
}

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
