// Package spin waits for another goroutine to make progress that it has
// no channel or lock to signal with: a simulation partition waiting for
// the others to pass a point in virtual time.
package spin

import (
	"runtime"
	"time"
)

// Waiter yields the processor while the wait is short, which costs the
// least when the goroutine waited for runs on another core, and sleeps
// once it is long: on a machine whose cores are busy with other work, a
// waiter that only yields keeps its core, and the goroutine it waits for
// may be the one that needs it (a simulated hour ran three to five times
// slower with one or two other busy processes on two cores). A Waiter's
// zero value is ready; it is not safe for concurrent use.
type Waiter struct{ n int }

const (
	// yields is how many waits in a row only yield: a partition that
	// waits at all rarely waits longer (a counter added for a while, not
	// kept, put 0.2% of a partition's waits past 64 yields, alone).
	yields = 64
	// pause is a long wait's sleep.
	pause = 20 * time.Microsecond
)

// Wait waits a little: the n-th wait in a row yields, or sleeps past
// yields.
func (w *Waiter) Wait() {
	w.n++
	if w.n <= yields {
		runtime.Gosched()
		return
	}
	time.Sleep(pause)
}

// Reset starts a new wait: the goroutine waited for has made progress.
func (w *Waiter) Reset() { w.n = 0 }
