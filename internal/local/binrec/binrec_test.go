package binrec

import (
	"encoding/binary"
	"errors"
	"testing"
)

var errBad = errors.New("bad")

func TestRoundTrip(t *testing.T) {
	b := []byte{7}
	b = AppendString(b, "héllo")
	b = binary.AppendVarint(b, -42)
	b = binary.AppendUvarint(b, 1<<40)
	b = AppendString(b, "")
	r := NewReader(b, 7, errBad)
	if s, v, u, e := r.String(), r.Varint(), r.Uvarint(), r.String(); s != "héllo" || v != -42 || u != 1<<40 || e != "" {
		t.Fatalf("read %q %d %d %q", s, v, u, e)
	}
	if err := r.End(); err != nil {
		t.Fatal(err)
	}
}

func TestCorrupt(t *testing.T) {
	for name, rec := range map[string][]byte{
		"empty":         nil,
		"wrong version": {8, 0},
		"short string":  {7, 5, 'a'},
		"cut varint":    {7, 0x80},
	} {
		r := NewReader(rec, 7, errBad)
		_ = r.String()
		_ = r.Varint()
		if r.Err() != errBad {
			t.Errorf("%s: %v, want the corrupt error", name, r.Err())
		}
	}
	r := NewReader([]byte{7, 1}, 7, errBad)
	if err := r.End(); err != errBad {
		t.Errorf("a record with bytes left: %v", err)
	}
}
