// Package awstest builds aws-sdk-go-v2 clients for tests and benchmarks
// that talk to a local endpoint (moto, the SQS endpoint of yafdp local up)
// over real sockets: static credentials, one region, and a quick retryer
// so that injected faults do not make tests slow.
package awstest
