//go:build !unix

package crash

// Start does nothing here: without dup2, standard error cannot be taken
// from the runtime, and only panics on the main goroutine are caught
// (Recover).
func Start() {}

func ignoreSignals() {}
