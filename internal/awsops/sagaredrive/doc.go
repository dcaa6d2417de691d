// Package sagaredrive redrives failed saga executions with Step Functions'
// RedriveExecution: one execution, or in bulk all those of a state machine
// that ended with a status (FAILED, TIMED_OUT, ABORTED) since a time,
// optionally with one error, paced, with a journal (JournalFile) so that a
// run that is killed resumes without redriving any execution twice, and a
// dry run that changes nothing.
//
// It never imports the command line; `yafdp saga redrive` turns flags into
// its Options and renders its Result.
package sagaredrive
