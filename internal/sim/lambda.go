package sim

import (
	"time"

	"github.com/yafdp/yafdp/internal/eventsource"
)

// eventSource drives the Lambda SQS event source mapping (the model in
// internal/eventsource) with the new-order function behind it, on the
// front's virtual clock. Its limit on concurrent batches moves once per
// simulated second. Each invocation takes Duration plus PerMessage for
// every message; at its end the function has saved each order PENDING and
// called StartExecution for it: throttled calls are the batch's item
// failures, which return to the queue when their visibility timeout ends.
type eventSource struct {
	s      *simulation
	cfg    eventsource.Config
	scaler *eventsource.Scaler

	base, per  time.Duration
	waitingWin bool
}

func newEventSource(s *simulation) *eventSource {
	l := s.sc.Lambda
	cfg := eventsource.Config{
		BatchSize:               l.BatchSize,
		InitialConcurrency:      l.InitialConcurrency,
		ScalePerMinute:          l.ScalePerMinute,
		MaximumConcurrency:      l.MaximumConcurrency,
		AccountConcurrency:      l.AccountConcurrency,
		ReportBatchItemFailures: l.ReportBatchItemFailures == nil || *l.ReportBatchItemFailures,
	}
	return &eventSource{
		s:      s,
		cfg:    cfg,
		scaler: eventsource.NewScaler(cfg),
		base:   l.Duration.D(),
		per:    l.PerMessage.D(),
	}
}

// scale runs once per simulated second.
func (e *eventSource) scale() {
	e.scaler.Tick(e.s.queue.visible() > 0)
	e.wake()
}

// wake starts invocations while there are free slots and visible messages.
func (e *eventSource) wake() {
	for e.scaler.Free() > 0 && e.s.queue.visible() > 0 {
		if w := e.s.sc.Lambda.BatchingWindow.D(); w > 0 && e.s.queue.visible() < e.cfg.BatchSize {
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
	if e.scaler.Free() <= 0 {
		return false
	}
	batch := e.s.queue.receive(e.cfg.BatchSize)
	if len(batch) == 0 {
		return false
	}
	e.scaler.Begin()
	d := e.base + time.Duration(len(batch))*e.per
	e.s.m.invocations++
	e.s.m.lambdaGBs += gbSeconds(e.s.sc.Lambda.MemoryMB, d)
	for i := range batch {
		e.s.m.queueWait(e.s, &batch[i])
	}
	e.s.clk.Schedule(d, func() { e.finish(batch) })
	return true
}

func (e *eventSource) finish(batch []delivery) {
	failed := 0
	ok := make([]bool, len(batch))
	for i := range batch {
		ok[i] = e.s.startExecution(&batch[i])
		if !ok[i] {
			failed++
		}
	}
	// Successful messages are deleted (one DeleteMessageBatch); without
	// ReportBatchItemFailures one failure returns the whole batch.
	if e.cfg.DeletesSucceeded(failed) {
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
	e.scaler.End()
	e.wake()
	e.s.checkQuiet()
}
