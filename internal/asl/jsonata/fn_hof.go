package jsonata

import (
	"iter"
	"math"
	"strconv"
	"strings"

	"github.com/yafdp/yafdp/internal/asl/value"
)

// hofArgs is jsonata-js's hofFuncArgs: the value, then the index/key and
// the whole collection as far as the function's arity asks.
func hofArgs(f any, a1, a2, a3 any) []any {
	args := []any{a1}
	n := funcArity(f)
	if n >= 2 {
		args = append(args, a2)
	}
	if n >= 3 {
		args = append(args, a3)
	}
	return args
}

func (c *evalCtx) callHOF(ci *callInfo, f any, args []any) (any, error) {
	return c.apply(f, args, undefined, ci.env)
}

// arrayEntries yields an array's items with their indexes, and
// objectEntries an object's fields with their keys: what the higher-order
// functions hand their function after each value.
func arrayEntries(arr any) iter.Seq2[any, any] {
	return func(yield func(any, any) bool) {
		for i, x := range items(arr) {
			if !yield(x, float64(i)) {
				return
			}
		}
	}
}

func objectEntries(obj any) iter.Seq2[any, any] {
	return func(yield func(any, any) bool) {
		for _, k := range objKeys(obj) {
			v, _ := objGet(obj, k)
			if !yield(v, k) {
				return
			}
		}
	}
}

// mapEntries is $map and $each: f's results on the entries of coll, the
// undefined ones left out.
func (c *evalCtx) mapEntries(ci *callInfo, f, coll any, entries iter.Seq2[any, any]) (any, error) {
	res := &array{seq: true}
	for v, k := range entries {
		r, err := c.callHOF(ci, f, hofArgs(f, v, k, coll))
		if err != nil {
			return nil, err
		}
		if !isUndef(r) {
			res.items = append(res.items, r)
		}
	}
	return res, nil
}

// holds reports whether f is true of an entry of coll, for $filter, $sift
// and $single.
func (c *evalCtx) holds(ci *callInfo, f, v, k, coll any) (bool, error) {
	r, err := c.callHOF(ci, f, hofArgs(f, v, k, coll))
	if err != nil {
		return false, err
	}
	return booleanOf(r)
}

// keepEntries calls keep on each entry of coll that f holds of.
func (c *evalCtx) keepEntries(ci *callInfo, f, coll any, entries iter.Seq2[any, any], keep func(v, k any)) error {
	for v, k := range entries {
		t, err := c.holds(ci, f, v, k, coll)
		if err != nil {
			return err
		}
		if t {
			keep(v, k)
		}
	}
	return nil
}

func fnMap(c *evalCtx, ci *callInfo, arr any, args []any) (any, error) {
	f := argAt(args, 1)
	return c.mapEntries(ci, f, arr, arrayEntries(arr))
}

func fnEach(c *evalCtx, ci *callInfo, args []any) (any, error) {
	obj, f := argAt(args, 0), argAt(args, 1)
	return c.mapEntries(ci, f, obj, objectEntries(obj))
}

func fnFilter(c *evalCtx, ci *callInfo, arr any, args []any) (any, error) {
	f := argAt(args, 1)
	res := &array{seq: true}
	err := c.keepEntries(ci, f, arr, arrayEntries(arr), func(v, _ any) { res.items = append(res.items, v) })
	if err != nil {
		return nil, err
	}
	return res, nil
}

func fnSift(c *evalCtx, ci *callInfo, args []any) (any, error) {
	obj, f := argAt(args, 0), argAt(args, 1)
	res := newObject(0)
	err := c.keepEntries(ci, f, obj, objectEntries(obj), func(v, k any) { res.set(k.(string), v) })
	if err != nil {
		return nil, err
	}
	if len(res.keys) == 0 {
		return undefined, nil
	}
	return res, nil
}

// booleanOf is fn.boolean as used on function results (functions false).
func booleanOf(v any) (bool, error) {
	if isFunc(v) {
		return false, nil
	}
	return truthy(v)
}

