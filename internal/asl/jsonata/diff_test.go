package jsonata

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// referenceVersion is the jsonata-js release AWS Step Functions runs.
const referenceVersion = "2.0.6"

// handCases cover every built-in function at least once, with inputs
// picked from diffInputs by index.
var handCases = []struct {
	expr  string
	input int
}{
	{`$sum(items.qty)`, 0}, {`$count(items)`, 0}, {`$max(items.price)`, 0}, {`$min(items.price)`, 0},
	{`$average(items.price)`, 0}, {`$string(items)`, 0}, {`$string(customer, true)`, 0}, {`$string(1/3)`, 4},
	{`$substring("Hello World", 3, 5)`, 4}, {`$substring("Hello", -3)`, 4}, {`$substringBefore(h, " ")`, 3},
	{`$substringAfter(h, "o")`, 3}, {`$lowercase("ÀBC")`, 4}, {`$uppercase(h)`, 3}, {`$length("héllo")`, 4},
	{`$trim("  a   b  ")`, 4}, {`$pad("x", 5, "-")`, 4}, {`$pad("x", -5)`, 4}, {`$contains(h, "lo w")`, 3},
	{`$contains(h, /L+/i)`, 3}, {`$split("a,b,,c", ",")`, 4}, {`$split(h, /o/, 1)`, 3}, {`$join(["a","b"], "-")`, 4},
	{`$match("ab12cd345", /[0-9]+/)`, 4}, {`$replace(h, "o", "0")`, 3}, {`$replace(h, /(l+)/, "[$1]")`, 3},
	{`$replace("abc", /b/, function($m){ $uppercase($m.match) })`, 4},
	{`$formatNumber(1234.5678, "#,##0.00")`, 4}, {`$formatNumber(0.125, "0.0%")`, 4}, {`$formatNumber(1234.5, "0.00e0")`, 4},
	{`$formatNumber(-12, "#;(#)")`, 4}, {`$formatBase(255, 16)`, 4}, {`$formatBase(-10, 2)`, 4},
	{`$formatInteger(1999, "I")`, 4}, {`$formatInteger(123, "w")`, 4}, {`$formatInteger(21, "#0;o")`, 4},
	{`$formatInteger(1234567, "#,###")`, 4}, {`$parseInteger("MCMXCIX", "I")`, 4}, {`$parseInteger("one hundred and two", "w")`, 4},
	{`$number("12.5e1")`, 4}, {`$number("0x1F")`, 4}, {`$number(true)`, 4}, {`$floor(-1.5)`, 4}, {`$ceil(1.2)`, 4},
	{`$round(2.5)`, 4}, {`$round(3.14159, 2)`, 4}, {`$round(1250, -2)`, 4}, {`$abs(n)`, 3}, {`$sqrt(16)`, 4},
	{`$power(2, 10)`, 4}, {`$random() < 1`, 4}, {`$boolean([0, ""])`, 4}, {`$not(paid)`, 0},
	{`$map(items, function($v, $i){ $v.sku & $i })`, 0}, {`$zip([1,2,3], ["a","b"])`, 4},
	{`$filter(items, function($v){ $v.qty > 1 }).sku`, 0}, {`$single(items, function($v){ $v.qty = 1 }).sku`, 0},
	{`$reduce([1,2,3,4], function($a, $b){ $a * $b })`, 4}, {`$sift(customer, function($v, $k){ $k != "tags" })`, 0},
	{`$keys(items)`, 0}, {`$lookup(customer, "tier")`, 0}, {`$append([1], [2, 3])`, 4}, {`$exists(missing)`, 0},
	{`$spread(customer)`, 0}, {`$merge([{"a":1},{"b":2},{"a":3}])`, 4}, {`$reverse([1,2,3])`, 4},
	{`$each(customer, function($v, $k){ $k })`, 0}, {`$error("boom")`, 4}, {`$assert(false, "no")`, 4},
	{`$assert(true)`, 4}, {`$type(customer)`, 0}, {`$sort(items.price)`, 0},
	{`$sort(items, function($a, $b){ $a.price < $b.price }).sku`, 0}, {`$count($shuffle([1,2,3]))`, 4},
	{`$distinct([1, 2, 1, "a", "a", [1], [1]])`, 4}, {`$base64encode("héllo")`, 4}, {`$base64decode("aGVsbG8=")`, 4},
	{`$encodeUrlComponent("a b&c/é")`, 4}, {`$encodeUrl("http://x.com/a b?q=é")`, 4},
	{`$decodeUrlComponent("a%20b%26")`, 4}, {`$decodeUrl("a%20b%26")`, 4}, {`$decodeUrlComponent("%E0%A4%A")`, 4},
	{`$eval("qty * price", items[0])`, 0}, {`$eval("1 +")`, 4}, {`$toMillis("2024-03-05T10:20:30.123Z")`, 4},
	{`$toMillis(s)`, 3}, {`$toMillis("2018-10-21", "[Y0001]-[M01]-[D01]")`, 4}, {`$toMillis("bad")`, 4},
	{`$fromMillis(1509380000000)`, 4}, {`$fromMillis(1509380000000, "[Y0001]-[M01]-[D01] [H01]:[m01] [z]", "-0500")`, 4},
	{`$fromMillis(1509380000000, "[FNn], [D1o] [MNn] [Y], [h]:[m01] [P]")`, 4}, {`$fromMillis(1509380000000, "[W01] [X] [d]")`, 4},
	{`$type($now())`, 4}, {`$type($millis())`, 4}, {`$clone(customer)`, 0},
	{`Account.Order.Product{Name: $sum(Price)}`, 1}, {`Account.Order^(>OrderID).OrderID`, 1},
	{`Account.Order[0].Product[Price > 50].Name`, 1}, {`Account.Order#$i.Product.{"i": $i, "n": Name}`, 1},
	{`Account.Order.Product@$p.$p.Name`, 1}, {`Account.Order.Product.%.OrderID`, 1}, {`**.Price`, 1},
	{`$ ~> |items|{"ok": true}, ["tags"]|`, 0}, {`[1..5][$ % 2 = 0]`, 4}, {`items[-1].sku`, 0},
	{`(items.qty)[1]`, 0}, {`items.(qty * price)`, 0}, {`$[3]`, 2}, {`$[0][]`, 2}, {`*`, 2},
	{`($f := function($n){ $n <= 1 ? 1 : $n * $f($n - 1) }; $f(10))`, 4}, {`$substring(?, 1, 2)("hello")`, 4},
	{`($inc := function($x){ $x + 1 }; $inc ~> $map([1,2], ?))`, 4}, {`"a" & 1 & true & null`, 4},
	{`1 / 0`, 4}, {`"a" + 1`, 4}, {`[1,2] < 3`, 4}, {`$notafunction()`, 4}, {`items.sku[`, 4},
}

