// Package queue is Amazon SQS implemented once, on a clock: the same queues
// serve AWS SDK clients on the real clock and take millions of messages in
// virtual time, where nothing may block or poll.
//
// A Broker holds queues by name (CreateQueue, GetQueueUrl, ListQueues,
// DeleteQueue, ListDeadLetterSourceQueues and the message move tasks); a
// Queue has the actions on one queue (SendMessage, ReceiveMessage and the
// rest). The semantics are AWS's: standard and FIFO queues, visibility
// timeouts, receive counts, RedrivePolicy and RedriveAllowPolicy,
// retention, delays, the 5-minute deduplication window, message groups, the
// MD5 digests the SDKs check, and the errors, each an *Error carrying the
// JSON type and query code of the AWS error so that an HTTP layer maps
// them one to one. There is no HTTP and no CLI here.
//
// Speed: every operation is O(1) or O(log n) in the number of messages;
// nothing scans a queue, nothing runs a goroutine per message, and an idle
// queue schedules nothing on its clock (see Queue and the long polling
// notes in wait.go).
//
// Persistence: the state is plain data. A queue is its config (the
// settable attributes), its counters and a set of message values; every
// other structure (rings, heaps, the retention list, FIFO groups) is an
// index over the messages, rebuilt by enqueueing them again. With a Store
// (Options.Store, used by `local up --data-dir`), every operation hands its
// changes to the store in order, and Broker.Restore enqueues saved messages
// again in seq order with their saved state, under the queue's saved
// incarnation number (which keeps old receipt handles valid). See Store.
//
// It owns SQS's semantics and nothing of its transport: the HTTP and wire
// forms are internal/local/sqsapi's. Of yafdp it imports only clock, fifo and
// uuid; never the CLI packages, cobra, viper, lipgloss or tablewriter.
package queue
