// Package jsonpath compiles and evaluates the JSONPath dialect of the Amazon
// States Language. Paths are compiled once, when a definition is loaded, and
// evaluated against values in the form package value describes.
//
// Step Functions evaluates paths with Jayway JsonPath (Java), and this package
// follows Jayway where the two could differ:
//
//   - A definite path (fields, single indexes, and a union of names as the last
//     step) yields the value itself, or a *NotFoundError. Any other path yields
//     a []any of every match, possibly empty, and never an error.
//   - A union of names as the last step, $['a','b'], is definite and yields one
//     object holding those of the names that exist (Jayway's "merge" case).
//   - Names in brackets are taken literally: a backslash only stops the next
//     character from closing the name, and stays in it. AWS looks up the key
//     Test\"Name for $['Test\"Name'].
//   - Slices follow Jayway exactly, quirks included: [1:-1] is empty, and in
//     [-8:2] each index from -8 to 1 is taken on its own, counting negative
//     ones from the end.
//     Slice steps ([::2]) are rejected, as Jayway rejects them.
//   - Wildcards and recursive descent visit object members in sorted key order:
//     Go maps keep no order, and sorting makes results reproducible.
//   - A filter matches objects only; the AWS documentation says "@" never
//     matches scalar values. String literals in filters take Java escapes.
//   - Functions such as length() and the word operators (in, nin, subsetof,
//     anyof, noneof, size, empty, contains) are rejected at Compile: the AWS
//     documentation says Step Functions supports neither.
//
// Values are immutable: Get never changes its input and Set copies only the
// maps and slices along the path. SetOwned, for a caller that owns the root
// exclusively, changes the root object itself and copies the rest.
//
// It imports of yafdp only package value.
package jsonpath
