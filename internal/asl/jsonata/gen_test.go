package jsonata

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// exprGen generates random JSONata expressions from a small grammar
// (paths, predicates, arithmetic, strings, functions, sorting, grouping,
// lambdas, conditionals) over the fields of diffInputs. It is seeded, so a
// failure can be reproduced.
type exprGen struct {
	r *rand.Rand
}

var diffInputs = []string{
	`{"orderId":"A-17","customer":{"name":"Ann","tier":"gold","tags":["vip","eu"]},"items":[{"sku":"x1","qty":2,"price":9.5,"tags":["a"]},{"sku":"y2","qty":1,"price":120,"tags":[]},{"sku":"z3","qty":5,"price":0.25,"tags":["a","b"]}],"total":145.25,"paid":true,"note":null}`,
	`{"Account":{"Name":"Firefly","Order":[{"OrderID":"o1","Product":[{"Name":"Hat","Price":34.45,"Quantity":2},{"Name":"Cloak","Price":107.99,"Quantity":1}]},{"OrderID":"o2","Product":[{"Name":"Hat","Price":34.45,"Quantity":4}]}]}}`,
	`[1, 2.5, "3", true, null, [4, 5], {"a": 6, "b": "x"}]`,
	`{"a":{"b":{"c":[1,2,{"d":"x"}]}},"e":[{"f":1},{"f":2,"g":[3,4]}],"h":"hello world","n":-3.75,"z":0,"s":"2024-03-05T10:20:30.123Z"}`,
	`null`,
}

var genFields = []string{"orderId", "customer", "name", "tier", "tags", "items", "sku", "qty", "price", "total", "paid", "note",
	"Account", "Name", "Order", "OrderID", "Product", "Price", "Quantity", "a", "b", "c", "d", "e", "f", "g", "h", "n", "z", "s", "missing"}

func (g *exprGen) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }

func (g *exprGen) expr(d int) string {
	if d <= 0 {
		return g.leaf()
	}
	switch g.r.IntN(22) {
	case 0, 1, 2:
		return g.path(d)
	case 3:
		return g.expr(d-1) + " " + g.pick("+", "-", "*", "/", "%") + " " + g.expr(d-1)
	case 4:
		return g.expr(d-1) + " " + g.pick("=", "!=", "<", "<=", ">", ">=", "in") + " " + g.expr(d-1)
	case 5:
		return g.expr(d-1) + " " + g.pick("and", "or", "&") + " " + g.expr(d-1)
	case 6:
		return "(" + g.expr(d-1) + " ? " + g.expr(d-1) + " : " + g.expr(d-1) + ")"
	case 7, 8:
		return g.call(d)
	case 9:
		return "[" + g.expr(d-1) + ", " + g.expr(d-1) + "]"
	case 10:
		return fmt.Sprintf("{%q: %s, %q: %s}", g.pick(genFields...), g.expr(d-1), g.pick("k", "v"), g.expr(d-1))
	case 11:
		return "($x := " + g.expr(d-1) + "; " + strings.ReplaceAll(g.expr(d-1), "$", "$x.") + ")"
	case 12:
		return g.hof(d)
	case 13:
		return g.path(d) + "^(" + g.pick("", ">", "<") + g.pick(genFields...) + ")"
	case 14:
		return g.path(d) + "{" + g.pick(genFields...) + ": " + g.pick("$count($)", "$sum(qty)", "$", genFields[g.r.IntN(len(genFields))]) + "}"
	case 15:
		return g.path(d) + "#$i[$i " + g.pick("<", ">", "=") + " " + g.pick("0", "1", "2") + "].{\"i\": $i, \"v\": " + g.expr(d-1) + "}"
	case 16:
		return g.path(d) + "@$o." + g.pick(genFields...) + ".{\"o\": $o." + g.pick(genFields...) + ", \"p\": " + g.leaf() + "}"
	case 17:
		return "$ ~> |" + g.path(d) + "|" + g.pick(`{"new": 1}`, `{"qty": 0}`, "{}", `{"x": `+g.leaf()+`}`) + g.pick("", `, "sku"`, `, ["tags", "price"]`) + "|"
	case 18:
		return g.expr(d-1) + " ~> " + g.pick("$string()", "$count()", "$type()", "$exists()", "$boolean()", "$sum()", "$uppercase()", "$append([9])", "$keys()")
	case 19:
		return g.path(d) + ".%." + g.pick(genFields...)
	case 20:
		// Partial application of a built-in, given a value of its type:
		// jsonata-js skips signature checks on partially applied
		// built-ins and coerces whatever it gets, which this package
		// does not imitate (it validates).
		return g.pick(`"abc"`, `"a,b,c"`, "h", "orderId", "Account.Name") + " ~> " + g.pick("$substring(?, 1)", "$pad(?, 6, '*')", "$replace(?, 'a', 'b')", "$split(?, ',')")
	}
	return g.pick("$substring(", "$pad(", "$replace(") + g.pick(`"héllo wörld"`, `"日本語テキスト"`, "h", `"a\tb  c"`) + ", " + g.pick("1", "-2", "3, 2", `"l", "L"`, "/o/", "/[aeiou]/, \"_\"") + ")"
}

