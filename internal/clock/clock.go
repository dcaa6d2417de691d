// Package clock gives the engine, the simulator and the fakes their sense of
// time. Real follows the wall clock; Virtual is a discrete-event scheduler on
// which a 30-second wait costs no wall time.
package clock

import (
	"container/heap"
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
type Virtual struct {
	mu     sync.Mutex
	now    time.Time
	seq    uint64
	events eventHeap
	ran    uint64
}

var _ Clock = (*Virtual)(nil)

// NewVirtual returns a virtual clock that starts at start.
func NewVirtual(start time.Time) *Virtual { return &Virtual{now: start} }

// Epoch is the default start of virtual time: a fixed instant so that
// reports are reproducible.
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Now returns the virtual time.
func (v *Virtual) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.now
}

// AfterFunc schedules f at Now()+d. A negative d counts as zero.
func (v *Virtual) AfterFunc(d time.Duration, f func()) Timer {
	if d < 0 {
		d = 0
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.seq++
	e := &event{at: v.now.Add(d), seq: v.seq, f: f, owner: v}
	heap.Push(&v.events, e)
	return e
}

// Step runs the earliest pending function and reports whether there was one.
func (v *Virtual) Step() bool {
	v.mu.Lock()
	for len(v.events) > 0 {
		e := heap.Pop(&v.events).(*event)
		if e.stopped {
			continue
		}
		e.fired = true
		if e.at.After(v.now) {
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
	for {
		v.mu.Lock()
		next, ok := v.peekLocked()
		if !ok || next.After(t) {
			if v.now.Before(t) {
				v.now = t
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
	n := 0
	for _, e := range v.events {
		if !e.stopped {
			n++
		}
	}
	return n
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
	return v.peekLocked()
}

func (v *Virtual) peekLocked() (time.Time, bool) {
	for len(v.events) > 0 {
		if v.events[0].stopped {
			heap.Pop(&v.events)
			continue
		}
		return v.events[0].at, true
	}
	return time.Time{}, false
}

type event struct {
	at      time.Time
	seq     uint64
	f       func()
	owner   *Virtual
	stopped bool
	fired   bool
	index   int
}

func (e *event) Stop() bool {
	e.owner.mu.Lock()
	defer e.owner.mu.Unlock()
	if e.stopped || e.fired {
		return false
	}
	e.stopped = true
	e.f = nil
	return true
}

type eventHeap []*event

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].seq < h[j].seq
	}
	return h[i].at.Before(h[j].at)
}
func (h eventHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *eventHeap) Push(x any) {
	e := x.(*event)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *eventHeap) Pop() any {
	old := *h
	n := len(old)
	e := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	return e
}
