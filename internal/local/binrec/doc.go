// Package binrec encodes the binary records of `yafdp local up
// --data-dir`: a version byte, then varints and strings prefixed with their
// length as a uvarint. The queue store's messages and the Step Functions
// service's history events are each encoded once, on paths that must be
// cheap, so they are not JSON; this is the one codec both use.
//
// It imports nothing of yafdp: the store and sfnapi import it, and it must
// import neither.
package binrec
