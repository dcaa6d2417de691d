package intrinsic

import (
	"errors"
	"strings"
	"testing"
)

func TestIsIntrinsic(t *testing.T) {
	for s, want := range map[string]bool{
		"States.Array()":  true,
		"States.":         true,
		"$.a":             false,
		"states.Array()":  false,
		" States.Array()": false,
		"":                false,
	} {
		if got := IsIntrinsic(s); got != want {
			t.Errorf("IsIntrinsic(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestParseAccepts(t *testing.T) {
	for _, src := range []string{
		"States.Array()",
		"States.Array( )",
		"States.Array( $.a , 'b' ,\n\t1 )",
		"States.Format ('x')",
		"States.UUID()",
		"States.Array(-0, 0.5, 1e3, -2.5E-3, 12)",
		"States.Array(true, false, null)",
		"States.Array('', '\\'', '\\{\\}', '\\\\', 'a\nb', '{\"k\": \"v\"}', '✓')",
		"States.Array($, $$, $.a.b[0]['c d'], $$.Execution.Input, $['a,b)'])",
		"States.Format('{}', States.Array(States.Array()))",
		"States.Hash(States.Format('x'), 'NOPE')", // checked when it runs
		"States.ArrayRange(1)",          // checked when it runs
		"States.Format('unbalanced {')", // checked when it runs
		nest(10),
	} {
		f, err := Parse(src)
		if err != nil {
			t.Errorf("Parse(%q): %v", src, err)
			continue
		}
		if f.String() != src {
			t.Errorf("String() = %q, want %q", f.String(), src)
		}
	}
}

// nest returns depth nested States.Array calls.
func nest(depth int) string {
	return strings.Repeat("States.Array(", depth) + "1" + strings.Repeat(")", depth)
}

func TestParseStringLiterals(t *testing.T) {
	for src, want := range map[string]string{
		`States.Array('plain')`:          "plain",
		`States.Array('it\'s')`:          "it's",
		`States.Array('\{\}')`:           "{}",
		`States.Array('a\\b')`:           `a\b`,
		`States.Array('{"a": "b"}')`:     `{"a": "b"}`,
		"States.Array('tab\tnewline\n')": "tab\tnewline\n",
	} {
		f, err := Parse(src)
		if err != nil {
			t.Errorf("Parse(%q): %v", src, err)
			continue
		}
		if got := f.args[0].val; got != want {
			t.Errorf("%s: literal %q, want %q", src, got, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		src    string
		offset int
		msg    string
	}{
		{"Array()", 0, "must start with 'States.'"},
		{"States.", 7, "missing function name"},
		{"States.Foo()", 0, "unknown intrinsic function 'States.Foo'"},
		{"States.format()", 0, "unknown intrinsic function"},
		{"States.Array", 12, "expected '('"},
		{"States.Array(", 13, "missing argument"},
		{"States.Array(1", 14, "missing ')'"},
		{"States.Array(1,)", 15, "missing argument"},
		{"States.Array(,1)", 13, "missing argument"},
		{"States.Array(1 2)", 15, "expected ',' or ')'"},
		{"States.Array($.a) trailing", 18, "unexpected \"trailing\" after the closing ')'"},
		{"States.Array(1))", 15, "after the closing ')'"},
		{"States.Array('abc)", 13, "unterminated string"},
		{"States.Array('abc\\", 13, "unterminated string"},
		{"States.Array('a\\nb')", 15, "invalid escape '\\n'"},
		{"States.Array('a\\\"b')", 15, "invalid escape"},
		{"States.Array(1.)", 13, "digits must follow '.'"},
		{"States.Array(.5)", 13, "unexpected \".5)\""},
		{"States.Array(01)", 14, "invalid number"},
		{"States.Array(1e)", 13, "exponent"},
		{"States.Array(-)", 13, "invalid number"},
		{"States.Array(1x)", 14, "invalid number"},
		{"States.Array([1,2])", 13, "unexpected"},
		{"States.Array(truex)", 13, "unexpected"},
		{"States.Array(NULL)", 13, "unexpected"},
		{"States.Array($[)", 13, "missing ']'"},
		{"States.Array($.a])", 16, "unexpected ']'"},
		{"States.Array($['a)", 15, "unterminated quoted name"},
		{"States.Array($$$)", 13, "invalid path"},
		{"States.Array(States.Nope())", 13, "unknown intrinsic function 'States.Nope'"},
		{nest(11), 130, "nest more than 10 deep"},
	} {
		_, err := Parse(c.src)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, want a *SyntaxError", c.src, err)
			continue
		}
		if se.Offset != c.offset || !strings.Contains(se.Msg, c.msg) {
			t.Errorf("Parse(%q): offset %d %q, want offset %d and %q", c.src, se.Offset, se.Msg, c.offset, c.msg)
		}
		if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "offset") {
			t.Errorf("Parse(%q): error %q should be one line naming the offset", c.src, msg)
		}
	}
}
