// Package batch sends messages to an SQS queue with SendMessageBatch:
// batches of at most ten entries and 1 MiB, several batches at once,
// paced, retrying every entry that failed (inside a 200 response or with
// its whole call) until it is sent or its attempts are used up. It never
// reports a message sent without the MessageId SQS returned for it. order
// submit and the copy strategy of dlq redrive send through it.
//
// It never imports the command line.
package batch
