package value

import "testing"

func TestRecord(t *testing.T) {
	inner := &Record{Names: []string{"id", "n"}, Values: []any{"o\"<1", nil}}
	r := &Record{Names: []string{"FunctionName", "Payload", "List"}, Values: []any{"f", inner, []any{inner, 2.5}}}
	if v, ok := r.Get("FunctionName"); !ok || v != "f" {
		t.Errorf("Get(FunctionName) = %v, %v", v, ok)
	}
	if v, ok := r.Get("missing"); ok || v != nil {
		t.Errorf("Get(missing) = %v, %v", v, ok)
	}
	p, _ := Field(r, "Payload")
	if v, ok := Field(p, "id"); !ok || v != "o\"<1" {
		t.Errorf("Field of a nested record = %v, %v", v, ok)
	}
	if v, ok := Field(map[string]any{"id": "m"}, "id"); !ok || v != "m" {
		t.Errorf("Field of a map = %v, %v", v, ok)
	}
	if v, ok := Field("not an object", "id"); ok || v != nil {
		t.Errorf("Field of a string = %v, %v", v, ok)
	}
	want := `{"FunctionName":"f","Payload":{"id":"o\"<1","n":null},"List":[{"id":"o\"<1","n":null},2.5]}`
	if got := MustEncodeString(r); got != want {
		t.Errorf("encoded as %s, want %s", got, want)
	}
}
