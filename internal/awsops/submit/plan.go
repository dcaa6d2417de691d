package submit

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/yafdp/yafdp/internal/awsops"
	"github.com/yafdp/yafdp/internal/awsops/batch"
	"github.com/yafdp/yafdp/internal/input"
	"github.com/yafdp/yafdp/internal/order"
)

// Message attributes every submitted order carries.
const (
	// AttrSchemaVersion is the order message's schema version, "1".
	AttrSchemaVersion = "schemaVersion"
	// AttrTraceID is a trace id in the X-Ray format, one per order.
	AttrTraceID = "traceId"
	// SchemaVersion is the version of the order message yafdp sends.
	SchemaVersion = "1"
)

// NewTraceID returns a random trace id in the X-Ray format,
// 1-<8 hex digits of epoch seconds>-<24 random hex digits>.
func NewTraceID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("1-%08x-%s", time.Now().Unix(), hex.EncodeToString(b[:]))
}

// Plan is a submission checked and ready to send: every order valid,
// unique and encoded as the message it becomes on the queue.
type Plan struct {
	Orders []order.Order
	// Messages says how each order would be sent, in order.
	Messages []PlannedMessage
	messages []batch.Message
}

// PlannedMessage is one order as Submit would send it.
type PlannedMessage struct {
	OrderID string `json:"orderId"`
	// Batch numbers the SendMessageBatch call from 1.
	Batch   int    `json:"batch"`
	Bytes   int    `json:"bytes"`
	GroupID string `json:"messageGroupId,omitempty"`
	DedupID string `json:"messageDeduplicationId,omitempty"`
}

// OrderError is an invalid order in a submission: nothing was sent.
type OrderError struct {
	// Index is the order's position in the input, from 1.
	Index   int
	OrderID string
	Err     error
}

func (e *OrderError) Error() string {
	id := ""
	if e.OrderID != "" {
		id = " (" + e.OrderID + ")"
	}
	return "order " + strconv.Itoa(e.Index) + id + ": " + e.Err.Error()
}

func (e *OrderError) Unwrap() error { return e.Err }

// NewPlan validates every order and encodes it as a message for q (FIFO
// ids when q is FIFO), without calling AWS. It returns the first problem
// as an *OrderError, wrapping an *input.Error: nothing may be sent then.
func NewPlan(q awsops.Queue, orders []order.Order) (*Plan, error) {
	p := &Plan{Orders: orders, messages: make([]batch.Message, len(orders))}
	seen := make(map[string]int, len(orders))
	for i, o := range orders {
		m, err := message(q, o, seen[o.OrderID])
		if err != nil {
			return nil, &OrderError{Index: i + 1, OrderID: o.OrderID, Err: err}
		}
		seen[o.OrderID] = i + 1
		p.messages[i] = m
	}
	idx := make([]int, len(orders))
	for i := range idx {
		idx[i] = i
	}
	p.Messages = make([]PlannedMessage, len(orders))
	for b, in := range batch.Split(p.messages, idx) {
		for _, i := range in {
			m := &p.messages[i]
			p.Messages[i] = PlannedMessage{OrderID: orders[i].OrderID, Batch: b + 1, Bytes: m.Size(), GroupID: m.GroupID, DedupID: m.DedupID}
		}
	}
	return p, nil
}

// message checks one order and encodes it; dup is the position of an
// earlier order with its id, or 0.
func message(q awsops.Queue, o order.Order, dup int) (batch.Message, error) {
	if err := o.Validate(); err != nil {
		return batch.Message{}, err
	}
	if dup > 0 {
		return batch.Message{}, input.Errorf("orderId", "%q is also order %d; an order id is the idempotency key and must be unique", o.OrderID, dup)
	}
	body, err := json.Marshal(o)
	if err != nil {
		return batch.Message{}, err
	}
	m := batch.Message{Body: string(body), Attributes: map[string]types.MessageAttributeValue{
		AttrSchemaVersion: stringAttr(SchemaVersion),
	}}
	if q.FIFO {
		// One message group per customer keeps each customer's orders in
		// order; the order id makes a resend within five minutes a no-op.
		m.GroupID, m.DedupID = o.CustomerID, o.OrderID
	}
	if m.Size() > batch.MaxBytes {
		return batch.Message{}, input.Errorf("order", "%d bytes with its attributes, more than the 1 MiB an SQS message may hold", m.Size())
	}
	return m, nil
}

func stringAttr(s string) types.MessageAttributeValue {
	return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(s)}
}

// TraceIDs returns a trace id for each order, from traceID (default
// NewTraceID).
func (p *Plan) TraceIDs(traceID func() string) []string {
	if traceID == nil {
		traceID = NewTraceID
	}
	traces := make([]string, len(p.Orders))
	for i := range traces {
		traces[i] = traceID()
	}
	return traces
}

// traced returns the plan's messages, each with a trace id from traceID,
// and the ids.
func (p *Plan) traced(traceID func() string) ([]batch.Message, []string) {
	traces := p.TraceIDs(traceID)
	msgs := make([]batch.Message, len(p.messages))
	for i, m := range p.messages {
		if traces[i] != "" {
			attrs := make(map[string]types.MessageAttributeValue, len(m.Attributes)+1)
			for k, v := range m.Attributes {
				attrs[k] = v
			}
			attrs[AttrTraceID] = stringAttr(traces[i])
			m.Attributes = attrs
		}
		msgs[i] = m
	}
	return msgs, traces
}

// Body returns the message body of the order at index i.
func (p *Plan) Body(i int) string { return p.messages[i].Body }
