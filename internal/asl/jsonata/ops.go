package jsonata

import (
	"math"

	"github.com/yafdp/yafdp/internal/asl/value"
)

// evalBinary evaluates arithmetic, comparison, boolean, string-concat,
// range and inclusion operators.
func (c *evalCtx) evalBinary(n *node, input any, e *env) (any, error) {
	lhs, err := c.eval(n.lhs, input, e)
	if err != nil {
		return nil, err
	}
	if n.op == "and" || n.op == "or" {
		return c.evalBoolean(n, lhs, input, e)
	}
	rhs, err := c.eval(n.rhs, input, e)
	if err != nil {
		return nil, err
	}
	var res any
	var oe *Error
	switch n.op {
	case "+", "-", "*", "/", "%":
		res, oe = arithmetic(lhs, rhs, n.op)
	case "=":
		res = deepEqualDefined(lhs, rhs)
	case "!=":
		if isUndef(lhs) || isUndef(rhs) {
			res = false
		} else {
			res = !deepEqual(lhs, rhs)
		}
	case "<", "<=", ">", ">=":
		res, oe = comparison(lhs, rhs, n.op)
	case "&":
		res, oe = concat(lhs, rhs)
	case "..":
		res, oe = rangeOp(lhs, rhs)
	case "in":
		res = includes(lhs, rhs)
	}
	if oe != nil {
		oe.Position, oe.hasPos = n.pos, true
		oe.withToken(n.op)
		return nil, oe
	}
	return res, nil
}

func (c *evalCtx) evalBoolean(n *node, lhs any, input any, e *env) (any, error) {
	l, err := truthy(lhs)
	if err != nil {
		return nil, withPosTok(err, n.pos, n.op)
	}
	if (n.op == "and" && !l) || (n.op == "or" && l) {
		return l, nil
	}
	rhs, err := c.eval(n.rhs, input, e)
	if err != nil {
		// jsonata-js evaluates the right side inside the try that stamps
		// the operator on errors, so its errors carry "and"/"or".
		return nil, withPosTok(err, n.pos, n.op)
	}
	r, err := truthy(rhs)
	if err != nil {
		return nil, withPosTok(err, n.pos, n.op)
	}
	return r, nil
}

func withPosTok(err error, pos int, tok string) error {
	if je, ok := err.(*Error); ok && !je.IsLimit() {
		je.Position, je.hasPos = pos, true
		je.withToken(tok)
	}
	return err
}

func arithmetic(lhs, rhs any, op string) (any, *Error) {
	l, lok := lhs.(float64)
	r, rok := rhs.(float64)
	if !isUndef(lhs) {
		if !lok || math.IsNaN(l) {
			return nil, newErr("T2001", -1).withValue(lhs)
		}
		if e := checkFinite(l); e != nil {
			return nil, e
		}
	}
	if !isUndef(rhs) {
		if !rok || math.IsNaN(r) {
			return nil, newErr("T2002", -1).withValue(rhs)
		}
		if e := checkFinite(r); e != nil {
			return nil, e
		}
	}
	if !lok || !rok {
		return undefined, nil
	}
	switch op {
	case "+":
		return l + r, nil
	case "-":
		return l - r, nil
	case "*":
		return l * r, nil
	case "/":
		return l / r, nil
	}
	return math.Mod(l, r), nil
}

func deepEqualDefined(lhs, rhs any) bool {
	if isUndef(lhs) || isUndef(rhs) {
		return false
	}
	return deepEqual(lhs, rhs)
}

// deepEqual is jsonata-js's isDeepEqual: === first (so a value holding
// NaN equals itself), then arrays item by item and objects by their keys,
// in any order, and values.
func deepEqual(a, b any) bool {
	if strictEqual(a, b) {
		return true
	}
	switch x := a.(type) {
	case *array:
		y, ok := b.(*array)
		if !ok || len(x.items) != len(y.items) {
			return false
		}
		for i := range x.items {
			if !deepEqual(x.items[i], y.items[i]) {
				return false
			}
		}
		return true
	case *object, map[string]any, *value.Record:
		if !isObject(b) || objLen(a) != objLen(b) {
			return false
		}
		for _, k := range objKeys(a) {
			bv, ok := objGet(b, k)
			if !ok {
				return false
			}
			av, _ := objGet(a, k)
			if !deepEqual(av, bv) {
				return false
			}
		}
		return true
	}
	return false
}

