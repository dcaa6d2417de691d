package load

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/yafdp/yafdp/internal/load/track"
	"github.com/yafdp/yafdp/internal/mix"
	"github.com/yafdp/yafdp/internal/order"
	"github.com/yafdp/yafdp/internal/sim"
)

// Clock is the time a run paces by; tests drive a fake one.
type Clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx ends.
	Sleep(ctx context.Context, d time.Duration)
}

// RealClock is the wall clock.
type RealClock struct{}

var _ Clock = RealClock{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// Sleep waits for d: short waits with time.Sleep, which is finer than a
// timer and select; long ones on a timer that ctx can stop.
func (RealClock) Sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	if d < 5*time.Millisecond {
		time.Sleep(d)
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// Options configure a run. Zero values take the defaults named.
type Options struct {
	// Scenario gives the arrivals (and the seed of the orders).
	Scenario sim.Scenario
	Shard    Shard
	// Pacer replaces the scenario's schedule (tests).
	Pacer Pacer
	// Sender sends the orders.
	Sender Sender
	// FIFO gives each message its customer's group id.
	FIFO bool
	// Tracker follows the sagas; nil sends without following (every
	// accepted order ends the run still running).
	Tracker track.Tracker
	Target  Target
	// RunKey makes this run's order ids its own: two runs with the same
	// seed do not collide in a pipeline that remembers execution names.
	RunKey uint64
	Clock  Clock
	// BatchWindow is how long after the first order's due time a batch
	// may wait for more (default 5ms): no order is held longer.
	BatchWindow time.Duration
	// Concurrency is how many senders wait for work at the start
	// (default 32). Each sender makes one call (on one connection) at a
	// time. When all are busy more start, up to what Little's law asks
	// for: three times the calls asked for per second times the answer
	// time of the quick calls of the last seconds (which neither a
	// target's momentary stall nor a saturated CPU raises much), and
	// never more than MaxInFlight in all (default 10,000). The limit is
	// sized again every SenderGrowth (default 100ms); meanwhile the pacer
	// waits for a free sender, and the orders it holds up are late. A
	// sender for every call that finds the others busy would open
	// thousands of connections when a target on the same machine stalls
	// for a moment, and take the CPU the pacer needs to catch up.
	Concurrency  int
	MaxInFlight  int
	SenderGrowth time.Duration
	// LateAfter is how far past its due time an order may leave the
	// pacer before it counts as late (default 1ms).
	LateAfter time.Duration
	// DrainTimeout bounds the wait for the sagas still running after the
	// last send (default 2m).
	DrainTimeout time.Duration
	Thresholds   []Threshold
	// AbortOnFail stops sending once a threshold is breached for good.
	AbortOnFail bool
	// Tick, when set, is given a snapshot of the run every TickEvery
	// (default 1s), for a live view.
	Tick      func(*Report)
	TickEvery time.Duration
}

// ErrNoSender is returned for Options without a Sender.
var ErrNoSender = errors.New("load: no sender")

// send states of an order.
const (
	inAir uint8 = iota
	accepted
	notAccepted
)

// fates of an order.
const (
	noFate uint8 = iota
	fateSucceeded
	fateFailed
	fateTimedOut
	fateAborted
	fateDLQ
)

// rec is what the run keeps of one order it sent: small, since a long run
// sends millions.
type rec struct {
	due     time.Duration
	send    uint8
	fate    uint8
	started bool
}

const chunkSize = 1 << 16

// run is one load run in progress.
type run struct {
	o     Options
	clock Clock
	pacer Pacer
	t0    time.Time
	// orders come from the generator in chunks, so that the pacer and
	// the generator do not hand over (and wake each other) order by order.
	orders chan []order.Order

	mu      sync.Mutex
	chunks  [][]rec
	n       int64 // orders recorded
	counts  Counts
	events  EventCounts
	hists   map[string]*hdrhistogram.Histogram
	series  []Second
	first   time.Time
	last    time.Time
	abort   string
	trackEr string

	stop atomic.Bool
	work chan []Outgoing
	wg   sync.WaitGroup
	// senders counts the senders started and held the batches the pacer
	// held for want of one. limit is how many senders may start, sized
	// at sizedAt from the calls handed out since the sizing before, whose
	// first orders were due from firstDue to lastDue (the pacer's alone).
	// floor is the quick calls' answer time of the last seconds, under mu.
	senders  atomic.Int64
	held     atomic.Int64
	limit    int64
	sizedAt  time.Time
	calls    int64
	firstDue time.Duration
	lastDue  time.Duration
	floor    latencyFloor
	settled  chan struct{}
	sendCtx  context.Context
	planned  int64
	constant bool
}

// Run sends the scenario's orders and follows them until every accepted
// order has ended, DrainTimeout has passed, or ctx ends (then it stops
// sending and drains as well). The report counts every order once.
func Run(ctx context.Context, o Options) (*Report, error) {
	if o.Sender == nil {
		return nil, ErrNoSender
	}
	o.setDefaults()
	r := newRun(o)

	var trackErr chan error
	var stopTrack context.CancelFunc
	var consumed chan struct{}
	if o.Tracker != nil {
		defer func() {
			tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			_ = o.Tracker.Teardown(tctx)
		}()
		if err := o.Tracker.Setup(ctx); err != nil {
			return nil, fmt.Errorf("setting up tracking: %w", err)
		}
		var tctx context.Context
		tctx, stopTrack = context.WithCancel(context.WithoutCancel(ctx))
		defer stopTrack()
		events := make(chan track.Event, 4096)
		trackErr = make(chan error, 1)
		consumed = make(chan struct{})
		go func() { trackErr <- o.Tracker.Run(tctx, events) }()
		go r.consume(tctx, events, consumed)
	}

	stopGen := r.startGenerator(ctx)
	defer stopGen()
	r.t0 = r.clock.Now()
	r.work = make(chan []Outgoing, o.Concurrency*4)
	// Calls in flight finish (within the sender's timeout) after Ctrl-C,
	// so that their orders' fate is known.
	sendCtx := context.WithoutCancel(ctx)
	r.sendCtx = sendCtx
	r.startSenders(sendCtx, o.Concurrency)
	tickDone := make(chan struct{})
	tickCtx, stopTick := context.WithCancel(context.WithoutCancel(ctx))
	go r.ticker(tickCtx, tickDone)

	// A tracker that fails stops the sending.
	paceCtx, stopPace := context.WithCancel(ctx)
	if trackErr != nil {
		go r.watchTracker(paceCtx, stopPace, trackErr)
	}
	sent := r.pace(paceCtx)
	stopPace()
	if sp, ok := r.pacer.(*SchedulePacer); ok && ctx.Err() == nil && !r.stop.Load() && !r.hasTrackError() {
		r.mu.Lock()
		r.counts.Unsent = sp.Remaining(sent)
		r.mu.Unlock()
	}
	close(r.work)
	r.wg.Wait()
	stopGen()

	drained := o.Tracker == nil
	if o.Tracker != nil && !r.hasTrackError() {
		drained = r.drain()
	}
	stopTick()
	<-tickDone
	if stopTrack != nil {
		stopTrack()
		<-consumed
	}
	rep := r.report(ctx.Err() != nil, drained)
	if rep.TrackError != "" {
		return rep, fmt.Errorf("tracking failed: %s", rep.TrackError)
	}
	return rep, nil
}

// startGenerator starts making the orders' contents ahead of the pacer
// and returns once the buffer is full, before the first is due; the
// function it returns stops it.
func (r *run) startGenerator(ctx context.Context) context.CancelFunc {
	genCtx, stopGen := context.WithCancel(ctx)
	r.orders = make(chan []order.Order, 64)
	go r.generate(genCtx)
	for len(r.orders) < cap(r.orders) && genCtx.Err() == nil {
		time.Sleep(time.Millisecond)
	}
	return stopGen
}

// setDefaults fills in the options left zero.
func (o *Options) setDefaults() {
	if o.Shard.N == 0 {
		o.Shard = Whole
	}
	if o.Clock == nil {
		o.Clock = RealClock{}
	}
	if o.BatchWindow <= 0 {
		o.BatchWindow = 5 * time.Millisecond
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 32
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = 10000
	}
	o.Concurrency = min(o.Concurrency, o.MaxInFlight)
	if o.SenderGrowth <= 0 {
		o.SenderGrowth = 100 * time.Millisecond
	}
	if o.LateAfter <= 0 {
		o.LateAfter = time.Millisecond
	}
	if o.DrainTimeout <= 0 {
		o.DrainTimeout = 2 * time.Minute
	}
	if o.TickEvery <= 0 {
		o.TickEvery = time.Second
	}
}

// newRun prepares a run of o: its pacer, what it plans to send, its
// counts and histograms.
func newRun(o Options) *run {
	r := &run{o: o, clock: o.Clock, pacer: o.Pacer, hists: map[string]*hdrhistogram.Histogram{}, settled: make(chan struct{}, 1)}
	if r.pacer == nil {
		r.pacer = NewSchedulePacer(&o.Scenario, o.Shard)
	}
	r.planned = Planned(&o.Scenario, o.Shard)
	r.constant = o.Scenario.Arrivals.Process == "constant" && o.Pacer == nil
	r.counts.Planned = r.planned
	r.counts.Errors, r.counts.SendErrors = map[string]int64{}, map[string]int64{}
	for _, n := range []string{HistAccept, HistQueueWait, HistSaga, HistE2E, HistJitter} {
		r.hists[n] = newHistogram()
	}
	return r
}

// startSenders starts n senders taking batches from r.work until it is
// closed.
func (r *run) startSenders(ctx context.Context, n int) {
	r.limit, r.sizedAt = int64(n), r.clock.Now()
	for range n {
		r.startSender(ctx, nil)
	}
}

// startSender starts a sender that sends first (when it is not nil) and
// then takes batches from r.work until it is closed.
func (r *run) startSender(ctx context.Context, first []Outgoing) {
	r.senders.Add(1)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		if first != nil {
			r.sendBatch(ctx, first)
		}
		for b := range r.work {
			r.sendBatch(ctx, b)
		}
	}()
}

// watchTracker records the tracker's failure and stops the pacing when it
// fails before the pacing ends; it hands the result back on trackErr.
func (r *run) watchTracker(paceCtx context.Context, stopPace context.CancelFunc, trackErr chan error) {
	select {
	case err := <-trackErr:
		if err != nil {
			r.mu.Lock()
			r.trackEr = err.Error()
			r.mu.Unlock()
			stopPace()
		}
		trackErr <- err
	case <-paceCtx.Done():
	}
}

// ended counts an execution's end: its fate, its error, its latencies and
// steps, its payment throttles. r.mu is held.
func (r *run) ended(rc *rec, ev track.Event, sec *Second, intended time.Time) {
	switch ev.Status {
	case "SUCCEEDED":
		rc.fate = fateSucceeded
		r.counts.Succeeded++
		sec.Succeeded++
	case "TIMED_OUT":
		rc.fate = fateTimedOut
		r.counts.TimedOut++
		sec.Failed++
	case "ABORTED":
		rc.fate = fateAborted
		r.counts.Aborted++
		sec.Failed++
	default:
		rc.fate = fateFailed
		r.counts.Failed++
		sec.Failed++
	}
	if rc.fate != fateSucceeded {
		name := ev.Error
		if name == "" {
			name = ev.Status
		}
		r.counts.Errors[name]++
	}
	if !ev.Stop.IsZero() {
		if !ev.Start.IsZero() {
			record(r.hists[HistSaga], ev.Stop.Sub(ev.Start))
		}
		e2e := ev.Stop.Sub(intended)
		record(r.hists[HistE2E], e2e)
		sec.e2eSum += e2e
		sec.e2eMax = max(sec.e2eMax, e2e)
		sec.ends++
	}
	for name, d := range ev.Steps {
		h := r.hists[histStep+name]
		if h == nil {
			if len(r.hists) > 5+maxSteps {
				continue
			}
			h = newHistogram()
			r.hists[histStep+name] = h
		}
		record(h, d)
	}
	r.counts.PaymentThrottles += int64(ev.PaymentThrottles)
	sec.Throttles += ev.PaymentThrottles
}

func (r *run) hasTrackError() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.trackEr != ""
}

