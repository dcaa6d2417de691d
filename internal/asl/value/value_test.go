package value

import (
	"encoding/json"
	"math"
	"testing"
)

func TestEncodedSizeMatchesEncode(t *testing.T) {
	docs := []any{
		nil, true, false, "", "plain", "quote\" back\\ nl\n tab\t cr\r bell\x07", "héllo ✓ \u2028", "bad \xff utf8",
		json.Number("12.50"), 1.5, 1e21, 1e-7, -0.000001, 123456789.0, 3, int64(-42),
		[]any{}, map[string]any{}, []any{1, "a", nil, []any{true}},
		map[string]any{"orderId": "ord_1", "items": []any{map[string]any{"sku": "x<y>&", "qty": 2}}, "n": json.Number("7")},
	}
	for _, d := range docs {
		b, err := Encode(d)
		if err != nil {
			t.Fatal(err)
		}
		if got := EncodedSize(d); got != len(b) {
			t.Errorf("EncodedSize(%#v) = %d, Encode gives %d bytes: %s", d, got, len(b), b)
		}
	}
	if EncodedSize(math.NaN()) != math.MaxInt {
		t.Error("NaN must count as unencodable")
	}
}

func TestEqualComparesNumbersByValue(t *testing.T) {
	cases := []struct {
		a, b any
		want bool
	}{
		{json.Number("1"), 1, true},
		{json.Number("1.0"), json.Number("1"), true},
		{json.Number("1.5"), 1.5, true},
		{json.Number("2"), 3, false},
		{map[string]any{"a": []any{json.Number("1")}}, map[string]any{"a": []any{1.0}}, true},
		{map[string]any{"a": 1}, map[string]any{"b": 1}, false},
		{[]any{1, 2}, []any{2, 1}, false},
		{"1", json.Number("1"), false},
		{nil, map[string]any{}, false},
	}
	for _, c := range cases {
		if got := Equal(c.a, c.b); got != c.want {
			t.Errorf("Equal(%#v, %#v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestDecodeRejectsTrailingData(t *testing.T) {
	for _, s := range []string{`{} {}`, `[1]]`, `1 2`} {
		if _, err := DecodeString(s); err == nil {
			t.Errorf("Decode(%q) accepted trailing data", s)
		}
	}
	v, err := DecodeString(` {"a": 1.50} `)
	if err != nil {
		t.Fatal(err)
	}
	if got := MustEncodeString(v); got != `{"a":1.50}` {
		t.Errorf("numbers must keep their text, got %s", got)
	}
}

func TestIntAndFloat(t *testing.T) {
	if i, ok := Int(json.Number("3.0")); !ok || i != 3 {
		t.Errorf("Int(3.0) = %d, %v", i, ok)
	}
	if _, ok := Int(json.Number("3.5")); ok {
		t.Error("Int(3.5) must fail")
	}
	if _, ok := Int("3"); ok {
		t.Error("Int of a string must fail")
	}
	if f, ok := Float(int64(7)); !ok || f != 7 {
		t.Errorf("Float(int64 7) = %v, %v", f, ok)
	}
}

func TestSizeAtMost(t *testing.T) {
	small := map[string]any{"a": "x", "n": json.Number("1"), "l": []any{true, nil, 2.5}}
	if !SizeAtMost(small, EncodedSize(small)) || SizeAtMost(small, EncodedSize(small)-1) {
		t.Fatalf("SizeAtMost must agree with EncodedSize (%d)", EncodedSize(small))
	}
	// Plain ASCII strings whose bound (6×) is over the limit but whose real
	// size is not.
	s := make([]byte, 1000)
	for i := range s {
		s[i] = 'a'
	}
	v := []any{string(s)}
	if !SizeAtMost(v, 1004) || SizeAtMost(v, 1003) {
		t.Fatal("the exact size decides when the bound is too high")
	}
	m := map[string]any{"k": string(s)}
	if !SizeAtMost(m, 1008) || SizeAtMost(m, 1007) {
		t.Fatal("the exact size decides when the bound of an object's string is too high")
	}
	if !SizeAtMost(map[string]any{"k": "v"}, 9) || SizeAtMost(map[string]any{"k": "v"}, 8) {
		t.Fatal("SizeAtMost must agree with EncodedSize for an object of strings")
	}
}

// orderLike is shaped like the saga's input: a flat object with a list of
// small objects and a nested address.
func orderLike() map[string]any {
	return map[string]any{
		"orderId": "ord_000123", "customerId": "cus_42", "restaurantId": "res_7",
		"items": []any{
			map[string]any{"sku": "sku-1", "qty": int64(2), "unitPriceCents": int64(1250)},
			map[string]any{"sku": "sku-2", "qty": int64(1), "unitPriceCents": int64(899)},
		},
		"currency": "EUR", "totalCents": int64(3399),
		"deliveryAddress": map[string]any{"line1": "1 Main St", "city": "Springfield", "postalCode": "12345", "country": "US"},
		"placedAt":        "2026-01-01T00:00:00Z",
	}
}

func BenchmarkSizeAtMost(b *testing.B) {
	for _, bc := range []struct {
		name string
		v    any
	}{
		{"order", orderLike()},
		{"lambda", map[string]any{"ExecutedVersion": "$LATEST", "Payload": map[string]any{"paymentId": "pay_123", "status": "CHARGED"}, "StatusCode": 200}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !SizeAtMost(bc.v, 256*1024) {
					b.Fatal("too big")
				}
			}
		})
	}
}
