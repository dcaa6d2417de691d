// Package iostreams gives commands their standard streams together with what
// they need to know about them: whether each is a terminal, whether colour is
// wanted, and how wide the terminal is. Data goes to Out, status and progress
// to ErrOut.
package iostreams
