package sqsapi

import (
	"net/http"
	"strings"

	"github.com/yafdp/yafdp/internal/queue"
)

// queueOf resolves a QueueUrl by its path, /ACCOUNT/NAME, whatever its
// scheme and host: SDKs and proxies rewrite hosts, and a queue URL handed
// out as http://127.0.0.1:4566/... must still work as http://localhost:4566/...
func (h *Handler) queueOf(url *string) (*queue.Queue, error) {
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
	if !ok || account != h.b.AccountID() || name == "" || strings.IndexByte(name, '/') >= 0 {
		return nil, noQueue()
	}
	return h.b.Queue(name)
}

func noQueue() error {
	return withMessage(queue.ErrQueueDoesNotExist, "The specified queue does not exist.")
}

func (h *Handler) createQueue(_ *http.Request, body []byte, w *jsonWriter) error {
	var in createQueueInput
	if err := decode(body, &in); err != nil {
		return err
	}
	if in.QueueName == nil {
		return missing("QueueName")
	}
	q, err := h.b.CreateQueue(*in.QueueName, in.Attributes, in.Tags)
	if err != nil {
		return err
	}
	w.str("QueueUrl", q.URL())
	return nil
}

func (h *Handler) getQueueURL(_ *http.Request, body []byte, w *jsonWriter) error {
	var in getQueueURLInput
	if err := decode(body, &in); err != nil {
		return err
	}
	if in.QueueName == nil {
		return missing("QueueName")
	}
	if o := in.QueueOwnerAWSAccountID; o != nil && *o != h.b.AccountID() {
		return noQueue()
	}
	q, err := h.b.Queue(*in.QueueName)
	if err != nil {
		return err
	}
	w.str("QueueUrl", q.URL())
	return nil
}

func (h *Handler) listQueues(_ *http.Request, body []byte, w *jsonWriter) error {
	var in listQueuesInput
	if err := decode(body, &in); err != nil {
		return err
	}
	max := 0
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 1000 {
			return invalid("MaxResults", *in.MaxResults, "MaxResults must be an integer between 1 and 1000.")
		}
		max = *in.MaxResults
	}
	urls, next, err := h.b.ListQueues(deref(in.QueueNamePrefix), max, deref(in.NextToken))
	if err != nil {
		return err
	}
	if len(urls) > 0 {
		w.strList("QueueUrls", urls)
	}
	w.optStr("NextToken", next)
	return nil
}

func (h *Handler) deleteQueue(_ *http.Request, body []byte, _ *jsonWriter) error {
	var in queueURLInput
	if err := decode(body, &in); err != nil {
		return err
	}
	q, err := h.queueOf(in.QueueURL)
	if err != nil {
		return err
	}
	return h.b.DeleteQueue(q.Name())
}

func (h *Handler) getQueueAttributes(_ *http.Request, body []byte, w *jsonWriter) error {
	var in getQueueAttributesInput
	if err := decode(body, &in); err != nil {
		return err
	}
	q, err := h.queueOf(in.QueueURL)
	if err != nil {
		return err
	}
	attrs, err := q.Attributes(in.AttributeNames...)
	if err != nil {
		return err
	}
	if len(attrs) > 0 {
		w.strMap("Attributes", attrs)
	}
	return nil
}

func (h *Handler) setQueueAttributes(_ *http.Request, body []byte, _ *jsonWriter) error {
	var in setQueueAttributesInput
	if err := decode(body, &in); err != nil {
		return err
	}
	if in.Attributes == nil {
		return missing("Attributes")
	}
	q, err := h.queueOf(in.QueueURL)
	if err != nil {
		return err
	}
	return q.SetAttributes(in.Attributes)
}

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

// sendResult writes the members of a send's answer.
func sendResult(w *jsonWriter, out *queue.SendOutput) {
	w.str("MD5OfMessageBody", out.MD5OfMessageBody())
	w.optStr("MD5OfMessageAttributes", out.MD5OfMessageAttributes())
	w.optStr("MD5OfMessageSystemAttributes", out.MD5OfMessageSystemAttributes())
	w.str("MessageId", out.MessageID)
	w.optStr("SequenceNumber", out.SequenceNumber)
}

