package sqsapi

import (
	"encoding/base64"
	"sort"
	"strconv"
	"sync"

	"github.com/yafdp/yafdp/internal/awsjson"
)

// Responses are written by hand: their shapes are few and flat (strings,
// string maps, numbers), and appending to a pooled buffer takes about half
// the time of encoding/json on a ReceiveMessage of ten messages with
// attributes (BenchmarkEncodeReceive). The writer produces exactly the JSON
// that encoding/json would, except that it does not escape <, > and &,
// which JSON does not require (FuzzAppendString).

// jsonWriter appends one JSON object.
type jsonWriter struct {
	b     []byte
	comma bool // a member was written at the current level
}

var writerPool = sync.Pool{New: func() any { return &jsonWriter{b: make([]byte, 0, 4096)} }}

func newWriter() *jsonWriter {
	w := writerPool.Get().(*jsonWriter)
	w.b = append(w.b[:0], '{')
	w.comma = false
	return w
}

func (w *jsonWriter) release() {
	if cap(w.b) <= 1<<20 {
		writerPool.Put(w)
	}
}

// bytes closes the object and returns it.
func (w *jsonWriter) bytes() []byte {
	w.b = append(w.b, '}')
	return w.b
}

func (w *jsonWriter) key(k string) {
	if w.comma {
		w.b = append(w.b, ',')
	}
	w.comma = true
	w.b = awsjson.AppendString(w.b, k)
	w.b = append(w.b, ':')
}

// str writes a string member.
func (w *jsonWriter) str(k, v string) {
	w.key(k)
	w.b = awsjson.AppendString(w.b, v)
}

// optStr writes a string member unless it is empty.
func (w *jsonWriter) optStr(k, v string) {
	if v != "" {
		w.str(k, v)
	}
}

func (w *jsonWriter) int(k string, v int64) {
	w.key(k)
	w.b = strconv.AppendInt(w.b, v, 10)
}

func (w *jsonWriter) bool(k string, v bool) {
	w.key(k)
	w.b = strconv.AppendBool(w.b, v)
}

func (w *jsonWriter) blob(k string, v []byte) {
	w.key(k)
	w.b = append(w.b, '"')
	w.b = base64.StdEncoding.AppendEncode(w.b, v)
	w.b = append(w.b, '"')
}

// open starts an object member ({) or an array member ([).
func (w *jsonWriter) open(k string, bracket byte) {
	w.key(k)
	w.b = append(w.b, bracket)
	w.comma = false
}

// elem starts an object element of an array.
func (w *jsonWriter) elem() {
	if w.comma {
		w.b = append(w.b, ',')
	}
	w.b = append(w.b, '{')
	w.comma = false
}

// close ends an object or array; what follows at the outer level needs a
// comma.
func (w *jsonWriter) close(bracket byte) {
	w.b = append(w.b, bracket)
	w.comma = true
}

// objects writes the array member k, an object for each item, whose
// members members writes.
func objects[T any](w *jsonWriter, k string, items []T, members func(w *jsonWriter, item *T)) {
	w.open(k, '[')
	for i := range items {
		w.elem()
		members(w, &items[i])
		w.close('}')
	}
	w.close(']')
}

// strList writes an array of strings (always, even when empty).
func (w *jsonWriter) strList(k string, vs []string) {
	w.key(k)
	w.b = append(w.b, '[')
	for i, v := range vs {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = awsjson.AppendString(w.b, v)
	}
	w.b = append(w.b, ']')
}

// strMap writes a map of strings in key order.
func (w *jsonWriter) strMap(k string, m map[string]string) {
	w.open(k, '{')
	for _, name := range sortedKeys(m) {
		w.str(name, m[name])
	}
	w.close('}')
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

const hexDigits = "0123456789abcdef"
