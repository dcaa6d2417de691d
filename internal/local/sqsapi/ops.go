package sqsapi

import (
	"cmp"
	"strings"

	"github.com/yafdp/yafdp/internal/queue"
)

// operations are the SQS actions served, each its request shape, its
// checks in the order SQS makes them, its call and its answer (see op and
// queueOp).
var operations = map[string]operation{
	"CreateQueue": op(func(in *createQueueInput) error { return required(in.QueueName != nil, "QueueName") },
		func(t target, in *createQueueInput) (*queue.Queue, error) {
			return t.b.CreateQueue(*in.QueueName, in.Attributes, in.Tags)
		}, writeQueueURL),
	"GetQueueUrl": op(func(in *getQueueURLInput) error { return required(in.QueueName != nil, "QueueName") },
		getQueueURL, writeQueueURL),
	"ListQueues": op(func(in *listQueuesInput) error { return checkMaxResults(in.MaxResults) },
		func(t target, in *listQueuesInput) (page, error) {
			return pageOf(t.b.ListQueues(deref(in.QueueNamePrefix), orZero(in.MaxResults), deref(in.NextToken)))
		}, writePage("QueueUrls", false)),
	"DeleteQueue": queueOp(nil, nil,
		noAnswer(func(t target, _ *queueRef) error { return t.b.DeleteQueue(t.q.Name()) }), nil),
	"GetQueueAttributes": queueOp(nil, nil,
		func(t target, in *getQueueAttributesInput) (map[string]string, error) {
			return t.q.Attributes(in.AttributeNames...)
		},
		writeMap("Attributes")),
	"SetQueueAttributes": queueOp(func(in *setQueueAttributesInput) error { return required(in.Attributes != nil, "Attributes") }, nil,
		noAnswer(func(t target, in *setQueueAttributesInput) error { return t.q.SetAttributes(in.Attributes) }), nil),
	"SendMessage": queueOp(func(in *sendMessageInput) error { return required(in.MessageBody != nil, "MessageBody") }, nil,
		func(t target, in *sendMessageInput) (queue.SendOutput, error) {
			return t.q.Send(sendInput(&in.sendEntry))
		},
		writeSendOutput),
	"SendMessageBatch": queueOp(func(in *sendMessageBatchInput) error { return required(in.Entries != nil, "Entries") }, nil,
		sendMessageBatch, writeSendBatchOutput),
	"ReceiveMessage": queueOp(nil, func(in *receiveMessageInput) error {
		return between("MaxNumberOfMessages", in.MaxNumberOfMessages, 1, queue.MaxBatchEntries, "Must be between 1 and 10, if provided.")
	}, receiveMessage, writeMessages),
	"DeleteMessage": queueOp(func(in *deleteMessageInput) error { return required(in.ReceiptHandle != nil, "ReceiptHandle") }, nil,
		noAnswer(func(t target, in *deleteMessageInput) error { return t.q.Delete(*in.ReceiptHandle) }), nil),
	"DeleteMessageBatch": queueOp(needEntries, nil, deleteMessageBatch, writeBatchOutput),
	"ChangeMessageVisibility": queueOp(func(in *changeVisibilityInput) error {
		return cmp.Or(required(in.ReceiptHandle != nil, "ReceiptHandle"), required(in.VisibilityTimeout != nil, "VisibilityTimeout"))
	}, func(in *changeVisibilityInput) error {
		return between("VisibilityTimeout", in.VisibilityTimeout, 0, 43200, "Must be between 0 and 43200, if provided.")
	}, noAnswer(func(t target, in *changeVisibilityInput) error {
		return t.q.ChangeVisibility(*in.ReceiptHandle, *in.VisibilityTimeout)
	}), nil),
	"ChangeMessageVisibilityBatch": queueOp(needEntries, nil, changeMessageVisibilityBatch, writeBatchOutput),
	"PurgeQueue":                   queueOp(nil, nil, noAnswer(func(t target, _ *queueRef) error { return t.q.Purge() }), nil),
	"ListDeadLetterSourceQueues": queueOp(nil, func(in *listDeadLetterSourceQueuesInput) error { return checkMaxResults(in.MaxResults) },
		func(t target, in *listDeadLetterSourceQueuesInput) (page, error) {
			return pageOf(t.b.ListDeadLetterSourceQueues(t.q.Name(), orZero(in.MaxResults), deref(in.NextToken)))
		}, writePage("queueUrls", true)),
	"StartMessageMoveTask": op(func(in *startMessageMoveTaskInput) error {
		return cmp.Or(required(in.SourceArn != nil, "SourceArn"),
			between("MaxNumberOfMessagesPerSecond", in.MaxNumberOfMessagesPerSecond, 1, queue.DefaultMoveRate, "Must be between 1 and 500."))
	}, func(t target, in *startMessageMoveTaskInput) (string, error) {
		return t.b.StartMessageMoveTask(queue.MoveTaskInput{SourceARN: *in.SourceArn, DestinationARN: deref(in.DestinationArn),
			MaxNumberOfMessagesPerSecond: orZero(in.MaxNumberOfMessagesPerSecond)})
	}, writeString("TaskHandle")),
	"ListMessageMoveTasks": op(func(in *listMessageMoveTasksInput) error {
		return cmp.Or(required(in.SourceArn != nil, "SourceArn"),
			between("MaxResults", in.MaxResults, 1, 10, "You must enter a number that's between 1 and 10."))
	}, func(t target, in *listMessageMoveTasksInput) ([]queue.MoveTask, error) {
		return t.b.ListMessageMoveTasks(*in.SourceArn, orZero(in.MaxResults))
	}, writeMoveTasks),
	"CancelMessageMoveTask": op(func(in *cancelMessageMoveTaskInput) error { return required(in.TaskHandle != nil, "TaskHandle") },
		func(t target, in *cancelMessageMoveTaskInput) (int64, error) {
			return t.b.CancelMessageMoveTask(*in.TaskHandle)
		},
		writeInt("ApproximateNumberOfMessagesMoved")),
	"TagQueue": queueOp(func(in *tagQueueInput) error { return required(in.Tags != nil, "Tags") }, nil,
		noAnswer(func(t target, in *tagQueueInput) error { return t.q.Tag(in.Tags) }), nil),
	"UntagQueue": queueOp(func(in *untagQueueInput) error { return required(in.TagKeys != nil, "TagKeys") }, nil,
		noAnswer(func(t target, in *untagQueueInput) error { return t.q.Untag(in.TagKeys) }), nil),
	"ListQueueTags": queueOp(nil, nil,
		func(t target, _ *queueRef) (map[string]string, error) { return t.q.Tags(), nil },
		writeMap("Tags")),
}

