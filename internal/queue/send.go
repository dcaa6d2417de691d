package queue

import (
	"time"
)

// SendInput is one SendMessage.
type SendInput struct {
	// Body is the message, 1 byte up to the queue's MaximumMessageSize
	// together with the attributes.
	Body string
	// DelaySeconds overrides the queue's DelaySeconds (0 to 900); not on a
	// FIFO queue.
	DelaySeconds *int
	// MessageAttributes, at most 10. The queue keeps the map: do not modify
	// it after sending.
	MessageAttributes map[string]MessageAttributeValue
	// MessageSystemAttributes: only AWSTraceHeader.
	MessageSystemAttributes map[string]MessageAttributeValue
	// MessageGroupID is required on a FIFO queue. On a standard queue it is
	// kept and returned (SQS fair queues) but does not order anything.
	MessageGroupID string
	// MessageDeduplicationID is required on a FIFO queue without
	// ContentBasedDeduplication; not allowed on a standard queue.
	MessageDeduplicationID string
	// SenderID is the SenderId attribute; the broker's account by default.
	SenderID string
}

// SendOutput is the answer to a send.
type SendOutput struct {
	MessageID string
	// SequenceNumber is set on a FIFO queue.
	SequenceNumber string
	// Duplicate reports a FIFO send dropped as a duplicate within the
	// deduplication window: MessageID and SequenceNumber are the original
	// message's, and nothing was enqueued.
	Duplicate bool

	body       string
	attrs, sys map[string]MessageAttributeValue
}

// MD5OfMessageBody is the digest of the body sent. Digests are computed on
// demand, so that callers that do not show them do not pay for them.
func (o SendOutput) MD5OfMessageBody() string { return BodyMD5(o.body) }

// MD5OfMessageAttributes is the digest of the message attributes sent, ""
// when none.
func (o SendOutput) MD5OfMessageAttributes() string { return AttributesMD5(o.attrs) }

// MD5OfMessageSystemAttributes is the digest of the system attributes sent,
// "" when none.
func (o SendOutput) MD5OfMessageSystemAttributes() string { return AttributesMD5(o.sys) }

// prepared is a validated send.
type prepared struct {
	in    *SendInput
	size  int
	delay int
	trace string
	dedup string // the deduplication id, content-based ones computed
}

// prepare validates a send against the queue's attributes, outside the
// queue's lock.
func (q *Queue) prepare(in *SendInput, cfg *config) (prepared, error) {
	p := prepared{in: in, delay: cfg.delay}
	if in.Body == "" {
		return p, errorf(ErrMissingParameter, "The request must contain the parameter MessageBody.")
	}
	if !validBody(in.Body) {
		return p, invalidContents()
	}
	n, err := validateAttributes(in.MessageAttributes)
	if err != nil {
		return p, err
	}
	p.size = len(in.Body) + n
	if p.size > cfg.maxSize {
		return p, errorf(ErrInvalidParameterValue, "One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", cfg.maxSize)
	}
	if p.trace, err = validateSystemAttributes(in.MessageSystemAttributes); err != nil {
		return p, err
	}
	if d := in.DelaySeconds; d != nil {
		if *d < 0 || *d > 900 {
			return p, invalidValue("DelaySeconds", *d, "DelaySeconds must be >= 0 and <= 900.")
		}
		if q.fifo && *d != 0 {
			return p, invalidValue("DelaySeconds", *d, "The request include parameter that is not valid for this queue type.")
		}
		if !q.fifo {
			p.delay = *d
		}
	}
	if in.MessageGroupID != "" && !validGroupOrDedupID(in.MessageGroupID) {
		return p, invalidValue("MessageGroupId", in.MessageGroupID, "MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
	}
	if in.MessageDeduplicationID != "" && !validGroupOrDedupID(in.MessageDeduplicationID) {
		return p, invalidValue("MessageDeduplicationId", in.MessageDeduplicationID, "MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
	}
	if !q.fifo {
		if in.MessageDeduplicationID != "" {
			return p, invalidValue("MessageDeduplicationId", in.MessageDeduplicationID, "The request include parameter that is not valid for this queue type.")
		}
		return p, nil
	}
	if in.MessageGroupID == "" {
		return p, errorf(ErrMissingParameter, "The request must contain the parameter MessageGroupId.")
	}
	p.dedup = in.MessageDeduplicationID
	if p.dedup == "" {
		if !cfg.contentDedup {
			return p, errorf(ErrInvalidParameterValue, "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
		}
		p.dedup = contentDedupID(in.Body)
	}
	return p, nil
}

// Send sends a message (SendMessage).
func (q *Queue) Send(in SendInput) (SendOutput, error) {
	p, err := q.prepare(&in, q.cfg.Load())
	if err != nil {
		return SendOutput{}, err
	}
	var o op
	if err := q.begin(&o); err != nil {
		return SendOutput{}, err
	}
	out := q.sendLocked(&o, &p)
	q.end(&o)
	if err := o.durable(); err != nil {
		return SendOutput{}, err
	}
	return out, nil
}

func (q *Queue) sendLocked(o *op, p *prepared) SendOutput {
	in := p.in
	out := SendOutput{body: in.Body, attrs: in.MessageAttributes, sys: in.MessageSystemAttributes}
	var key string
	if q.fifo {
		key = p.dedup
		if o.cfg.dedupScope == "messageGroup" {
			key = in.MessageGroupID + "\x00" + key
		}
		if d, ok := q.dedup[key]; ok && d.until > o.now {
			q.st.duplicates++
			out.MessageID, out.SequenceNumber, out.Duplicate = d.id, d.seqNum, true
			return out
		}
	}
	m := newMessage()
	m.id = q.newID()
	m.body = in.Body
	m.attrs = in.MessageAttributes
	m.trace = p.trace
	m.group = in.MessageGroupID
	m.dedup = p.dedup
	m.sender = in.SenderID
	if m.sender == "" {
		m.sender = q.b.account
	}
	m.sentAt, m.origin = o.now, o.now
	m.visibleAt = o.now + int64(p.delay)*int64(time.Second)
	q.enqueue(m, o.now)
	q.st.sent++
	if q.b.store != nil {
		q.logged(o, ChangePutMessage, m)
	}
	if m.state == stVisible {
		o.kick = true
	}
	out.MessageID = m.id
	if q.fifo {
		out.SequenceNumber = q.sequenceNumber(m.seq)
		until := o.now + int64(DeduplicationWindow)
		q.dedup[key] = dedupEntry{id: m.id, seqNum: out.SequenceNumber, until: until}
		q.dedupLog.Push(&dedupLogEntry{key: key, until: until})
		if q.b.store != nil {
			o.changes = append(o.changes, Change{Kind: ChangePutDedup, Name: q.name, Inc: q.inc,
				Dedup: DedupRecord{Key: key, MessageID: m.id, SequenceNumber: out.SequenceNumber, Until: until}})
		}
	}
	return out
}
