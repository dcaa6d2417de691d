package awsjson

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// TimeFormat writes a timestamp.
type TimeFormat func(b []byte, t time.Time) []byte

// Epoch writes seconds since the Unix epoch with milliseconds, as a number:
// the AWS JSON protocol's timestamps.
func Epoch(b []byte, t time.Time) []byte {
	return strconv.AppendFloat(b, float64(t.UnixMilli())/1000, 'f', -1, 64)
}

// RFC3339Millis writes a quoted RFC 3339 time in UTC with milliseconds, as
// the aws CLI prints timestamps.
func RFC3339Millis(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
	return append(b, '"')
}

// Append writes v, a shape or a pointer to one, to buf with times written
// by tf.
func Append(buf *bytes.Buffer, v any, tf TimeFormat) {
	appendValue(buf, reflect.ValueOf(v), tf)
}

func appendValue(buf *bytes.Buffer, v reflect.Value, tf TimeFormat) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			buf.WriteString("null")
			return
		}
		v = v.Elem()
	}
	if t, ok := v.Interface().(time.Time); ok {
		buf.Write(tf(nil, t))
		return
	}
	if v.Kind() != reflect.Struct {
		var tmp bytes.Buffer
		enc := json.NewEncoder(&tmp)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v.Interface()); err != nil {
			buf.WriteString("null")
			return
		}
		buf.Write(bytes.TrimSuffix(tmp.Bytes(), []byte("\n")))
		return
	}
	buf.WriteByte('{')
	first := true
	t := v.Type()
	for _, f := range fieldsOf(t) {
		fv := v.Field(f.index)
		switch fv.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
			if fv.IsNil() {
				continue
			}
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		buf.WriteString(f.key)
		appendValue(buf, fv, tf)
	}
	buf.WriteByte('}')
}

// field is an exported field: its index and its key, quoted, with the colon.
type field struct {
	index int
	key   string
}

var fieldCache sync.Map // reflect.Type → []field

// eventHead is the order of a history event's own fields.
var eventHead = map[string]int{"Timestamp": 0, "Type": 1, "Id": 2, "PreviousEventId": 3}

func fieldsOf(t reflect.Type) []field {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.([]field)
	}
	isEvent := t == reflect.TypeFor[types.HistoryEvent]()
	head := make([]field, len(eventHead))
	var rest []field
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		key, _ := json.Marshal(lowerFirst(f.Name))
		fd := field{index: i, key: string(key) + ":"}
		if r, ok := eventHead[f.Name]; ok && isEvent {
			head[r] = fd
			continue
		}
		rest = append(rest, fd)
	}
	var out []field
	for _, f := range head {
		if f.key != "" {
			out = append(out, f)
		}
	}
	out = append(out, rest...)
	fieldCache.Store(t, out)
	return out
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string: quotes, backslashes and control
// characters escaped, invalid UTF-8 replaced by U+FFFD, and U+2028 and
// U+2029 escaped, as encoding/json does.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
