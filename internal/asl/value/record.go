package value

import "bytes"

// Record is a JSON object that a payload template built for a Task handler
// that reads records (asl.RecordReader) instead of a map[string]any: the
// member names, in the template's order, and their values. Filling one
// costs a store per member where a map costs a hash and a probe, and the
// engine builds the next Task's records in the same slices.
//
// Only the handler sees a Record, and only while Invoke runs: it reads the
// members with Field (or Get) and must not keep the record or hand it on.
// A Record that leaks anyway encodes as the object it stands for.
type Record struct {
	Names  []string // shared with the template: never change them
	Values []any
}

// Get returns the member called name.
func (r *Record) Get(name string) (any, bool) {
	for i, n := range r.Names {
		if n == name {
			return r.Values[i], true
		}
	}
	return nil, false
}

// Field returns the member called name of v when v is an object, a
// map[string]any or a *Record.
func Field(v any, name string) (any, bool) {
	switch o := v.(type) {
	case map[string]any:
		x, ok := o[name]
		return x, ok
	case *Record:
		return o.Get(name)
	}
	return nil, false
}

// MarshalJSON encodes the record as the object it stands for, the way
// Encode does a map.
func (r *Record) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, n := range r.Names {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := Encode(n)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		v, err := Encode(r.Values[i])
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
