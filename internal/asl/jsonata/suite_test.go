package jsonata

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/asl/corpus"
)

// suiteDir is the JSONata 2.0.6 test suite, read in place from the shared
// folder beside the repository.
const suiteDir = "../../../../shared/jsonata-suite"

type suiteCase struct {
	Expr      string          `json:"expr"`
	ExprFile  string          `json:"expr-file"`
	Data      json.RawMessage `json:"data"`
	Dataset   *string         `json:"dataset"`
	Bindings  json.RawMessage `json:"bindings"`
	Timelimit *int            `json:"timelimit"`
	Depth     *int            `json:"depth"`
	Result    json.RawMessage `json:"result"`
	Undefined bool            `json:"undefinedResult"`
	Code      string          `json:"code"`
	Token     *string         `json:"token"`
	Error     map[string]any  `json:"error"`
}

func suiteAvailable(t testing.TB) {
	if _, err := os.Stat(suiteDir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("JSONata test suite not found at %s: %v", suiteDir, err)
		}
		t.Skipf("JSONata test suite not found at %s (shared/jsonata-suite beside the repository); skipping", suiteDir)
	}
}

func TestSuite(t *testing.T) {
	suiteAvailable(t)
	// Cases that test JavaScript-only behaviour: "group/case: reason".
	exceptions := corpus.JudgedWrong(t, filepath.Join("testdata", "suite-exceptions.txt"))
	datasets := loadDatasets(t)
	groups, _ := os.ReadDir(filepath.Join(suiteDir, "groups"))
	for _, g := range groups {
		if !g.IsDir() {
			continue
		}
		for _, tc := range loadGroup(t, g.Name()) {
			name := g.Name() + "/" + tc.name
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				if reason, ok := exceptions[name]; ok {
					t.Skip("exception: " + reason)
				}
				runSuiteCase(t, tc.c, datasets)
			})
		}
	}
}

type namedCase struct {
	name string
	c    suiteCase
}

func loadGroup(t *testing.T, group string) []namedCase {
	dir := filepath.Join(suiteDir, "groups", group)
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	sort.Strings(files)
	var out []namedCase
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		data = escapeLoneSurrogates(data)
		base := strings.TrimSuffix(filepath.Base(f), ".json")
		var list []suiteCase
		if strings.HasPrefix(strings.TrimSpace(string(data)), "[") {
			if err := json.Unmarshal(data, &list); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			for i, c := range list {
				out = append(out, namedCase{fmt.Sprintf("%s/%d", base, i), fixExpr(t, dir, c)})
			}
			continue
		}
		var c suiteCase
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, namedCase{base, fixExpr(t, dir, c)})
	}
	return out
}

func fixExpr(t *testing.T, dir string, c suiteCase) suiteCase {
	if c.ExprFile != "" {
		b, err := os.ReadFile(filepath.Join(dir, c.ExprFile))
		if err != nil {
			t.Fatal(err)
		}
		c.Expr = string(b)
	}
	return c
}