// referenceDir installs jsonata@2.0.6 in the user cache once and returns
// the module's directory.
func referenceDir(t *testing.T) string {
	mustHave := func(msg string, err error) {
		if err == nil {
			return
		}
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s: %v", msg, err)
		}
		t.Skipf("%s (%v); skipping the differential test", msg, err)
	}
	_, err := exec.LookPath("node")
	mustHave("node is not installed", err)
	cache, err := os.UserCacheDir()
	mustHave("no user cache directory", err)
	dir := filepath.Join(cache, "yafdp-jsonata-"+referenceVersion)
	mod := filepath.Join(dir, "node_modules", "jsonata")
	if _, err := os.Stat(filepath.Join(mod, "package.json")); err == nil {
		return mod
	}
	_, err = exec.LookPath("npm")
	mustHave("npm is not installed", err)
	cmd := exec.Command("npm", "install", "--no-audit", "--no-fund", "--prefix", dir, "jsonata@"+referenceVersion)
	out, err := cmd.CombinedOutput()
	if err != nil {
		err = fmt.Errorf("%v: %s", err, out)
	}
	mustHave("installing jsonata@"+referenceVersion+" failed", err)
	return mod
}

type diffCase struct {
	Expr  string  `json:"expr"`
	Input *string `json:"input"`
}

type diffResult struct {
	rivals    []Error // errors that competed with the one reported
	Result    *string `json:"result"`
	Undefined bool    `json:"undefined"`
	Code      string  `json:"code"`
	Function  bool    `json:"function"`
	Nonfinite string  `json:"nonfinite"`
	Message   string  `json:"message"`
	Position  *int    `json:"position"`
}

// TestDifferential runs generated and hand-written expressions through
// jsonata-js 2.0.6 (node) and this package, and compares results, and for
// errors the code, message and position.
func TestDifferential(t *testing.T) {
	if testing.Short() {
		t.Skip("differential test against node skipped in -short mode")
	}
	mod := referenceDir(t)
	cases := diffCases(3000)
	want := runReference(t, mod, cases)
	mismatches, crashes, timeouts, precedence := 0, 0, 0, 0
	for i, c := range cases {
		if strings.HasPrefix(want[i].Code, "JS:") {
			// jsonata-js failed with a JavaScript error of its own (a
			// TypeError or RangeError, no JSONata code): nothing to match.
			crashes++
			continue
		}
		got := goResult(c)
		if want[i].Code == "U1001" || got.Code == "U1001" {
			timeouts++ // too slow on one side to compare
			continue
		}
		if !sameDiffResult(want[i], got) && amongRivals(want[i], got.rivals) {
			// Both failed with errors this package also raised; only the
			// choice among concurrent failures differs (see parallel).
			precedence++
			continue
		}
		if !sameDiffResult(want[i], got) {
			mismatches++
			if mismatches <= 40 {
				t.Errorf("case %d %s\n input %s\n  node %s\n    go %s", i, c.Expr, inputText(c), showDiff(want[i]), showDiff(got))
			}
		}
	}
	t.Logf("%d expressions, %d compared, %d mismatches, %d where jsonata-js threw a JavaScript error, %d timed out, %d chose another of the same concurrent errors",
		len(cases), len(cases)-crashes-timeouts, mismatches, crashes, timeouts, precedence)
}

