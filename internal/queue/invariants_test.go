package queue

import "fmt"

// checkInvariants verifies a queue's structures against each other: every
// live message is in exactly the structures its state says, the counters
// match, and a FIFO group that can deliver is queued. Tests call it after
// every operation.
func checkInvariants(q *Queue) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	var vis, inf, del int
	inFresh := map[*message]int{}
	for m := range q.fresh.All() {
		if m.loc == locFresh {
			inFresh[m]++
		}
	}
	ages := 0
	for m := q.ages.head; m != nil; m = m.age.next {
		ages++
		if m.age.next != nil && m.age.next.origin < m.origin {
			return fmt.Errorf("retention list out of order at %s", m.id)
		}
	}
	if ages+q.ageOOO.len() != q.msgs.len() {
		return fmt.Errorf("retention order has %d+%d messages, index %d", ages, q.ageOOO.len(), q.msgs.len())
	}
	var all []*message
	q.msgs.each(func(m *message) { all = append(all, m) })
	if len(all) != q.msgs.len() {
		return fmt.Errorf("index holds %d, counts %d", len(all), q.msgs.len())
	}
	for _, m := range all {
		if q.msgs.get(m.seq) != m {
			return fmt.Errorf("index: %d does not find %s", m.seq, m.id)
		}
		inTimed := m.hidx[byVisibleAt] >= 0
		inReady := m.hidx[bySeq] >= 0
		if inTimed && q.timed.s[m.hidx[byVisibleAt]] != m || inReady && q.ready.s[m.hidx[bySeq]] != m {
			return fmt.Errorf("%s: stale heap index", m.id)
		}
		switch m.state {
		case stVisible:
			vis++
			if inTimed {
				return fmt.Errorf("%s: visible but in the timed heap", m.id)
			}
			if !q.fifo {
				n := inFresh[m]
				if inReady {
					n++
				}
				if n != 1 {
					return fmt.Errorf("%s: visible in %d structures", m.id, n)
				}
			}
		case stInflight, stDelayed:
			if m.state == stInflight {
				inf++
			} else {
				del++
			}
			if !inTimed || inReady || inFresh[m] > 0 {
				return fmt.Errorf("%s: in flight or delayed but not only in the timed heap", m.id)
			}
		default:
			return fmt.Errorf("%s: indexed in state %d", m.id, m.state)
		}
	}
	if vis != q.nVisible || inf != q.nInflight || del != q.nDelayed {
		return fmt.Errorf("counts %d/%d/%d, counters %d/%d/%d", vis, inf, del, q.nVisible, q.nInflight, q.nDelayed)
	}
	if q.timed.len() != inf+del {
		return fmt.Errorf("timed heap has %d, want %d", q.timed.len(), inf+del)
	}
	if !q.fifo {
		if q.ready.len()+len(inFresh) != vis {
			return fmt.Errorf("visible structures hold %d+%d, want %d", q.ready.len(), len(inFresh), vis)
		}
		return nil
	}
	queued := map[*group]bool{}
	for g := range q.readyGroups.All() {
		if queued[g] {
			return fmt.Errorf("group %s queued twice", g.id)
		}
		queued[g] = true
	}
	total := 0
	for id, g := range q.groups {
		if g.id != id || g.dead {
			return fmt.Errorf("group %s: bad entry", id)
		}
		n, flying := 0, 0
		var prev *message
		for m := g.msgs.head; m != nil; m = m.inGroup.next {
			n++
			if m.grp != g || m.inGroup.prev != prev || q.msgs.get(m.seq) != m {
				return fmt.Errorf("group %s: broken list at %s", id, m.id)
			}
			if prev != nil && prev.seq > m.seq {
				return fmt.Errorf("group %s: out of order", id)
			}
			if m.state == stInflight {
				flying++
			}
			prev = m
		}
		if g.msgs.tail != prev {
			return fmt.Errorf("group %s: bad tail", id)
		}
		if flying != g.inflight {
			return fmt.Errorf("group %s: %d in flight, counter %d", id, flying, g.inflight)
		}
		if n == 0 && g.inflight == 0 {
			return fmt.Errorf("group %s: empty but kept", id)
		}
		ready := g.inflight == 0 && g.msgs.head != nil && g.msgs.head.state == stVisible
		if ready && !(g.queued && queued[g]) {
			return fmt.Errorf("group %s can deliver but is not queued", id)
		}
		if g.queued != queued[g] {
			return fmt.Errorf("group %s: queued flag %v, in ring %v", id, g.queued, queued[g])
		}
		total += n
	}
	if total != q.msgs.len() {
		return fmt.Errorf("groups hold %d messages, index %d", total, q.msgs.len())
	}
	return nil
}
