package jsonata

import "errors"

// Function is how a function value (a lambda, a built-in, a regex) appears
// in a result. It is not JSON: encoding it fails, and Step Functions
// rejects such a result ("returned an unsupported result type"); see
// IsFunction and ContainsFunction.
type Function struct {
	fn any
}

// errFunctionJSON is returned when a Function is encoded.
var errFunctionJSON = errors.New("jsonata: a function is not a JSON value")

// MarshalJSON fails: a function has no JSON form.
func (Function) MarshalJSON() ([]byte, error) { return nil, errFunctionJSON }

// IsFunction reports whether a result is a function.
func IsFunction(v any) bool {
	_, ok := v.(Function)
	return ok
}

// ContainsFunction reports whether a result is or holds a function.
func ContainsFunction(v any) bool {
	switch x := v.(type) {
	case Function:
		return true
	case []any:
		for _, e := range x {
			if ContainsFunction(e) {
				return true
			}
		}
	case map[string]any:
		for _, e := range x {
			if ContainsFunction(e) {
				return true
			}
		}
	}
	return false
}