func (h *Handler) sendMessage(_ *http.Request, body []byte, w *jsonWriter) error {
	var in sendMessageInput
	if err := decode(body, &in); err != nil {
		return err
	}
	if in.MessageBody == nil {
		return missing("MessageBody")
	}
	q, err := h.queueOf(in.QueueURL)
	if err != nil {
		return err
	}
	out, err := q.Send(sendInput(&in.sendEntry))
	if err != nil {
		return err
	}
	sendResult(w, &out)
	return nil
}

func (h *Handler) sendMessageBatch(_ *http.Request, body []byte, w *jsonWriter) error {
	var in sendMessageBatchInput
	if err := decode(body, &in); err != nil {
		return err
	}
	if in.Entries == nil {
		return missing("Entries")
	}
	q, err := h.queueOf(in.QueueURL)
	if err != nil {
		return err
	}
	entries := make([]queue.SendBatchEntry, len(in.Entries))
	for i := range in.Entries {
		e := &in.Entries[i]
		entries[i] = queue.SendBatchEntry{ID: deref(e.ID), SendInput: sendInput(e)}
	}
	out, err := q.SendBatch(entries)
	if err != nil {
		return err
	}
	w.open("Successful", '[')
	for i := range out.Successful {
		s := &out.Successful[i]
		w.elem()
		w.str("Id", s.ID)
		sendResult(w, &s.SendOutput)
		w.close('}')
	}
	w.close(']')
	writeFailed(w, out.Failed)
	return nil
}

func writeFailed(w *jsonWriter, failed []queue.BatchError) {
	w.open("Failed", '[')
	for _, f := range failed {
		w.elem()
		w.str("Id", f.ID)
		w.bool("SenderFault", f.SenderFault)
		w.str("Code", f.Code)
		w.optStr("Message", f.Message)
		w.close('}')
	}
	w.close(']')
}

func writeSuccessful(w *jsonWriter, ids []string) {
	w.open("Successful", '[')
	for _, id := range ids {
		w.elem()
		w.str("Id", id)
		w.close('}')
	}
	w.close(']')
}

