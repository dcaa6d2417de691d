package intrinsic

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/uuid"
)

// maxStringChars is the longest string States.Base64Encode, Base64Decode and
// Hash accept, in characters.
const maxStringChars = 10000

// maxRangeItems is the longest array States.ArrayRange may return.
const maxRangeItems = 1000

// truncArg returns a number argument truncated toward zero, the way Step
// Functions reads integer arguments of ArrayPartition, ArrayRange,
// ArrayGetItem and MathRandom (ArrayPartition(a, 2.6) partitions by 2).
func truncArg(v any) (int64, bool) { return wholeArg(v, math.Trunc) }

// roundArg returns a number argument rounded half up, like Java's
// Math.round: MathAdd(1.5, 0) is 2 and MathAdd(-1.5, 0) is -1.
func roundArg(v any) (int64, bool) {
	return wholeArg(v, func(f float64) float64 { return math.Floor(f + 0.5) })
}

// wholeArg returns a number argument as an int64, made whole by whole when
// it has a fraction; not when it is no number or out of range.
func wholeArg(v any, whole func(float64) float64) (int64, bool) {
	if i, ok := value.Int(v); ok {
		return i, true
	}
	f, ok := value.Float(v)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	f = whole(f)
	if f < -(1<<63) || f >= 1<<63 {
		return 0, false
	}
	return int64(f), true
}

func runStringToJSON(f *Func, _ *Env, args []any) (any, error) {
	s, ok := args[0].(string)
	if !ok {
		return nil, f.invalidArgs()
	}
	// Step Functions turns an empty or blank string into null.
	if strings.Trim(s, " \t\r\n") == "" {
		return nil, nil
	}
	v, err := value.DecodeString(s)
	if err != nil {
		return nil, f.invalidArgs()
	}
	return v, nil
}

func runJSONToString(f *Func, _ *Env, args []any) (any, error) {
	b, err := value.Encode(args[0])
	if err != nil {
		return nil, f.invalidArgs()
	}
	return string(b), nil
}

func runArray(_ *Func, _ *Env, args []any) (any, error) {
	// args may live in Eval's stack buffer; the result needs its own array.
	return append(make([]any, 0, len(args)), args...), nil
}

func runArrayPartition(f *Func, _ *Env, args []any) (any, error) {
	arr, ok := args[0].([]any)
	size, ok2 := truncArg(args[1])
	if !ok || !ok2 || size < 1 {
		return nil, f.invalidArgs()
	}
	n := int64(len(arr))
	chunks := n / size
	if n%size != 0 {
		chunks++
	}
	out := make([]any, 0, chunks)
	for i := int64(0); i < n; i += size {
		j := min(i+size, n)
		// The chunks share the input's elements; the capacity is cut so
		// that appending to a chunk can never write into the input.
		out = append(out, arr[i:j:j])
	}
	return out, nil
}

func runArrayContains(f *Func, _ *Env, args []any) (any, error) {
	arr, ok := args[0].([]any)
	if !ok {
		return nil, f.invalidArgs()
	}
	want := args[1]
	return slices.ContainsFunc(arr, func(e any) bool { return value.Equal(e, want) }), nil
}

func runArrayRange(f *Func, _ *Env, args []any) (any, error) {
	start, ok1 := truncArg(args[0])
	end, ok2 := truncArg(args[1])
	step, ok3 := truncArg(args[2])
	if !ok1 || !ok2 || !ok3 || step == 0 {
		return nil, f.invalidArgs()
	}
	// Count the items with unsigned arithmetic so that extreme bounds
	// cannot overflow.
	var count int
	var span, stride uint64
	switch {
	case step > 0 && start <= end:
		span, stride = uint64(end)-uint64(start), uint64(step)
		count = 1
	case step < 0 && start >= end:
		span, stride = uint64(start)-uint64(end), uint64(-(step+1))+1
		count = 1
	}
	if count > 0 {
		steps := span / stride
		if steps >= maxRangeItems {
			return nil, f.invalidArgs()
		}
		count += int(steps)
	}
	out := make([]any, count)
	v := start
	for i := range out {
		out[i] = value.IntNumber(v)
		v += step
	}
	return out, nil
}

