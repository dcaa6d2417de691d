package intrinsic

import (
	"errors"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/yafdp/yafdp/internal/asl/jsonpath"
	"github.com/yafdp/yafdp/internal/asl/states"
	"github.com/yafdp/yafdp/internal/asl/value"
)

// testInput is the input every table case is evaluated on.
const testInput = `{
	"name": "Ada", "s": "x", "n": 1.5, "i": 2, "b": true, "z": null,
	"o": {"b": [1, "x", null], "a": 1},
	"arr": [1, 2, 3, 4, 5], "empty": [], "objs": [{"k": "x"}, {"k": ", )"}],
	"tmpl": "Hello \\{{}\\}", "badTmpl": "a { b",
	"json": "{\"k\": [1, 2]}", "csv": "a,b,,c",
	"a10000": "` + "\x00" + `"
}`

func testEnv(t testing.TB) *Env {
	t.Helper()
	in, err := value.DecodeString(strings.Replace(testInput, "\x00", strings.Repeat("a", 10000), 1))
	if err != nil {
		t.Fatal(err)
	}
	return &Env{
		Input:   in,
		Context: contextObject(in, "order-saga-v2", "exec-1", "Reserve"),
		Rand:    rand.New(rand.NewPCG(7, 11)),
	}
}

func evalSrc(t testing.TB, env *Env, src string) (any, error) {
	t.Helper()
	f, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	return f.Eval(env)
}

type evalCase struct {
	src  string
	want string // the result as JSON; empty when the call must fail
	err  string // a part of the expected cause
}

// invalid is the cause of every argument error: Step Functions names the
// function and gives no more detail.
func invalid(fn string) string { return "Invalid arguments in States." + fn }

func runEvalCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			got, err := evalSrc(t, testEnv(t), c.src)
			if c.err != "" {
				var se *states.Error
				if !errors.As(err, &se) {
					t.Fatalf("got %s, %v; want a *states.Error containing %q", value.MustEncodeString(got), err, c.err)
				}
				if se.Name != states.Runtime {
					t.Errorf("error name %q, want %q", se.Name, states.Runtime)
				}
				if !strings.Contains(se.Cause, c.err) {
					t.Errorf("cause %q does not contain %q", se.Cause, c.err)
				}
				if !strings.HasPrefix(se.Cause, "There was an error while evaluating the intrinsic function: ") {
					t.Errorf("cause %q lacks the Step Functions preamble", se.Cause)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			want, derr := value.DecodeString(c.want)
			if derr != nil {
				t.Fatalf("bad want %q: %v", c.want, derr)
			}
			if !value.Equal(got, want) {
				t.Errorf("got %s, want %s", value.MustEncodeString(got), c.want)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	runEvalCases(t, []evalCase{
		{src: `States.Format('Hello {}', $.name)`, want: `"Hello Ada"`},
		{src: `States.Format('{}|{}|{}|{}|{}', $.s, $.n, $.i, $.b, $.z)`, want: `"x|1.5|2|true|null"`},
		// Objects and arrays print as Java's toString of the parsed JSON.
		{src: `States.Format('{} {}', $.o, $.arr)`, want: `"{a=1, b=[1, x, null]} [1, 2, 3, 4, 5]"`},
		{src: `States.Format('\{\} {} \'q\' \\', 1)`, want: `"{} 1 'q' \\"`},
		{src: `States.Format('plain')`, want: `"plain"`},
		{src: `States.Format('')`, want: `""`},
		{src: `States.Format('{}{}', 'a', 'b')`, want: `"ab"`},
		{src: "States.Format('line1\nline2 {}', 'x')", want: `"line1\nline2 x"`},
		// A template from a path is parsed the same way.
		{src: `States.Format($.tmpl, $.name)`, want: `"Hello {Ada}"`},
		{src: `States.Format(States.Format('\{\}'), 7)`, want: `"7"`},
		{src: `States.Format('{}', States.Array(1, 'a'))`, want: `"[1, a]"`},
		// Wrong counts and malformed templates fail when the call runs.
		{src: `States.Format('{} {}', 1)`, err: "Invalid arguments in States.Format: number of arguments do not match the occurrences of {}."},
		{src: `States.Format('{}', 1, 2)`, err: "number of arguments do not match the occurrences of {}."},
		{src: `States.Format('plain', 1)`, err: "number of arguments do not match"},
		{src: `States.Format()`, err: invalid("Format")},
		{src: `States.Format(1)`, err: invalid("Format")},
		{src: `States.Format($.i, 1)`, err: invalid("Format")},
		{src: `States.Format('Hello {', 1)`, err: "Invalid template in States.Format: matching '}' not found for '{'."},
		{src: `States.Format('Hello {{}}', 1)`, err: "matching '}' not found for '{'."},
		{src: `States.Format('}')`, err: "Invalid template in States.Format: matching '{' not found for '}'."},
		{src: `States.Format($.badTmpl)`, err: "Invalid template in States.Format"},
	})
}

func TestStringToJSON(t *testing.T) {
	runEvalCases(t, []evalCase{
		{src: `States.StringToJson($.json)`, want: `{"k": [1, 2]}`},
		{src: `States.StringToJson('{"a": "b"}')`, want: `{"a": "b"}`},
		{src: `States.StringToJson('[1, "x"]')`, want: `[1, "x"]`},
		{src: `States.StringToJson('1.5')`, want: `1.5`},
		{src: `States.StringToJson('"s"')`, want: `"s"`},
		// Step Functions turns an empty or blank string into null.
		{src: `States.StringToJson('')`, want: `null`},
		{src: `States.StringToJson('  ')`, want: `null`},
		{src: `States.StringToJson('{')`, err: invalid("StringToJson")},
		{src: `States.StringToJson('1 2')`, err: invalid("StringToJson")},
		{src: `States.StringToJson('nul')`, err: invalid("StringToJson")},
		{src: `States.StringToJson($.o)`, err: invalid("StringToJson")},
		{src: `States.StringToJson(1)`, err: invalid("StringToJson")},
		{src: `States.StringToJson()`, err: invalid("StringToJson")},
		{src: `States.StringToJson('1', '2')`, err: invalid("StringToJson")},
	})
}

func TestJSONToString(t *testing.T) {
	runEvalCases(t, []evalCase{
		{src: `States.JsonToString($.o)`, want: `"{\"a\":1,\"b\":[1,\"x\",null]}"`},
		{src: `States.JsonToString($.name)`, want: `"\"Ada\""`},
		{src: `States.JsonToString($.z)`, want: `"null"`},
		{src: `States.JsonToString($.n)`, want: `"1.5"`},
		{src: `States.JsonToString('<&>')`, want: `"\"<&>\""`},
		{src: `States.JsonToString()`, err: invalid("JsonToString")},
		{src: `States.JsonToString($.o, $.o)`, err: invalid("JsonToString")},
	})
}

func TestArray(t *testing.T) {
	runEvalCases(t, []evalCase{
		{src: `States.Array()`, want: `[]`},
		{src: `States.Array(42, true, false, null, 'hello', -1.5e2, 0)`, want: `[42, true, false, null, "hello", -150, 0]`},
		{src: `States.Array($.o, $.arr, $.z)`, want: `[{"a": 1, "b": [1, "x", null]}, [1, 2, 3, 4, 5], null]`},
		{src: `States.Array(1, States.Array(2, States.Array()))`, want: `[1, [2, []]]`},
		{src: `States.Array( $.s , $$.State.Name )`, want: `["x", "Reserve"]`},
	})
}

func TestArrayPartition(t *testing.T) {
	runEvalCases(t, []evalCase{
		{src: `States.ArrayPartition($.arr, 2)`, want: `[[1, 2], [3, 4], [5]]`},
		{src: `States.ArrayPartition($.arr, 5)`, want: `[[1, 2, 3, 4, 5]]`},
		{src: `States.ArrayPartition($.arr, 9223372036854775807)`, want: `[[1, 2, 3, 4, 5]]`},
		{src: `States.ArrayPartition($.empty, 3)`, want: `[]`},
		// Step Functions truncates a fractional size (2.6 partitions by 2).
		{src: `States.ArrayPartition($.arr, 2.6)`, want: `[[1, 2], [3, 4], [5]]`},
		{src: `States.ArrayPartition($.arr, 0)`, err: invalid("ArrayPartition")},
		{src: `States.ArrayPartition($.arr, -1)`, err: invalid("ArrayPartition")},
		{src: `States.ArrayPartition($.arr, 0.6)`, err: invalid("ArrayPartition")},
		{src: `States.ArrayPartition($.arr, '2')`, err: invalid("ArrayPartition")},
		{src: `States.ArrayPartition($.arr, null)`, err: invalid("ArrayPartition")},
		{src: `States.ArrayPartition($.o, 2)`, err: invalid("ArrayPartition")},
		{src: `States.ArrayPartition($.arr)`, err: invalid("ArrayPartition")},
		{src: `States.ArrayPartition($.arr, 2, 3)`, err: invalid("ArrayPartition")},
	})
}

func TestArrayPartitionDoesNotAliasInput(t *testing.T) {
	env := testEnv(t)
	got, err := evalSrc(t, env, `States.ArrayPartition($.arr, 2)`)
	if err != nil {
		t.Fatal(err)
	}
	chunk := got.([]any)[0].([]any)
	_ = append(chunk, "appended")
	arr := env.Input.(map[string]any)["arr"].([]any)
	if !value.Equal(arr, []any{1, 2, 3, 4, 5}) {
		t.Fatalf("appending to a chunk changed the input: %v", arr)
	}
}

func TestArrayContains(t *testing.T) {
	runEvalCases(t, []evalCase{
		{src: `States.ArrayContains($.arr, 3)`, want: `true`},
		{src: `States.ArrayContains($.arr, 3.0)`, want: `true`},
		{src: `States.ArrayContains($.arr, '3')`, want: `false`},
		{src: `States.ArrayContains($.empty, null)`, want: `false`},
		{src: `States.ArrayContains(States.Array($.o), States.JsonMerge($.o, $.o, false))`, want: `true`},
		{src: `States.ArrayContains($.o, 1)`, err: invalid("ArrayContains")},
		{src: `States.ArrayContains($.arr)`, err: invalid("ArrayContains")},
	})
}

func TestArrayRange(t *testing.T) {
	runEvalCases(t, []evalCase{
		{src: `States.ArrayRange(1, 9, 2)`, want: `[1, 3, 5, 7, 9]`},
		{src: `States.ArrayRange(0, 10, 3)`, want: `[0, 3, 6, 9]`},
		{src: `States.ArrayRange(5, 1, -2)`, want: `[5, 3, 1]`},
		{src: `States.ArrayRange(3, 3, -1)`, want: `[3]`},
		{src: `States.ArrayRange(5, 1, 1)`, want: `[]`},
		{src: `States.ArrayRange(1, 5, -1)`, want: `[]`},
		// Fractional bounds and steps are truncated: (1, 5, 2).
		{src: `States.ArrayRange(1.4, 5.6, 2.2)`, want: `[1, 3, 5]`},
		{src: `States.ArrayRange(1, 10, 0)`, err: invalid("ArrayRange")},
		{src: `States.ArrayRange(1, 10, 0.49)`, err: invalid("ArrayRange")},
		{src: `States.ArrayRange(1, 1001, 1)`, err: invalid("ArrayRange")},
		{src: `States.ArrayRange(1001, 1, -1)`, err: invalid("ArrayRange")},
		{src: `States.ArrayRange(-9223372036854775808, 9223372036854775807, 1)`, err: invalid("ArrayRange")},
		{src: `States.ArrayRange(9223372036854775807, -9223372036854775808, -9223372036854775808)`, want: `[9223372036854775807, -1]`},
		{src: `States.ArrayRange('a', 5, 1)`, err: invalid("ArrayRange")},
		{src: `States.ArrayRange(1, 5)`, err: invalid("ArrayRange")},
		{src: `States.ArrayRange(1, 5, 1, 9)`, err: invalid("ArrayRange")},
	})
	got, err := evalSrc(t, testEnv(t), `States.ArrayRange(1, 1000, 1)`)
	if err != nil || len(got.([]any)) != 1000 {
		t.Fatalf("a range of exactly 1000 items: %v", err)
	}
}

func TestArrayGetItem(t *testing.T) {
	runEvalCases(t, []evalCase{
		{src: `States.ArrayGetItem($.arr, 0)`, want: `1`},
		{src: `States.ArrayGetItem($.arr, 4)`, want: `5`},
		{src: `States.ArrayGetItem($.o.b, 2)`, want: `null`},
		{src: `States.ArrayGetItem($.arr, $.i)`, want: `3`},
		// A fractional index is truncated, as on Step Functions.
		{src: `States.ArrayGetItem($.arr, 1.2)`, want: `2`},
		{src: `States.ArrayGetItem($.arr, 5)`, err: invalid("ArrayGetItem")},
		{src: `States.ArrayGetItem($.arr, -1)`, err: invalid("ArrayGetItem")},
		{src: `States.ArrayGetItem($.empty, 0)`, err: invalid("ArrayGetItem")},
		{src: `States.ArrayGetItem($.arr, '1')`, err: invalid("ArrayGetItem")},
		{src: `States.ArrayGetItem('abc', 0)`, err: invalid("ArrayGetItem")},
		{src: `States.ArrayGetItem($.arr)`, err: invalid("ArrayGetItem")},
	})
}

func TestArrayLength(t *testing.T) {
	runEvalCases(t, []evalCase{
		{src: `States.ArrayLength($.arr)`, want: `5`},
		{src: `States.ArrayLength($.empty)`, want: `0`},
		{src: `States.ArrayLength(States.Array(1, 2))`, want: `2`},
		{src: `States.ArrayLength($.o)`, err: invalid("ArrayLength")},
		{src: `States.ArrayLength('abc')`, err: invalid("ArrayLength")},
		{src: `States.ArrayLength()`, err: invalid("ArrayLength")},
		{src: `States.ArrayLength($.arr, 1)`, err: invalid("ArrayLength")},
	})
}

func TestArrayUnique(t *testing.T) {
	runEvalCases(t, []evalCase{
		{src: `States.ArrayUnique($.arr)`, want: `[1, 2, 3, 4, 5]`},
		{src: `States.ArrayUnique($.empty)`, want: `[]`},
		{src: `States.ArrayUnique(States.StringToJson('[1, 1, 1.0, "1", null, null, true, true, false, {"a": 1, "b": 2}, {"b": 2, "a": 1}, [1], [1.0], [2], {}]'))`,
			want: `[1, "1", null, true, false, {"a": 1, "b": 2}, [1], [2], {}]`},
		{src: `States.ArrayUnique($.o)`, err: invalid("ArrayUnique")},
		{src: `States.ArrayUnique()`, err: invalid("ArrayUnique")},
	})
}

func TestBase64(t *testing.T) {
	runEvalCases(t, []evalCase{
		{src: `States.Base64Encode('Data to encode')`, want: `"RGF0YSB0byBlbmNvZGU="`},
		{src: `States.Base64Encode('')`, want: `""`},
		{src: `States.Base64Encode('✓')`, want: `"4pyT"`},
		{src: `States.Base64Encode($.a10000)`, want: `"` + strings.Repeat("YWFh", 3333) + `YQ=="`},
		{src: `States.Base64Encode(States.Format('{}b', $.a10000))`, err: invalid("Base64Encode")},
		{src: `States.Base64Encode(1)`, err: invalid("Base64Encode")},
		{src: `States.Base64Encode()`, err: invalid("Base64Encode")},

		{src: `States.Base64Decode('RGF0YSB0byBlbmNvZGU=')`, want: `"Data to encode"`},
		{src: `States.Base64Decode('')`, want: `""`},
		{src: `States.Base64Decode('4pyT')`, want: `"✓"`},
		{src: `States.Base64Decode('YWJjZA')`, want: `"abcd"`},
		{src: `States.Base64Decode(States.Base64Encode($.name))`, want: `"Ada"`},
		// Invalid input: Step Functions decodes leniently instead of
		// failing. Characters outside the alphabet are skipped, the first
		// '=' ends the data, and bytes that are not UTF-8 become U+FFFD.
		{src: `States.Base64Decode(' YWJj ZA== ')`, want: `"abcd"`},
		{src: `States.Base64Decode('ab==cd')`, want: `"i"`},
		{src: `States.Base64Decode('abc')`, want: `"i\ufffd"`},
		{src: `States.Base64Decode('a')`, want: `""`},
		{src: `States.Base64Decode('_-8=')`, want: `"\ufffd\ufffd"`},
		{src: `States.Base64Decode($.a10000)`, want: `"` + strings.Repeat("i\ufffd\ufffd", 2500) + `"`},
		{src: `States.Base64Decode(States.Format('{}a', $.a10000))`, err: invalid("Base64Decode")},
		{src: `States.Base64Decode(123)`, err: invalid("Base64Decode")},
		{src: `States.Base64Decode($.o)`, err: invalid("Base64Decode")},
		{src: `States.Base64Decode('aGVsbG8=', 'x')`, err: invalid("Base64Decode")},
	})
}

func TestHash(t *testing.T) {
	runEvalCases(t, []evalCase{
		// The digests recorded on Step Functions (corpus intrinsic_hash__*).
		{src: `States.Hash('input data', 'MD5')`, want: `"812f45842bc6d66ee14572ce20db8e86"`},
		{src: `States.Hash('input data', 'SHA-1')`, want: `"aaff4a450a104cd177d28d18d74485e8cae074b7"`},
		{src: `States.Hash('input data', 'SHA-256')`, want: `"b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"`},
		{src: `States.Hash('input data', 'SHA-384')`, want: `"d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562"`},
		{src: `States.Hash('input data', 'SHA-512')`, want: `"6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4"`},
		{src: `States.Hash('', 'SHA-256')`, want: `"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"`},
		// Step Functions hashes a number by its text rather than failing.
		{src: `States.Hash(123, 'MD5')`, want: `"202cb962ac59075b964b07152d234b70"`},
		{src: `States.Hash($.a10000, 'MD5')`, want: `"0d0c9c4db6953fee9e03f528cafd7d3e"`},
		{src: `States.Hash(States.Format('{}b', $.a10000), 'MD5')`, err: invalid("Hash")},
		{src: `States.Hash('data', 'SHA256')`, err: invalid("Hash")},
		{src: `States.Hash('data', 'sha-256')`, err: invalid("Hash")},
		{src: `States.Hash('data', 'MD-5')`, err: invalid("Hash")},
		{src: `States.Hash('data', '')`, err: invalid("Hash")},
		{src: `States.Hash('data', 256)`, err: invalid("Hash")},
		{src: `States.Hash('data')`, err: invalid("Hash")},
		{src: `States.Hash('data', 'MD5', 'x')`, err: invalid("Hash")},
	})
}

func TestJSONMerge(t *testing.T) {
	runEvalCases(t, []evalCase{
		{src: `States.JsonMerge(States.StringToJson('{"a": {"a1": 1}, "b": 2, "d": 3}'), States.StringToJson('{"a": {"a3": 1}, "c": 3, "d": 4}'), false)`,
			want: `{"a": {"a3": 1}, "b": 2, "c": 3, "d": 4}`},
		{src: `States.JsonMerge($.o, States.StringToJson('{}'), false)`, want: `{"a": 1, "b": [1, "x", null]}`},
		// Only the shallow merge exists: the flag must be false.
		{src: `States.JsonMerge($.o, $.o, true)`, err: invalid("JsonMerge")},
		{src: `States.JsonMerge($.o, $.o, 'false')`, err: invalid("JsonMerge")},
		{src: `States.JsonMerge($.o, $.arr, false)`, err: invalid("JsonMerge")},
		{src: `States.JsonMerge($.z, $.o, false)`, err: invalid("JsonMerge")},
		{src: `States.JsonMerge($.o, $.o)`, err: invalid("JsonMerge")},
	})
	env := testEnv(t)
	before := value.MustEncodeString(env.Input)
	if _, err := evalSrc(t, env, `States.JsonMerge($.o, States.StringToJson('{"a": 2, "c": 3}'), false)`); err != nil {
		t.Fatal(err)
	}
	if after := value.MustEncodeString(env.Input); after != before {
		t.Fatalf("JsonMerge changed its input:\n%s\n%s", before, after)
	}
}

func TestMathAdd(t *testing.T) {
	runEvalCases(t, []evalCase{
		{src: `States.MathAdd(1, 2)`, want: `3`},
		{src: `States.MathAdd($.i, -9)`, want: `-7`},
		// Non-integers are rounded half up, like Java's Math.round (corpus
		// intrinsic_math__test_math_add__*).
		{src: `States.MathAdd(1.49, 1.5)`, want: `3`},
		{src: `States.MathAdd(-1.49, -1.5)`, want: `-2`},
		{src: `States.MathAdd(-0.5, 0.5)`, want: `1`},
		{src: `States.MathAdd(-2.5, 0)`, want: `-2`},
		{src: `States.MathAdd(2147483647, 2147483647)`, want: `4294967294`},
		{src: `States.MathAdd(2147483648, 0)`, err: invalid("MathAdd")},
		{src: `States.MathAdd(-2147483649, 0)`, err: invalid("MathAdd")},
		{src: `States.MathAdd('1', 2)`, err: invalid("MathAdd")},
		{src: `States.MathAdd($.z, 2)`, err: invalid("MathAdd")},
		{src: `States.MathAdd(1)`, err: invalid("MathAdd")},
		{src: `States.MathAdd(1, 2, 3)`, err: invalid("MathAdd")},
	})
	// A whole result is a whole number: 3, never 3.0.
	got, err := evalSrc(t, testEnv(t), `States.MathAdd(1.5, 1)`)
	if err != nil || value.MustEncodeString(got) != "3" {
		t.Fatalf("MathAdd(1.5, 1) = %v, %v; want 3", got, err)
	}
}

func TestMathRandom(t *testing.T) {
	runEvalCases(t, []evalCase{
		{src: `States.MathRandom(1, 1)`, err: invalid("MathRandom")},
		{src: `States.MathRandom(10, 5)`, err: invalid("MathRandom")},
		{src: `States.MathRandom(1.4, 1.6)`, err: invalid("MathRandom")},
		{src: `States.MathRandom('a', 10)`, err: invalid("MathRandom")},
		{src: `States.MathRandom(1, 10, 'seed')`, err: invalid("MathRandom")},
		{src: `States.MathRandom(1, 10, null)`, err: invalid("MathRandom")},
		{src: `States.MathRandom(1)`, err: invalid("MathRandom")},
		{src: `States.MathRandom(1, 10, 5, 9)`, err: invalid("MathRandom")},
	})
	inRange := func(src string, lo, hi int64) int64 {
		t.Helper()
		got, err := evalSrc(t, testEnv(t), src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		n, ok := value.Int(got)
		if !ok || n < lo || n >= hi {
			t.Fatalf("%s = %v, want an integer in [%d, %d)", src, got, lo, hi)
		}
		return n
	}
	for range 200 {
		inRange(`States.MathRandom(1, 3)`, 1, 3)
		inRange(`States.MathRandom(1.6, 5.4)`, 1, 5) // truncated to [1, 5)
		inRange(`States.MathRandom(-2147483648, 2147483647)`, -2147483648, 2147483647)
	}
	// With a seed the number is the same every time, in one call tree and
	// across runs.
	got, err := evalSrc(t, testEnv(t), `States.Array(States.MathRandom(1, 1000, 42), States.MathRandom(1, 1000, 42), States.MathRandom(1, 1000, -10))`)
	if err != nil {
		t.Fatal(err)
	}
	arr := got.([]any)
	if !value.Equal(arr[0], arr[1]) {
		t.Errorf("the same seed gave %v and %v", arr[0], arr[1])
	}
	if again := inRange(`States.MathRandom(1, 1000, 42)`, 1, 1000); !value.Equal(value.IntNumber(again), arr[0]) {
		t.Errorf("seed 42 gave %v, then %d", arr[0], again)
	}
	// Without a seed the engine's random source decides: equal seeds, equal
	// numbers.
	a, _ := evalSrc(t, testEnv(t), `States.MathRandom(0, 1000000000)`)
	b, _ := evalSrc(t, testEnv(t), `States.MathRandom(0, 1000000000)`)
	if !value.Equal(a, b) {
		t.Errorf("equally seeded runs gave %v and %v", a, b)
	}
	if _, err := evalSrc(t, &Env{}, `States.MathRandom(0, 10)`); err != nil {
		t.Errorf("without Env.Rand: %v", err)
	}
}

func TestStringSplit(t *testing.T) {
	runEvalCases(t, []evalCase{
		// Every character of the delimiter splits; empty pieces are dropped
		// (corpus intrinsic_string__test_string_split__*).
		{src: `States.StringSplit($.csv, ',')`, want: `["a", "b", "c"]`},
		{src: `States.StringSplit(', , ,', ',')`, want: `[" ", " "]`},
		{src: `States.StringSplit(',,,,', ',')`, want: `[]`},
		{src: `States.StringSplit('This.is+a,test=string', '.+,=')`, want: `["This", "is", "a", "test", "string"]`},
		{src: `States.StringSplit('a✓b✓c', '✓')`, want: `["a", "b", "c"]`},
		{src: `States.StringSplit('abc', '')`, want: `["abc"]`},
		{src: `States.StringSplit('', ',')`, want: `[]`},
		{src: `States.StringSplit($.arr, ',')`, err: invalid("StringSplit")},
		{src: `States.StringSplit('a,b', 1)`, err: invalid("StringSplit")},
		{src: `States.StringSplit('a,b')`, err: invalid("StringSplit")},
	})
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestUUID(t *testing.T) {
	runEvalCases(t, []evalCase{
		{src: `States.UUID(1)`, err: invalid("UUID")},
	})
	a, err := evalSrc(t, testEnv(t), `States.UUID()`)
	if err != nil {
		t.Fatal(err)
	}
	if !uuidV4.MatchString(a.(string)) {
		t.Errorf("%q is not a version 4 UUID", a)
	}
	b, _ := evalSrc(t, testEnv(t), `States.UUID()`)
	if a != b {
		t.Errorf("equally seeded runs gave %v and %v", a, b)
	}
	env := testEnv(t)
	c, _ := evalSrc(t, env, `States.UUID()`)
	d, _ := evalSrc(t, env, `States.UUID()`)
	if c == d {
		t.Errorf("two draws from one run gave the same UUID %v", c)
	}
	e, err := evalSrc(t, &Env{}, `States.UUID()`)
	if err != nil || !uuidV4.MatchString(e.(string)) {
		t.Errorf("without Env.Rand: %v, %v", e, err)
	}
}

func TestPathArguments(t *testing.T) {
	runEvalCases(t, []evalCase{
		{src: `States.Array($)`, want: `[` + strings.Replace(testInput, "\x00", strings.Repeat("a", 10000), 1) + `]`},
		{src: `States.Array($$.State.Name, $$.Execution.Input.name)`, want: `["Reserve", "Ada"]`},
		{src: `States.Array($['name'], $.o.b[1])`, want: `["Ada", "x"]`},
		// A nested call that fails is the one the cause names.
		{src: `States.Format('{}', States.ArrayGetItem($.arr, 9))`, err: "function: States.ArrayGetItem($.arr, 9). Invalid arguments in States.ArrayGetItem"},
		// The AWS example with nine nested calls.
		{src: `States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))`, want: `"v2"`},
	})
	_, err := evalSrc(t, &Env{Input: map[string]any{"k": "v"}}, `States.Format('{}', $.missing)`)
	want := `There was an error while evaluating the intrinsic function: States.Format('{}', $.missing). The JsonPath argument for the field '$.missing' could not be found in the input '{"k":"v"}'`
	var se *states.Error
	if !errors.As(err, &se) || se.Name != states.Runtime || se.Cause != want {
		t.Fatalf("got %v\nwant States.Runtime: %s", err, want)
	}
	if _, err := evalSrc(t, &Env{Input: map[string]any{}}, `States.Array($$.Execution.Name)`); err == nil {
		t.Fatal("a context path with no context object succeeded")
	}
}

func TestEvalNilEnv(t *testing.T) {
	got, err := evalSrc(t, nil, `States.Array(1)`)
	if err != nil || !value.Equal(got, []any{1}) {
		t.Fatalf("got %v, %v", got, err)
	}
}

func TestIndefinitePathArguments(t *testing.T) {
	for _, p := range []string{"$.arr[*]", "$.arr[1:3]", "$.objs[?(@.k == 'x')]"} {
		if _, err := jsonpath.Compile(p); err != nil {
			t.Skipf("package jsonpath cannot compile %q yet: %v", p, err)
		}
	}
	runEvalCases(t, []evalCase{
		// An indefinite path gives the list of its matches.
		{src: `States.ArrayLength($.arr[*])`, want: `5`},
		{src: `States.Array($.arr[1:3], $.empty[*])`, want: `[[2, 3], []]`},
		{src: `States.Array($.objs[?(@.k == 'x')], 'a, b')`, want: `[[{"k": "x"}], "a, b"]`},
		// Commas and parentheses inside brackets belong to the path.
		{src: `States.ArrayLength($.objs[?(@.k == ', )')])`, want: `1`},
		{src: `States.Array($['a, b)'])`, err: "The JsonPath argument for the field '$['a, b)']' could not be found"},
	})
}
