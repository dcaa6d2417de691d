package saga

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/yafdp/yafdp/internal/fifo"
	"github.com/yafdp/yafdp/internal/spin"
)

// QuotaBoard lets several Fakes share the services' quotas
// (ServiceConfig.RatePerSecond) when each runs on its own virtual clock in
// its own goroutine: the simulator's partitions, each driving a share of
// the orders. A token bucket's answer depends on the order of the calls,
// so the board answers them in virtual-time order across every
// participant, ties by participant number, never in the order goroutines
// happen to reach it; a run is then the same whatever the scheduling.
//
// A call at time t can be answered once no participant can still make a
// call before it: each participant publishes, with Progress, a time before
// which it will make no more calls. The fakes ask for the answer only when
// they need it, when the call's answer is due (its latency later), so a
// participant rarely waits.
type QuotaBoard struct {
	base     time.Time
	progress []paddedProgress
	mu       sync.Mutex
	quotas   [numServices]*sharedQuota
	// Idle, when set, is called while a call waits for its decision: work
	// the participant may do meanwhile. It reports whether it did any.
	Idle func() bool
}

// paddedProgress keeps each participant's progress, and its decided calls
// for reuse, on its own cache line.
type paddedProgress struct {
	ns atomic.Int64 // no call from now on is earlier, in ns after base
	// free are the participant's decided calls, for its next ones: only
	// its own goroutine touches them.
	free []*quotaCall
	_    [32]byte
}

// sharedQuota is one service's token bucket and the calls waiting for it,
// per participant in the order they were made.
type sharedQuota struct {
	lim     *rate.Limiter
	waiting []fifo.List[quotaCall] // per participant, in the order it called
}

// quotaCall is one call held until the board can decide it.
type quotaCall struct {
	at      int64
	part    int
	done    bool
	allowed bool
}

// NewQuotaBoard builds the board for cfg's quotas and participants
// Fakes, all of whose clocks start at base.
func NewQuotaBoard(cfg FakeConfig, base time.Time, participants int) *QuotaBoard {
	b := &QuotaBoard{base: base, progress: make([]paddedProgress, participants)}
	for _, s := range Services() {
		if lim := newQuotaLimiter(*cfg.Service(s)); lim != nil {
			b.quotas[s] = &sharedQuota{lim: lim, waiting: make([]fifo.List[quotaCall], participants)}
		}
	}
	return b
}

// newQuotaLimiter is a service's token bucket, nil without a quota.
func newQuotaLimiter(sc ServiceConfig) *rate.Limiter {
	if sc.RatePerSecond <= 0 {
		return nil
	}
	burst := sc.Burst
	if burst <= 0 {
		burst = max(1, int(math.Ceil(sc.RatePerSecond)))
	}
	return rate.NewLimiter(rate.Limit(sc.RatePerSecond), burst)
}

// Progress records that participant p makes no call earlier than d after
// the board's base from now on. It only moves forward.
func (b *QuotaBoard) Progress(p int, d time.Duration) {
	b.progress[p].ns.Store(int64(d))
}

// Done records that participant p makes no more calls.
func (b *QuotaBoard) Done(p int) { b.progress[p].ns.Store(math.MaxInt64) }

// Slowest is the earliest progress of any participant, after the board's
// base.
func (b *QuotaBoard) Slowest() time.Duration {
	least := int64(math.MaxInt64)
	for i := range b.progress {
		least = min(least, b.progress[i].ns.Load())
	}
	return time.Duration(least)
}

// call records participant p's call at t after the board's base to the
// quota q.
func (b *QuotaBoard) call(q *sharedQuota, p int, t time.Duration) *quotaCall {
	var c *quotaCall
	if free := b.progress[p].free; len(free) > 0 {
		c = free[len(free)-1]
		b.progress[p].free = free[:len(free)-1]
		*c = quotaCall{at: int64(t), part: p}
	} else {
		c = &quotaCall{at: int64(t), part: p}
	}
	b.mu.Lock()
	q.waiting[p].Push(c)
	b.mu.Unlock()
	return c
}

// allowed reports whether the call c was within q's quota, waiting until
// every participant has passed its time.
func (b *QuotaBoard) allowed(q *sharedQuota, c *quotaCall) bool {
	var w spin.Waiter
	for {
		// Until every other participant has passed c, c cannot be decided:
		// wait on their progress alone, not on the lock they need.
		if b.othersPast(c) {
			b.mu.Lock()
			b.decideLocked(q)
			done, ok := c.done, c.allowed
			b.mu.Unlock()
			if done {
				return ok
			}
		}
		if b.Idle == nil || !b.Idle() {
			w.Wait()
		}
	}
}

// release takes back a decided call, once its participant has read the
// decision, for the participant's next call.
func (b *QuotaBoard) release(c *quotaCall) {
	b.progress[c.part].free = append(b.progress[c.part].free, c)
}

// othersPast reports whether no other participant can still call before c:
// a condition for deciding c (a participant with a later call waiting has
// passed c too).
func (b *QuotaBoard) othersPast(c *quotaCall) bool {
	for p := range b.progress {
		if p == c.part {
			continue
		}
		if prog := b.progress[p].ns.Load(); prog < c.at || (prog == c.at && p < c.part) {
			return false
		}
	}
	return true
}

// decideLocked answers q's waiting calls in (time, participant) order for
// as long as no participant can still make an earlier one.
func (b *QuotaBoard) decideLocked(q *sharedQuota) {
	for {
		first := -1
		for p := range q.waiting {
			if w := &q.waiting[p]; w.Len() > 0 && (first < 0 || w.Front().at < q.waiting[first].Front().at) {
				first = p
			}
		}
		if first < 0 {
			return
		}
		c := q.waiting[first].Front()
		for p := range q.waiting {
			if p == first || q.waiting[p].Len() > 0 {
				continue // its next call is later than c (or tied and after it)
			}
			prog := b.progress[p].ns.Load()
			if prog < c.at || (prog == c.at && p < first) {
				return // p may still call before c
			}
		}
		c.allowed = q.lim.AllowN(b.base.Add(time.Duration(c.at)), 1)
		c.done = true
		q.waiting[first].PopFront()
	}
}
