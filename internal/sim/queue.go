package sim

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/yafdp/yafdp/internal/queue"
)

// delivery is one message handed to the new-order function.
type delivery struct {
	k            int
	handle       string
	receiveCount int
	// acceptedAt is when API Gateway accepted the order, which is when it
	// sent the message (its SentTimestamp).
	acceptedAt time.Duration
}

// pipelineQueue is the orders queue and its dead-letter queue, as
// internal/queue models SQS (the same code `local up` serves), with the
// model's view on top: messages carry an order index.
type pipelineQueue struct {
	s      *simulation
	orders *queue.Queue
	dlq    *queue.Queue
	fifo   bool
	recv   queue.ReceiveInput
	sent   int64
	// forgetDead: the dead-letter queue is purged once a simulated minute
	// (see forgetDeadLetters); lastPurge is when it last was.
	forgetDead bool
	lastPurge  time.Duration
}

// dlqRetention is the dead-letter queue's MessageRetentionPeriod, the
// longest SQS allows.
const dlqRetention = 14 * 24 * time.Hour

func newPipelineQueue(s *simulation) *pipelineQueue {
	sc := &s.sc
	qs := sc.Queue
	b := queue.New(queue.Options{Clock: s.clk, Source: rand.NewPCG(s.sc.Seed, 0x5a5)})
	name, dlqName := "orders", "orders-dlq"
	attrs := map[string]string{
		queue.AttrVisibilityTimeout:      strconv.Itoa(int(qs.VisibilityTimeout.D() / time.Second)),
		queue.AttrMessageRetentionPeriod: strconv.Itoa(int(qs.Retention.D() / time.Second)),
	}
	dlqAttrs := map[string]string{queue.AttrMessageRetentionPeriod: strconv.Itoa(int(dlqRetention / time.Second))}
	if qs.FIFO {
		name, dlqName = name+".fifo", dlqName+".fifo"
		attrs[queue.AttrFifoQueue], dlqAttrs[queue.AttrFifoQueue] = "true", "true"
	}
	dlq, err := b.CreateQueue(dlqName, dlqAttrs, nil)
	if err != nil {
		panic(fmt.Sprintf("sim: create %s: %v", dlqName, err))
	}
	attrs[queue.AttrRedrivePolicy] = fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":%d}`, dlq.ARN(), qs.MaxReceiveCount)
	orders, err := b.CreateQueue(name, attrs, nil)
	if err != nil {
		panic(fmt.Sprintf("sim: create %s: %v", name, err))
	}
	q := &pipelineQueue{s: s, orders: orders, dlq: dlq, fifo: qs.FIFO}
	// A dead letter expires dlqRetention after it was sent (on a FIFO
	// queue, after it arrived in the DLQ), so none expires in a run that
	// ends before then, and a purged one is counted as it would be.
	q.forgetDead = sc.ArrivalDuration()+sc.MaxDrain.D() < dlqRetention
	// Messages that become visible again (a visibility timeout ending)
	// wake the event source, as its long-polling pollers would.
	orders.Watch(func() { s.lambda.wake() })
	return q
}

// send puts order k on the queue as API Gateway's SQS integration does. On
// a FIFO queue the customer is the message group and the order id the
// deduplication id.
func (q *pipelineQueue) send(k int) {
	in := queue.SendInput{Body: strconv.Itoa(k)}
	if q.fifo {
		in.MessageGroupID = q.s.pool[k%len(q.s.pool)]["customerId"].(string)
		in.MessageDeduplicationID = orderID(k)
	}
	if _, err := q.orders.Send(in); err != nil {
		panic(fmt.Sprintf("sim: send order %d: %v", k, err))
	}
	q.sent++
}

// receive takes up to max messages, in receives of at most 10 as the
// event source's pollers do.
func (q *pipelineQueue) receive(max int) []delivery {
	var out []delivery
	for len(out) < max && q.orders.Receivable() {
		q.recv.MaxNumberOfMessages = min(10, max-len(out))
		msgs, err := q.orders.Receive(q.recv)
		q.s.m.sqsRequests++
		if errors.Is(err, queue.ErrOverLimit) {
			// 120,000 messages in flight: SQS refuses to hand out more
			// until some are deleted or become visible again.
			q.s.m.overLimit++
			break
		}
		if err != nil {
			panic(fmt.Sprintf("sim: receive: %v", err))
		}
		if len(msgs) == 0 {
			break
		}
		for _, m := range msgs {
			k, _ := strconv.Atoi(m.Body)
			out = append(out, delivery{k: k, handle: m.ReceiptHandle, receiveCount: m.ReceiveCount,
				acceptedAt: m.SentTimestamp.Sub(q.s.t0)})
		}
	}
	return out
}

func (q *pipelineQueue) delete(handle string) {
	if err := q.orders.Delete(handle); err != nil {
		panic(fmt.Sprintf("sim: delete: %v", err))
	}
}

// visible reports whether the event source would find a message now.
func (q *pipelineQueue) visible() int {
	if q.orders.Receivable() {
		return max(1, q.orders.Stats().Visible)
	}
	return 0
}

func (q *pipelineQueue) depth() int    { return q.orders.Stats().Visible }
func (q *pipelineQueue) inFlight() int { return q.orders.Stats().InFlight }
func (q *pipelineQueue) delayed() int  { return q.orders.Stats().Delayed }

// dead is how many orders are in the dead-letter queue, those purged
// from it included.
func (q *pipelineQueue) dead() int {
	st := q.dlq.Stats()
	return st.Visible + st.InFlight + st.Delayed + int(st.Purged)
}

// forgetDeadLetters purges the dead-letter queue (PurgeQueue, which SQS
// allows once a minute) when a minute has passed since the last purge.
// Nothing in the model reads a dead letter, and the report needs only
// how many there are, which dead counts: kept, they were the memory of a
// long run at a rate StartExecution's quota cannot take (some 430 bytes
// each, millions an hour). Only when no dead letter could expire before
// the run ends (forgetDead), so that the count is the same.
func (q *pipelineQueue) forgetDeadLetters() {
	now := q.s.now()
	if !q.forgetDead || now-q.lastPurge < queue.PurgeInterval {
		return
	}
	q.lastPurge = now
	if err := q.dlq.Purge(); err != nil {
		panic(fmt.Sprintf("sim: purge the dead-letter queue: %v", err))
	}
}

// oldestAge is the age of the oldest message in the orders queue.
func (q *pipelineQueue) oldestAge() time.Duration { return q.orders.Stats().OldestAge }