func (h *Handler) receiveMessage(r *http.Request, body []byte, w *jsonWriter) error {
	var in receiveMessageInput
	if err := decode(body, &in); err != nil {
		return err
	}
	q, err := h.queueOf(in.QueueURL)
	if err != nil {
		return err
	}
	ri := queue.ReceiveInput{
		VisibilityTimeout:       in.VisibilityTimeout,
		WaitTimeSeconds:         in.WaitTimeSeconds,
		MessageAttributeNames:   in.MessageAttributeNames,
		ReceiveRequestAttemptID: deref(in.ReceiveRequestAttemptID),
	}
	if n := in.MaxNumberOfMessages; n != nil {
		if *n < 1 || *n > queue.MaxBatchEntries {
			return invalid("MaxNumberOfMessages", *n, "Must be between 1 and 10, if provided.")
		}
		ri.MaxNumberOfMessages = *n
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
	msgs, err := q.ReceiveWait(r.Context(), ri)
	if err != nil && len(msgs) == 0 {
		if r.Context().Err() != nil {
			// The client is gone; nobody reads the answer.
			return nil
		}
		return err
	}
	if len(msgs) == 0 {
		return nil
	}
	w.open("Messages", '[')
	for i := range msgs {
		writeMessage(w, &msgs[i])
	}
	w.close(']')
	return nil
}

func writeMessage(w *jsonWriter, m *queue.Message) {
	w.elem()
	w.str("MessageId", m.MessageID)
	w.str("ReceiptHandle", m.ReceiptHandle)
	w.str("MD5OfBody", m.MD5OfBody())
	w.str("Body", m.Body)
	if len(m.Attributes) > 0 {
		w.strMap("Attributes", m.Attributes)
	}
	if len(m.MessageAttributes) > 0 {
		w.str("MD5OfMessageAttributes", m.MD5OfMessageAttributes())
		w.open("MessageAttributes", '{')
		for _, name := range sortedKeys(m.MessageAttributes) {
			a := m.MessageAttributes[name]
			w.open(name, '{')
			if strings.HasPrefix(a.DataType, "Binary") {
				w.blob("BinaryValue", a.BinaryValue)
			} else {
				w.str("StringValue", a.StringValue)
			}
			w.str("DataType", a.DataType)
			w.close('}')
		}
		w.close('}')
	}
	w.close('}')
}

func (h *Handler) deleteMessage(_ *http.Request, body []byte, _ *jsonWriter) error {
	var in deleteMessageInput
	if err := decode(body, &in); err != nil {
		return err
	}
	if in.ReceiptHandle == nil {
		return missing("ReceiptHandle")
	}
	q, err := h.queueOf(in.QueueURL)
	if err != nil {
		return err
	}
	return q.Delete(*in.ReceiptHandle)
}

func (h *Handler) deleteMessageBatch(_ *http.Request, body []byte, w *jsonWriter) error {
	var in batchInput
	if err := decode(body, &in); err != nil {
		return err
	}
	if in.Entries == nil {
		return missing("Entries")
	}
	q, err := h.queueOf(in.QueueURL)
	if err != nil {
		return err
	}
	entries := make([]queue.DeleteBatchEntry, len(in.Entries))
	for i, e := range in.Entries {
		entries[i] = queue.DeleteBatchEntry{ID: deref(e.ID), ReceiptHandle: deref(e.ReceiptHandle)}
	}
	out, err := q.DeleteBatch(entries)
	if err != nil {
		return err
	}
	writeSuccessful(w, out.Successful)
	writeFailed(w, out.Failed)
	return nil
}

func (h *Handler) changeMessageVisibility(_ *http.Request, body []byte, _ *jsonWriter) error {
	var in changeVisibilityInput
	if err := decode(body, &in); err != nil {
		return err
	}
	if in.ReceiptHandle == nil {
		return missing("ReceiptHandle")
	}
	if in.VisibilityTimeout == nil {
		return missing("VisibilityTimeout")
	}
	q, err := h.queueOf(in.QueueURL)
	if err != nil {
		return err
	}
	if v := *in.VisibilityTimeout; v < 0 || v > 43200 {
		return invalid("VisibilityTimeout", v, "Must be between 0 and 43200, if provided.")
	}
	return q.ChangeVisibility(*in.ReceiptHandle, *in.VisibilityTimeout)
}

func (h *Handler) changeMessageVisibilityBatch(_ *http.Request, body []byte, w *jsonWriter) error {
	var in batchInput
	if err := decode(body, &in); err != nil {
		return err
	}
	if in.Entries == nil {
		return missing("Entries")
	}
	q, err := h.queueOf(in.QueueURL)
	if err != nil {
		return err
	}
	entries := make([]queue.VisibilityBatchEntry, len(in.Entries))
	for i, e := range in.Entries {
		vt := 0
		if e.VisibilityTimeout != nil {
			vt = *e.VisibilityTimeout
		}
		entries[i] = queue.VisibilityBatchEntry{ID: deref(e.ID), ReceiptHandle: deref(e.ReceiptHandle), VisibilityTimeout: vt}
	}
	out, err := q.ChangeVisibilityBatch(entries)
	if err != nil {
		return err
	}
	writeSuccessful(w, out.Successful)
	writeFailed(w, out.Failed)
	return nil
}

func (h *Handler) purgeQueue(_ *http.Request, body []byte, _ *jsonWriter) error {
	var in queueURLInput
	if err := decode(body, &in); err != nil {
		return err
	}
	q, err := h.queueOf(in.QueueURL)
	if err != nil {
		return err
	}
	return q.Purge()
}

func (h *Handler) listDeadLetterSourceQueues(_ *http.Request, body []byte, w *jsonWriter) error {
	var in listDeadLetterSourceQueuesInput
	if err := decode(body, &in); err != nil {
		return err
	}
	q, err := h.queueOf(in.QueueURL)
	if err != nil {
		return err
	}
	max := 0
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 1000 {
			return invalid("MaxResults", *in.MaxResults, "MaxResults must be an integer between 1 and 1000.")
		}
		max = *in.MaxResults
	}
	urls, next, err := h.b.ListDeadLetterSourceQueues(q.Name(), max, deref(in.NextToken))
	if err != nil {
		return err
	}
	w.strList("queueUrls", urls)
	w.optStr("NextToken", next)
	return nil
}

