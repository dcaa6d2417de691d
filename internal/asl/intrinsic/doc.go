// Package intrinsic evaluates the Amazon States Language intrinsic functions
// (States.Format, States.Array, ...) and the payload templates that use them
// (Parameters, ResultSelector, ItemSelector).
//
// Both are compiled once, when a definition is loaded, and evaluated many
// times. Compiled values are immutable, so one *Func or *Template may be
// evaluated from many goroutines at once as long as each gives its own Env.
//
// The behaviour follows what AWS Step Functions does rather than what its
// documentation says where the two differ; the tests name the observation
// behind each such choice. In particular:
//
//   - A call with the wrong number or kind of arguments is accepted when the
//     definition is loaded and fails when it runs, with the error
//     States.Runtime and a cause containing "Invalid arguments in States.X".
//     That is what AWS reports; it never raises States.IntrinsicFailure for
//     these.
//   - ArrayPartition, ArrayRange, ArrayGetItem and MathRandom truncate
//     fractional arguments toward zero, while MathAdd rounds half up
//     (Java's Math.round).
//   - Base64Decode is lenient: characters outside the alphabet are skipped and
//     decoding stops at the first '='.
//
// It sits below the engine: it never imports package asl, and of yafdp only
// asl/jsonpath, asl/states, asl/value and uuid.
package intrinsic
