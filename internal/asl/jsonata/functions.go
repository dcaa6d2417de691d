package jsonata

import (
	"math"
	"strings"
)

// builtin describes one standard function: its signature, JavaScript arity
// and declared parameters (for higher-order calls and partial
// application), and its implementation.
type builtin struct {
	sig    string
	params []string
	arity  int
	impl   builtinImpl
}

// builtinImpl is how a native function runs: with the evaluation, its call
// and its arguments, checked against its signature.
type builtinImpl = func(c *evalCtx, ci *callInfo, args []any) (any, error)

// builtinTable lists jsonata-js 2.0.6's standard library.
func builtinTable() map[string]builtin {
	p := func(s ...string) []string { return s }
	return map[string]builtin{
		"sum":                {"<a<n>:n>", p("args"), 1, withDefined(fnSum)},
		"count":              {"<a:n>", p("args"), 1, fnCount},
		"max":                {"<a<n>:n>", p("args"), 1, extremum(math.Max, math.Inf(-1))},
		"min":                {"<a<n>:n>", p("args"), 1, extremum(math.Min, math.Inf(1))},
		"average":            {"<a<n>:n>", p("args"), 1, fnAverage},
		"string":             {"<x-b?:s>", p("arg", "prettify"), 1, withDefined(fnString)},
		"substring":          {"<s-nn?:s>", p("str", "start", "length"), 3, withFirst(fnSubstring)},
		"substringBefore":    {"<s-s:s>", p("str", "chars"), 2, withFirst(fnSubstringBefore)},
		"substringAfter":     {"<s-s:s>", p("str", "chars"), 2, withFirst(fnSubstringAfter)},
		"lowercase":          {"<s-:s>", p("str"), 1, unary(strings.ToLower)},
		"uppercase":          {"<s-:s>", p("str"), 1, unary(jsToUpper)},
		"length":             {"<s-:n>", p("str"), 1, withFirst(fnLength)},
		"trim":               {"<s-:s>", p("str"), 1, unary(jsTrim)},
		"pad":                {"<s-ns?:s>", p("str", "width", "char"), 3, withFirst(fnPad)},
		"match":              {"<s-f<s:o>n?:a<o>>", p("str", "regex", "limit"), 3, withFirst(fnMatch)},
		"contains":           {"<s-(sf):b>", p("str", "token"), 2, withFirst(fnContains)},
		"replace":            {"<s-(sf)(sf)n?:s>", p("str", "pattern", "replacement", "limit"), 4, withFirst(fnReplace)},
		"split":              {"<s-(sf)n?:a<s>>", p("str", "separator", "limit"), 3, withFirst(fnSplit)},
		"join":               {"<a<s>s?:s>", p("strs", "separator"), 2, withDefined(fnJoin)},
		"formatNumber":       {"<n-so?:s>", p("value", "picture", "options"), 3, withFirst(fnFormatNumber)},
		"formatBase":         {"<n-n?:s>", p("value", "radix"), 2, withFirst(fnFormatBase)},
		"formatInteger":      {"<n-s:s>", p("value", "picture"), 2, withFirst(fnFormatInteger)},
		"parseInteger":       {"<s-s:n>", p("value", "picture"), 2, withFirst(fnParseInteger)},
		"number":             {"<(nsb)-:n>", p("arg"), 1, fnNumber},
		"floor":              {"<n-:n>", p("arg"), 1, unary(math.Floor)},
		"ceil":               {"<n-:n>", p("arg"), 1, unary(math.Ceil)},
		"round":              {"<n-n?:n>", p("arg", "precision"), 2, withFirst(fnRound)},
		"abs":                {"<n-:n>", p("arg"), 1, unary(math.Abs)},
		"sqrt":               {"<n-:n>", p("arg"), 1, withFirst(fnSqrt)},
		"power":              {"<n-n:n>", p("arg", "exp"), 2, withFirst(fnPower)},
		"random":             {"<:n>", p(), 0, fnRandom},
		"boolean":            {"<x-:b>", p("arg"), 1, withDefined(fnBoolean)},
		"not":                {"<x-:b>", p("arg"), 1, withDefined(fnNot)},
		"map":                {"<af>", p("arr", "func"), 2, withDefined(fnMap)},
		"zip":                {"<a+>", p(), 0, fnZip},
		"filter":             {"<af>", p("arr", "func"), 2, withDefined(fnFilter)},
		"single":             {"<af?>", p("arr", "func"), 2, withDefined(fnSingle)},
		"reduce":             {"<afj?:j>", p("sequence", "func", "init"), 3, withDefined(fnReduce)},
		"sift":               {"<o-f?:o>", p("arg", "func"), 2, fnSift},
		"keys":               {"<x-:a<s>>", p("arg"), 1, fnKeys},
		"lookup":             {"<x-s:x>", p("input", "key"), 2, fnLookup},
		"append":             {"<xx:a>", p("arg1", "arg2"), 2, fnAppend},
		"exists":             {"<x:b>", p("arg"), 1, fnExists},
		"spread":             {"<x-:a<o>>", p("arg"), 1, fnSpread},
		"merge":              {"<a<o>:o>", p("arg"), 1, withDefined(fnMerge)},
		"reverse":            {"<a:a>", p("arr"), 1, fnReverse},
		"each":               {"<o-f:a>", p("obj", "func"), 2, fnEach},
		"error":              {"<s?:x>", p("message"), 1, fnError},
		"assert":             {"<bs?:x>", p("condition", "message"), 2, fnAssert},
		"type":               {"<x:s>", p("value"), 1, fnType},
		"sort":               {"<af?:a>", p("arr", "comparator"), 2, fnSort},
		"shuffle":            {"<a:a>", p("arr"), 1, fnShuffle},
		"distinct":           {"<x:x>", p("arr"), 1, fnDistinct},
		"base64encode":       {"<s-:s>", p("str"), 1, withFirst(fnBase64Encode)},
		"base64decode":       {"<s-:s>", p("str"), 1, withFirst(fnBase64Decode)},
		"encodeUrlComponent": {"<s-:s>", p("str"), 1, urlFn("encodeUrlComponent", encodeURIComponent)},
		"encodeUrl":          {"<s-:s>", p("str"), 1, urlFn("encodeUrl", encodeURI)},
		"decodeUrlComponent": {"<s-:s>", p("str"), 1, urlFn("decodeUrlComponent", decodeURIComponent)},
		"decodeUrl":          {"<s-:s>", p("str"), 1, urlFn("decodeUrl", decodeURI)},
		"eval":               {"<sx?:x>", p("expr", "focus"), 2, withFirst(fnEval)},
		"toMillis":           {"<s-s?:n>", p("timestamp", "picture"), 2, withFirst(fnToMillis)},
		"fromMillis":         {"<n-s?s?:s>", p("millis", "picture", "timezone"), 3, withFirst(fnFromMillis)},
		"clone":              {"<(oa)-:o>", p("arg"), 1, withDefined(fnClone)},
	}
}

