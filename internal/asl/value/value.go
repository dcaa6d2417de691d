package value

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Decode parses one JSON document into a value, keeping numbers as json.Number.
// Trailing data after the document is an error.
func Decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("unexpected data after the JSON value")
	}
	// dec.More does not see a stray closing bracket; check the rest is blank.
	rest, _ := readRest(dec)
	if len(bytes.TrimSpace(rest)) > 0 {
		return nil, fmt.Errorf("unexpected data after the JSON value")
	}
	return v, nil
}

func readRest(dec *json.Decoder) ([]byte, error) {
	var buf bytes.Buffer
	_, err := buf.ReadFrom(dec.Buffered())
	return buf.Bytes(), err
}

// DecodeString is Decode for a string.
func DecodeString(s string) (any, error) { return Decode([]byte(s)) }

// Encode renders a value as compact JSON without HTML escaping, the way Step
// Functions prints payloads.
func Encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return b[:len(b)-1], nil // drop the newline Encoder adds
}

// MustEncodeString is Encode for values known to be encodable (every value
// built by the engine is); it panics otherwise.
func MustEncodeString(v any) string {
	b, err := Encode(v)
	if err != nil {
		panic(fmt.Sprintf("value: cannot encode %T: %v", v, err))
	}
	return string(b)
}

// IsNumber reports whether v is one of the number kinds.
func IsNumber(v any) bool {
	switch v.(type) {
	case json.Number, float64, int, int64, float32, int32:
		return true
	}
	return false
}

// Float returns v as a float64 when it is a number.
func Float(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(n), 64)
		return f, err == nil || isRangeErr(err)
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case float32:
		return float64(n), true
	case int32:
		return float64(n), true
	}
	return 0, false
}

func isRangeErr(err error) bool {
	var ne *strconv.NumError
	if e, ok := err.(*strconv.NumError); ok {
		ne = e
	}
	return ne != nil && ne.Err == strconv.ErrRange
}

// Int returns v as an int64 when it is a number with no fractional part that
// fits in an int64.
func Int(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case int32:
		return int64(n), true
	case json.Number:
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return i, true
		}
	}
	f, ok := Float(v)
	if !ok || math.IsInf(f, 0) || math.IsNaN(f) || f != math.Trunc(f) || f < -9.223372036854775e18 || f > 9.223372036854775e18 {
		return 0, false
	}
	return int64(f), true
}

// IsInteger reports whether v is a number whose value is whole.
func IsInteger(v any) bool {
	_, ok := Int(v)
	return ok
}

// Number builds the canonical number value for f: an integer when f is whole
// and fits, otherwise the shortest float text.
func Number(f float64) any {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return json.Number(strconv.FormatInt(int64(f), 10))
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
}

// IntNumber builds a number value from an int64.
func IntNumber(i int64) any { return json.Number(strconv.FormatInt(i, 10)) }

// TypeName names the JSON type of v the way error messages do.
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any, *Record:
		return "object"
	}
	if IsNumber(v) {
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

// Equal compares two values as JSON: numbers by value, objects by keys and
// values regardless of order, arrays element by element.
func Equal(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !Equal(xv, yv) {
				return false
			}
		}
		return true
	}
	fa, ok1 := Float(a)
	fb, ok2 := Float(b)
	if ok1 && ok2 {
		if ia, ok := Int(a); ok {
			if ib, ok := Int(b); ok {
				return ia == ib
			}
		}
		return fa == fb
	}
	return false
}

// Normalize converts any Go value that encoding/json can marshal into the value
// form (maps, slices, json.Number). Values already in that form are returned
// as they are.
func Normalize(v any) (any, error) {
	switch x := v.(type) {
	case nil, bool, string, json.Number, float64, int, int64:
		return v, nil
	case []any:
		return x, nil
	case map[string]any:
		return x, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return Decode(b)
}

// QuoteForMessage renders a value inside an error message the way Step
// Functions does: strings bare, everything else as compact JSON.
func QuoteForMessage(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := Encode(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSpace(string(b))
}
