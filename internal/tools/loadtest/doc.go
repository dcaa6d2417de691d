// Command loadtest drives an SQS endpoint from its own process and proves
// what it did: N messages sent with SendMessageBatch by C concurrent
// clients, then received and deleted (ReceiveMessage, DeleteMessageBatch)
// by C clients, none lost and none delivered while invisible. It prints
// send and receive+delete throughput; the latter counts the messages
// deleted on their first delivery, up to the last of them (a message whose
// receive answer was lost comes back only after the visibility timeout).
//
//	loadtest -serve 127.0.0.1:0                 # an endpoint (sqsapi over a fresh broker); prints its URL
//	loadtest -endpoint http://127.0.0.1:4566    # the load, against any SQS endpoint (yafdp local up)
//
// The checks, from the client's side of the wire:
//   - every MessageId a send returned is received and deleted; a message
//     received that no send returned is an error (unless a send call was
//     retried, which may have enqueued its batch twice);
//   - each delivery's ApproximateReceiveCount is the number of deliveries of
//     that message seen so far: no delivery happened that no client saw,
//     except in a receive whose answer the client lost (a failed call; the
//     client works around the one known cause, see inMemoryBodies), at most
//     ten per such receive, and those messages stay hidden for the
//     visibility timeout after it;
//   - a message delivered again was invisible from its previous delivery
//     for the visibility timeout: the server hid it at some instant between
//     the previous receive's request and response, so a redelivery whose
//     response came before that request's start plus the timeout is proof of
//     a delivery while invisible;
//   - no message is delivered after a delete of it was answered;
//   - at the end the queue reports no message visible, in flight or delayed.
//
// Exit status: 0 all checks hold, 1 a check failed, 2 bad flags or the
// endpoint could not be used.
//
// It is a tool of the repository (go run ./internal/tools/loadtest), not
// a yafdp command: scripts/bench-local-sqs.sh runs it for BENCHMARKS.md,
// and its tests run it against faulty endpoints to prove the checks catch
// them. It talks to the endpoint only through aws-sdk-go-v2; it imports
// sqsapi and the queue model only to serve one (-serve), and never the CLI.
package main
