// Package clock gives the engine, the queues and the fake services their
// sense of time. Real follows the wall clock; Virtual is a discrete-event
// scheduler on which a 30-second wait costs no wall time, and whose runs
// are reproducible (functions due at the same instant run in the order they
// were scheduled).
//
// It owns time and nothing else: it imports only the standard library.
package clock
