// Package submit puts orders on the orders queue: it checks every order
// once (Plan), before anything is sent, then sends them with
// SendMessageBatch (Submit), FIFO-aware, paced, retrying every entry that
// fails. It also holds what every way of submitting shares: the message an
// order becomes, and the per-order result.
//
// It never imports the command line; the commands turn flags into its
// options and render its results.
package submit