// queueOf resolves a QueueUrl by its path, /ACCOUNT/NAME, whatever its
// scheme and host: SDKs and proxies rewrite hosts, and a queue URL handed
// out as http://127.0.0.1:4566/... must still work as http://localhost:4566/...
func queueOf(b *queue.Broker, url *string) (*queue.Queue, error) {
	if url == nil {
		return nil, missing("QueueUrl")
	}
	path := *url
	if i := strings.Index(path, "://"); i >= 0 {
		path = path[i+3:]
		j := strings.IndexByte(path, '/')
		if j < 0 {
			return nil, noQueue()
		}
		path = path[j:]
	}
	path = strings.TrimSuffix(strings.TrimPrefix(path, "/"), "/")
	account, name, ok := strings.Cut(path, "/")
	if !ok || account != b.AccountID() || name == "" || strings.IndexByte(name, '/') >= 0 {
		return nil, noQueue()
	}
	return b.Queue(name)
}

func noQueue() error {
	return withMessage(queue.ErrQueueDoesNotExist, "The specified queue does not exist.")
}

func getQueueURL(t target, in *getQueueURLInput) (*queue.Queue, error) {
	if o := in.QueueOwnerAWSAccountID; o != nil && *o != t.b.AccountID() {
		return nil, noQueue()
	}
	return t.b.Queue(*in.QueueName)
}

