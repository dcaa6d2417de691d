package value

import (
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"
)

// SizeAtMost reports whether v encodes to at most limit bytes. It first
// takes a cheap upper bound (every string byte escaped to six bytes), which
// settles the common case of small payloads without looking at string
// contents, and computes the exact size only when the bound is too high.
func SizeAtMost(v any, limit int) bool {
	if b, ok := bound(v, limit); ok && b <= limit {
		return true
	}
	return EncodedSize(v) <= limit
}

// Bound returns an upper bound of v's encoded size without encoding
// anything (a string counts six bytes a byte, as if every byte were
// escaped); it gives up, reporting false, once the bound passes limit.
func Bound(v any, limit int) (int, bool) { return bound(v, limit) }

// bound is an upper bound of the encoded size; it gives up (false) once it
// passes limit.
func bound(v any, limit int) (int, bool) {
	switch x := v.(type) {
	case nil, bool:
		return 5, true
	case string:
		return 6*len(x) + 2, true
	case json.Number:
		return len(x) + 1, true
	case float64, float32, int, int64, int32:
		return 32, true
	case []any:
		n := 2
		for _, e := range x {
			m, ok := bound(e, limit)
			if !ok {
				return 0, false
			}
			n += m + 1
			if n > limit {
				return 0, false
			}
		}
		return n, true
	case map[string]any:
		n := 2
		for k, e := range x {
			// Strings are most values: size them here rather than in a call.
			var m int
			if s, ok := e.(string); ok {
				m = 6*len(s) + 2
			} else {
				var ok bool
				if m, ok = bound(e, limit); !ok {
					return 0, false
				}
			}
			n += 6*len(k) + 4 + m
			if n > limit {
				return 0, false
			}
		}
		return n, true
	}
	return 0, false
}

// EncodedSize returns the length in bytes of v encoded as compact JSON (as
// Encode writes it), without building the encoding. A value that cannot be
// encoded counts as math.MaxInt.
func EncodedSize(v any) int {
	n, ok := size(v)
	if !ok {
		return math.MaxInt
	}
	return n
}

func size(v any) (int, bool) {
	switch x := v.(type) {
	case nil:
		return 4, true
	case bool:
		if x {
			return 4, true
		}
		return 5, true
	case string:
		return stringSize(x), true
	case json.Number:
		if x == "" {
			return 1, true // encoding/json writes 0
		}
		return len(x), true
	case float64:
		return floatSize(x)
	case float32:
		return floatSize(float64(x))
	case int:
		return intSize(int64(x)), true
	case int64:
		return intSize(x), true
	case int32:
		return intSize(int64(x)), true
	case []any:
		n := 2
		for i, e := range x {
			if i > 0 {
				n++
			}
			m, ok := size(e)
			if !ok {
				return 0, false
			}
			n += m
		}
		return n, true
	case map[string]any:
		n := 2
		i := 0
		for k, e := range x {
			if i > 0 {
				n++
			}
			i++
			m, ok := size(e)
			if !ok {
				return 0, false
			}
			n += stringSize(k) + 1 + m
		}
		return n, true
	}
	b, err := json.Marshal(v)
	if err != nil {
		return 0, false
	}
	return len(b), true
}

func intSize(i int64) int {
	var buf [24]byte
	return len(strconv.AppendInt(buf[:0], i, 10))
}

func floatSize(f float64) (int, bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	// The same choice of format as encoding/json.
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	var buf [32]byte
	b := strconv.AppendFloat(buf[:0], f, format, -1, 64)
	n := len(b)
	if format == 'e' && n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		n-- // clean up e-09 to e-9
	}
	return n, true
}

// stringSize counts a string with quotes and the escapes encoding/json writes
// when HTML escaping is off.
func stringSize(s string) int {
	n := 2
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t':
				n += 2
			case c < 0x20:
				n += 6
			default:
				n++
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && w == 1:
			n += 6 // \ufffd
		case r == '\u2028' || r == '\u2029':
			n += 6
		default:
			n += w
		}
		i += w
	}
	return n
}