// makeNative turns a table entry into a function value.
func makeNative(name string, b builtin) *nativeFn {
	f := &nativeFn{name: name, arity: b.arity, params: b.params, impl: b.impl}
	if b.sig != "" {
		s, err := parseSignature(b.sig)
		if err != nil {
			panic("jsonata: bad signature for " + name + ": " + b.sig)
		}
		f.sig = s
	}
	return f
}

// standardFuncs are the built-in function values, shared by all
// evaluations (they hold no state).
var standardFuncs = func() map[string]any {
	m := map[string]any{}
	for name, b := range builtinTable() {
		m[name] = makeNative(name, b)
	}
	m["now"] = &nativeFn{name: "now", arity: 2, params: []string{"picture", "timezone"}, sig: mustSig("<s?s?:s>"), impl: fnNow}
	m["millis"] = &nativeFn{name: "millis", sig: mustSig("<:n>"), impl: fnMillis}
	return m
}()

// fnNow is $now: the evaluation's timestamp, formatted as $fromMillis does.
func fnNow(c *evalCtx, _ *callInfo, args []any) (any, error) {
	pic, hasPic := argAt(args, 0).(string)
	tz, hasTZ := argAt(args, 1).(string)
	return formatDateTime(float64(c.clock().UnixMilli()), pic, hasPic, tz, hasTZ)
}

// fnMillis is $millis: the evaluation's timestamp in milliseconds.
func fnMillis(c *evalCtx, _ *callInfo, _ []any) (any, error) {
	return float64(c.clock().UnixMilli()), nil
}

