// Package redrive moves the messages of a dead-letter queue back to the
// queue they came from (or to another), without losing one: with SQS's
// own StartMessageMoveTask (native), or by receiving, sending a copy with
// every attribute and deleting only what was accepted (copy), with a
// journal so that a run killed at any point resumes without loss and
// without sending again what was already moved.
//
// A copy run decides what to do with each message it receives in one pure
// function (decide), then applies the decisions of a batch: visibility,
// journal, sends, deletes.
//
// It owns the journal format (JournalFile) and the Journal interface a copy
// run records its steps through. It never imports the command line; the
// commands turn flags into its options and render its results.
package redrive
