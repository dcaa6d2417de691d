// Package states holds the error type that flows through an ASL execution
// and the predefined error names of the Amazon States Language.
//
// The engine, the intrinsic functions and every task handler share it, so it
// imports only the standard library.
package states
