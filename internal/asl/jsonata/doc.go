// Package jsonata parses and evaluates JSONata expressions with the
// semantics of jsonata-js 2.0.6, the version AWS Step Functions runs.
//
// It owns the language (lexer, Pratt parser, AST post-processing,
// evaluator), the standard function library with jsonata-js's error codes
// and messages, and the functions Step Functions adds (AWSFuncSet). The
// JSONata 2.0.6 test suite (shared/jsonata-suite) passes in full, and a
// differential test compares results and error codes with jsonata-js run
// by node.
//
// # Use
//
//	e, err := jsonata.Compile(`$states.input.items[qty > 1].sku`) // *Error on a syntax error
//	res, defined, err := e.Eval(nil, &jsonata.Bindings{Vars: vars}, &jsonata.Options{Functions: jsonata.AWSFuncSet})
//
// An Expr is immutable and safe for concurrent use. defined is false for
// JSONata's undefined, which is distinct from null (nil). Errors are
// *Error values whose Error() is "CODE: message", the text AWS prints after
// "threw an error during evaluation.".
//
// # Values
//
// Input and bindings are the engine's values: nil, bool, string,
// json.Number, float64, int, int64, []any, map[string]any and
// *value.Record. They are read lazily and never copied up front: a field
// access is a map lookup, an array read gets a shallow copy of its items
// with numbers as doubles, and every number kind is read as a double, as
// in JavaScript. Nothing the caller passes is ever changed. A Go map has no key order, so its keys are taken in sorted
// order wherever order shows ($keys, $each, $string, wildcards); a
// *value.Record keeps its own order. Objects the evaluator builds keep
// JavaScript's property order (array-index keys first, then insertion
// order).
//
// Results are nil, bool, string, float64, []any and map[string]any (so key
// order of built objects is not kept in the result), or Function for a
// function value, which the engine must reject (IsFunction,
// ContainsFunction). Parts of the input returned unchanged are shared, not
// copied, unless they hold numbers of another kind, which are converted to
// float64. NaN and ±Infinity leave as null, -0 as 0, as JSON.stringify
// writes them; encoding/json then prints numbers as JavaScript does.
//
// # Limits
//
// Options.MaxDepth bounds evaluation nesting (counted as the jsonata-js
// test harness counts it, one level per node evaluated; tail calls do not
// nest) and Options.Timeout bounds the time; both end with U1001, the code
// the harness uses. Regex matches have their own timeout, and functions
// that would build strings longer than V8 allows fail with U1003. Options
// also carry the clock for $now and $millis (read once per evaluation) and
// the random source for $random, $shuffle and $uuid.
package jsonata
