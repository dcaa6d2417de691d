package sqsapi

import (
	"strings"

	"github.com/yafdp/yafdp/internal/queue"
)

// The encode steps of the operations: each writes a call's result as the
// members of the answer (see encode.go for the writer).

func writeQueueURL(w *jsonWriter, q *queue.Queue) { w.str("QueueUrl", q.URL()) }

// writeString writes a result as the string member key.
func writeString(key string) func(*jsonWriter, string) {
	return func(w *jsonWriter, v string) { w.str(key, v) }
}

// writeInt writes a result as the number member key.
func writeInt(key string) func(*jsonWriter, int64) {
	return func(w *jsonWriter, v int64) { w.int(key, v) }
}

// writeMap writes a result as the map member key, left out when empty.
func writeMap(key string) func(*jsonWriter, map[string]string) {
	return func(w *jsonWriter, m map[string]string) {
		if len(m) > 0 {
			w.strMap(key, m)
		}
	}
}

// writePage writes a page of queue URLs as the list member key (left out
// when empty unless always) and its NextToken.
func writePage(key string, always bool) func(*jsonWriter, page) {
	return func(w *jsonWriter, p page) {
		if always || len(p.urls) > 0 {
			w.strList(key, p.urls)
		}
		w.optStr("NextToken", p.next)
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

func writeSendOutput(w *jsonWriter, out queue.SendOutput) { sendResult(w, &out) }

func writeSendBatchOutput(w *jsonWriter, out queue.SendBatchOutput) {
	objects(w, "Successful", out.Successful, func(w *jsonWriter, s *queue.SendBatchResult) {
		w.str("Id", s.ID)
		sendResult(w, &s.SendOutput)
	})
	writeFailed(w, out.Failed)
}

func writeBatchOutput(w *jsonWriter, out queue.BatchOutput) {
	objects(w, "Successful", out.Successful, func(w *jsonWriter, id *string) { w.str("Id", *id) })
	writeFailed(w, out.Failed)
}

func writeFailed(w *jsonWriter, failed []queue.BatchError) {
	objects(w, "Failed", failed, func(w *jsonWriter, f *queue.BatchError) {
		w.str("Id", f.ID)
		w.bool("SenderFault", f.SenderFault)
		w.str("Code", f.Code)
		w.optStr("Message", f.Message)
	})
}

// writeMessages writes the messages received, the member left out when
// there are none.
func writeMessages(w *jsonWriter, msgs []queue.Message) {
	if len(msgs) > 0 {
		objects(w, "Messages", msgs, writeMessage)
	}
}

func writeMessage(w *jsonWriter, m *queue.Message) {
	w.str("MessageId", m.MessageID)
	w.str("ReceiptHandle", m.ReceiptHandle)
	w.str("MD5OfBody", m.MD5OfBody())
	w.str("Body", m.Body)
	if len(m.Attributes) > 0 {
		w.strMap("Attributes", m.Attributes)
	}
	if len(m.MessageAttributes) == 0 {
		return
	}
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

func writeMoveTasks(w *jsonWriter, tasks []queue.MoveTask) {
	objects(w, "Results", tasks, func(w *jsonWriter, t *queue.MoveTask) {
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
	})
}
