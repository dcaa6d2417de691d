// Package local is `yafdp local up`: the order pipeline on one machine,
// behind SQS- and Step-Functions-compatible endpoints on one port. The
// queues are internal/queue (the same SQS model the simulator runs), the
// state machines run on the ASL engine in real time against the fake
// services, and a new-order consumer plays the Lambda behind the queue's
// event source. Every yafdp command, the aws CLI and any AWS SDK can point
// at it with --endpoint-url.
package local
