package jsonata

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// formatNumberJS renders a double as JavaScript's Number.prototype.toString
// does: shortest round-trip digits, exponent form from 1e21 and below 1e-6.
func formatNumberJS(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		return "0"
	}
	neg := f < 0
	if neg {
		f = -f
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	digits := strings.Replace(mant, ".", "", 1)
	k := len(digits)
	n := exp + 1
	var s string
	switch {
	case k <= n && n <= 21:
		s = digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		s = digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		s = "0." + strings.Repeat("0", -n) + digits
	default:
		s = digits[:1]
		if k > 1 {
			s += "." + digits[1:]
		}
		if n-1 >= 0 {
			s += "e+" + strconv.Itoa(n-1)
		} else {
			s += "e-" + strconv.Itoa(1-n)
		}
	}
	if neg {
		return "-" + s
	}
	return s
}

// precision15 is Number(f.toPrecision(15)), which $string applies to
// every number so that 0.1+0.2 prints as 0.3.
func precision15(f float64) float64 {
	g, err := strconv.ParseFloat(strconv.FormatFloat(f, 'e', 14, 64), 64)
	if err != nil {
		return f
	}
	return g
}

// stringify is jsonata-js's $string: strings as they are, functions as "",
// everything else as JSON with numbers to 15 significant digits.
func stringify(v any, pretty bool) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return "", newErr("D3001", -1).withValue(x)
		}
	}
	if isFunc(v) {
		return "", nil
	}
	if a, ok := v.(*array); ok && a.outer && len(a.items) > 0 {
		v = a.items[0]
	}
	var b strings.Builder
	w := jsonWriter{b: &b, prec15: true}
	if pretty {
		w.indent = "  "
	}
	w.write(v, "")
	if w.err != nil {
		return "", w.err
	}
	return b.String(), nil
}

// stringifyJSON is plain JSON.stringify (no number rounding), used for
// error message inserts.
func stringifyJSON(v any, pretty bool) (string, error) {
	var b strings.Builder
	w := jsonWriter{b: &b}
	if pretty {
		w.indent = "  "
	}
	w.write(v, "")
	return b.String(), nil
}

type jsonWriter struct {
	b      *strings.Builder
	indent string
	prec15 bool
	err    *Error // D1001 for an infinite number under $string
}

func (w *jsonWriter) write(v any, cur string) {
	switch x := v.(type) {
	case nil:
		w.b.WriteString("null")
	case bool:
		if x {
			w.b.WriteString("true")
		} else {
			w.b.WriteString("false")
		}
	case string:
		writeJSONString(w.b, x)
	case float64:
		if math.IsInf(x, 0) && w.prec15 && w.err == nil {
			w.err = newErr("D1001", -1).withValue(x)
		}
		if math.IsInf(x, 0) || math.IsNaN(x) {
			w.b.WriteString("null")
			return
		}
		if w.prec15 {
			x = precision15(x)
		}
		w.b.WriteString(formatNumberJS(x))
	case *array:
		w.writeArray(x.items, cur)
	case undefinedType:
		w.b.WriteString("null")
	default:
		if isFunc(v) {
			if w.prec15 {
				w.b.WriteString(`""`)
			} else {
				w.b.WriteString("{}")
			}
			return
		}
		if isObject(v) {
			w.writeObject(v, cur)
			return
		}
		w.write(fromInput(v), cur)
	}
}

func (w *jsonWriter) writeArray(items []any, cur string) {
	if len(items) == 0 {
		w.b.WriteString("[]")
		return
	}
	inner := cur + w.indent
	w.b.WriteByte('[')
	for i, it := range items {
		if i > 0 {
			w.b.WriteByte(',')
		}
		if w.indent != "" {
			w.b.WriteString("\n" + inner)
		}
		if isUndef(it) || (isFunc(it) && !w.prec15) {
			w.b.WriteString("null")
			continue
		}
		w.write(it, inner)
	}
	if w.indent != "" {
		w.b.WriteString("\n" + cur)
	}
	w.b.WriteByte(']')
}

func (w *jsonWriter) writeObject(o any, cur string) {
	inner := cur + w.indent
	first := true
	w.b.WriteByte('{')
	for _, k := range objKeys(o) {
		v, _ := objGet(o, k)
		if isUndef(v) || (isFunc(v) && !w.prec15) {
			continue
		}
		if !first {
			w.b.WriteByte(',')
		}
		first = false
		if w.indent != "" {
			w.b.WriteString("\n" + inner)
		}
		writeJSONString(w.b, k)
		w.b.WriteByte(':')
		if w.indent != "" {
			w.b.WriteByte(' ')
		}
		w.write(v, inner)
	}
	if !first && w.indent != "" {
		w.b.WriteString("\n" + cur)
	}
	w.b.WriteByte('}')
}

// writeJSONString quotes a string as JSON.stringify does.
func writeJSONString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				b.WriteString(`\"`)
			case '\\':
				b.WriteString(`\\`)
			case '\b':
				b.WriteString(`\b`)
			case '\f':
				b.WriteString(`\f`)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				if c < 0x20 {
					b.WriteString(`\u00`)
					b.WriteByte("0123456789abcdef"[c>>4])
					b.WriteByte("0123456789abcdef"[c&0xf])
				} else {
					b.WriteByte(c)
				}
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteString(`\ufffd`)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	b.WriteByte('"')
}
