package queue

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/yafdp/yafdp/internal/clock"
)

// Long polling works the same on both clocks, because nothing in it
// sleeps: a receive that finds nothing registers a waiter and a clock timer
// at its deadline. Whatever makes messages receivable (a send, a visibility
// timeout or delay that ends, a deletion that unblocks a FIFO group, a
// dead letter or moved message arriving) hands them to the waiters in the
// order they came, under the queue's lock, and calls them back once the
// lock is released. Visibility timeouts and delays end on one timer per
// queue, armed at the earliest of them, and only while someone waits. On
// the real clock ReceiveWait blocks its goroutine on a channel; on the
// virtual clock ReceiveAsync and Watch are called back from inside the
// clock's Run, at the virtual instant the messages became visible.

// waiter is one long poll.
type waiter struct {
	spec  receiveSpec
	done  func([]Message, error)
	timer clock.Timer
	link[waiter]
	active bool // in the queue's waiterList
}

// waiterList is the long polls waiting, first come first served.
type waiterList struct{ chain[waiter] }

func waiterLink(w *waiter) *link[waiter] { return &w.link }

func (l *waiterList) push(w *waiter) {
	l.pushBack(w, waiterLink)
	w.active = true
}

func (l *waiterList) remove(w *waiter) {
	l.chain.remove(w, waiterLink)
	w.active = false
}

// watcher is a Watch callback.
type watcher struct{ f func() }

// ReceiveAsync is ReceiveMessage with long polling, for callers that must
// not block (one that steps a virtual clock itself). done is called exactly
// once: at once, before ReceiveAsync returns, when messages are available
// or the wait is 0 (WaitTimeSeconds, else the queue's
// ReceiveMessageWaitTimeSeconds); otherwise as soon as messages become
// available, or with none when the wait has passed on the queue's clock.
// It is called without the queue's lock held, on the goroutine that made
// the messages available or on the clock's timer. cancel withdraws the
// poll and reports whether it did so before done was called.
func (q *Queue) ReceiveAsync(in ReceiveInput, done func([]Message, error)) (cancel func() bool) {
	sp, err := compileReceive(&in)
	if err != nil {
		done(nil, err)
		return func() bool { return false }
	}
	var o op
	if err := q.begin(&o); err != nil {
		done(nil, err)
		return func() bool { return false }
	}
	wait := o.cfg.wait
	if sp.waitSet {
		wait = sp.wait
	}
	msgs := q.receiveLocked(&o, &sp)
	if len(msgs) > 0 || wait == 0 {
		if len(msgs) == 0 {
			q.st.emptyReceives++
		}
		q.end(&o)
		done(msgs, nil)
		return func() bool { return false }
	}
	w := &waiter{spec: sp, done: done}
	q.waiters.push(w)
	w.timer = q.clk.AfterFunc(time.Duration(wait)*time.Second, func() { q.waitEnded(w) })
	q.end(&o)
	return func() bool { return q.cancelWait(w) }
}

// waitEnded answers a long poll whose wait passed: a last look, then
// whatever there is (usually nothing).
func (q *Queue) waitEnded(w *waiter) {
	var o op
	if err := q.begin(&o); err != nil {
		return // shutdown answered it
	}
	if !w.active {
		q.end(&o)
		return
	}
	q.waiters.remove(w)
	msgs := q.receiveLocked(&o, &w.spec)
	if len(msgs) == 0 {
		q.st.emptyReceives++
	}
	o.done = append(o.done, delivery{w: w, msgs: msgs})
	q.end(&o)
}

func (q *Queue) cancelWait(w *waiter) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !w.active {
		return false
	}
	q.waiters.remove(w)
	w.timer.Stop()
	q.arm(q.lastNow)
	return true
}

// serve hands receivable messages to waiting long polls, first come first
// served.
func (q *Queue) serve(o *op) {
	for w := q.waiters.head; w != nil; {
		next := w.next
		msgs := q.receiveLocked(o, &w.spec)
		if len(msgs) == 0 {
			return
		}
		q.waiters.remove(w)
		w.timer.Stop()
		o.done = append(o.done, delivery{w: w, msgs: msgs})
		w = next
	}
}

// ReceiveWait is ReceiveMessage with long polling on the real clock: it
// blocks until messages arrive, the wait passes, or ctx ends (then it
// returns ctx's error, unless messages were already taken for it, which it
// returns so that none is left in flight unseen). On a virtual clock it
// returns only when something drives the clock.
func (q *Queue) ReceiveWait(ctx context.Context, in ReceiveInput) ([]Message, error) {
	type result struct {
		msgs []Message
		err  error
	}
	ch := make(chan result, 1)
	cancel := q.ReceiveAsync(in, func(m []Message, err error) { ch <- result{m, err} })
	select {
	case r := <-ch:
		return r.msgs, r.err
	case <-ctx.Done():
		if cancel() {
			return nil, ctx.Err()
		}
		r := <-ch
		return r.msgs, r.err
	}
}

// Watch calls f whenever messages may have become receivable: after a
// send, the end of a visibility timeout or delay, a deletion that unblocks
// a FIFO group, an arriving dead letter or moved message. f runs without
// the queue's lock, on the goroutine that caused it or on the clock's
// timer, and must not block; it may call the queue. A consumer on a
// virtual clock uses it instead of polling. stop ends the calls.
func (q *Queue) Watch(f func()) (stop func()) {
	w := &watcher{f: f}
	q.mu.Lock()
	ws := append(slices.Clone(*q.watchers.Load()), w)
	q.watchers.Store(&ws)
	q.nWatchers++
	q.arm(q.lastNow)
	q.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			q.mu.Lock()
			ws := slices.DeleteFunc(slices.Clone(*q.watchers.Load()), func(x *watcher) bool { return x == w })
			q.watchers.Store(&ws)
			q.nWatchers--
			q.arm(q.lastNow)
			q.mu.Unlock()
		})
	}
}

// arm keeps one timer at the earliest end of a visibility timeout or delay
// while anyone waits, and none otherwise, so that an idle queue schedules
// nothing (a virtual clock's Run then ends).
func (q *Queue) arm(now int64) {
	if q.deleted.Load() || q.waiters.head == nil && q.nWatchers == 0 || q.timed.len() == 0 {
		if q.timer != nil {
			q.timer.Stop()
			q.timer = nil
			q.timerGen++
		}
		return
	}
	next := q.timed.s[0].visibleAt
	if q.timer != nil && q.timerAt <= next {
		return // it fires no later than needed and re-arms then
	}
	if q.timer != nil {
		q.timer.Stop()
	}
	q.timerGen++
	gen := q.timerGen
	q.timerAt = next
	q.timer = q.clk.AfterFunc(time.Duration(next-now), func() { q.wake(gen) })
}

// wake is the timer: bring the queue up to now and serve waiters.
func (q *Queue) wake(gen uint64) {
	var o op
	if err := q.begin(&o); err != nil {
		return
	}
	if gen == q.timerGen {
		q.timer = nil
	}
	o.kick = o.kick || q.nVisible > 0 && q.waiters.head != nil
	q.end(&o)
}