func comparison(lhs, rhs any, op string) (any, *Error) {
	lc := isUndef(lhs) || isStrOrNum(lhs)
	rc := isUndef(rhs) || isStrOrNum(rhs)
	if !lc || !rc {
		bad := lhs
		if isStrOrNum(lhs) {
			bad = rhs
		}
		return nil, newErr("T2010", -1).withValue(bad)
	}
	if isUndef(lhs) || isUndef(rhs) {
		return undefined, nil
	}
	if l, ok := lhs.(float64); ok {
		r, ok := rhs.(float64)
		if !ok {
			return nil, t2009(lhs, rhs)
		}
		return cmpNum(l, r, op), nil
	}
	r, ok := rhs.(string)
	if !ok {
		return nil, t2009(lhs, rhs)
	}
	d := compareUTF16(lhs.(string), r)
	switch op {
	case "<":
		return d < 0, nil
	case "<=":
		return d <= 0, nil
	case ">":
		return d > 0, nil
	}
	return d >= 0, nil
}

func t2009(l, r any) *Error {
	e := newErr("T2009", -1).withValue(l)
	e.Value2 = r
	return e
}

func cmpNum(l, r float64, op string) bool {
	switch op {
	case "<":
		return l < r
	case "<=":
		return l <= r
	case ">":
		return l > r
	}
	return l >= r
}

func concat(lhs, rhs any) (any, *Error) {
	l, r := "", ""
	var err error
	if !isUndef(lhs) {
		if l, err = stringify(lhs, false); err != nil {
			return nil, err.(*Error)
		}
	}
	if !isUndef(rhs) {
		if r, err = stringify(rhs, false); err != nil {
			return nil, err.(*Error)
		}
	}
	return l + r, nil
}

// maxRange is jsonata-js's limit on the size of a range.
const maxRange = 1e7

func rangeOp(lhs, rhs any) (any, *Error) {
	l, lok := lhs.(float64)
	r, rok := rhs.(float64)
	if !isUndef(lhs) && (!lok || l != math.Trunc(l) || math.IsInf(l, 0)) {
		return nil, newErr("T2003", -1).withValue(lhs)
	}
	if !isUndef(rhs) && (!rok || r != math.Trunc(r) || math.IsInf(r, 0)) {
		return nil, newErr("T2004", -1).withValue(rhs)
	}
	if !lok || !rok || l > r {
		return undefined, nil
	}
	size := r - l + 1
	if size > maxRange {
		return nil, newErr("D2014", -1).withValue(size)
	}
	out := &array{seq: true, items: make([]any, int(size))}
	for i := range out.items {
		out.items[i] = l + float64(i)
	}
	return out, nil
}

// includes is the in operator: strict (===) membership.
func includes(lhs, rhs any) bool {
	if isUndef(lhs) || isUndef(rhs) {
		return false
	}
	for _, x := range listOf(rhs) {
		if strictEqual(lhs, x) {
			return true
		}
	}
	return false
}

// strictEqual is JavaScript's ===: numbers, strings, booleans, null and
// undefined by value, arrays, objects and functions by identity.
func strictEqual(a, b any) bool {
	if x, ok := a.(map[string]any); ok {
		y, ok := b.(map[string]any)
		return ok && sameMap(x, y)
	}
	switch a.(type) {
	case float64, string, bool, nil, undefinedType, *array, *object, *value.Record, *lambda, *nativeFn, *matcher:
		// Go's == on interfaces compares these as === does: the same
		// type, and the same value (NaN equal to nothing) or pointer.
		return a == b
	}
	return false
}

// truthy is jsonata-js's boolean cast; undefined is false.
func truthy(v any) (bool, error) {
	switch x := v.(type) {
	case undefinedType, nil:
		return false, nil
	case bool:
		return x, nil
	case string:
		return x != "", nil
	case float64:
		if math.IsInf(x, 0) {
			return false, newErr("D1001", -1).withValue(x)
		}
		return x != 0 && !math.IsNaN(x), nil
	case *array:
		if len(x.items) == 1 {
			return truthy(x.items[0])
		}
		// jsonata-js casts every item (Array.filter), so an infinite
		// number fails the cast even after a true item.
		some := false
		for _, it := range x.items {
			t, err := truthy(it)
			if err != nil {
				return false, err
			}
			some = some || t
		}
		return some, nil
	}
	if isObject(v) {
		return objLen(v) > 0, nil
	}
	return false, nil
}

// toBoolean is truthy for conditions: 1 true, 0 false.
func toBoolean(v any) (int, error) {
	t, err := truthy(v)
	if t {
		return 1, err
	}
	return 0, err
}
