package spin

import (
	"runtime"
	"time"
)

// Waiter yields the processor while the wait is short, which costs the
// least when the goroutine waited for runs on another core, and sleeps
// once it is long: on a machine whose cores are busy with other work, a
// waiter that only yields keeps its core, and the goroutine it waits for
// may be the one that needs it. A Waiter's zero value is ready; it is not
// safe for concurrent use.
type Waiter struct{ n int }

const (
	// yields is how many waits in a row only yield: a goroutine whose
	// peers have cores of their own rarely waits longer, so it sleeps
	// only when they have not.
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
