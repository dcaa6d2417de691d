package sqsapi

import (
	"encoding/json"
	"testing"
)

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
