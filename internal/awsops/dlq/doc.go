// Package dlq reads dead-letter queues: which queues are one (List), with
// their depth, the age of their oldest message and their source queues,
// and their messages without consuming them (Peek). It also has the
// message as received, and the receive, visibility and delete calls that
// dlq redrive builds on.
//
// It never imports the command line; the commands turn flags into its
// options and render its results.
package dlq
