package jsonata

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"

	"github.com/yafdp/yafdp/internal/asl/value"
)

// undefinedType is JSONata's undefined: no value, distinct from null (nil).
type undefinedType struct{}

// undefined is the one undefined value.
var undefined any = undefinedType{}

func isUndef(v any) bool { _, ok := v.(undefinedType); return ok }

// array is an evaluator array. Input []any values are wrapped (shallowly,
// with numbers normalised) when first read. The flags are jsonata-js's
// array properties: seq marks a sequence (flattened and collapsed to a
// singleton), keepSingleton, cons (built by an array constructor), outer
// (the input array wrapped as a singleton) and tuples (a tuple stream).
type array struct {
	items         []any
	seq           bool
	keepSingleton bool
	cons          bool
	outer         bool
	tuples        []*tuple // set when this is a tuple stream
}

// tuple is one binding set of a tuple stream: the context value '@' and
// the focus, index and ancestor variables bound along the path.
type tuple struct {
	ctx   any
	names []string
	vals  []any
}

func (t *tuple) clone() *tuple {
	return &tuple{ctx: t.ctx, names: append([]string(nil), t.names...), vals: append([]any(nil), t.vals...)}
}

func (t *tuple) set(name string, v any) {
	for i, n := range t.names {
		if n == name {
			t.vals[i] = v
			return
		}
	}
	t.names = append(t.names, name)
	t.vals = append(t.vals, v)
}

func (t *tuple) get(name string) (any, bool) {
	for i, n := range t.names {
		if n == name {
			return t.vals[i], true
		}
	}
	return nil, false
}

func newSeq(items ...any) *array { return &array{items: items, seq: true} }

// object is an evaluator-built object: keys in insertion order.
type object struct {
	keys []string
	m    map[string]any
}

func newObject(n int) *object { return &object{m: make(map[string]any, n)} }

func (o *object) set(k string, v any) {
	if _, ok := o.m[k]; !ok {
		o.keys = insertKey(o.keys, k)
	}
	o.m[k] = v
}

func (o *object) del(k string) {
	if _, ok := o.m[k]; !ok {
		return
	}
	delete(o.m, k)
	for i, x := range o.keys {
		if x == k {
			o.keys = append(o.keys[:i:i], o.keys[i+1:]...)
			break
		}
	}
}

// isObject reports whether v is an object of any representation.
func isObject(v any) bool {
	switch v.(type) {
	case *object, map[string]any, *value.Record:
		return true
	}
	return false
}

func isArray(v any) bool { _, ok := v.(*array); return ok }

// objKeys lists an object's keys in order: insertion order for evaluator
// objects and records, sorted order for Go maps (which have none).
func objKeys(v any) []string {
	switch o := v.(type) {
	case *object:
		return o.keys
	case map[string]any:
		ks := make([]string, 0, len(o))
		for k := range o {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return ks
	case *value.Record:
		return o.Names
	}
	return nil
}

// objGet reads a field, normalising input values on the way in.
func objGet(v any, key string) (any, bool) {
	switch o := v.(type) {
	case *object:
		x, ok := o.m[key]
		if !ok {
			return undefined, false
		}
		return x, true
	case map[string]any:
		x, ok := o[key]
		if !ok {
			return undefined, false
		}
		return fromInput(x), true
	case *value.Record:
		x, ok := o.Get(key)
		if !ok {
			return undefined, false
		}
		return fromInput(x), true
	}
	return undefined, false
}

func objLen(v any) int {
	switch o := v.(type) {
	case *object:
		return len(o.keys)
	case map[string]any:
		return len(o)
	case *value.Record:
		return len(o.Names)
	}
	return 0
}

// fromInput normalises a value read from caller data: every number kind
// becomes float64 and []any becomes an array. Objects are kept as they are
// and read lazily.
func fromInput(v any) any {
	switch x := v.(type) {
	case nil, bool, string, float64, *object, *array, map[string]any, *value.Record:
		return v
	case json.Number:
		f, _ := value.Float(x)
		return f
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case int32:
		return float64(x)
	case float32:
		return float64(x)
	case []any:
		items := make([]any, len(x))
		for i, e := range x {
			items[i] = fromInput(e)
		}
		return &array{items: items}
	case []map[string]any:
		items := make([]any, len(x))
		for i, e := range x {
			items[i] = e
		}
		return &array{items: items}
	case []string:
		items := make([]any, len(x))
		for i, e := range x {
			items[i] = e
		}
		return &array{items: items}
	}
	return v
}

// toOutput converts an evaluator value to the engine's value model: nil,
// bool, string, float64, []any and map[string]any. Input maps are returned
// as they are when nothing inside needs converting.
func toOutput(v any) any {
	switch x := v.(type) {
	case *array:
		out := make([]any, 0, len(x.items))
		for _, e := range x.items {
			if isUndef(e) {
				out = append(out, nil) // as JSON.stringify writes it
				continue
			}
			out = append(out, toOutput(e))
		}
		return out
	case *object:
		out := make(map[string]any, len(x.keys))
		for _, k := range x.keys {
			if e := x.m[k]; !isUndef(e) {
				out[k] = toOutput(e)
			}
		}
		return out
	case map[string]any:
		if clean(x) {
			return x
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = toOutput(fromInput(e))
		}
		return out
	case *value.Record:
		out := make(map[string]any, len(x.Names))
		for i, k := range x.Names {
			out[k] = toOutput(fromInput(x.Values[i]))
		}
		return out
	case []any:
		return toOutput(fromInput(x))
	case json.Number, int, int64, int32, float32:
		return fromInput(x)
	case float64:
		if x == 0 {
			return float64(0) // JSON has no -0
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil // as JSON.stringify writes NaN and Infinity
		}
		return x
	case *lambda, *nativeFn, *matcher:
		return Function{fn: x}
	}
	return v
}

// clean reports whether a caller map holds only output-model values.
func clean(m map[string]any) bool {
	for _, e := range m {
		switch x := e.(type) {
		case nil, bool, string:
		case float64:
			if x == 0 && math.Signbit(x) || math.IsNaN(x) || math.IsInf(x, 0) {
				return false
			}
		case map[string]any:
			if !clean(x) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// num extracts a float64; ok is false for non-numbers.
func num(v any) (float64, bool) {
	f, ok := v.(float64)
	return f, ok
}

var _ = strconv.Itoa