func (h *Handler) startMessageMoveTask(_ *http.Request, body []byte, w *jsonWriter) error {
	var in startMessageMoveTaskInput
	if err := decode(body, &in); err != nil {
		return err
	}
	if in.SourceArn == nil {
		return missing("SourceArn")
	}
	mi := queue.MoveTaskInput{SourceARN: *in.SourceArn, DestinationARN: deref(in.DestinationArn)}
	if r := in.MaxNumberOfMessagesPerSecond; r != nil {
		if *r < 1 || *r > queue.DefaultMoveRate {
			return invalid("MaxNumberOfMessagesPerSecond", *r, "Must be between 1 and 500.")
		}
		mi.MaxNumberOfMessagesPerSecond = *r
	}
	handle, err := h.b.StartMessageMoveTask(mi)
	if err != nil {
		return err
	}
	w.str("TaskHandle", handle)
	return nil
}

func (h *Handler) listMessageMoveTasks(_ *http.Request, body []byte, w *jsonWriter) error {
	var in listMessageMoveTasksInput
	if err := decode(body, &in); err != nil {
		return err
	}
	if in.SourceArn == nil {
		return missing("SourceArn")
	}
	max := 0
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 10 {
			return invalid("MaxResults", *in.MaxResults, "You must enter a number that's between 1 and 10.")
		}
		max = *in.MaxResults
	}
	tasks, err := h.b.ListMessageMoveTasks(*in.SourceArn, max)
	if err != nil {
		return err
	}
	w.open("Results", '[')
	for _, t := range tasks {
		w.elem()
		w.optStr("TaskHandle", t.TaskHandle)
		w.str("Status", t.Status)
		w.str("SourceArn", t.SourceARN)
		w.optStr("DestinationArn", t.DestinationARN)
		if t.MaxNumberOfMessagesPerSecond > 0 {
			w.int("MaxNumberOfMessagesPerSecond", int64(t.MaxNumberOfMessagesPerSecond))
		}
		w.int("ApproximateNumberOfMessagesMoved", t.ApproximateNumberOfMessagesMoved)
		w.int("ApproximateNumberOfMessagesToMove", t.ApproximateNumberOfMessagesToMove)
		w.optStr("FailureReason", t.FailureReason)
		w.int("StartedTimestamp", t.StartedTimestamp.UnixMilli())
		w.close('}')
	}
	w.close(']')
	return nil
}

func (h *Handler) cancelMessageMoveTask(_ *http.Request, body []byte, w *jsonWriter) error {
	var in cancelMessageMoveTaskInput
	if err := decode(body, &in); err != nil {
		return err
	}
	if in.TaskHandle == nil {
		return missing("TaskHandle")
	}
	moved, err := h.b.CancelMessageMoveTask(*in.TaskHandle)
	if err != nil {
		return err
	}
	w.int("ApproximateNumberOfMessagesMoved", moved)
	return nil
}

func (h *Handler) tagQueue(_ *http.Request, body []byte, _ *jsonWriter) error {
	var in tagQueueInput
	if err := decode(body, &in); err != nil {
		return err
	}
	if in.Tags == nil {
		return missing("Tags")
	}
	q, err := h.queueOf(in.QueueURL)
	if err != nil {
		return err
	}
	return q.Tag(in.Tags)
}

func (h *Handler) untagQueue(_ *http.Request, body []byte, _ *jsonWriter) error {
	var in untagQueueInput
	if err := decode(body, &in); err != nil {
		return err
	}
	if in.TagKeys == nil {
		return missing("TagKeys")
	}
	q, err := h.queueOf(in.QueueURL)
	if err != nil {
		return err
	}
	return q.Untag(in.TagKeys)
}

func (h *Handler) listQueueTags(_ *http.Request, body []byte, w *jsonWriter) error {
	var in queueURLInput
	if err := decode(body, &in); err != nil {
		return err
	}
	q, err := h.queueOf(in.QueueURL)
	if err != nil {
		return err
	}
	if tags := q.Tags(); len(tags) > 0 {
		w.strMap("Tags", tags)
	}
	return nil
}