// generate makes the orders' contents ahead of the pacer, which gives
// each its id and placedAt when it is due.
func (r *run) generate(ctx context.Context) {
	// placedAt is set when each order is due; the generator's is unused.
	g := order.NewGenerator(r.o.Scenario.Seed^mix.Bits(r.o.Shard.K<<32|r.o.Shard.N), time.Unix(0, 0))
	for {
		chunk := make([]order.Order, ordersChunk)
		for i := range chunk {
			chunk[i] = g.Next()
		}
		select {
		case r.orders <- chunk:
		case <-ctx.Done():
			return
		}
	}
}

// ordersChunk is how many orders the generator hands the pacer at once.
const ordersChunk = 64

// OrderID is the id of the order at index in the run keyed runKey.
func OrderID(runKey, index uint64) string { return order.IDOf(mix.Bits(runKey + index)) }

// indexOf returns the index of an order id of this run.
func indexOf(runKey uint64, id string) (uint64, bool) {
	x, ok := order.ParseID(id)
	if !ok {
		return 0, false
	}
	return mix.Unbits(x) - runKey, true
}

// pending is one order the pacer has taken but not yet handed to a
// sender.
type pending struct {
	out  Outgoing
	ord  order.Order
	late bool
}

// pace sends the orders as the pacer says: it never waits for an answer
// (open loop). An order is held at most BatchWindow for others to share
// its call.
func (r *run) pace(ctx context.Context) (sent uint64) {
	var deadline time.Duration
	maxBatch := max(1, r.o.Sender.MaxBatch())
	// One batch's room, used again for every batch: dispatch copies what
	// it keeps.
	batch := make([]pending, 0, maxBatch)
	flush := func() {
		if len(batch) > 0 {
			r.dispatch(batch)
			clear(batch)
			batch = batch[:0]
		}
	}
	defer flush()
	var hits uint64
	var next []order.Order
	defer func() { sent = hits }()
	for ctx.Err() == nil && !r.stop.Load() {
		elapsed := r.clock.Now().Sub(r.t0)
		wait, slot, stop := r.pacer.Pace(elapsed, hits)
		if stop {
			return
		}
		if len(batch) > 0 && deadline < slot.Due {
			// The next order is due after the batch must go: none
			// will join it.
			flush()
		}
		if wait > 0 {
			if len(batch) > 0 {
				wait = min(wait, max(0, deadline-elapsed))
			}
			r.clock.Sleep(ctx, wait)
			continue
		}
		if len(next) == 0 {
			select {
			case next = <-r.orders:
			case <-ctx.Done():
				return hits
			}
		}
		ord := next[0]
		next = next[1:]
		p := pending{late: elapsed-slot.Due > r.o.LateAfter, ord: ord}
		p.out.Slot = slot
		batch = append(batch, p)
		if len(batch) == 1 {
			deadline = slot.Due + r.o.BatchWindow
		}
		hits++
		if len(batch) >= maxBatch {
			flush()
		}
	}
	return hits
}

