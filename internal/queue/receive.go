package queue

import "strings"

// ReceiveInput is one ReceiveMessage.
type ReceiveInput struct {
	// MaxNumberOfMessages is 1 to 10; 0 means 1.
	MaxNumberOfMessages int
	// VisibilityTimeout overrides the queue's for the messages received
	// (0 to 43200 seconds).
	VisibilityTimeout *int
	// WaitTimeSeconds overrides the queue's ReceiveMessageWaitTimeSeconds
	// (0 to 20) for ReceiveWait and ReceiveAsync; Receive never waits.
	WaitTimeSeconds *int
	// AttributeNames are the system attributes to return (the
	// MessageSystemAttributeNames of the API and its older AttributeNames
	// together): All, SenderId, SentTimestamp, ApproximateReceiveCount,
	// ApproximateFirstReceiveTimestamp, SequenceNumber, MessageGroupId,
	// MessageDeduplicationId, AWSTraceHeader, DeadLetterQueueSourceArn.
	// Unknown names are ignored.
	AttributeNames []string
	// MessageAttributeNames are the message attributes to return: names,
	// All or .*, and prefixes such as bar.*.
	MessageAttributeNames []string
	// ReceiveRequestAttemptID is accepted and ignored: retried FIFO
	// receives are not deduplicated.
	ReceiveRequestAttemptID string
}

type sysAttr uint16

const (
	sysSenderID sysAttr = 1 << iota
	sysSentTimestamp
	sysReceiveCount
	sysFirstReceive
	sysSequenceNumber
	sysGroupID
	sysDedupID
	sysTraceHeader
	sysDLQSource
	sysAll = 1<<iota - 1
)

var sysAttrNames = map[string]sysAttr{
	"All":                              sysAll,
	"SenderId":                         sysSenderID,
	"SentTimestamp":                    sysSentTimestamp,
	"ApproximateReceiveCount":          sysReceiveCount,
	"ApproximateFirstReceiveTimestamp": sysFirstReceive,
	"SequenceNumber":                   sysSequenceNumber,
	"MessageGroupId":                   sysGroupID,
	"MessageDeduplicationId":           sysDedupID,
	"AWSTraceHeader":                   sysTraceHeader,
	"DeadLetterQueueSourceArn":         sysDLQSource,
}

// receiveSpec is a validated ReceiveInput.
type receiveSpec struct {
	max          int
	vt           int
	vtSet        bool
	wait         int
	waitSet      bool
	sys          sysAttr
	allAttrs     bool
	attrNames    []string
	attrPrefixes []string
}

func compileReceive(in *ReceiveInput) (receiveSpec, error) {
	sp := receiveSpec{max: in.MaxNumberOfMessages}
	if sp.max == 0 {
		sp.max = 1
	}
	if sp.max < 1 || sp.max > MaxBatchEntries {
		return sp, invalidValue("MaxNumberOfMessages", sp.max, "Must be between 1 and 10, if provided.")
	}
	if v := in.VisibilityTimeout; v != nil {
		if *v < 0 || *v > 43200 {
			return sp, invalidValue("VisibilityTimeout", *v, "Must be between 0 and 43200, if provided.")
		}
		sp.vt, sp.vtSet = *v, true
	}
	if w := in.WaitTimeSeconds; w != nil {
		if *w < 0 || *w > 20 {
			return sp, invalidValue("WaitTimeSeconds", *w, "Must be >= 0 and <= 20, if provided.")
		}
		sp.wait, sp.waitSet = *w, true
	}
	for _, n := range in.AttributeNames {
		sp.sys |= sysAttrNames[n]
	}
	for _, n := range in.MessageAttributeNames {
		switch {
		case n == "All" || n == ".*":
			sp.allAttrs = true
		case strings.HasSuffix(n, ".*"):
			sp.attrPrefixes = append(sp.attrPrefixes, n[:len(n)-2])
		default:
			sp.attrNames = append(sp.attrNames, n)
		}
	}
	return sp, nil
}

func (sp *receiveSpec) wantsAttr(name string) bool {
	for _, n := range sp.attrNames {
		if n == name {
			return true
		}
	}
	for _, p := range sp.attrPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// Receive returns up to MaxNumberOfMessages messages visible now and puts
// them in flight for the visibility timeout (ReceiveMessage without
// waiting). Each receive gives a message a new receipt handle and raises
// its receive count. A message already received maxReceiveCount times
// (RedrivePolicy) is moved to the dead-letter queue instead of being
// delivered: it is delivered exactly maxReceiveCount times.
func (q *Queue) Receive(in ReceiveInput) ([]Message, error) {
	sp, err := compileReceive(&in)
	if err != nil {
		return nil, err
	}
	var o op
	if err := q.begin(&o); err != nil {
		return nil, err
	}
	if !q.fifo && q.nInflight >= MaxInflight && q.nVisible > 0 {
		q.end(&o)
		return nil, errorf(ErrOverLimit, "Too many messages in flight: the queue has %d, the limit is %d.", q.nInflight, MaxInflight)
	}
	msgs := q.receiveLocked(&o, &sp)
	if len(msgs) == 0 {
		q.st.emptyReceives++
	}
	q.end(&o)
	return msgs, nil
}
