package jsonata

import (
	"encoding/json"
	"math"
	"reflect"
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
	ctx any
	vars
}

func (t *tuple) clone() *tuple { return &tuple{ctx: t.ctx, vars: t.vars.clone()} }

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
func toOutput(v any) any { return (*cleanMaps)(nil).toOutput(v) }

// cleanMaps remembers the last caller maps found clean (see clean), so
// that an evaluator handing the same input object out again, expression
// after expression, does not walk it each time. Caller values never
// change, and the cache holds the maps it names, so their memory cannot
// serve another map meanwhile. A nil *cleanMaps remembers nothing.
type cleanMaps struct {
	maps [4]map[string]any
	next int
}

// known reports whether m is one of the remembered clean maps.
func (cm *cleanMaps) known(m map[string]any) bool {
	if cm == nil {
		return false
	}
	for _, k := range cm.maps {
		if k != nil && sameMap(k, m) {
			return true
		}
	}
	return false
}

// sameMap reports whether a and b are the same map (JavaScript's === on
// objects), not two maps with the same entries.
func sameMap(a, b map[string]any) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// remember adds m to the cache, forgetting the oldest.
func (cm *cleanMaps) remember(m map[string]any) {
	if cm == nil {
		return
	}
	cm.maps[cm.next] = m
	cm.next = (cm.next + 1) % len(cm.maps)
}

func (cm *cleanMaps) toOutput(v any) any {
	switch x := v.(type) {
	case *array:
		out := make([]any, 0, len(x.items))
		for _, e := range x.items {
			if isUndef(e) {
				out = append(out, nil) // as JSON.stringify writes it
				continue
			}
			out = append(out, cm.toOutput(e))
		}
		return out
	case *object:
		out := make(map[string]any, len(x.keys))
		for _, k := range x.keys {
			if e := x.m[k]; !isUndef(e) {
				out[k] = cm.toOutput(e)
			}
		}
		return out
	case map[string]any:
		if cm.known(x) {
			return x
		}
		if clean(x) {
			cm.remember(x)
			return x
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = cm.toOutput(fromInput(e))
		}
		return out
	case *value.Record:
		out := make(map[string]any, len(x.Names))
		for i, k := range x.Names {
			out[k] = cm.toOutput(fromInput(x.Values[i]))
		}
		return out
	case []any:
		return cm.toOutput(fromInput(x))
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
		if !cleanValue(e) {
			return false
		}
	}
	return true
}

// cleanValue reports whether a caller value encodes exactly as its
// conversion would: a number that prints the same as the double it stands
// for (2500, not 1.50 or 12345678901234567890) may stay as it is.
func cleanValue(e any) bool {
	switch x := e.(type) {
	case nil, bool, string:
		return true
	case float64:
		return !(x == 0 && math.Signbit(x) || math.IsNaN(x) || math.IsInf(x, 0))
	case json.Number:
		if canonicalInt(string(x)) {
			return true
		}
		f, err := strconv.ParseFloat(string(x), 64)
		return err == nil && f != 0 && strconv.FormatFloat(f, 'f', -1, 64) == string(x) && math.Abs(f) < 1e21 && math.Abs(f) >= 1e-6 || x == "0"
	case int:
		return x > -maxSafe && x < maxSafe
	case int64:
		return x > -maxSafe && x < maxSafe
	case map[string]any:
		return clean(x)
	case []any:
		for _, v := range x {
			if !cleanValue(v) {
				return false
			}
		}
		return true
	}
	return false
}

// canonicalInt reports whether s is an integer that prints the same as its
// double: no sign but '-', no leading zero, at most 15 digits.
func canonicalInt(s string) bool {
	neg := s != "" && s[0] == '-'
	if neg {
		s = s[1:]
	}
	if s == "" || len(s) > 15 || s[0] == '0' && (len(s) > 1 || neg) {
		return false // empty, too long, a leading zero, or -0
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// maxSafe is 2^53: integers below it are exact as doubles.
const maxSafe = 1 << 53