// dispatch records a batch and hands it to a sender.
func (r *run) dispatch(batch []pending) {
	out := make([]Outgoing, len(batch))
	now := r.clock.Now()
	r.mu.Lock()
	sec := r.second(now)
	for i := range batch {
		p := &batch[i]
		r.add(rec{due: p.out.Due})
		r.counts.Submitted++
		sec.Sent++
		if p.late {
			r.counts.Late++
			sec.Late++
		}
	}
	r.mu.Unlock()
	for i := range batch {
		p := &batch[i]
		o := p.ord
		o.OrderID = OrderID(r.o.RunKey, p.out.Index)
		o.PlacedAt = r.t0.Add(p.out.Due).UTC().Format("2006-01-02T15:04:05.000Z07:00")
		out[i] = p.out
		out[i].OrderID = o.OrderID
		out[i].Dispatched = now
		if r.o.FIFO {
			out[i].GroupID = o.CustomerID
		}
		// The body is encoded by the sender's goroutine, off the pacer's.
		out[i].order = o
	}
	r.hand(out)
}

// hand gives b to a waiting sender, or to one more when all are busy and
// the limit allows, which then stays and waits for work with the others,
// as vegeta's workers do (a sender that ended after one batch would make
// every order of an overload start a goroutine and grow its stack again
// through the HTTP client). At the limit the pacer waits for a free
// sender, or until SenderGrowth has passed since the last sizing, when
// size may let more start: a target that stalls for a moment gets a few
// more connections, not one for every order sent meanwhile.
func (r *run) hand(b []Outgoing) {
	if r.calls == 0 {
		r.firstDue = b[0].Due
	}
	r.calls++
	r.lastDue = b[0].Due
	select {
	case r.work <- b:
		return
	default:
	}
	ceiling := int64(r.o.MaxInFlight)
	for waited := false; ; waited = true {
		if r.senders.Load() < r.limit {
			r.startSender(r.sendCtx, b)
			return
		}
		wait := r.o.SenderGrowth - r.clock.Now().Sub(r.sizedAt)
		if wait <= 0 && r.limit < ceiling {
			r.size()
			if r.senders.Load() < r.limit {
				continue
			}
			wait = r.o.SenderGrowth
		}
		if !waited {
			r.held.Add(1)
		}
		if r.limit >= ceiling {
			r.work <- b
			return
		}
		t := time.NewTimer(max(wait, time.Millisecond))
		select {
		case r.work <- b:
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// size sets the senders' limit by Little's law: three times the calls
// asked for per second times the floor of the answers' latency (three, for
// the calls slower than the floor), beyond Concurrency, within
// MaxInFlight. The calls asked for per second are those handed out
// since the last sizing over the span of their due times, not of the time
// they took to hand out: a pacer held by busy senders hands out fewer
// than the rate asks, and one catching up after a stall more. Until two
// calls have been handed out there is no span, and the count goes on.
// The limit never shrinks: senders do not end.
func (r *run) size() {
	r.sizedAt = r.clock.Now()
	span := r.lastDue - r.firstDue
	if r.calls < 2 || span <= 0 {
		return
	}
	r.mu.Lock()
	floor := r.floor.get()
	r.mu.Unlock()
	perS := float64(r.calls-1) / span.Seconds()
	want := int64(r.o.Concurrency) + int64(math.Ceil(3*perS*floor.Seconds()))
	r.limit = min(int64(r.o.MaxInFlight), max(r.limit, want))
	r.calls = 0
}

// latencyFloor is the 10th percentile of the answer times (call to
// answer) of the current window and of the one before it (floorWindow
// each), whichever is lower: what a call takes when neither the target
// nor this process makes it queue. A stall of a second or two slows the
// calls in flight then, a few among the many of a window, and leaves it
// where it was; and when this process is short of CPU, so that every
// answer waits to be read, more senders would only make that worse, so
// the floor is the quick calls' time, not the typical one.
type latencyFloor struct {
	cur, prev *hdrhistogram.Histogram
	since     time.Time
}

const floorWindow = 5 * time.Second

func (f *latencyFloor) add(at time.Time, d time.Duration) {
	if f.cur == nil {
		f.cur, f.prev, f.since = newWindowHistogram(), newWindowHistogram(), at
	}
	if at.Sub(f.since) >= floorWindow {
		f.prev, f.cur, f.since = f.cur, f.prev, at
		f.cur.Reset()
	}
	_ = f.cur.RecordValue(min(max(d.Microseconds(), 1), f.cur.HighestTrackableValue()))
}

func (f *latencyFloor) get() time.Duration {
	if f.cur == nil {
		return 0
	}
	m := func(h *hdrhistogram.Histogram) time.Duration {
		return time.Duration(h.ValueAtQuantile(10)) * time.Microsecond
	}
	switch {
	case f.prev.TotalCount() == 0:
		return m(f.cur)
	case f.cur.TotalCount() == 0:
		return m(f.prev)
	}
	return min(m(f.cur), m(f.prev))
}

// newWindowHistogram holds answer times from 1µs to a minute, to two
// significant digits: small enough to reset every window.
func newWindowHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(1, int64(time.Minute/time.Microsecond), 2)
}

// add appends a record.
func (r *run) add(x rec) {
	c := int(r.n / chunkSize)
	if c == len(r.chunks) {
		r.chunks = append(r.chunks, make([]rec, 0, chunkSize))
	}
	r.chunks[c] = append(r.chunks[c], x)
	r.n++
}

// at returns the record of the order with local index i.
func (r *run) at(i int64) *rec { return &r.chunks[i/chunkSize][i%chunkSize] }

// local maps an order id to the index of its record, or false for an
// order this run (this shard) did not send.
func (r *run) local(id string) (int64, bool) {
	idx, ok := indexOf(r.o.RunKey, id)
	if !ok || !r.o.Shard.owns(idx) {
		return 0, false
	}
	i := int64(idx / r.o.Shard.N)
	if i < 0 || i >= r.n {
		return 0, false
	}
	return i, true
}

// second returns the series point of the second t falls in, from the
// start, adding the seconds before it. A time before the start counts in
// the first second, and one far past the clock (a source's clock that is
// off) in the current one.
func (r *run) second(t time.Time) *Second {
	now := r.clock.Now()
	if t.IsZero() || t.Sub(now) > time.Minute {
		t = now
	}
	i := max(int(t.Sub(r.t0)/time.Second), 0)
	for len(r.series) <= i {
		r.series = append(r.series, Second{T: len(r.series)})
	}
	return &r.series[i]
}

// sendBatch encodes and sends one batch and counts the outcomes.
func (r *run) sendBatch(ctx context.Context, b []Outgoing) {
	for i := range b {
		body, err := json.Marshal(b[i].order)
		if err != nil {
			body = nil
		}
		b[i].Body = body
		b[i].order = order.Order{}
	}
	out := make([]Outcome, len(b))
	r.o.Sender.Send(ctx, b, out)
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range b {
		x := &out[i]
		// Each answer counts in its own second.
		sec := r.second(x.AnsweredAt)
		intended := r.t0.Add(b[i].Due)
		if !x.SentAt.IsZero() {
			record(r.hists[HistJitter], x.SentAt.Sub(intended))
			if i == 0 && !x.AnsweredAt.IsZero() {
				r.floor.add(x.AnsweredAt, x.AnsweredAt.Sub(x.SentAt))
			}
			if r.first.IsZero() || x.SentAt.Before(r.first) {
				r.first = x.SentAt
			}
			if x.SentAt.After(r.last) {
				r.last = x.SentAt
			}
		}
		if r.o.Target.Via == "api" {
			r.counts.API429 += int64(x.Throttles)
		} else {
			r.counts.SQSThrottles += int64(x.Throttles)
		}
		sec.Throttles += x.Throttles
		i64 := int64(b[i].Index / r.o.Shard.N)
		rc := r.at(i64)
		if x.Accepted {
			record(r.hists[HistAccept], x.AnsweredAt.Sub(intended))
			rc.send = accepted
			r.counts.Accepted++
			sec.Accepted++
			if rc.fate == noFate {
				r.counts.StillRunning++
				if !rc.started {
					r.counts.NotStarted++
				}
			}
			continue
		}
		rc.send = notAccepted
		name := x.Err
		if name == "" {
			name = "Unknown"
		}
		r.counts.SendErrors[name]++
		sec.NotAccepted++
		if rc.fate == noFate {
			r.counts.NotAccepted++
		}
	}
	r.settle()
}

// settle signals the drain when nothing is left to wait for.
func (r *run) settle() {
	if r.counts.StillRunning == 0 && r.counts.Accepted+r.counts.NotAccepted+r.fated() >= r.counts.Submitted {
		select {
		case r.settled <- struct{}{}:
		default:
		}
	}
}

func (r *run) fated() int64 {
	c := &r.counts
	return c.Succeeded + c.Failed + c.TimedOut + c.Aborted + c.DLQ
}

// consume applies the tracker's events until ctx ends, then those still
// buffered.
func (r *run) consume(ctx context.Context, events <-chan track.Event, done chan<- struct{}) {
	defer close(done)
	for {
		select {
		case ev := <-events:
			r.apply(ev)
		case <-ctx.Done():
			for {
				select {
				case ev := <-events:
					r.apply(ev)
				default:
					return
				}
			}
		}
	}
}

// apply counts one event: an order's saga started, ended or its message
// was dead-lettered. An event for an order this run did not send, and a
// second event of a kind for one order, are counted apart and change
// nothing.
func (r *run) apply(ev track.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	i, ok := r.local(ev.OrderID)
	if !ok {
		r.events.Foreign++
		return
	}
	rc := r.at(i)
	intended := r.t0.Add(rc.due)
	// Each change counts in the second it happened, by the source's times.
	sec := r.second(ev.Stop)
	if ev.Kind != track.Ended {
		sec = r.second(ev.Start)
	}
	start := func() {
		rc.started = true
		r.second(ev.Start).Started++
		if !ev.Start.IsZero() {
			record(r.hists[HistQueueWait], ev.Start.Sub(intended))
		}
		if rc.send == accepted && rc.fate == noFate {
			r.counts.NotStarted--
		}
	}
	switch ev.Kind {
	case track.Started:
		if rc.started || rc.fate != noFate {
			r.events.Duplicate++
			return
		}
		start()
	case track.Ended, track.DeadLettered:
		if rc.fate != noFate {
			r.events.Duplicate++
			return
		}
		if ev.Kind == track.Ended && !rc.started {
			start()
		}
		switch rc.send {
		case accepted:
			r.counts.StillRunning--
			if !rc.started {
				r.counts.NotStarted--
			}
		case notAccepted:
			r.counts.NotAccepted--
		}
		if ev.Kind == track.DeadLettered {
			rc.fate = fateDLQ
			r.counts.DLQ++
			sec.DLQ++
			break
		}
		r.ended(rc, ev, sec, intended)
	default:
		r.events.Foreign++
		return
	}
	r.events.Counted++
	r.settle()
}

// maxSteps bounds the per-state histograms: a definition with more
// states keeps the first ones seen.
const maxSteps = 64

// drain waits until every accepted order has ended, or DrainTimeout. It
// goes on after Ctrl-C (that is what the timeout bounds); a second Ctrl-C
// quits the process.
func (r *run) drain() bool {
	t := time.NewTimer(r.o.DrainTimeout)
	defer t.Stop()
	for {
		r.mu.Lock()
		r.settle()
		r.mu.Unlock()
		select {
		case <-r.settled:
			r.mu.Lock()
			done := r.counts.StillRunning == 0
			r.mu.Unlock()
			if done {
				return true
			}
		case <-t.C:
			return false
		}
	}
}

// ticker hands snapshots to Tick and stops the run when a threshold is
// breached for good (AbortOnFail).
func (r *run) ticker(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	if r.o.Tick == nil && !r.o.AbortOnFail {
		return
	}
	t := time.NewTicker(r.o.TickEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		snap := r.snapshot()
		if r.o.AbortOnFail && !r.stop.Load() {
			for i := range r.o.Thresholds {
				th := &r.o.Thresholds[i]
				if th.decided(snap, r.planned, r.constant) {
					r.mu.Lock()
					r.abort = th.Source
					r.mu.Unlock()
					r.stop.Store(true)
					break
				}
			}
		}
		if r.o.Tick != nil {
			r.o.Tick(snap)
		}
	}
}

// snapshot is the run so far, quantiles included, without the encoded
// histograms and the series.
func (r *run) snapshot() *Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	rep := &Report{Version: ReportVersion, Scenario: r.o.Scenario, Target: r.o.Target, StartedAt: r.t0,
		Orders: r.counts, Events: r.events}
	rep.Orders.Errors = cloneMap(r.counts.Errors)
	rep.Orders.SendErrors = cloneMap(r.counts.SendErrors)
	rep.LatencyMS = Latencies{
		Accept: Quantiles(r.hists[HistAccept]), QueueWait: Quantiles(r.hists[HistQueueWait]), Saga: Quantiles(r.hists[HistSaga]),
		EndToEnd: Quantiles(r.hists[HistE2E]), Jitter: Quantiles(r.hists[HistJitter]),
	}
	rep.hists = map[string]*hdrhistogram.Histogram{}
	for _, n := range []string{HistAccept, HistQueueWait, HistSaga, HistE2E, HistJitter} {
		rep.hists[n] = r.hists[n]
	}
	rep.EndedAt = r.clock.Now()
	rep.Pacing = r.pacing()
	if n := len(r.series); n > 0 {
		rep.Series = []Second{r.series[n-1]}
		if n > 1 {
			rep.Series = []Second{r.series[n-2]}
		}
	}
	return rep
}

func cloneMap(m map[string]int64) map[string]int64 {
	out := make(map[string]int64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// pacing compares the rate asked with the rate of the actual sends.
func (r *run) pacing() Pacing {
	p := Pacing{FirstSend: r.first, LastSend: r.last, Sent: r.counts.Submitted, Senders: r.senders.Load(),
		MaxSenders: int64(r.o.MaxInFlight), HeldForSender: r.held.Load()}
	if d := r.o.Scenario.ArrivalDuration(); d > 0 {
		p.AskedPerS = float64(r.planned) / d.Seconds()
	}
	if span := r.last.Sub(r.first); span > 0 && p.Sent > 1 {
		p.AchievedPerS = float64(p.Sent-1) / span.Seconds()
	}
	return p
}

// report is the finished run.
func (r *run) report(interrupted, drained bool) *Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	rep := &Report{Version: ReportVersion, Scenario: r.o.Scenario, Target: r.o.Target, Shards: []string{r.o.Shard.String()},
		RunKey: strconv.FormatUint(r.o.RunKey, 16), Orders: r.counts, Events: r.events, Interrupted: interrupted,
		Aborted: r.abort, Drained: drained, TrackError: r.trackEr, StartedAt: r.t0, EndedAt: r.clock.Now()}
	rep.Pacing = r.pacing()
	// Sagas in flight at the end of each second: accepted so far less
	// those that reached their end.
	inFlight := 0
	for i := range r.series {
		s := &r.series[i]
		inFlight += s.Accepted - s.Succeeded - s.Failed - s.DLQ
		s.InFlight = max(inFlight, 0)
		if s.ends > 0 {
			s.E2EMeanMS = float64(s.e2eSum.Microseconds()) / 1000 / float64(s.ends)
			s.E2EMaxMS = float64(s.e2eMax.Microseconds()) / 1000
		}
	}
	rep.Series = append([]Second{}, r.series...)
	rep.Accounting = r.recount()
	_ = rep.summarise(r.hists)
	rep.hists = r.hists
	for i := range r.o.Thresholds {
		rep.Thresholds = append(rep.Thresholds, r.o.Thresholds[i].Check(rep))
	}
	rep.hists = nil
	if rep.Thresholds == nil {
		rep.Thresholds = []ThresholdResult{}
	}
	return rep
}

// recount puts every order in its bucket again from the records and
// checks the running counts and the sum against the submitted orders.
func (r *run) recount() Accounting {
	var c Counts
	for i := int64(0); i < r.n; i++ {
		rc := r.at(i)
		switch rc.fate {
		case fateSucceeded:
			c.Succeeded++
		case fateFailed:
			c.Failed++
		case fateTimedOut:
			c.TimedOut++
		case fateAborted:
			c.Aborted++
		case fateDLQ:
			c.DLQ++
		default:
			if rc.send == accepted {
				c.StillRunning++
			} else {
				// Not accepted, or no answer at all.
				c.NotAccepted++
			}
		}
	}
	c.Submitted = r.n
	a := c.check()
	k := &r.counts
	// An order with no answer at all is not accepted: fold it in.
	if missing := k.Submitted - k.Accepted - k.NotAccepted - r.answeredFated(); missing > 0 {
		k.NotAccepted += missing
	}
	same := c.Succeeded == k.Succeeded && c.Failed == k.Failed && c.TimedOut == k.TimedOut && c.Aborted == k.Aborted &&
		c.DLQ == k.DLQ && c.StillRunning == k.StillRunning && c.NotAccepted == k.NotAccepted && c.Submitted == k.Submitted
	a.Holds = a.Holds && same
	return a
}

// answeredFated counts the orders that ended before their send was
// answered, which the running counts hold in no send bucket.
func (r *run) answeredFated() int64 {
	var n int64
	for i := int64(0); i < r.n; i++ {
		rc := r.at(i)
		if rc.fate != noFate && rc.send == inAir {
			n++
		}
	}
	return n
}