func fnSingle(c *evalCtx, ci *callInfo, arr any, args []any) (any, error) {
	f := argAt(args, 1)
	found := false
	var result any = undefined
	for i, x := range items(arr) {
		pos := true
		if !isUndef(f) {
			var err error
			if pos, err = c.holds(ci, f, x, float64(i), arr); err != nil {
				return nil, err
			}
		}
		if pos {
			if found {
				return nil, newErr("D3138", -1).withIndex(i)
			}
			result, found = x, true
		}
	}
	if !found {
		return nil, newErr("D3139", -1)
	}
	return result, nil
}

func fnZip(_ *evalCtx, _ *callInfo, args []any) (any, error) {
	n := math.MaxInt
	for _, a := range args {
		n = min(n, len(items(a)))
	}
	if len(args) == 0 {
		n = 0
	}
	res := &array{items: make([]any, 0, n)}
	for i := 0; i < n; i++ {
		t := &array{items: make([]any, len(args))}
		for j, a := range args {
			t.items[j] = items(a)[i]
		}
		res.items = append(res.items, t)
	}
	return res, nil
}

func fnReduce(c *evalCtx, ci *callInfo, seq any, args []any) (any, error) {
	f, init := argAt(args, 1), argAt(args, 2)
	arity := funcArity(f)
	if arity < 2 {
		return nil, newErr("D3050", -1).withIndex(1)
	}
	xs := items(seq)
	result, i := init, 0
	if isUndef(init) && len(xs) > 0 {
		result, i = xs[0], 1
	}
	for ; i < len(xs); i++ {
		a := []any{result, xs[i]}
		if arity >= 3 {
			a = append(a, float64(i))
		}
		if arity >= 4 {
			a = append(a, seq)
		}
		var err error
		if result, err = c.callHOF(ci, f, a); err != nil {
			return nil, err
		}
	}
	return result, nil
}

func fnKeys(_ *evalCtx, _ *callInfo, args []any) (any, error) {
	return keysOf(argAt(args, 0)), nil
}

func keysOf(v any) *array {
	res := &array{seq: true}
	if a, ok := v.(*array); ok {
		merged := newObject(0)
		for _, it := range a.items {
			for _, k := range keysOf(it).items {
				merged.set(k.(string), true)
			}
		}
		return keysOf(merged)
	}
	if isObject(v) {
		for _, k := range objKeys(v) {
			res.items = append(res.items, k)
		}
	}
	return res
}

func fnLookup(_ *evalCtx, _ *callInfo, args []any) (any, error) {
	key, _ := argAt(args, 1).(string)
	return lookupField(argAt(args, 0), key), nil
}

func fnAppend(_ *evalCtx, _ *callInfo, args []any) (any, error) {
	return appendJS(argAt(args, 0), argAt(args, 1)), nil
}

func fnSpread(_ *evalCtx, _ *callInfo, args []any) (any, error) {
	return spread(argAt(args, 0)), nil
}

func spread(v any) any {
	if a, ok := v.(*array); ok {
		var res any = &array{seq: true}
		for _, it := range a.items {
			res = appendJS(res, spread(it))
		}
		return res
	}
	if isObject(v) {
		res := &array{seq: true}
		for _, k := range objKeys(v) {
			o := newObject(1)
			x, _ := objGet(v, k)
			o.set(k, x)
			res.items = append(res.items, o)
		}
		return res
	}
	return v
}

func fnMerge(_ *evalCtx, _ *callInfo, a any, _ []any) (any, error) {
	res := newObject(0)
	for _, o := range items(a) {
		for _, k := range objKeys(o) {
			v, _ := objGet(o, k)
			res.set(k, v)
		}
	}
	return res, nil
}

func fnReverse(_ *evalCtx, _ *callInfo, args []any) (any, error) {
	a := argAt(args, 0)
	xs := items(a)
	if isUndef(a) || len(xs) <= 1 {
		return a, nil
	}
	res := &array{items: make([]any, len(xs))}
	for i, x := range xs {
		res.items[len(xs)-1-i] = x
	}
	return res, nil
}