func loadDatasets(t *testing.T) map[string]any {
	out := map[string]any{}
	files, _ := filepath.Glob(filepath.Join(suiteDir, "datasets", "*.json"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		v, err := decodeOrdered(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = v
	}
	return out
}

func mustDecode(t *testing.T, raw json.RawMessage) any {
	v, err := decodeOrdered(raw)
	if err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
	return v
}

func runSuiteCase(t *testing.T, c suiteCase, datasets map[string]any) {
	var input any = undefined
	switch {
	case c.Data != nil:
		input = mustDecode(t, c.Data)
	case c.Dataset != nil:
		input = datasets[*c.Dataset]
	}
	var vars *Bindings
	if len(c.Bindings) > 0 {
		b := mustDecode(t, c.Bindings)
		if o, ok := b.(*object); ok {
			vars = &Bindings{Vars: o.m}
		}
	}
	opts := &Options{MaxDepth: -1, Now: time.Now}
	if c.Depth != nil && c.Timelimit != nil {
		opts.MaxDepth = *c.Depth
		opts.Timeout = time.Duration(*c.Timelimit) * time.Millisecond
	}
	var res any
	expr, err := Compile(c.Expr)
	if err == nil {
		res, err = expr.evalInternal(input, vars, opts)
	}
	checkSuiteResult(t, c, res, err)
}

func checkSuiteResult(t *testing.T, c suiteCase, res any, err error) {
	t.Helper()
	code := c.Code
	if c.Error != nil {
		code, _ = c.Error["code"].(string)
	}
	if code != "" {
		je, ok := err.(*Error)
		if !ok {
			t.Fatalf("%s: want error %s, got result %s (err %v)", c.Expr, code, show(res), err)
		}
		if je.Code != code {
			t.Fatalf("%s: want error %s, got %v", c.Expr, code, je)
		}
		checkErrorFields(t, c, je)
		return
	}
	if err != nil {
		t.Fatalf("%s: unexpected error %v", c.Expr, err)
	}
	if c.Undefined || c.Result == nil {
		if !isUndef(res) {
			t.Fatalf("%s: want undefined, got %s", c.Expr, show(res))
		}
		return
	}
	want := mustDecode(t, c.Result)
	if !suiteEqual(want, res) {
		t.Fatalf("%s:\n want %s\n  got %s", c.Expr, show(want), show(res))
	}
}

func checkErrorFields(t *testing.T, c suiteCase, je *Error) {
	t.Helper()
	if c.Token != nil && je.Token != *c.Token {
		t.Fatalf("%s: want token %q, got %q (%v)", c.Expr, *c.Token, je.Token, je)
	}
	if tok, ok := c.Error["token"].(string); ok && je.Token != tok {
		t.Fatalf("%s: want token %q, got %q", c.Expr, tok, je.Token)
	}
	if msg, ok := c.Error["message"].(string); ok && je.Text() != msg {
		t.Fatalf("%s: want message %q, got %q", c.Expr, msg, je.Text())
	}
	if pos, ok := c.Error["position"].(float64); ok && je.Position != int(pos) {
		t.Fatalf("%s: want position %v, got %d", c.Expr, pos, je.Position)
	}
}

// suiteEqual compares as chai's deep equal does for JSON values; an
// undefined array item equals null only when both sides agree.
func suiteEqual(want, got any) bool {
	if wa, ok := want.(*array); ok {
		ga, ok := got.(*array)
		if !ok || len(wa.items) != len(ga.items) {
			return false
		}
		for i := range wa.items {
			if !suiteEqual(wa.items[i], ga.items[i]) {
				return false
			}
		}
		return true
	}
	if isObject(want) {
		if !isObject(got) || objLen(want) != objLen(got) {
			return false
		}
		for _, k := range objKeys(want) {
			w, _ := objGet(want, k)
			g, ok := objGet(got, k)
			if !ok || !suiteEqual(w, g) {
				return false
			}
		}
		return true
	}
	if isFunc(got) {
		return false
	}
	return deepEqual(want, got)
}

func show(v any) string {
	if isUndef(v) {
		return "undefined"
	}
	s, err := stringifyJSON(v, false)
	if err != nil {
		return fmt.Sprint(v)
	}
	return s
}

// escapeLoneSurrogates turns a JSON \uD800 escape with no low surrogate
// after it into a JSONata escape inside the expression text (\\uD800):
// Go's JSON decoder would replace the lone surrogate with U+FFFD, which
// JSON.parse keeps, and the JSONata string value is the same either way.
func escapeLoneSurrogates(data []byte) []byte {
	var out []byte
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' || i+1 >= len(data) {
			out = append(out, data[i])
			continue
		}
		if data[i+1] == 'u' && i+6 <= len(data) && isHighSurrogate(data[i+2:i+6]) &&
			!(i+12 <= len(data) && data[i+6] == '\\' && data[i+7] == 'u' && isLowSurrogate(data[i+8:i+12])) {
			out = append(out, '\\', '\\')
			out = append(out, data[i+1:i+6]...)
			i += 5
			continue
		}
		out = append(out, data[i], data[i+1])
		i++
	}
	return out
}

func isHighSurrogate(h []byte) bool {
	v, err := strconv.ParseUint(string(h), 16, 16)
	return err == nil && v >= 0xD800 && v < 0xDC00
}

func isLowSurrogate(h []byte) bool {
	v, err := strconv.ParseUint(string(h), 16, 16)
	return err == nil && v >= 0xDC00 && v < 0xE000
}
