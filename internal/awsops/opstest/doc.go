// Package opstest is what the tests of the awsops packages share: the SQS
// endpoint of yafdp local up on 127.0.0.1, the orders queue with its
// dead-letter queue, dead letters with every kind of attribute, and the
// fingerprints that prove a message arrived byte for byte.
package opstest
