// Package eventsapi is the part of Amazon EventBridge that yafdp local up
// serves: rules with event patterns on the default event bus, and SQS
// queues as their targets, over the AWS JSON 1.1 protocol
// (X-Amz-Target: AWSEvents.<Operation>). Step Functions' "Step Functions
// Execution Status Change" events are put on the bus by local up; each
// enabled rule whose pattern matches delivers the event to its targets as
// the SQS message body, asynchronously, as EventBridge does.
//
// Not served: scheduled rules, other event buses, PutEvents, input
// transformation (Input, InputPath, InputTransformer), targets other than
// SQS queues, retries of failed deliveries and dead-letter queues of
// targets. A delivery to a queue that does not exist is dropped and
// counted (Stats.Failed); the queue's Policy is not checked.
package eventsapi