func runArrayGetItem(f *Func, _ *Env, args []any) (any, error) {
	arr, ok := args[0].([]any)
	i, ok2 := truncArg(args[1])
	if !ok || !ok2 || i < 0 || i >= int64(len(arr)) {
		return nil, f.invalidArgs()
	}
	return arr[i], nil
}

func runArrayLength(f *Func, _ *Env, args []any) (any, error) {
	arr, ok := args[0].([]any)
	if !ok {
		return nil, f.invalidArgs()
	}
	return value.IntNumber(int64(len(arr))), nil
}

func runArrayUnique(f *Func, _ *Env, args []any) (any, error) {
	arr, ok := args[0].([]any)
	if !ok {
		return nil, f.invalidArgs()
	}
	seen := make(map[string]struct{}, len(arr))
	out := make([]any, 0, len(arr))
	var key []byte
	for _, e := range arr {
		key = appendKey(key[:0], e)
		if _, dup := seen[string(key)]; dup {
			continue
		}
		seen[string(key)] = struct{}{}
		out = append(out, e)
	}
	return out, nil
}

// appendKey appends a canonical encoding of v: two values get the same key
// exactly when value.Equal holds for them (numbers by value, objects
// regardless of key order).
func appendKey(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, 'z')
	case bool:
		if x {
			return append(b, 't')
		}
		return append(b, 'f')
	case string:
		b = append(b, 's')
		b = strconv.AppendInt(b, int64(len(x)), 10)
		b = append(b, ':')
		return append(b, x...)
	case []any:
		b = append(b, '[')
		for _, e := range x {
			b = appendKey(b, e)
		}
		return append(b, ']')
	case map[string]any:
		b = append(b, '{')
		for _, k := range sortedKeys(x) {
			b = appendKey(b, k)
			b = appendKey(b, x[k])
		}
		return append(b, '}')
	}
	if i, ok := value.Int(v); ok {
		b = append(b, 'i')
		return strconv.AppendInt(b, i, 10)
	}
	if fl, ok := value.Float(v); ok {
		b = append(b, 'n')
		return strconv.AppendFloat(b, fl, 'g', -1, 64)
	}
	b = append(b, '?')
	return append(b, value.TypeName(v)...)
}

func runBase64Encode(f *Func, _ *Env, args []any) (any, error) {
	s, ok := args[0].(string)
	if !ok || utf8.RuneCountInString(s) > maxStringChars {
		return nil, f.invalidArgs()
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

func runBase64Decode(f *Func, _ *Env, args []any) (any, error) {
	s, ok := args[0].(string)
	if !ok || utf8.RuneCountInString(s) > maxStringChars {
		return nil, f.invalidArgs()
	}
	return toValidUTF8(lenientBase64Decode(s)), nil
}

// decodeTable maps a byte to its 6-bit value, or -1. Both the standard and
// the URL-safe alphabet decode.
var decodeTable = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	const std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := range len(std) {
		t[std[i]] = int8(i)
	}
	t['-'], t['_'] = 62, 63
	return t
}()

// lenientBase64Decode decodes the way Step Functions does (observed: it
// returns output for "!!!invalid!!!", "abc", "ab==cd" and " YWJjZA== "):
// bytes outside the alphabet are skipped, the first '=' ends the data, and a
// final group of two or three characters still yields its one or two bytes.
func lenientBase64Decode(s string) []byte {
	out := make([]byte, 0, len(s)*3/4+2)
	var acc uint32
	n := 0
	for i := range len(s) {
		c := s[i]
		if c == '=' {
			break
		}
		d := decodeTable[c]
		if d < 0 {
			continue
		}
		acc = acc<<6 | uint32(d)
		n++
		if n == 4 {
			out = append(out, byte(acc>>16), byte(acc>>8), byte(acc))
			acc, n = 0, 0
		}
	}
	switch n {
	case 2:
		out = append(out, byte(acc>>4))
	case 3:
		out = append(out, byte(acc>>10), byte(acc>>2))
	}
	return out
}

// toValidUTF8 turns decoded bytes into a string, replacing every byte that is
// not part of valid UTF-8 with U+FFFD, as a Java UTF-8 decoder does.
func toValidUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) + 8)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		sb.WriteRune(r) // utf8.RuneError for an invalid byte
		b = b[size:]
	}
	return sb.String()
}

