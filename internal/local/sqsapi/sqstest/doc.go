// Package sqstest starts the SQS endpoint of package sqsapi over a fresh
// queue.Broker on a real socket of 127.0.0.1 for a test or benchmark, and
// gives the test a look inside: the broker, a clock it can move, call
// counts, and the messages a queue holds (Start); or lets the test wrap
// the handler (Serve).
//
// It is for tests only: it imports testing, and nothing but tests imports
// it.
package sqstest