func fnSort(c *evalCtx, ci *callInfo, args []any) (any, error) {
	a, comp := argAt(args, 0), argAt(args, 1)
	xs := items(a)
	if isUndef(a) || len(xs) <= 1 {
		return a, nil
	}
	var swap func(x, y any) (bool, error)
	if isUndef(comp) {
		nums, err := arrayOfNumbers(xs)
		if err != nil {
			return nil, err
		}
		if !nums && !allStrings(xs) {
			return nil, newErr("D3070", -1).withIndex(1)
		}
		swap = func(x, y any) (bool, error) {
			r, _ := compareValues(x, y)
			return r > 0, nil
		}
	} else {
		swap = func(x, y any) (bool, error) {
			r, err := c.callHOF(ci, comp, []any{x, y})
			if err != nil {
				return false, err
			}
			return jsTruthy(r), nil
		}
	}
	sorted, err := mergeSort(xs, swap)
	if err != nil {
		return nil, err
	}
	return &array{items: sorted}, nil
}

func allStrings(xs []any) bool {
	for _, x := range xs {
		if _, ok := x.(string); !ok {
			return false
		}
	}
	return true
}

// jsTruthy is JavaScript's truthiness.
func jsTruthy(v any) bool {
	switch x := v.(type) {
	case undefinedType, nil:
		return false
	case bool:
		return x
	case float64:
		return x != 0 && !math.IsNaN(x)
	case string:
		return x != ""
	}
	return true
}

func fnShuffle(c *evalCtx, _ *callInfo, args []any) (any, error) {
	a := argAt(args, 0)
	xs := items(a)
	if isUndef(a) || len(xs) <= 1 {
		return a, nil
	}
	res := make([]any, len(xs))
	for i := range xs {
		j := int(math.Floor(c.random() * float64(i+1)))
		if i != j {
			res[i] = res[j]
		}
		res[j] = xs[i]
	}
	return &array{items: res}, nil
}

func fnDistinct(_ *evalCtx, _ *callInfo, args []any) (any, error) {
	a := argAt(args, 0)
	arr, ok := a.(*array)
	if !ok || len(arr.items) <= 1 {
		return a, nil
	}
	res := &array{seq: arr.seq}
outer:
	for _, x := range arr.items {
		for _, y := range res.items {
			if deepEqual(x, y) {
				continue outer
			}
		}
		res.items = append(res.items, x)
	}
	return res, nil
}

func fnNumber(_ *evalCtx, _ *callInfo, args []any) (any, error) {
	switch x := argAt(args, 0).(type) {
	case undefinedType:
		return undefined, nil
	case float64:
		return x, nil
	case bool:
		if x {
			return 1.0, nil
		}
		return 0.0, nil
	case string:
		if f, ok := parseNumberString(x); ok {
			return f, nil
		}
	}
	return nil, newErr("D3030", -1).withValue(argAt(args, 0)).withIndex(1)
}

// parseNumberString is $number's string cast: JSON-style decimals and
// 0x/0o/0b integer literals.
func parseNumberString(s string) (float64, bool) {
	if decimalRe.MatchString(s) {
		f, err := strconv.ParseFloat(s, 64)
		if err == nil && !math.IsInf(f, 0) {
			return f, true
		}
		return 0, false
	}
	if !radixRe.MatchString(s) {
		return 0, false
	}
	t := strings.TrimSpace(s)
	if len(t) > 2 && t[0] == '0' {
		base := map[byte]int{'x': 16, 'X': 16, 'o': 8, 'O': 8, 'b': 2, 'B': 2}[t[1]]
		if base != 0 {
			if n, err := strconv.ParseUint(t[2:], base, 64); err == nil {
				return float64(n), true
			}
		}
	}
	return math.NaN(), true
}

func fnRound(_ *evalCtx, _ *callInfo, x float64, args []any) (any, error) {
	prec, _ := argAt(args, 1).(float64)
	return roundHalfEven(x, prec), nil
}

// roundHalfEven is $round: decimal shifting through the number's text (so
// 2.675 at 2 places is 2.68, as in JavaScript), then half-to-even.
func roundHalfEven(x, prec float64) float64 {
	if prec != 0 {
		x = shiftDecimal(x, prec)
	}
	r := math.Floor(x)
	if x-r >= 0.5 {
		r++
	}
	if math.Abs(r-x) == 0.5 && math.Abs(math.Mod(r, 2)) == 1 {
		r--
	}
	if prec != 0 {
		r = shiftDecimal(r, -prec)
	}
	if r == 0 {
		r = 0
	}
	return r
}