func inputText(c diffCase) string {
	if c.Input == nil {
		return "undefined"
	}
	return *c.Input
}

func diffCases(n int) []diffCase {
	var cases []diffCase
	for _, h := range handCases {
		in := diffInputs[h.input]
		cases = append(cases, diffCase{Expr: h.expr, Input: &in})
	}
	seed, depth := uint64(2006), 3
	if s := os.Getenv("JSONATA_DIFF_SEED"); s != "" {
		// For exploring: JSONATA_DIFF_SEED=7 JSONATA_DIFF_N=20000 go test -run Differential
		seed, _ = strconv.ParseUint(s, 10, 64)
		n, _ = strconv.Atoi(os.Getenv("JSONATA_DIFF_N"))
	}
	g := &exprGen{r: rand.New(rand.NewPCG(seed, 1))}
	for i := 0; i < n; i++ {
		in := diffInputs[i%len(diffInputs)]
		cases = append(cases, diffCase{Expr: g.expr(depth), Input: &in})
	}
	return cases
}

func runReference(t *testing.T, mod string, cases []diffCase) []diffResult {
	payload, _ := json.Marshal(cases)
	script, _ := filepath.Abs("testdata/diff.js")
	// jsonata-js cannot be interrupted inside a function (some inputs make
	// it loop forever), so bound the whole run.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", script, mod)
	cmd.Stdin = bytes.NewReader(payload)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	var res []diffResult
	if err := json.Unmarshal(out, &res); err != nil || len(res) != len(cases) {
		t.Fatalf("node output: %v (%d results for %d cases)", err, len(res), len(cases))
	}
	return res
}

func goResult(c diffCase) diffResult {
	var input any = undefined
	if c.Input != nil {
		v, err := decodeOrdered([]byte(*c.Input))
		if err != nil {
			return diffResult{Code: "bad input"}
		}
		input = v
	}
	e, err := Compile(c.Expr)
	var res any
	var rivals []Error
	if err == nil {
		ctx := newEvalCtx(nil, &Options{Timeout: time.Second})
		ctx.rivals = &rivals
		res, err = ctx.run(e.root, input)
	}
	if err != nil {
		if je, ok := err.(*Error); ok {
			pos := je.Position
			return diffResult{Code: je.Code, Message: je.Text(), Position: &pos, rivals: rivals}
		}
		return diffResult{Code: err.Error()}
	}
	switch x := res.(type) {
	case undefinedType:
		return diffResult{Undefined: true}
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return diffResult{Nonfinite: formatNumberJS(x)}
		}
	}
	if isFunc(res) {
		return diffResult{Function: true}
	}
	s := jsJSON(res)
	return diffResult{Result: &s}
}

// jsJSON is JSON.stringify with functions shown as "<function>", as
// diff.js prints them.
func jsJSON(v any) string {
	s, _ := stringifyJSON(replaceFuncs(v), false)
	return s
}

func replaceFuncs(v any) any {
	out, _ := copyJSON(v, func(x any) (any, error) {
		if isFunc(x) {
			return "<function>", nil
		}
		return x, nil
	})
	return out
}

// amongRivals reports whether the reference's error is one of the errors
// that competed in a concurrent evaluation here.
func amongRivals(want diffResult, rivals []Error) bool {
	if want.Code == "" {
		return false
	}
	for _, r := range rivals {
		if r.Code == want.Code && r.Text() == want.Message && (want.Position == nil || r.Position == *want.Position) {
			return true
		}
	}
	return false
}

func sameDiffResult(a, b diffResult) bool {
	if a.Code != "" || b.Code != "" {
		samePos := a.Position == nil || b.Position == nil || *a.Position == *b.Position
		return a.Code == b.Code && a.Message == b.Message && samePos
	}
	if (a.Result == nil) != (b.Result == nil) {
		return false
	}
	if a.Result != nil && *a.Result != *b.Result {
		return false
	}
	return a.Undefined == b.Undefined && a.Function == b.Function && a.Nonfinite == b.Nonfinite
}

func showDiff(r diffResult) string {
	switch {
	case r.Code != "":
		pos := -1
		if r.Position != nil {
			pos = *r.Position
		}
		return fmt.Sprintf("error %s at %d: %s", r.Code, pos, r.Message)
	case r.Undefined:
		return "undefined"
	case r.Function:
		return "function"
	case r.Nonfinite != "":
		return r.Nonfinite
	case r.Result != nil:
		return *r.Result
	}
	return "?"
}
