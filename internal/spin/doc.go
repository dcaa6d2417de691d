// Package spin waits for another goroutine to make progress that it has
// no channel or lock to signal with: a goroutine that steps its own
// virtual clock, waiting for others to pass a point in virtual time.
//
// It imports only the standard library.
package spin