func shiftDecimal(x, by float64) float64 {
	s := formatNumberJS(x)
	mant, exp, found := strings.Cut(s, "e")
	e := 0.0
	if found {
		v, _ := strconv.Atoi(exp)
		e = float64(v)
	}
	f, err := strconv.ParseFloat(mant+"e"+formatNumberJS(e+by), 64)
	if err != nil && !isRangeError(err) {
		return math.NaN()
	}
	return f
}

func fnSqrt(_ *evalCtx, _ *callInfo, x float64, _ []any) (any, error) {
	if x < 0 {
		return nil, newErr("D3060", -1).withValue(x).withIndex(1)
	}
	return math.Sqrt(x), nil
}

func fnPower(_ *evalCtx, _ *callInfo, x float64, args []any) (any, error) {
	y, ok := argAt(args, 1).(float64)
	if !ok {
		y = math.NaN() // Math.pow(x, undefined)
	}
	r := math.Pow(x, y)
	if math.IsNaN(y) || (math.Abs(x) == 1 && math.IsInf(y, 0)) {
		r = math.NaN() // Go's Pow gives 1 here; JavaScript's gives NaN
	}
	if math.IsInf(r, 0) || math.IsNaN(r) {
		e := newErr("D3061", -1).withValue(x).withIndex(1)
		e.Exp = argAt(args, 1)
		return nil, e
	}
	return r, nil
}

func fnRandom(c *evalCtx, _ *callInfo, _ []any) (any, error) {
	return c.random(), nil
}

func fnEval(c *evalCtx, ci *callInfo, src string, args []any) (any, error) {
	input := ci.input
	if focus := argAt(args, 1); !isUndef(focus) {
		input = wrapInput(focus)
	}
	ast, err := parse(src)
	if err != nil {
		e := newErr("D3120", -1).withValue(err.(*Error).Text())
		return nil, e
	}
	res, err := c.eval(ast, input, ci.env)
	if err != nil {
		if je, ok := err.(*Error); ok {
			if je.Code == "U1001" {
				return nil, err
			}
			return nil, newErr("D3121", -1).withValue(je.Text())
		}
		return nil, err
	}
	return res, nil
}

func fnClone(_ *evalCtx, _ *callInfo, a any, _ []any) (any, error) {
	return cloneJSON(a)
}

// cloneJSON is JSON.parse($string(v)): a deep copy with numbers rounded to
// 15 significant digits, NaN as null and functions turned into "". An
// infinite number fails (D1001), as $string's replacer does.
func cloneJSON(v any) (any, error) {
	return copyJSON(v, func(x any) (any, error) {
		if f, ok := x.(float64); ok {
			if err := checkFinite(f); err != nil {
				return nil, err
			}
			if math.IsNaN(f) {
				return nil, nil
			}
			return precision15(f), nil
		}
		if isFunc(x) {
			return "", nil
		}
		return fromInput(x), nil
	})
}

// copyJSON copies v as JSON.parse(JSON.stringify(v, replacer)) does:
// arrays and objects anew, an undefined item as null and an undefined
// field left out; leaf is the replacer, for every other value, and its
// first error ends the copy.
func copyJSON(v any, leaf func(any) (any, error)) (any, error) {
	switch x := v.(type) {
	case *array:
		out := &array{items: make([]any, len(x.items))}
		for i, it := range x.items {
			if isUndef(it) {
				continue
			}
			var err error
			if out.items[i], err = copyJSON(it, leaf); err != nil {
				return nil, err
			}
		}
		return out, nil
	case *object, map[string]any, *value.Record:
		out := newObject(objLen(v))
		for _, k := range objKeys(v) {
			if e, _ := objGet(v, k); !isUndef(e) {
				c, err := copyJSON(e, leaf)
				if err != nil {
					return nil, err
				}
				out.set(k, c)
			}
		}
		return out, nil
	}
	return leaf(v)
}
