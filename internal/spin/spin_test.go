package spin

import "testing"

// TestWaiterYieldsThenSleeps: the first yields waits in a row only yield,
// the ones after sleep, and Reset starts over. (How long a sleep takes is
// the machine's business: nothing here measures it.)
func TestWaiterYieldsThenSleeps(t *testing.T) {
	var w Waiter
	for range yields {
		w.Wait()
	}
	if w.n != yields {
		t.Fatalf("after %d waits the count is %d", yields, w.n)
	}
	w.Wait() // the first sleep
	if w.n <= yields {
		t.Fatal("the wait past the yields did not count as a sleep")
	}
	w.Reset()
	if w.n != 0 {
		t.Fatalf("Reset left the count at %d", w.n)
	}
}
