package asl

import (
	"bytes"
	"encoding/json"
	"reflect"
	"time"
	"unicode"
	"unicode/utf8"
)

// MarshalJSON writes the event as GetExecutionHistory's wire format does:
// camelCase keys (id, previousEventId, type, stateEnteredEventDetails, ...),
// payloads as JSON strings, absent details left out. Timestamps are RFC 3339
// with milliseconds, as the aws CLI prints them.
func (e HistoryEvent) MarshalJSON() ([]byte, error) {
	ev := e.SFN()
	var buf bytes.Buffer
	writeWire(&buf, reflect.ValueOf(ev))
	return buf.Bytes(), nil
}

// writeWire renders an aws-sdk-go-v2 shape as AWS JSON: exported fields with
// their first letter lowered, nil pointers omitted, times as RFC 3339.
func writeWire(buf *bytes.Buffer, v reflect.Value) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			buf.WriteString("null")
			return
		}
		v = v.Elem()
	}
	if t, ok := v.Interface().(time.Time); ok {
		b, _ := json.Marshal(t.UTC().Format("2006-01-02T15:04:05.000Z07:00"))
		buf.Write(b)
		return
	}
	if v.Kind() != reflect.Struct {
		b, _ := json.Marshal(v.Interface())
		buf.Write(b)
		return
	}
	buf.WriteByte('{')
	first := true
	t := v.Type()
	// The SDK declares Id, Timestamp and Type first; keep AWS's order:
	// timestamp, type, id, previousEventId, then the details.
	order := wireOrder(t)
	for _, i := range order {
		f := t.Field(i)
		fv := v.Field(i)
		if (fv.Kind() == reflect.Pointer || fv.Kind() == reflect.Interface) && fv.IsNil() {
			continue
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		key, _ := json.Marshal(lowerFirst(f.Name))
		buf.Write(key)
		buf.WriteByte(':')
		writeWire(buf, fv)
	}
	buf.WriteByte('}')
}

func wireOrder(t reflect.Type) []int {
	var head, rest []int
	rank := map[string]int{"Timestamp": 0, "Type": 1, "Id": 2, "PreviousEventId": 3}
	head = make([]int, 4)
	for i := range head {
		head[i] = -1
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if r, ok := rank[f.Name]; ok {
			head[r] = i
			continue
		}
		rest = append(rest, i)
	}
	out := rest[:0:0]
	for _, i := range head {
		if i >= 0 {
			out = append(out, i)
		}
	}
	return append(out, rest...)
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}
