package queue

import "testing"

// An operation's op lives on the stack: reading a queue's counts or
// whether it has a message to receive allocates nothing. (An op that
// pointed at its parent op made every one escape to the heap, which cost
// the simulator some 2,000 instructions an order.)
func TestOperationsDoNotAllocateTheirOp(t *testing.T) {
	b, _ := newVirtualBroker()
	q := mustCreate(t, b, "orders", nil)
	mustSend(t, q, SendInput{Body: "hello"})
	if n := testing.AllocsPerRun(100, func() { q.Stats() }); n != 0 {
		t.Errorf("Stats: %v allocations, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { q.Receivable() }); n != 0 {
		t.Errorf("Receivable: %v allocations, want 0", n)
	}
}
