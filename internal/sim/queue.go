package sim

import (
	"time"
)

// delivery is one message handed to the new-order function.
type delivery struct {
	k            int
	handle       uint64
	receiveCount int
}

// pipelineQueue is the orders queue and its dead-letter queue as the model
// sees them: messages carry an order index.
//
// TODO(issue 3): replace with an adapter over internal/queue once it lands,
// so the simulator and local up share one implementation.
type pipelineQueue struct {
	s       *simulation
	vis     time.Duration
	maxRecv int

	ready    []*simMsg // visible, oldest first
	head     int
	inflight map[uint64]*simMsg
	nextH    uint64
	dlq      int
	sent     int64
	received int64
	deleted  int64
}

type simMsg struct {
	k        int
	sentAt   time.Duration
	receives int
	handle   uint64
}

func newPipelineQueue(s *simulation) *pipelineQueue {
	return &pipelineQueue{s: s, vis: s.sc.Queue.VisibilityTimeout.D(), maxRecv: s.sc.Queue.MaxReceiveCount, inflight: map[uint64]*simMsg{}}
}

func (q *pipelineQueue) send(k int) {
	q.sent++
	q.ready = append(q.ready, &simMsg{k: k, sentAt: q.s.now()})
}

func (q *pipelineQueue) receive(max int) []delivery {
	var out []delivery
	for len(out) < max && q.head < len(q.ready) {
		m := q.ready[q.head]
		q.ready[q.head] = nil
		q.head++
		if m.receives >= q.maxRecv {
			q.dlq++
			continue
		}
		m.receives++
		q.nextH++
		m.handle = q.nextH
		q.inflight[m.handle] = m
		h := m.handle
		q.s.clk.AfterFunc(q.vis, func() { q.expire(h) })
		out = append(out, delivery{k: m.k, handle: h, receiveCount: m.receives})
		q.received++
	}
	if q.head > 1024 && q.head*2 > len(q.ready) {
		q.ready = append(q.ready[:0], q.ready[q.head:]...)
		q.head = 0
	}
	return out
}

func (q *pipelineQueue) expire(h uint64) {
	m, ok := q.inflight[h]
	if !ok {
		return
	}
	delete(q.inflight, h)
	q.ready = append(q.ready, m)
	q.s.lambda.wake()
}

func (q *pipelineQueue) delete(h uint64) {
	if _, ok := q.inflight[h]; ok {
		delete(q.inflight, h)
		q.deleted++
	}
}

func (q *pipelineQueue) visible() int  { return len(q.ready) - q.head }
func (q *pipelineQueue) inFlight() int { return len(q.inflight) }
func (q *pipelineQueue) delayed() int  { return 0 }
func (q *pipelineQueue) dead() int     { return q.dlq }

// oldestAge is the age of the oldest visible message.
func (q *pipelineQueue) oldestAge() time.Duration {
	if q.head >= len(q.ready) {
		return 0
	}
	return q.s.now() - q.ready[q.head].sentAt
}
