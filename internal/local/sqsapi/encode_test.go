package sqsapi

import (
	"bytes"
	"encoding/json"
	"testing"
)

// appendString writes what encoding/json writes without HTML escaping.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `"quoted" \back\`, "tab\tnew\nret\r", "\x00\x01\x1f\x7f", "<&>", "é☃😀", "\u2028\u2029", "bad \xff\xfe utf8", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		got := appendString(nil, s)
		if !bytes.Equal(got, bytes.TrimSuffix(want.Bytes(), []byte("\n"))) {
			t.Fatalf("%q: got %s, want %s", s, got, want.Bytes())
		}
	})
}

func TestWriterShapes(t *testing.T) {
	w := newWriter()
	defer w.release()
	w.str("a", "x")
	w.open("list", '[')
	w.elem()
	w.int("n", 3)
	w.bool("b", true)
	w.close('}')
	w.elem()
	w.blob("bin", []byte{0, 1, 255})
	w.close('}')
	w.close(']')
	w.strMap("m", map[string]string{"z": "1", "a": "2"})
	w.strList("l", nil)
	got := string(w.bytes())
	want := `{"a":"x","list":[{"n":3,"b":true},{"bin":"AAH/"}],"m":{"a":"2","z":"1"},"l":[]}`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	var v any
	if err := json.Unmarshal([]byte(got), &v); err != nil {
		t.Fatal(err)
	}
}