func runHash(f *Func, _ *Env, args []any) (any, error) {
	var data string
	switch d := args[0].(type) {
	case string:
		data = d
	default:
		// Step Functions hashes a number or an object by its text rather
		// than rejecting it.
		b, err := value.Encode(d)
		if err != nil {
			return nil, f.invalidArgs()
		}
		data = string(b)
	}
	alg, ok := args[1].(string)
	if !ok || utf8.RuneCountInString(data) > maxStringChars {
		return nil, f.invalidArgs()
	}
	var h hash.Hash
	switch alg {
	case "MD5":
		h = md5.New()
	case "SHA-1":
		h = sha1.New()
	case "SHA-256":
		h = sha256.New()
	case "SHA-384":
		h = sha512.New384()
	case "SHA-512":
		h = sha512.New()
	default:
		return nil, f.invalidArgs()
	}
	h.Write([]byte(data))
	return hex.EncodeToString(h.Sum(nil)), nil
}

func runJSONMerge(f *Func, _ *Env, args []any) (any, error) {
	a, ok1 := args[0].(map[string]any)
	b, ok2 := args[1].(map[string]any)
	deep, ok3 := args[2].(bool)
	// Step Functions supports only the shallow merge: the flag must be false.
	if !ok1 || !ok2 || !ok3 || deep {
		return nil, f.invalidArgs()
	}
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out, nil
}

func runMathRandom(f *Func, env *Env, args []any) (any, error) {
	start, ok1 := truncArg(args[0])
	end, ok2 := truncArg(args[1])
	if !ok1 || !ok2 || start >= end {
		return nil, f.invalidArgs()
	}
	span := uint64(end) - uint64(start) // end > start, so this is exact
	if len(args) == 3 {
		seed, ok := truncArg(args[2])
		if !ok {
			return nil, f.invalidArgs()
		}
		// The same seed gives the same number, within a run and across runs.
		r := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
		return value.IntNumber(start + int64(r.Uint64N(span))), nil
	}
	var n uint64
	if env.Rand != nil {
		n = env.Rand.Uint64N(span)
	} else {
		n = rand.Uint64N(span)
	}
	return value.IntNumber(start + int64(n)), nil
}

func runMathAdd(f *Func, _ *Env, args []any) (any, error) {
	a, ok1 := roundArg(args[0])
	b, ok2 := roundArg(args[1])
	// Step Functions takes 32-bit integers.
	if !ok1 || !ok2 || a < math.MinInt32 || a > math.MaxInt32 || b < math.MinInt32 || b > math.MaxInt32 {
		return nil, f.invalidArgs()
	}
	return value.IntNumber(a + b), nil
}

// runStringSplit splits on every character of the delimiter and drops empty
// pieces, like Java's StringTokenizer: StringSplit(",a,,b", ",") is [a, b].
func runStringSplit(f *Func, _ *Env, args []any) (any, error) {
	s, ok1 := args[0].(string)
	delims, ok2 := args[1].(string)
	if !ok1 || !ok2 {
		return nil, f.invalidArgs()
	}
	out := []any{}
	for _, tok := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(delims, r) }) {
		out = append(out, tok)
	}
	return out, nil
}

// runUUID returns a version 4 UUID drawn from the run's random source, so a
// seeded run repeats its UUIDs.
func runUUID(_ *Func, env *Env, _ []any) (any, error) {
	var b [16]byte
	var hi, lo uint64
	if env.Rand != nil {
		hi, lo = env.Rand.Uint64(), env.Rand.Uint64()
	} else {
		hi, lo = rand.Uint64(), rand.Uint64()
	}
	for i := range 8 {
		b[i] = byte(hi >> (56 - 8*i))
		b[8+i] = byte(lo >> (56 - 8*i))
	}
	return uuid.V4(b), nil
}
