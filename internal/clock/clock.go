// Package clock gives the engine, the simulator and the fakes their sense of
// time. Real follows the wall clock; Virtual is a discrete-event scheduler on
// which a 30-second wait costs no wall time.
package clock

import (
	"sync"
	"time"
)

// Clock tells the time and runs functions later.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// AfterFunc runs f once d has passed. On Real, f runs in its own
	// goroutine; on Virtual, f runs inside Run, one function at a time.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc.
type Timer interface {
	// Stop cancels the call; it reports whether the call was still pending.
	Stop() bool
}

// Real is the wall clock.
type Real struct{}

var _ Clock = Real{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// AfterFunc is time.AfterFunc.
func (Real) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// Virtual is a discrete-event clock. Time stands still until Run (or Step)
// takes the earliest pending function, moves Now to its due time and calls it.
// Functions due at the same instant run in the order they were scheduled, so a
// run is reproducible. It is safe for concurrent use, but a simulation is
// normally driven by one goroutine calling Run.
//
// The schedule is a binary heap keyed by (due time in nanoseconds, sequence
// number): integer comparisons, no interface calls, because a simulation
// pushes tens of millions of events through it.
type Virtual struct {
	mu     sync.Mutex
	base   time.Time // the start; due times are nanoseconds after it
	now    int64
	seq    uint64
	events []*event
	ran    uint64
}

var _ Clock = (*Virtual)(nil)

// NewVirtual returns a virtual clock that starts at start.
func NewVirtual(start time.Time) *Virtual { return &Virtual{base: start} }

// Epoch is the default start of virtual time: a fixed instant so that
// reports are reproducible.
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Now returns the virtual time.
func (v *Virtual) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.base.Add(time.Duration(v.now))
}

// AfterFunc schedules f at Now()+d. A negative d counts as zero.
func (v *Virtual) AfterFunc(d time.Duration, f func()) Timer {
	if d < 0 {
		d = 0
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.seq++
	e := &event{at: v.now + int64(d), seq: v.seq, f: f, owner: v}
	v.push(e)
	return e
}

// Step runs the earliest pending function and reports whether there was one.
func (v *Virtual) Step() bool {
	v.mu.Lock()
	for len(v.events) > 0 {
		e := v.pop()
		if e.stopped {
			continue
		}
		e.fired = true
		if e.at > v.now {
			v.now = e.at
		}
		v.ran++
		v.mu.Unlock()
		e.f()
		return true
	}
	v.mu.Unlock()
	return false
}

// Run runs pending functions, including those they schedule, until none is
// left.
func (v *Virtual) Run() {
	for v.Step() {
	}
}

// RunUntil runs every function due at or before t, then moves Now to t if it
// is still earlier.
func (v *Virtual) RunUntil(t time.Time) {
	limit := int64(t.Sub(v.base))
	for {
		v.mu.Lock()
		next, ok := v.peekLocked()
		if !ok || next > limit {
			if v.now < limit {
				v.now = limit
			}
			v.mu.Unlock()
			return
		}
		v.mu.Unlock()
		v.Step()
	}
}

// Advance is RunUntil(Now()+d).
func (v *Virtual) Advance(d time.Duration) { v.RunUntil(v.Now().Add(d)) }

// Pending returns the number of scheduled functions not yet run or stopped.
func (v *Virtual) Pending() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.events)
}

// Fired returns how many functions have run so far.
func (v *Virtual) Fired() uint64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.ran
}

// Next returns the due time of the earliest pending function.
func (v *Virtual) Next() (time.Time, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	at, ok := v.peekLocked()
	return v.base.Add(time.Duration(at)), ok
}

func (v *Virtual) peekLocked() (int64, bool) {
	for len(v.events) > 0 {
		if v.events[0].stopped {
			v.pop()
			continue
		}
		return v.events[0].at, true
	}
	return 0, false
}

type event struct {
	at      int64
	seq     uint64
	f       func()
	owner   *Virtual
	index   int // position in the heap while pending
	stopped bool
	fired   bool
}

// Stop takes the event out of the schedule at once, so that a simulation
// that arms and cancels many timeouts keeps a small heap.
func (e *event) Stop() bool {
	v := e.owner
	v.mu.Lock()
	defer v.mu.Unlock()
	if e.stopped || e.fired {
		return false
	}
	e.stopped = true
	e.f = nil
	v.remove(e.index)
	return true
}

func (a *event) before(b *event) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

func (v *Virtual) push(e *event) {
	v.events = append(v.events, e)
	e.index = len(v.events) - 1
	v.up(e.index)
}

func (v *Virtual) pop() *event { return v.remove(0) }

// remove takes the event at heap position i out and returns it.
func (v *Virtual) remove(i int) *event {
	h := v.events
	n := len(h) - 1
	e := h[i]
	if i != n {
		h[i] = h[n]
		h[i].index = i
	}
	h[n] = nil
	v.events = h[:n]
	if i < n {
		v.down(i)
		v.up(i)
	}
	e.index = -1
	return e
}

func (v *Virtual) up(i int) {
	h := v.events
	for i > 0 {
		p := (i - 1) / 2
		if !h[i].before(h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		h[i].index, h[p].index = i, p
		i = p
	}
}

func (v *Virtual) down(i int) {
	h := v.events
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h[r].before(h[l]) {
			m = r
		}
		if !h[m].before(h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		h[i].index, h[m].index = i, m
		i = m
	}
}
