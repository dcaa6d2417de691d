package queue

import (
	"strconv"
	"time"
)

// Stats are a queue's counts, kept as counters so that reading them costs
// O(1): a caller may sample them as often as every virtual second.
type Stats struct {
	// Now: the ApproximateNumberOfMessages* of GetQueueAttributes.
	Visible, InFlight, Delayed int
	// OldestAge is the age of the oldest message in the queue (visible, in
	// flight or delayed), counted from the start of its retention period:
	// its send, or for a dead letter of a FIFO queue its arrival here.
	OldestAge time.Duration

	// Since the queue was created.
	Sent          int64 // messages enqueued by Send and SendBatch
	Duplicates    int64 // FIFO sends dropped by deduplication
	Received      int64 // deliveries (a message received twice counts twice)
	EmptyReceives int64 // receives and long polls that returned nothing
	Deleted       int64
	MovedToDLQ    int64 // moved to the dead-letter queue on a receive
	DeadLettersIn int64 // arrived as dead letters from source queues
	MovedOut      int64 // taken by a message move task
	MovedIn       int64 // arrived from a message move task
	Expired       int64 // past MessageRetentionPeriod
	Purged        int64
}

// Stats returns the queue's counts as of now.
func (q *Queue) Stats() Stats {
	var o op
	if err := q.begin(&o); err != nil {
		return Stats{}
	}
	s := Stats{
		Visible: q.nVisible, InFlight: q.nInflight, Delayed: q.nDelayed,
		Sent: q.st.sent, Duplicates: q.st.duplicates, Received: q.st.received,
		EmptyReceives: q.st.emptyReceives, Deleted: q.st.deleted, MovedToDLQ: q.st.movedToDLQ,
		DeadLettersIn: q.st.deadLettersIn, MovedOut: q.st.movedOut, MovedIn: q.st.movedIn,
		Expired: q.st.expired, Purged: q.st.purged,
	}
	if m := q.oldest(); m != nil {
		s.OldestAge = time.Duration(o.now - m.origin)
	}
	q.end(&o)
	return s
}

// Attributes returns queue attributes by name (GetQueueAttributes); "All"
// returns every one that applies. Unset optional attributes (Policy,
// RedrivePolicy, ...) are left out; a name that does not apply to this
// type of queue is InvalidAttributeName.
func (q *Queue) Attributes(names ...string) (map[string]string, error) {
	known := standardAttributeNames
	if q.fifo {
		known = append(append([]string(nil), standardAttributeNames...), fifoAttributeNames...)
	}
	var want []string
	for _, n := range names {
		switch {
		case n == AttrAll:
			want = known
		case !contains(known, n):
			return nil, unknownAttribute(n)
		}
	}
	if want == nil {
		want = names
	}
	var o op
	if err := q.begin(&o); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(want))
	for _, n := range want {
		switch n {
		case AttrApproximateNumberOfMessages:
			out[n] = strconv.Itoa(q.nVisible)
		case AttrApproximateNumberOfMessagesNotVisible:
			out[n] = strconv.Itoa(q.nInflight)
		case AttrApproximateNumberOfMessagesDelayed:
			out[n] = strconv.Itoa(q.nDelayed)
		case AttrCreatedTimestamp:
			out[n] = strconv.FormatInt(q.created/1e9, 10)
		case AttrLastModifiedTimestamp:
			out[n] = strconv.FormatInt(q.modified/1e9, 10)
		case AttrQueueArn:
			out[n] = q.arn
		case AttrFifoQueue:
			out[n] = "true"
		default:
			if v, ok := o.cfg.render(n); ok {
				out[n] = v
			}
		}
	}
	q.end(&o)
	return out, nil
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// SetAttributes changes queue attributes (SetQueueAttributes). The queue
// type cannot change. A new VisibilityTimeout or DelaySeconds applies to
// later receives and sends; a new MessageRetentionPeriod to every message.
func (q *Queue) SetAttributes(attrs map[string]string) error {
	return q.durably(q.setAttributes(attrs))
}

func (q *Queue) setAttributes(attrs map[string]string) (Commit, error) {
	defer q.b.enterGate()()
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.deleted.Load() {
		return nil, errQueueGone()
	}
	q.b.mu.RLock()
	c, err := parseAttributes(*q.cfg.Load(), attrs, q.fifo, false, q.arn, q.b.byARNLocked)
	q.b.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	q.cfg.Store(&c)
	if now := q.clk.Now().UnixNano(); now > q.modified {
		q.modified = now
	}
	return q.saveConfig(), nil
}

// Receivable reports whether a receive now would find a message to deliver
// (or to move to the dead-letter queue). On a FIFO queue Visible counts
// messages of blocked groups too, so a consumer loop should ask this, not
// Stats, before receiving again.
func (q *Queue) Receivable() bool {
	var o op
	if err := q.begin(&o); err != nil {
		return false
	}
	var ok bool
	if q.fifo {
		ok = q.peekMovable() != nil
	} else {
		ok = q.nVisible > 0
	}
	q.end(&o)
	return ok
}
