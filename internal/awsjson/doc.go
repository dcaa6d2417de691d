// Package awsjson writes aws-sdk-go-v2 shapes (the structs of a service's
// types package) as the AWS JSON protocols write them: exported fields with
// their first letter lowered (Id → id, StateEnteredEventDetails →
// stateEnteredEventDetails), nil pointers, interfaces, maps and slices left
// out, strings without HTML escaping. A history event's own fields come
// first, in the order AWS writes them: timestamp, type, id,
// previousEventId, then its details.
//
// The SDK has serializers only for requests, not for the answers a server
// writes or a tool prints; this is the one place yafdp renders them, for
// Step Functions' GetExecutionHistory on the wire (local up) and for the
// events `saga watch --output jsonl` prints. AppendString is the JSON string
// writer the hand-written SQS answers and stored history events share.
//
// It imports only the SDK's types: internal/asl imports it, so it must
// never import the engine, nor the local endpoint or the CLI that use it.
package awsjson
