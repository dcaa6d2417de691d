package redrive

import (
	"encoding/json"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/batch"
	"github.com/yafdp/yafdp/internal/awsops/dlq"
	"github.com/yafdp/yafdp/internal/awsops/filter"
	"github.com/yafdp/yafdp/internal/input"
)

// action is what a copy run does with one message it received.
type action int

const (
	// hideAgain: this run holds the message already (its hold ran out
	// during a long run): hide it again.
	hideAgain action = iota
	// deleteOnly: an earlier run sent it (per the journal): delete it.
	deleteOnly
	// leave: it was sent after the run began (a copy that failed back, or
	// a newer message): leave it for the next run.
	leave
	// skip: the filter does not match it.
	skip
	// release: Max is reached: make it visible again now.
	release
	// plan: a dry run lists it.
	plan
	// send: send its copy.
	send
	// fail: it cannot be moved; it stays, with why.
	fail
)

// decision is what to do with one message.
type decision struct {
	action action
	// target and copy are where and what to send (plan, send).
	target *target
	copy   batch.Message
	// resend: an earlier run may have sent it already (send).
	resend bool
	// reason says why it cannot be moved (fail).
	reason input.Message
}

// target is a queue messages go to.
type target struct {
	queue        awsops.Queue
	contentDedup bool
}

// known is what a copy run knows of a message when it decides. The two
// functions reach out of the decision: claim takes one of Max's places
// (false when none is left), target finds where the message goes (an AWS
// call the first time for each queue). decide calls them only when it
// gets that far, in that order.
type known struct {
	held            bool
	sent, uncertain bool // from the journal
	start, now      time.Time
	filter          *filter.Filter
	dryRun          bool
	claim           func() bool
	target          func() (*target, error)
}

// decide says what a copy run does with a message it received. It has no
// other effect than the calls of k.claim and k.target.
func decide(m dlq.Message, k known) decision {
	switch {
	case k.held:
		return decision{action: hideAgain}
	case k.sent:
		return decision{action: deleteOnly}
	case m.SentAt().After(k.start):
		return decision{action: leave}
	case k.filter != nil && !m.Matches(k.filter):
		return decision{action: skip}
	case !k.claim():
		return decision{action: release}
	}
	t, err := k.target()
	if err != nil {
		return decision{action: fail, reason: input.MessageOf(err)}
	}
	c, err := copyOf(m, t, k.now)
	switch {
	case err != nil:
		return decision{action: fail, reason: input.MessageOf(err)}
	case k.dryRun:
		return decision{action: plan, target: t, copy: c}
	}
	return decision{action: send, target: t, copy: c, resend: k.uncertain}
}

// copyOf builds the message to send: the same body, every message
// attribute as it was (String, Number, Binary and custom types, byte for
// byte), the trace header, and on a FIFO target the same group and
// deduplication ids.
func copyOf(m dlq.Message, t *target, now time.Time) (batch.Message, error) {
	c := batch.Message{Body: m.Body}
	if len(m.Attributes) > 0 {
		c.Attributes = make(map[string]types.MessageAttributeValue, len(m.Attributes))
		for k, v := range m.Attributes {
			c.Attributes[k] = types.MessageAttributeValue{DataType: v.DataType, StringValue: v.StringValue, BinaryValue: v.BinaryValue,
				StringListValues: v.StringListValues, BinaryListValues: v.BinaryListValues}
		}
	}
	if tr := m.System[string(types.MessageSystemAttributeNameAWSTraceHeader)]; tr != "" {
		c.System = map[string]types.MessageSystemAttributeValue{
			string(types.MessageSystemAttributeNameAWSTraceHeader): {DataType: aws.String("String"), StringValue: aws.String(tr)},
		}
	}
	if !t.queue.FIFO {
		return c, nil
	}
	return c, fifoIDs(&c, m, t, now)
}

// fifoIDs gives a copy for a FIFO target its group and deduplication ids:
// the original's, or the order's customer and order ids.
func fifoIDs(c *batch.Message, m dlq.Message, t *target, now time.Time) error {
	var body struct {
		OrderID    string `json:"orderId"`
		CustomerID string `json:"customerId"`
	}
	_ = json.Unmarshal([]byte(m.Body), &body)
	c.GroupID = m.System[string(types.MessageSystemAttributeNameMessageGroupId)]
	if c.GroupID == "" {
		c.GroupID = body.CustomerID
	}
	if c.GroupID == "" {
		return input.Errorf("", "%s is a FIFO queue and the message has no MessageGroupId (nor a customerId in its body)", t.queue.Name).
			WithFix("move it with %s a standard queue", input.Field("target"))
	}
	original := m.System[string(types.MessageSystemAttributeNameMessageDeduplicationId)]
	c.DedupID = original
	if c.DedupID == "" && !t.contentDedup {
		c.DedupID = body.OrderID
		if c.DedupID == "" {
			c.DedupID = m.MessageID
		}
	}
	// Within five minutes of the first send, a FIFO queue silently drops a
	// message with a deduplication id it has seen: the copy would be
	// "sent" and lost. Leave such a message where it is.
	if sent := m.SentAt(); original != "" && !sent.IsZero() {
		if until := sent.Add(FIFODeduplicationWindow + 10*time.Second); now.Before(until) {
			return input.Errorf("", "%s would drop it as a duplicate until %s (5 minutes after it was first sent, deduplication id %q)",
				t.queue.Name, until.UTC().Format("15:04:05 UTC"), original).WithFix("run the redrive again after that")
		}
	}
	return nil
}
