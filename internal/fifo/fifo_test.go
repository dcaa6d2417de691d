package fifo

import (
	"slices"
	"testing"
)

// TestListKeepsOrderAndReusesItsSlice: pointers come out in the order they
// went in, through the compaction of a long list, and a list that empties
// starts again at the front of its slice instead of allocating.
func TestListKeepsOrderAndReusesItsSlice(t *testing.T) {
	var l List[int]
	vals := make([]int, 5000)
	next, want := 0, 0
	for round := range 3 {
		for range 3000 {
			vals[next%len(vals)] = next
			l.Push(&vals[next%len(vals)])
			next++
		}
		for range 2000 + 500*round {
			if got := *l.PopFront(); got != want {
				t.Fatalf("popped %d, want %d", got, want)
			}
			want++
		}
		if l.Len() != next-want {
			t.Fatalf("Len %d, want %d", l.Len(), next-want)
		}
		if got := slices.Collect(l.All()); len(got) != l.Len() || *got[0] != want || *l.Front() != want {
			t.Fatalf("All gave %d pointers starting %d, Front %d; want %d from %d", len(got), *got[0], *l.Front(), l.Len(), want)
		}
	}
	for l.Len() > 0 {
		l.PopFront()
	}
	if l.Front() != nil || l.head != 0 || len(l.s) != 0 {
		t.Fatalf("an emptied list: Front %v, head %d, len %d", l.Front(), l.head, len(l.s))
	}
	x := 1
	if allocs := testing.AllocsPerRun(100, func() { l.Push(&x); l.PopFront() }); allocs != 0 {
		t.Fatalf("%.0f allocations to add to and take from an emptied list", allocs)
	}
}
