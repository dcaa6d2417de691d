// Package value holds the helpers every part of the ASL engine uses on JSON
// values.
//
// A JSON value is a plain Go value: nil, bool, string, json.Number, float64,
// int, int64, []any or map[string]any. Documents are decoded with UseNumber so
// that numbers keep their text (1 stays 1, 1.50 stays 1.50) and large integers
// keep every digit. Code that builds values may also use float64, int and
// int64; every helper here accepts all four number kinds.
//
// Values are immutable once they enter an execution: a state never changes a
// map or slice it was given, it copies the part it changes (see Set in package
// jsonpath). That lets history events keep references instead of encoded
// copies, and lets one input be shared by many branches without copying. The
// one exception is an object that nothing but the execution can hold: when no
// event is kept, the object a ResultPath built may get the next ResultPath's
// field in place (see SetOwned in package jsonpath).
//
// Every part of the engine uses it, so it imports only the standard library.
package value
