// Package awsops is what yafdp does to the real pipeline on AWS, one
// package per job:
//
//   - submit puts orders on the orders queue, apisubmit POSTs them to its
//     API Gateway endpoint;
//   - executions finds, lists, describes and follows saga executions;
//   - dlq lists dead-letter queues and peeks at their messages;
//   - redrive moves them back, with a journal; filter is its --filter
//     language;
//   - batch sends messages with SendMessageBatch, for submit and redrive.
//
// This package holds what they share: the small interfaces of the AWS
// APIs they call (SQSAPI, SFNAPI, MetricsAPI), which the aws-sdk-go-v2
// clients satisfy and tests stub or wrap with fault injection; a queue
// named by URL, ARN or name, parsed once and resolved once; the helpers
// that read AWS errors; and the back-off between retries. No package here
// imports the command line: it turns flags into their options and renders
// their results.
//
// Safety rules every operation follows:
//   - nothing is sent until every input has been validated;
//   - an order is reported sent only with the MessageId SQS returned, and a
//     failed batch entry is retried, never dropped;
//   - a redriven message is deleted from the dead-letter queue only after
//     its copy was accepted by the target queue, with every attribute, and
//     the journal records each step before the next one is taken, so a run
//     killed at any point can resume without loss and without resending what
//     was already moved.
package awsops