func (g *exprGen) leaf() string {
	switch g.r.IntN(8) {
	case 0:
		return g.pick("0", "1", "2", "-1", "3.5", "1e21", "1e-7", "0.1", "100", "123456789012345678")
	case 1:
		return g.pick(`"abc"`, `''`, `"Hello World"`, `"a,b,c"`, `"10"`, `"x1"`)
	case 2:
		return g.pick("true", "false", "null")
	case 3:
		return g.pick("$", "$$")
	case 4:
		return "[" + g.pick("1..3", "1,2,3", "", `"a","b"`, "0..0") + "]"
	}
	return g.pick(genFields...)
}

func (g *exprGen) path(d int) string {
	n := 1 + g.r.IntN(3)
	steps := make([]string, n)
	for i := range steps {
		switch g.r.IntN(10) {
		case 0:
			steps[i] = "*"
		case 1:
			steps[i] = g.pick("$", "$string()", "["+g.pick(genFields...)+"]")
		default:
			steps[i] = g.pick(genFields...)
		}
		if g.r.IntN(4) == 0 {
			steps[i] += "[" + g.pred(d-1) + "]"
		}
	}
	p := strings.Join(steps, ".")
	if g.r.IntN(8) == 0 {
		p = "**." + p
	}
	if g.r.IntN(10) == 0 {
		p += "[]"
	}
	return p
}

func (g *exprGen) pred(d int) string {
	switch g.r.IntN(4) {
	case 0:
		return g.pick("0", "1", "-1", "2", "-2")
	case 1:
		return g.pick(genFields...) + " " + g.pick("=", ">", "<", "!=") + " " + g.leaf()
	case 2:
		return "$exists(" + g.pick(genFields...) + ")"
	}
	return g.expr(d)
}

// genFuncs lists functions with the kinds of argument they get: e any
// expression, s a string, n a number, a an array, p a picture.
var genFuncs = map[string]string{
	"sum": "a", "count": "a", "max": "a", "min": "a", "average": "a", "string": "e", "substring": "snn",
	"substringBefore": "ss", "substringAfter": "ss", "lowercase": "s", "uppercase": "s", "length": "s",
	"trim": "s", "pad": "sns", "contains": "ss", "split": "ss", "join": "as", "number": "e", "abs": "n",
	"floor": "n", "ceil": "n", "round": "nn", "power": "nn", "sqrt": "n", "boolean": "e", "not": "e",
	"keys": "e", "lookup": "es", "append": "ee", "exists": "e", "spread": "e", "merge": "a", "reverse": "a",
	"distinct": "a", "type": "e", "sort": "a", "zip": "aa", "formatNumber": "np", "formatBase": "nn",
	"formatInteger": "np", "base64encode": "s", "encodeUrlComponent": "s", "replace": "sss", "match": "sr",
	"fromMillis": "n", "single": "a", "toMillis": "s",
}

func (g *exprGen) arg(kind byte, d int) string {
	if g.r.IntN(6) == 0 {
		return g.expr(d - 1)
	}
	switch kind {
	case 's':
		return g.pick(`"abc"`, `"a,b,c"`, `","`, `"Hello World"`, "h", "orderId", "Account.Name", "$string("+g.expr(d-1)+")")
	case 'n':
		return g.pick("1", "2", "-3.5", "0", "qty", "price", "total", "n", "12345.678", "$count("+g.path(d-1)+")")
	case 'a':
		return g.pick("[1,2,3]", "[3,1,2]", `["b","a"]`, "items", "items.qty", "Account.Order.Product.Price", "e.f", "[]", g.path(d-1)+"[]")
	case 'p':
		// No exponent picture: jsonata-js loops forever formatting a
		// negative number with one (its mantissa loop never ends).
		return g.pick(`"#,##0.00"`, `"#%"`, `"000"`, `"w"`, `"I"`, `"[Y]-[M01]"`, `"#;(#)"`)
	case 'r':
		return g.pick("/a/", "/[0-9]+/", "/l+/i", "/(\\w)(\\w)/")
	}
	return g.expr(d - 1)
}

func (g *exprGen) call(d int) string {
	names := make([]string, 0, len(genFuncs))
	for k := range genFuncs {
		names = append(names, k)
	}
	// Map order is random: sort for a reproducible choice.
	sortStrings(names)
	name := names[g.r.IntN(len(names))]
	kinds := genFuncs[name]
	args := make([]string, 0, len(kinds))
	for i := 0; i < len(kinds); i++ {
		if i > 0 && g.r.IntN(5) == 0 {
			break
		}
		args = append(args, g.arg(kinds[i], d))
	}
	return "$" + name + "(" + strings.Join(args, ", ") + ")"
}

func (g *exprGen) hof(d int) string {
	switch g.r.IntN(5) {
	case 0:
		return "$map(" + g.arg('a', d) + ", function($v, $i){ " + g.pick("$v * 2", "$i", "$string($v) & '-'", "$v.qty") + " })"
	case 1:
		return "$filter(" + g.arg('a', d) + ", function($v){ " + g.pick("$v > 1", "$type($v) = 'number'", "$v.qty > 1") + " })"
	case 2:
		return "$reduce(" + g.arg('a', d) + ", function($acc, $v){ $acc + $v }" + g.pick("", ", 0", ", 10") + ")"
	case 3:
		return "$sort(" + g.arg('a', d) + ", function($a, $b){ $a < $b })"
	}
	return "$each(" + g.pick("customer", "$", "{'a':1,'b':2}") + ", function($v, $k){ $k & '=' & $string($v) })"
}

func sortStrings(xs []string) {
	for i := 1; i < len(xs); i++ {
		for j := i; j > 0 && xs[j] < xs[j-1]; j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
}
