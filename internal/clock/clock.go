package clock

import (
	"math/bits"
	"sync"
	"sync/atomic"
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

// Scheduler is implemented by clocks that can run a function later without
// handing out a Timer, which lets them reuse the event (Virtual does).
type Scheduler interface {
	Schedule(d time.Duration, f func())
}

// ScheduleFunc returns c's Schedule when it has one, and otherwise a
// function that calls AfterFunc and drops the Timer.
func ScheduleFunc(c Clock) func(d time.Duration, f func()) {
	if s, ok := c.(Scheduler); ok {
		return s.Schedule
	}
	return func(d time.Duration, f func()) { c.AfterFunc(d, f) }
}

// Ticker is implemented by clocks that tell how much time has passed since
// a fixed instant more cheaply than Now: intervals measured often (an
// engine that times every task call) subtract Elapsed readings instead.
type Ticker interface {
	Elapsed() time.Duration
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

// realStart is Real's fixed instant for Elapsed.
var realStart = time.Now()

// Elapsed returns the time since the process started, on the monotonic
// clock.
func (Real) Elapsed() time.Duration { return time.Since(realStart) }

// AfterFunc is time.AfterFunc.
func (Real) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// Virtual is a discrete-event clock. Time stands still until Run (or Step)
// takes the earliest pending function, moves Now to its due time and calls it.
// Functions due at the same instant run in the order they were scheduled, so a
// run is reproducible. It is safe for concurrent use (unless told it is
// Solo), but it is normally driven by one goroutine calling Run.
//
// The schedule is ordered by (due time in nanoseconds, sequence number),
// and built for tens of millions of events a run, most of them due within
// a second of being scheduled: events due within about four seconds of Now
// go to a timing wheel of millisecond buckets (wheelSize of them), each a
// list in order through the events themselves (no memory of its own to
// miss in the cache), where scheduling and taking the earliest cost a few
// dozen instructions; later ones go to a 4-ary heap (integer comparisons, no
// interface calls), and the earlier of the two comes first. Events
// scheduled with Schedule (no Timer to stop them) are recycled once they
// ran.
type Virtual struct {
	mu     sync.Mutex
	solo   bool         // Solo: no lock taken
	base   time.Time    // the start; due times are nanoseconds after it
	now    atomic.Int64 // written under mu; Now reads it without
	seq    uint64
	events []slot // the heap of events due past the wheel when scheduled
	ran    uint64
	free   []*event // recycled events of Schedule

	// wheel[b&wheelMask] lists the events of bucket b (due time >>
	// wheelShift), earliest first, linked through event.next, for every b
	// in [cur, cur+wheelSize): cur is Now's bucket, and nothing is due
	// before Now. No bucket in [cur, first) holds any. inWheel counts the
	// events in the wheel, stopped ones (which Stop leaves in place)
	// included until they come up; stoppedInWheel counts those. The wheel
	// is allocated on first use.
	wheel          *[wheelSize]*event
	occupied       [wheelSize / 64]uint64 // bit b&wheelMask: bucket b holds events
	cur, first     int64
	inWheel        int
	stoppedInWheel int
}

const (
	wheelShift = 20 // a bucket is 2^20 ns, about a millisecond
	wheelSize  = 1 << 12
	wheelMask  = wheelSize - 1
	// inWheel is event.index for an event in the wheel.
	inWheel = -2
)

var (
	_ Clock  = (*Virtual)(nil)
	_ Ticker = (*Virtual)(nil)
	_ Ticker = Real{}
)

// NewVirtual returns a virtual clock that starts at start.
func NewVirtual(start time.Time) *Virtual { return &Virtual{base: start} }

// Epoch is the default start of virtual time: a fixed instant so that
// reports are reproducible.
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Solo tells the clock that one goroutine at a time uses it, and that the
// caller orders any hand-over between goroutines (with a lock of its own,
// or by joining the goroutines), so the clock need take no lock of its
// own: a clock that one goroutine steps, or one stepped only under its
// user's lock. Call it before the clock is used.
func (v *Virtual) Solo() { v.solo = true }

func (v *Virtual) lock() {
	if !v.solo {
		v.mu.Lock()
	}
}

func (v *Virtual) unlock() {
	if !v.solo {
		v.mu.Unlock()
	}
}

// Now returns the virtual time.
func (v *Virtual) Now() time.Time {
	return v.base.Add(time.Duration(v.now.Load()))
}

// Elapsed returns the virtual time since the clock's start: Now minus the
// start, without building a time.Time.
func (v *Virtual) Elapsed() time.Duration { return time.Duration(v.now.Load()) }

// AfterFunc schedules f at Now()+d. A negative d counts as zero.
func (v *Virtual) AfterFunc(d time.Duration, f func()) Timer {
	if d < 0 {
		d = 0
	}
	v.lock()
	defer v.unlock()
	v.seq++
	e := &event{at: v.now.Load() + int64(d), seq: v.seq, f: f, owner: v}
	v.schedule(e)
	return e
}

// Schedule runs f at Now()+d, like AfterFunc, for a caller that will never
// stop it: without a Timer handed out, the event is reused once it ran.
func (v *Virtual) Schedule(d time.Duration, f func()) {
	if d < 0 {
		d = 0
	}
	v.lock()
	v.seq++
	var e *event
	if n := len(v.free); n > 0 {
		e = v.free[n-1]
		v.free = v.free[:n-1]
		*e = event{}
	} else {
		e = new(event)
	}
	e.at, e.seq, e.f, e.owner, e.recycle = v.now.Load()+int64(d), v.seq, f, v, true
	v.schedule(e)
	v.unlock()
}

// Step runs the earliest pending function and reports whether there was one.
func (v *Virtual) Step() bool { return v.StepBefore(time.Time{}) }

// StepBefore runs the earliest pending function if it is due at or before
// limit (any time when limit is zero) and reports whether it ran one: a
// driver's loop with one lock per step instead of a Next and a Step.
func (v *Virtual) StepBefore(limit time.Time) bool {
	lim := time.Duration(1<<63 - 1)
	if !limit.IsZero() {
		lim = limit.Sub(v.base)
	}
	return v.StepDue(lim)
}

// StepDue is StepBefore with the limit given as the time since the clock's
// start, for a driver that steps millions of times.
func (v *Virtual) StepDue(limit time.Duration) bool {
	v.lock()
	if e := v.take(int64(limit)); e != nil {
		e.fired = true
		if e.at > v.now.Load() {
			v.setNow(e.at)
		}
		v.ran++
		f := e.f
		if e.recycle {
			e.f = nil
			v.free = append(v.free, e)
		}
		v.unlock()
		f()
		return true
	}
	v.unlock()
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
		v.lock()
		next, ok := v.peekLocked()
		if !ok || next > limit {
			if v.now.Load() < limit {
				v.setNow(limit)
			}
			v.unlock()
			return
		}
		v.unlock()
		v.Step()
	}
}

// Advance is RunUntil(Now()+d).
func (v *Virtual) Advance(d time.Duration) { v.RunUntil(v.Now().Add(d)) }

// Jump moves Now forward to t without running anything, for a caller that
// injects an event from outside the schedule at t (work handed over by
// another goroutine, due at t). It refuses, reporting false, when
// t is before Now or a function is due before t: that function would run
// late.
func (v *Virtual) Jump(t time.Time) bool {
	at := int64(t.Sub(v.base))
	v.lock()
	defer v.unlock()
	if at < v.now.Load() {
		return false
	}
	if next, ok := v.peekLocked(); ok && next < at {
		return false
	}
	v.setNow(at)
	return true
}

// setNow moves Now to at, no earlier than it, and the wheel with it.
func (v *Virtual) setNow(at int64) {
	v.now.Store(at)
	v.cur = at >> wheelShift
}

// Pending returns the number of scheduled functions not yet run or stopped.
func (v *Virtual) Pending() int {
	v.lock()
	defer v.unlock()
	return len(v.events) + v.inWheel - v.stoppedInWheel
}

// Fired returns how many functions have run so far.
func (v *Virtual) Fired() uint64 {
	v.lock()
	defer v.unlock()
	return v.ran
}

// Next returns the due time of the earliest pending function.
func (v *Virtual) Next() (time.Time, bool) {
	v.lock()
	defer v.unlock()
	at, ok := v.peekLocked()
	return v.base.Add(time.Duration(at)), ok
}

// NextDue is Next as the time since the clock's start, for a loop that
// compares due times many times a second.
func (v *Virtual) NextDue() (time.Duration, bool) {
	v.lock()
	defer v.unlock()
	at, ok := v.peekLocked()
	return time.Duration(at), ok
}

func (v *Virtual) peekLocked() (int64, bool) {
	if e, _ := v.earliest(); e != nil {
		return e.at, true
	}
	return 0, false
}

// schedule puts e in the wheel when its bucket is in it, else in the heap.
func (v *Virtual) schedule(e *event) {
	b := e.at >> wheelShift
	if b >= v.cur+wheelSize {
		v.push(e)
		return
	}
	if v.wheel == nil {
		v.wheel = new([wheelSize]*event)
	}
	// Earliest first: after the events due before e (or with it, and
	// scheduled before it, which all are).
	p := &v.wheel[b&wheelMask]
	for *p != nil && (*p).at <= e.at {
		p = &(*p).next
	}
	e.next, *p = *p, e
	v.occupied[(b&wheelMask)>>6] |= 1 << (b & 63)
	e.index = inWheel
	v.inWheel++
	if b < v.first {
		v.first = b
	}
}

// earliest returns the earliest pending event and whether it is in the
// wheel (else it is the heap's top), or nil. Stopped events it meets on
// the way are dropped.
func (v *Virtual) earliest() (*event, bool) {
	for len(v.events) > 0 && v.events[0].e.stopped {
		v.pop()
	}
	var w *event
	for v.inWheel > 0 {
		b := v.nextOccupied(max(v.first, v.cur))
		v.first = b
		if w = v.wheel[b&wheelMask]; !w.stopped {
			break
		}
		v.dropFirst(b)
		v.stoppedInWheel--
		w = nil
	}
	switch {
	case w != nil && (len(v.events) == 0 || (key{w.at, w.seq}).before(v.events[0].key)):
		return w, true
	case len(v.events) > 0:
		return v.events[0].e, false
	}
	return nil, false
}

// take removes and returns the earliest pending event if it is due at or
// before lim, else returns nil.
func (v *Virtual) take(lim int64) *event {
	e, wheel := v.earliest()
	switch {
	case e == nil || e.at > lim:
		return nil
	case !wheel:
		return v.pop()
	}
	v.dropFirst(v.first)
	return e
}

// dropFirst takes the earliest event of bucket b out of the wheel.
func (v *Virtual) dropFirst(b int64) {
	head := &v.wheel[b&wheelMask]
	e := *head
	*head, e.next = e.next, nil
	if *head == nil {
		v.occupied[(b&wheelMask)>>6] &^= 1 << (b & 63)
	}
	e.index = -1
	v.inWheel--
}

// nextOccupied returns the first bucket from b on that holds events. There
// is one within wheelSize buckets of b: every event in the wheel is, and
// none is before b.
func (v *Virtual) nextOccupied(b int64) int64 {
	for {
		i := b & wheelMask
		if w := v.occupied[i>>6] >> (i & 63); w != 0 {
			return b + int64(bits.TrailingZeros64(w))
		}
		b += 64 - i&63
	}
}

type event struct {
	at      int64
	seq     uint64
	f       func()
	owner   *Virtual
	index   int    // position in the heap while pending, or inWheel
	next    *event // the next in its wheel bucket
	stopped bool
	fired   bool
	recycle bool // scheduled with Schedule: no Timer refers to it
}

// Stop takes the event out of the heap at once, so that a caller that
// arms and cancels many far timeouts keeps a small heap; one in the wheel,
// due within seconds, stays there, marked, until it comes up.
func (e *event) Stop() bool {
	v := e.owner
	v.lock()
	defer v.unlock()
	if e.stopped || e.fired {
		return false
	}
	e.stopped = true
	e.f = nil
	if e.index == inWheel {
		v.stoppedInWheel++
	} else {
		v.remove(e.index)
	}
	return true
}

// slot is one heap entry: the event's key is kept beside its pointer, so
// that sifting compares without loading the events themselves.
type slot struct {
	key key
	e   *event
}

type key struct {
	at  int64
	seq uint64
}

func (a key) before(b key) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

func (v *Virtual) push(e *event) {
	v.events = append(v.events, slot{key{e.at, e.seq}, e})
	v.up(len(v.events) - 1)
}

func (v *Virtual) pop() *event { return v.remove(0) }

// remove takes the event at heap position i out and returns it.
func (v *Virtual) remove(i int) *event {
	h := v.events
	n := len(h) - 1
	e := h[i].e
	if i != n {
		h[i] = h[n]
		h[i].e.index = i
	}
	h[n] = slot{}
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
	x := h[i]
	for i > 0 {
		p := (i - 1) / 4
		if !x.key.before(h[p].key) {
			break
		}
		h[i] = h[p]
		h[i].e.index = i
		i = p
	}
	h[i] = x
	x.e.index = i
}

func (v *Virtual) down(i int) {
	h := v.events
	n := len(h)
	x := h[i]
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		for j := c + 1; j < c+4 && j < n; j++ {
			if h[j].key.before(h[m].key) {
				m = j
			}
		}
		if !h[m].key.before(x.key) {
			break
		}
		h[i] = h[m]
		h[i].e.index = i
		i = m
	}
	h[i] = x
	x.e.index = i
}
