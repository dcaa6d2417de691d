// Package executions finds, lists, describes and follows saga executions
// on Step Functions: a state machine by ARN or name, an execution by ARN or
// by the order id it is named after, their history read newest first and
// paged, so that following a long saga costs one call a poll.
//
// It never imports the command line; the commands turn flags into its
// options and render its results.
package executions
