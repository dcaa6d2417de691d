package load

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/yafdp/yafdp/internal/sim"
)

// Slot is one order of the schedule: when it is due, counted from the
// start of the run, and its place in the whole run's schedule (every shard
// of it), from 0.
type Slot struct {
	Due   time.Duration
	Index uint64
}

// Pacer decides when orders go, given the time elapsed since the start:
// vegeta's design, which makes pacing a pure function that tests drive
// without a clock.
type Pacer interface {
	// Pace returns the slot of the order that follows hits sent ones and
	// how long after elapsed it is due (zero when it is due or late); stop
	// says the schedule is over. hits never decreases from one call to the
	// next.
	Pace(elapsed time.Duration, hits uint64) (wait time.Duration, next Slot, stop bool)
}

// Shard is this process's part of a run split over N processes: it sends
// the orders whose index is K-1 modulo N, so the shards share the rate
// and the order-id space without overlapping.
type Shard struct {
	K, N uint64
}

// Whole is the unsharded run.
var Whole = Shard{K: 1, N: 1}

// ParseShard reads "K/N" with 1 ≤ K ≤ N.
func ParseShard(s string) (Shard, error) {
	k, n, ok := strings.Cut(s, "/")
	kv, err1 := strconv.ParseUint(strings.TrimSpace(k), 10, 32)
	nv, err2 := strconv.ParseUint(strings.TrimSpace(n), 10, 32)
	if !ok || err1 != nil || err2 != nil || kv < 1 || nv < 1 || kv > nv {
		return Shard{}, fmt.Errorf("%q is not K/N with 1 ≤ K ≤ N, such as 2/4", s)
	}
	return Shard{K: kv, N: nv}, nil
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.K, s.N) }

// owns reports whether the order at index belongs to this shard.
func (s Shard) owns(index uint64) bool { return index%s.N == s.K-1 }

// SchedulePacer paces by a scenario's arrival schedule (constant or
// Poisson, steady, ramps and steps), taking this shard's part of it.
type SchedulePacer struct {
	sched  *sim.Schedule
	end    time.Duration
	shard  Shard
	index  uint64 // index of the next arrival the schedule gives
	hits   uint64 // the hit next describes
	next   Slot
	primed bool
	done   bool
}

var _ Pacer = (*SchedulePacer)(nil)

// NewSchedulePacer returns the pacer of sc's arrivals for shard.
func NewSchedulePacer(sc *sim.Scenario, shard Shard) *SchedulePacer {
	return &SchedulePacer{sched: sim.NewSchedule(sc), shard: shard, end: sc.ArrivalDuration()}
}

// advance moves next to this shard's following arrival.
func (p *SchedulePacer) advance() {
	for !p.done {
		due, ok := p.sched.Next()
		if !ok {
			p.done = true
			return
		}
		i := p.index
		p.index++
		if p.shard.owns(i) {
			p.next = Slot{Due: due, Index: i}
			return
		}
	}
}

// Grace is how long after the end of the arrivals a pacer that is behind
// still sends: the last order is due at the very end.
const Grace = 10 * time.Millisecond

// Pace implements Pacer. Once the arrivals' time is over (and Grace) the
// schedule stops, as vegeta's does: orders a pacer that fell behind has
// not sent by then are not sent (the report counts them as planned and
// unsent).
func (p *SchedulePacer) Pace(elapsed time.Duration, hits uint64) (time.Duration, Slot, bool) {
	if elapsed > p.end+Grace {
		return 0, Slot{}, true
	}
	if !p.primed {
		p.primed = true
		p.advance()
	}
	for p.hits < hits && !p.done {
		p.hits++
		p.advance()
	}
	if p.done {
		return 0, Slot{}, true
	}
	return max(0, p.next.Due-elapsed), p.next, false
}

// Remaining counts the orders of this shard that the schedule holds after
// the first sent ones (those a pacer that fell behind did not send before
// the end), and empties it.
func (p *SchedulePacer) Remaining(sent uint64) int64 {
	if !p.primed {
		p.primed = true
		p.advance()
	}
	for p.hits < sent && !p.done {
		p.hits++
		p.advance()
	}
	var n int64
	for !p.done {
		n++
		p.hits++
		p.advance()
	}
	return n
}

// Planned is how many orders the shard is expected to send: all of the
// schedule's arrivals, or this shard's share of them.
func Planned(sc *sim.Scenario, shard Shard) int64 {
	total := int64(sim.NewSchedule(sc).Expected(sc.ArrivalDuration()) + 1e-9)
	n, k := int64(shard.N), int64(shard.K)
	share := total / n
	if total%n >= k {
		share++
	}
	return share
}
