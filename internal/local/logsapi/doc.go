// Package logsapi is the CloudWatch Logs part of `yafdp local up`: log
// groups, log streams and their events, kept in memory and served over the
// protocol the CloudWatch Logs SDKs speak, awsJson1_1 (POST, X-Amz-Target:
// Logs_20140328.<Operation>, Content-Type application/x-amz-json-1.1).
//
// It exists so that the logs Step Functions writes for a state machine with
// a LoggingConfiguration (Express workflows keep no other history) can be
// read the way they are read on AWS: DescribeLogStreams, GetLogEvents and
// FilterLogEvents (with logStreamNamePrefix, startTime, endTime and the
// filter patterns of Match (below)). It serves CreateLogGroup,
// DeleteLogGroup, DescribeLogGroups, CreateLogStream, DescribeLogStreams,
// PutLogEvents, GetLogEvents and FilterLogEvents. StartLiveTail, an HTTP/2
// event stream, is not served: poll FilterLogEvents instead.
//
// Memory is bounded: a log group keeps at most MaxEventsPerGroup events
// and MaxBytesPerGroup bytes of messages; past either, its oldest events
// are dropped, as retention would drop them on AWS.
//
// The package imports only the clock; the Step Functions side writes to it
// through its LogSink interface, which Store implements.
package logsapi
