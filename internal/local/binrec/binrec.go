package binrec

import "encoding/binary"

// AppendString appends s prefixed with its length.
func AppendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// Reader decodes one record. The first error sticks: every read after it
// returns the zero value, and Err reports it.
type Reader struct {
	b       []byte
	err     error
	corrupt error
}

// NewReader reads rec, which must start with the version byte; corrupt is
// the error a record that does not decode gets.
func NewReader(rec []byte, version byte, corrupt error) Reader {
	if len(rec) == 0 || rec[0] != version {
		return Reader{err: corrupt, corrupt: corrupt}
	}
	return Reader{b: rec[1:], corrupt: corrupt}
}

// next reads one number with decode (binary.Uvarint or binary.Varint).
func next[T uint64 | int64](r *Reader, decode func([]byte) (T, int)) T {
	if r.err != nil {
		return 0
	}
	v, n := decode(r.b)
	if n <= 0 {
		r.err = r.corrupt
		return 0
	}
	r.b = r.b[n:]
	return v
}

// Uvarint reads an unsigned varint.
func (r *Reader) Uvarint() uint64 { return next(r, binary.Uvarint) }

// Varint reads a signed varint.
func (r *Reader) Varint() int64 { return next(r, binary.Varint) }

// String reads a string that AppendString wrote.
func (r *Reader) String() string {
	n := r.Uvarint()
	if r.err != nil {
		return ""
	}
	if n > uint64(len(r.b)) {
		r.err = r.corrupt
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// Rest returns what is left of the record.
func (r *Reader) Rest() []byte { return r.b }

// Err returns the first error.
func (r *Reader) Err() error { return r.err }

// End returns the first error, or the corrupt error when the record goes
// on beyond what was read.
func (r *Reader) End() error {
	if r.err == nil && len(r.b) != 0 {
		r.err = r.corrupt
	}
	return r.err
}
