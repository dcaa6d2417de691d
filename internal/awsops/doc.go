// Package awsops is what yafdp does to the real pipeline on AWS: submit
// orders to the orders queue (or its API Gateway endpoint), follow, list and
// describe saga executions, and inspect and redrive the dead-letter queue.
//
// It talks to AWS through small interfaces (SQSAPI, SFNAPI, MetricsAPI) that
// the aws-sdk-go-v2 clients satisfy, so tests can substitute stubs or wrap
// the real clients with fault injection. It never imports the CLI packages:
// the commands under internal/cli turn flags into the option structs here
// and render the results.
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
