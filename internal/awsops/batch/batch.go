package batch

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// SQS batch limits.
const (
	// MaxEntries is the most entries one SendMessageBatch takes.
	MaxEntries = 10
	// MaxBytes is the most bytes (bodies and attributes) one
	// SendMessageBatch takes, and the largest single message.
	MaxBytes = 1 << 20
)

// Message is one message to send, with everything SendMessageBatch needs
// to reproduce it exactly.
type Message struct {
	Body       string
	Attributes map[string]types.MessageAttributeValue
	System     map[string]types.MessageSystemAttributeValue
	// GroupID and DedupID are the FIFO MessageGroupId and
	// MessageDeduplicationId.
	GroupID string
	DedupID string
}

// Size is the message's size as SQS counts it against the 1 MiB limits:
// the body plus each attribute's name, data type and value.
func (m *Message) Size() int {
	n := len(m.Body)
	for k, v := range m.Attributes {
		n += len(k) + len(aws.ToString(v.DataType)) + len(aws.ToString(v.StringValue)) + len(v.BinaryValue)
	}
	for k, v := range m.System {
		n += len(k) + len(aws.ToString(v.DataType)) + len(aws.ToString(v.StringValue)) + len(v.BinaryValue)
	}
	return n
}

// Split groups message indexes into batches within the entry and byte
// limits, in order.
func Split(msgs []Message, idx []int) [][]int { return SplitAtMost(msgs, idx, MaxEntries) }

// SplitAtMost is Split with at most entries messages a batch (1 to
// MaxEntries): a slow rate sends small batches, so that pacing starts with
// the first message.
func SplitAtMost(msgs []Message, idx []int, entries int) [][]int {
	entries = min(max(entries, 1), MaxEntries)
	var out [][]int
	var cur []int
	bytes := 0
	for _, i := range idx {
		sz := msgs[i].Size()
		if len(cur) == entries || (len(cur) > 0 && bytes+sz > MaxBytes) {
			out = append(out, cur)
			cur, bytes = nil, 0
		}
		cur = append(cur, i)
		bytes += sz
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// Outcome is what became of one message.
type Outcome struct {
	MessageID string
	// Err says why the message was not sent; empty when it was.
	Err      string
	Attempts int
	// InDoubt: the last call that carried the message got no answer (it
	// timed out, or Ctrl-C cut it short): SQS may have accepted it.
	InDoubt bool
}

// Sent reports whether SQS accepted the message.
func (o Outcome) Sent() bool { return o.MessageID != "" }