// checkMaxResults checks the MaxResults of the queue listings.
func checkMaxResults(n *int) error {
	return between("MaxResults", n, 1, 1000, "MaxResults must be an integer between 1 and 1000.")
}

// needEntries checks that a batch of receipt handles has its Entries.
func needEntries(in *batchInput) error { return required(in.Entries != nil, "Entries") }

// sendInput converts one message to send. A missing body is "", which the
// model answers with MissingParameter.
func sendInput(e *sendEntry) queue.SendInput {
	return queue.SendInput{
		Body:                    deref(e.MessageBody),
		DelaySeconds:            e.DelaySeconds,
		MessageAttributes:       attributes(e.MessageAttributes),
		MessageSystemAttributes: attributes(e.MessageSystemAttributes),
		MessageGroupID:          deref(e.MessageGroupID),
		MessageDeduplicationID:  deref(e.MessageDeduplicationID),
	}
}

func sendMessageBatch(t target, in *sendMessageBatchInput) (queue.SendBatchOutput, error) {
	entries := make([]queue.SendBatchEntry, len(in.Entries))
	for i := range in.Entries {
		e := &in.Entries[i]
		entries[i] = queue.SendBatchEntry{ID: deref(e.ID), SendInput: sendInput(e)}
	}
	return t.q.SendBatch(entries)
}

func receiveMessage(t target, in *receiveMessageInput) ([]queue.Message, error) {
	ri := queue.ReceiveInput{
		VisibilityTimeout:       in.VisibilityTimeout,
		WaitTimeSeconds:         in.WaitTimeSeconds,
		MessageAttributeNames:   in.MessageAttributeNames,
		ReceiveRequestAttemptID: deref(in.ReceiveRequestAttemptID),
		MaxNumberOfMessages:     orZero(in.MaxNumberOfMessages),
	}
	// The older AttributeNames and the newer MessageSystemAttributeNames
	// ask for the same system attributes; SQS honours both.
	switch {
	case len(in.AttributeNames) == 0:
		ri.AttributeNames = in.MessageSystemAttributeNames
	case len(in.MessageSystemAttributeNames) == 0:
		ri.AttributeNames = in.AttributeNames
	default:
		ri.AttributeNames = append(append([]string(nil), in.AttributeNames...), in.MessageSystemAttributeNames...)
	}
	msgs, err := t.q.ReceiveWait(t.ctx, ri)
	if err != nil && len(msgs) == 0 {
		if t.ctx.Err() != nil {
			// The client is gone; nobody reads the answer.
			return nil, nil
		}
		return nil, err
	}
	return msgs, nil
}

func deleteMessageBatch(t target, in *batchInput) (queue.BatchOutput, error) {
	entries := make([]queue.DeleteBatchEntry, len(in.Entries))
	for i, e := range in.Entries {
		entries[i] = queue.DeleteBatchEntry{ID: deref(e.ID), ReceiptHandle: deref(e.ReceiptHandle)}
	}
	return t.q.DeleteBatch(entries)
}

func changeMessageVisibilityBatch(t target, in *batchInput) (queue.BatchOutput, error) {
	entries := make([]queue.VisibilityBatchEntry, len(in.Entries))
	for i, e := range in.Entries {
		entries[i] = queue.VisibilityBatchEntry{ID: deref(e.ID), ReceiptHandle: deref(e.ReceiptHandle), VisibilityTimeout: orZero(e.VisibilityTimeout)}
	}
	return t.q.ChangeVisibilityBatch(entries)
}

// page is one page of a listing of queue URLs.
type page struct {
	urls []string
	next string
}

func pageOf(urls []string, next string, err error) (page, error) { return page{urls, next}, err }
