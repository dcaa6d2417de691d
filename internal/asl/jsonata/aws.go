package jsonata

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"math"
	"math/rand/v2"
	"strings"
)

// AWSFunctions are the functions AWS Step Functions adds to JSONata
// ($partition, $range, $hash, $random with an optional seed, $uuid,
// $parse), plus a nil entry for "eval", which Step Functions does not
// provide. Pass it to NewFuncSet, or use AWSFuncSet.
func AWSFunctions() map[string]*Func {
	return map[string]*Func{
		"partition": {Signature: "<an:a>", raw: awsPartition},
		"range":     {Signature: "<nnn?:a<n>>", raw: awsRange},
		"hash":      {Signature: "<s-s:s>", raw: awsHash},
		"random":    {Signature: "<n?:n>", raw: awsRandom},
		"uuid":      {Signature: "<:s>", raw: awsUUID},
		"parse":     {Signature: "<s-:j>", raw: awsParse},
		"eval":      nil,
	}
}

// AWSFuncSet is the function table of AWS Step Functions: the standard
// library without $eval, with AWSFunctions.
var AWSFuncSet = func() *FuncSet {
	fs, err := NewFuncSet(AWSFunctions())
	if err != nil {
		panic(err)
	}
	return fs
}()

// awsError is an argument error of a Step Functions function, in the
// form of jsonata's D3137 (a message of its own).
func awsError(format string, a ...any) error {
	return newErr("D3137", -1).withMessage(fmt.Sprintf(format, a...))
}

func wholeNumber(v any) (float64, bool) {
	f, ok := v.(float64)
	return f, ok && f == math.Trunc(f) && !math.IsInf(f, 0)
}

// awsPartition splits an array into chunks of size items; the last chunk
// may be shorter.
func awsPartition(_ *Call, args []any) (any, error) {
	arr := argAt(args, 0)
	size, ok := wholeNumber(argAt(args, 1))
	if isUndef(arr) {
		return undefined, nil
	}
	if !ok || size < 1 {
		return nil, awsError("The size argument of $partition must be a positive integer: %s", formatNumberJS(size))
	}
	xs := items(arr)
	n := int(min(size, float64(len(xs)+1))) // a larger size is one chunk
	out := &array{items: make([]any, 0, (len(xs)+n-1)/n)}
	for i := 0; i < len(xs); i += n {
		end := min(i+n, len(xs))
		out.items = append(out.items, &array{items: xs[i:end:end]})
	}
	return out, nil
}

// maxAWSRange bounds the arrays $range builds, as States.ArrayRange does.
const maxAWSRange = 1000

// awsRange lists start, start+step ... up to end inclusive (step defaults
// to 1, and may be negative).
func awsRange(_ *Call, args []any) (any, error) {
	start, ok1 := wholeNumber(argAt(args, 0))
	end, ok2 := wholeNumber(argAt(args, 1))
	step := 1.0
	ok3 := true
	if !isUndef(argAt(args, 2)) {
		step, ok3 = wholeNumber(argAt(args, 2))
	}
	if !ok1 || !ok2 || !ok3 || step == 0 {
		return nil, awsError("The arguments of $range must be integers and the step must not be 0")
	}
	out := &array{seq: true}
	for x := start; (step > 0 && x <= end) || (step < 0 && x >= end); x += step {
		if len(out.items) >= maxAWSRange {
			return nil, awsError("$range would return more than %d items", maxAWSRange)
		}
		out.items = append(out.items, x)
	}
	return out, nil
}

var hashAlgorithms = map[string]func() hash.Hash{
	"MD5": md5.New, "SHA-1": sha1.New, "SHA-256": sha256.New, "SHA-384": sha512.New384, "SHA-512": sha512.New,
}

// awsHash returns the hex digest of a string's UTF-8 bytes.
func awsHash(_ *Call, args []any) (any, error) {
	s, ok := argAt(args, 0).(string)
	if !ok {
		return undefined, nil
	}
	alg, _ := argAt(args, 1).(string)
	newHash, ok := hashAlgorithms[alg]
	if !ok {
		return nil, awsError("The hashing algorithm %s is not supported; use one of MD5, SHA-1, SHA-256, SHA-384, SHA-512", alg)
	}
	h := newHash()
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil)), nil
}

// awsRandom returns a number in [0, 1); with a seed, always the same
// number for the same seed.
func awsRandom(call *Call, args []any) (any, error) {
	seed, ok := argAt(args, 0).(float64)
	if !ok {
		return call.Random(), nil
	}
	s := uint64(int64(seed))
	return rand.New(rand.NewPCG(s, s^0x9E3779B97F4A7C15)).Float64(), nil
}

// awsUUID returns a version 4 UUID drawn from the evaluation's random
// source.
func awsUUID(call *Call, _ []any) (any, error) {
	var b [16]byte
	for i := range b {
		b[i] = byte(call.Random() * 256)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return strings.Join([]string{h[:8], h[8:12], h[12:16], h[16:20], h[20:]}, "-"), nil
}

// awsParse parses a JSON text into a value.
func awsParse(_ *Call, args []any) (any, error) {
	s, ok := argAt(args, 0).(string)
	if !ok {
		return undefined, nil
	}
	v, err := parseJSONOrdered(s)
	if err != nil {
		return nil, awsError("The argument of $parse is not valid JSON: %v", err)
	}
	return v, nil
}

// parseJSONOrdered decodes JSON text into evaluator values, keeping key
// order.
func parseJSONOrdered(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	v, err := decodeJSONValue(dec)
	if err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("unexpected data after the JSON value")
	}
	return v, nil
}

func decodeJSONValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			o := newObject(4)
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeJSONValue(dec)
				if err != nil {
					return nil, err
				}
				o.set(kt.(string), v)
			}
			_, err := dec.Token()
			return o, err
		}
		a := &array{items: []any{}}
		for dec.More() {
			v, err := decodeJSONValue(dec)
			if err != nil {
				return nil, err
			}
			a.items = append(a.items, v)
		}
		_, err := dec.Token()
		return a, err
	case json.Number:
		return fromInput(t), nil
	}
	return tok, nil
}
