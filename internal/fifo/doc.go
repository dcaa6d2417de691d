// Package fifo is a first-in, first-out list of pointers kept in a slice,
// for queues that take from the front and add at the back millions of
// times: once the slice has grown to the longest the list gets, adding and
// taking allocate nothing.
//
// It imports only the standard library.
package fifo
