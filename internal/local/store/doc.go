// Package store is the embedded database behind `yafdp local up
// --data-dir`: one bbolt file that keeps the SQS broker's queues and
// messages (queue.Store) and the Step Functions service's state machines
// and executions (sfnapi.Store).
//
// Writes are group-committed: every caller appends its changes to the
// batch being collected and returns at once; one writer goroutine applies
// each batch in order in one bbolt transaction, which fsyncs when it
// commits, and then wakes everyone who waits on that batch. So a request
// that must be durable before it is answered (SendMessage, DeleteMessage)
// pays one fsync shared with every request that arrived meanwhile, and
// the order in which changes were appended is the order they are applied.
//
// A commit that fails (a full disk) fails every change of its batch; the
// queue broker then rolls the queues those changes touched back to what
// the file holds (Queues.LoadQueue). The file is compacted at Open when
// at least half of it is free, and by Compact (`local up --compact`):
// bbolt reuses freed pages but never shrinks the file.
//
// Records are laid out in queues.go (queue.Store) and sfn.go
// (sfnapi.Store); messages and history events are binrec records, queue
// records and documents JSON. The package owns only how things are kept:
// what a queue or an execution is, and when a change is made, is the
// queue model's and sfnapi's. It imports sfnapi only for its Store and
// kinds of document, and never the SQS handler, the local server or the
// CLI.
package store
