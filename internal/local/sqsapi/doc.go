// Package sqsapi serves Amazon SQS over HTTP: the AWS JSON 1.0 protocol
// that aws-sdk-go-v2, the other current AWS SDKs and the aws CLI use for
// SQS (POST, X-Amz-Target: AmazonSQS.<Operation>, Content-Type
// application/x-amz-json-1.0), over the SQS model of package queue. It is
// the SQS half of `yafdp local up`; the local server mounts it next to the
// Step Functions handler on one port.
//
// Operations: CreateQueue, GetQueueUrl, ListQueues, DeleteQueue,
// GetQueueAttributes, SetQueueAttributes, SendMessage, SendMessageBatch,
// ReceiveMessage (long polling honours the request's context),
// DeleteMessage, DeleteMessageBatch, ChangeMessageVisibility,
// ChangeMessageVisibilityBatch, PurgeQueue, ListDeadLetterSourceQueues,
// StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask,
// TagQueue, UntagQueue and ListQueueTags. AddPermission and
// RemovePermission answer UnsupportedOperation; any other AmazonSQS target
// answers InvalidAction.
//
// Errors are rendered as SQS renders them, so that an SDK returns its
// typed error (types.QueueDoesNotExist, types.ReceiptHandleIsInvalid, ...):
// the HTTP status of the error, a JSON body {"__type":
// "com.amazonaws.sqs#<Type>", "message": "..."} and the header
// x-amzn-query-error: <query code>;Sender. A body that is not JSON, or a
// field of the wrong JSON type, is SerializationException, as the AWS JSON
// services answer it; a missing required field is MissingParameter.
//
// Queue URLs are the broker's (queue.Options.BaseURL, which the server sets
// to http://127.0.0.1:PORT). A QueueUrl is resolved by its path,
// /ACCOUNT/NAME, whatever its scheme and host, because SDKs and proxies
// sometimes rewrite the host.
//
// Each operation is one entry of the table in ops.go: its request shape
// (wire.go), its checks, its call on the queue model and its answer
// (answers.go), which op and queueOp (op.go) assemble into one step:
// decode, check, call, encode. Adding an operation is adding an entry.
//
// The package owns the protocol only: what a request means is the queue
// model's (internal/queue), which is all it imports of yafdp besides
// awsjson. It never imports the CLI (cobra, viper, lipgloss, internal/cli,
// internal/ui), the Step Functions side or the local server that mounts it.
//
// There is no authentication: requests are not signature-checked and any
// credentials work, as with LocalStack. Bind the server to 127.0.0.1.
//
// Speed: the handler holds no lock of its own, so requests run in parallel
// and an operation costs its decoding, the queue model and its answer.
// Answers are written by hand into a pooled buffer (encode.go), half the
// time and a sixth of the memory of encoding/json for a ReceiveMessage
// of ten (BenchmarkEncodeReceive). Requests are decoded with encoding/json
// into concrete structs: under the load test (100,000 messages, 64
// clients, see internal/tools/loadtest) that is a fifth of the server's
// CPU and about a twentieth of the machine's, the rest going to the SDK
// clients, HTTP and the model, and the endpoint passes its targets (30,000
// sends and 20,000 receives and deletes a second on two cores) with room,
// so a hand-written decoder has not been worth its risk.
package sqsapi
