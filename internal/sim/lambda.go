package sim

import (
	"math"
	"time"
)

// eventSource is the Lambda SQS event source mapping with the new-order
// function behind it. It starts with InitialConcurrency concurrent batches
// and, while messages wait, adds up to ScalePerMinute more per minute (in
// steps each simulated second), up to MaximumConcurrency when set and the
// account's concurrency otherwise; with nothing waiting it scales back down
// at the same pace. Each invocation takes Duration plus PerMessage for every
// message; at its end the function has saved each order PENDING and called
// StartExecution for it: throttled calls are the batch's item failures,
// which return to the queue when their visibility timeout ends.
type eventSource struct {
	s      *simulation
	limit  float64
	cap    float64
	active int
	peak   int

	batchSize  int
	base, per  time.Duration
	partial    bool
	waitingWin bool
}

func newEventSource(s *simulation) *eventSource {
	l := s.sc.Lambda
	c := float64(l.AccountConcurrency)
	if l.MaximumConcurrency > 0 {
		c = math.Min(c, float64(l.MaximumConcurrency))
	}
	return &eventSource{
		s:         s,
		limit:     math.Min(float64(l.InitialConcurrency), c),
		cap:       c,
		batchSize: l.BatchSize,
		base:      l.Duration.D(),
		per:       l.PerMessage.D(),
		partial:   l.ReportBatchItemFailures == nil || *l.ReportBatchItemFailures,
	}
}

// scale runs once per simulated second.
func (e *eventSource) scale() {
	step := float64(e.s.sc.Lambda.ScalePerMinute) / 60
	floor := math.Min(float64(e.s.sc.Lambda.InitialConcurrency), e.cap)
	if e.s.queue.visible() > 0 {
		e.limit = math.Min(e.cap, e.limit+step)
	} else if float64(e.active) < e.limit {
		e.limit = math.Max(floor, e.limit-step)
	}
	e.wake()
}

// slots is the number of batches that may run now.
func (e *eventSource) slots() int { return int(e.limit) - e.active }

// wake starts invocations while there are free slots and visible messages.
func (e *eventSource) wake() {
	for e.slots() > 0 && e.s.queue.visible() > 0 {
		if w := e.s.sc.Lambda.BatchingWindow.D(); w > 0 && e.s.queue.visible() < e.batchSize {
			// Wait for the batching window to fill the batch; one waiter.
			if !e.waitingWin {
				e.waitingWin = true
				e.s.clk.Schedule(w, func() {
					e.waitingWin = false
					e.invokeNow()
				})
			}
			return
		}
		if !e.invokeNow() {
			return
		}
	}
}

// invokeNow receives one batch and runs the function on it. It reports
// false when there was nothing to receive (or SQS refused).
func (e *eventSource) invokeNow() bool {
	if e.slots() <= 0 {
		return false
	}
	batch := e.s.queue.receive(e.batchSize)
	if len(batch) == 0 {
		return false
	}
	e.active++
	e.peak = max(e.peak, e.active)
	d := e.base + time.Duration(len(batch))*e.per
	e.s.m.invocations++
	e.s.m.lambdaGBs += gbSeconds(e.s.sc.Lambda.MemoryMB, d)
	for _, m := range batch {
		e.s.m.queueWait(e.s, m.k, m.receiveCount)
	}
	e.s.clk.Schedule(d, func() { e.finish(batch) })
	return true
}

func (e *eventSource) finish(batch []delivery) {
	failed := 0
	ok := make([]bool, len(batch))
	for i, m := range batch {
		ok[i] = e.s.startExecution(m.k)
		if !ok[i] {
			failed++
		}
	}
	// Successful messages are deleted (one DeleteMessageBatch); without
	// ReportBatchItemFailures one failure returns the whole batch.
	if failed == 0 || e.partial {
		deleted := 0
		for i, m := range batch {
			if ok[i] {
				e.s.queue.delete(m.handle)
				deleted++
			}
		}
		if deleted > 0 {
			e.s.m.sqsRequests++
		}
	}
	if failed > 0 {
		e.s.m.failedBatches++
	}
	e.active--
	e.wake()
	e.s.checkQuiet()
}