// withDefined adapts a built-in whose first argument may be any value: an
// undefined one gives undefined, as each such jsonata-js function returns
// at once.
func withDefined(f func(c *evalCtx, ci *callInfo, a any, args []any) (any, error)) builtinImpl {
	return func(c *evalCtx, ci *callInfo, args []any) (any, error) {
		a := argAt(args, 0)
		if isUndef(a) {
			return undefined, nil
		}
		return f(c, ci, a, args)
	}
}

// withFirst is withDefined for a first argument that is a string or a
// number (the signature has ruled out other types).
func withFirst[T string | float64](f func(c *evalCtx, ci *callInfo, x T, args []any) (any, error)) builtinImpl {
	return withDefined(func(c *evalCtx, ci *callInfo, a any, args []any) (any, error) {
		x, ok := a.(T)
		if !ok {
			return undefined, nil
		}
		return f(c, ci, x, args)
	})
}

// unary is a built-in that maps its one string or number argument.
func unary[T string | float64](f func(T) T) builtinImpl {
	return withFirst(func(_ *evalCtx, _ *callInfo, x T, _ []any) (any, error) { return f(x), nil })
}

// items returns the items of an array argument.
func items(v any) []any {
	if a, ok := v.(*array); ok {
		return a.items
	}
	return nil
}

func fnSum(_ *evalCtx, _ *callInfo, a any, _ []any) (any, error) {
	return sum(items(a)), nil
}

func sum(xs []any) float64 {
	total := 0.0
	for _, x := range xs {
		f, _ := x.(float64)
		total += f
	}
	return total
}

func fnCount(_ *evalCtx, _ *callInfo, args []any) (any, error) {
	return float64(len(items(argAt(args, 0)))), nil
}

// extremum is $max (pick math.Max, from -Infinity) or $min: Math.max or
// Math.min over the numbers, NaN as soon as one is NaN.
func extremum(pick func(a, b float64) float64, from float64) builtinImpl {
	return func(_ *evalCtx, _ *callInfo, args []any) (any, error) {
		xs := items(argAt(args, 0))
		if len(xs) == 0 {
			return undefined, nil
		}
		m := from
		for _, x := range xs {
			f, _ := x.(float64)
			if math.IsNaN(f) {
				// Go's Max(+Inf, NaN) is +Inf; JavaScript's is NaN.
				return math.NaN(), nil
			}
			m = pick(m, f)
		}
		return m, nil
	}
}

func fnAverage(_ *evalCtx, _ *callInfo, args []any) (any, error) {
	xs := items(argAt(args, 0))
	if len(xs) == 0 {
		return undefined, nil
	}
	return sum(xs) / float64(len(xs)), nil
}

func fnString(_ *evalCtx, _ *callInfo, a any, args []any) (any, error) {
	pretty, _ := argAt(args, 1).(bool)
	return stringify(a, pretty)
}

func fnBoolean(_ *evalCtx, _ *callInfo, a any, _ []any) (any, error) {
	return booleanOf(a)
}

func fnNot(_ *evalCtx, _ *callInfo, a any, _ []any) (any, error) {
	t, err := booleanOf(a)
	return !t, err
}

func fnExists(_ *evalCtx, _ *callInfo, args []any) (any, error) {
	return !isUndef(argAt(args, 0)), nil
}

func fnType(_ *evalCtx, _ *callInfo, args []any) (any, error) {
	switch v := argAt(args, 0).(type) {
	case undefinedType:
		return undefined, nil
	case nil:
		return "null", nil
	case float64:
		if math.IsNaN(v) {
			return "number", nil
		}
		if err := checkFinite(v); err != nil {
			return nil, err
		}
		return "number", nil
	case string:
		return "string", nil
	case bool:
		return "boolean", nil
	case *array:
		return "array", nil
	}
	if isFunc(argAt(args, 0)) {
		return "function", nil
	}
	return "object", nil
}

func fnError(_ *evalCtx, _ *callInfo, args []any) (any, error) {
	msg, _ := argAt(args, 0).(string)
	return nil, userError("D3137", msg, "$error() function evaluated")
}

func fnAssert(_ *evalCtx, _ *callInfo, args []any) (any, error) {
	if cond, _ := argAt(args, 0).(bool); cond {
		return undefined, nil
	}
	msg, _ := argAt(args, 1).(string)
	return nil, userError("D3141", msg, "$assert() statement failed")
}

// userError is the error $error and $assert raise: their message, or
// def for none (message || def).
func userError(code, msg, def string) *Error {
	if msg == "" {
		msg = def
	}
	return newErr(code, -1).withMessage(msg)
}
