// Package order owns the order message (v1): its type, its validation
// (every problem an *input.Error naming the field by its JSON path), its
// decoding, one message (Decode) or a file of them (Read, NDJSON or a JSON
// array, with lines), and a generator of realistic orders for load tests
// and simulations.
//
// It imports neither the command line nor AWS.
package order
