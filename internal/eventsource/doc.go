// Package eventsource is the Lambda SQS event source mapping, modelled
// once: how many batches it runs at once and how that number grows while
// messages wait, how large a batch is, and which messages of a batch are
// deleted once the function has run on it. It keeps counts and answers
// questions; drivers do the receiving, the invoking and the deleting: the
// simulator on a virtual clock (internal/sim), `yafdp local up` with a
// goroutine per batch on the real clock (internal/local).
//
// It imports only the standard library: no queue, no clock, no CLI.
package eventsource
