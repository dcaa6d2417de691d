package order

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/input"

	"github.com/google/go-cmp/cmp"

	"github.com/yafdp/yafdp/internal/asl/value"
)

func validOrder() Order {
	return Order{
		OrderID:      "ord_01hx7c2k9",
		CustomerID:   "cus_42",
		RestaurantID: "rst_7",
		Items: []Item{
			{SKU: "MAI-PIZZA-MARGHERITA-10", Qty: 2, UnitPriceCents: 1250},
			{SKU: "DRI-COLA-11", Qty: 1, UnitPriceCents: 300},
		},
		Currency:        "EUR",
		TotalCents:      2800,
		DeliveryAddress: Address{Line1: "Hauptstraße 5", City: "Berlin", PostalCode: "10115", Country: "DE"},
		PlacedAt:        "2026-01-01T12:00:00Z",
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(o *Order)
		want   string // the error, "" for valid
	}{
		{"valid", func(o *Order) {}, ""},
		{"fractional placedAt with offset", func(o *Order) { o.PlacedAt = "2026-01-01T12:00:00.123+02:00" }, ""},
		{"missing orderId", func(o *Order) { o.OrderID = "" }, "orderId: is missing"},
		{"orderId prefix", func(o *Order) { o.OrderID = "order_1" }, `orderId: "order_1" must start with ord_`},
		{"orderId bare prefix", func(o *Order) { o.OrderID = "ord_" }, `orderId: "ord_" must start with ord_ and have more after it`},
		{"orderId bad char", func(o *Order) { o.OrderID = "ord_a/b" }, `orderId: "ord_a/b" has '/'`},
		{"orderId too long", func(o *Order) { o.OrderID = "ord_" + strings.Repeat("a", 77) }, "orderId: is 81 characters long, at most 80 allowed"},
		{"customerId prefix", func(o *Order) { o.CustomerID = "rst_1" }, `customerId: "rst_1" must start with cus_`},
		{"restaurantId prefix", func(o *Order) { o.RestaurantID = "cus_1" }, `restaurantId: "cus_1" must start with rst_`},
		{"no items", func(o *Order) { o.Items = nil }, "items: must list at least one item"},
		{"qty zero", func(o *Order) { o.Items[1].Qty = 0 }, "items[1].qty: must be >= 1"},
		{"qty too big", func(o *Order) { o.Items[0].Qty = 100 }, "items[0].qty: must be <= 99"},
		{"negative price", func(o *Order) { o.Items[1].UnitPriceCents = -1 }, "items[1].unitPriceCents: must be >= 0"},
		{"empty sku", func(o *Order) { o.Items[0].SKU = "" }, "items[0].sku: is missing"},
		{"sku with space", func(o *Order) { o.Items[0].SKU = "A B" }, `items[0].sku: "A B" must not contain spaces`},
		{"total mismatch", func(o *Order) { o.TotalCents = 2400 }, "totalCents: 2400 does not match the items (2800)"},
		{"zero total", func(o *Order) {
			o.Items = []Item{{SKU: "FREE", Qty: 1}}
			o.TotalCents = 0
		}, "totalCents: must be > 0"},
		{"lower-case currency", func(o *Order) { o.Currency = "eur" }, `currency: "eur" is not an ISO 4217 code (3 upper-case letters); use one of AUD, CAD`},
		{"unknown currency", func(o *Order) { o.Currency = "XYZ" }, `currency: "XYZ" is not accepted; use one of AUD`},
		{"missing city", func(o *Order) { o.DeliveryAddress.City = "" }, "deliveryAddress.city: is missing"},
		{"control char", func(o *Order) { o.DeliveryAddress.Line1 = "a\x01b" }, "deliveryAddress.line1: has a control character"},
		{"bad country", func(o *Order) { o.DeliveryAddress.Country = "DEU" }, `deliveryAddress.country: "DEU" is not an ISO 3166-1 alpha-2 code`},
		{"missing placedAt", func(o *Order) { o.PlacedAt = "" }, "placedAt: is missing"},
		{"bad placedAt", func(o *Order) { o.PlacedAt = "2026-01-01 12:00" }, `placedAt: "2026-01-01 12:00" is not an RFC 3339 time`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := validOrder()
			tt.change(&o)
			err := o.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want an error starting %q", err, tt.want)
			}
			if _, ok := err.(*input.Error); !ok {
				t.Fatalf("error %T is not an *input.Error", err)
			}
		})
	}
}

func bigItems(n int) []Item {
	items := make([]Item, n)
	for i := range items {
		items[i] = Item{SKU: "SKU-" + strings.Repeat("X", 40), Qty: 1, UnitPriceCents: 100}
	}
	return items
}

func TestValidateSize(t *testing.T) {
	o := validOrder()
	o.Items = bigItems(MaxItems)
	o.TotalCents = 100 * MaxItems
	if err := o.Validate(); err != nil {
		t.Fatalf("a full but small order: %v", err)
	}
	if err := CheckSize(MaxOrderBytes); err != nil {
		t.Fatalf("CheckSize(MaxOrderBytes) = %v", err)
	}
	err := CheckSize(MaxOrderBytes + 1)
	if err == nil || !strings.Contains(err.Error(), "saga input") {
		t.Fatalf("CheckSize(MaxOrderBytes+1) = %v, want the saga limit", err)
	}
	err = CheckSize(MaxMessageBytes + 1)
	if err == nil || !strings.Contains(err.Error(), "1 MiB") {
		t.Fatalf("CheckSize(1 MiB + 1) = %v, want the SQS limit", err)
	}
}

func TestDecode(t *testing.T) {
	want := validOrder()
	data, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("round trip (-want +got):\n%s", diff)
	}

	for _, tt := range []struct{ in, want string }{
		{`{"orderId":"ord_1","extra":1}`, "extra: is not a field"},
		{`{"orderId":1}`, "orderId: want string, got JSON number"},
		{`{"items":[{"qty":"2"}]}`, "items.qty: want int"},
		{`{"orderId":"ord_1"} {}`, "order: unexpected data"},
		{`{"orderId":`, "order: "},
		{``, "order: empty or truncated JSON"},
	} {
		_, err := Decode([]byte(tt.in))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Decode(%s) = %v, want an error starting %q", tt.in, err, tt.want)
		}
	}
	if _, err := Decode(make([]byte, MaxMessageBytes+1)); err == nil || !strings.Contains(err.Error(), "1 MiB") {
		t.Errorf("Decode of 1 MiB + 1 = %v, want the SQS limit", err)
	}
}

func TestValueMatchesJSON(t *testing.T) {
	for _, o := range append(Generate(3, 50, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)), validOrder()) {
		data, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		viaJSON, err := value.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		if !value.Equal(o.Value(), viaJSON) {
			t.Fatalf("Value() differs from the JSON form:\n%#v\n%s", o.Value(), data)
		}
	}
}

func TestGenerateIsDeterministicAndValid(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := Generate(42, 2000, start)
	b := Generate(42, 2000, start)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Fatalf("same seed, different orders:\n%s", diff)
	}
	if c := Generate(43, 10, start); cmp.Equal(a[:10], c) {
		t.Fatal("seeds 42 and 43 gave the same orders")
	}
	if z1, z2 := Generate(0, 5, start), Generate(0, 5, start); !cmp.Equal(z1, z2) {
		t.Fatal("seed 0 is not reproducible")
	}
	ids := map[string]bool{}
	customers := map[string]int{}
	lines := map[int]int{}
	prev := start
	for i, o := range a {
		if err := o.Validate(); err != nil {
			t.Fatalf("order %d: %v", i, err)
		}
		if ids[o.OrderID] {
			t.Fatalf("order %d: duplicate id %s", i, o.OrderID)
		}
		ids[o.OrderID] = true
		customers[o.CustomerID]++
		lines[len(o.Items)]++
		at, _ := time.Parse(time.RFC3339, o.PlacedAt)
		if at.Before(prev) {
			t.Fatalf("order %d placed at %v, before %v", i, at, prev)
		}
		prev = at
	}
	if len(customers) == len(a) {
		t.Error("no customer ordered twice; FIFO groups would never repeat")
	}
	if lines[1] == 0 || lines[2] == 0 || lines[3] == 0 {
		t.Errorf("line counts %v: want orders with 1, 2 and 3 lines", lines)
	}
	if a[0].PlacedAt != "2026-01-01T00:00:00.000Z" {
		t.Errorf("first order placed at %s, want the start", a[0].PlacedAt)
	}
}

func TestGeneratorStreamsTheSameOrders(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	g := NewGenerator(7, start)
	for i, want := range Generate(7, 100, start) {
		if got := g.Next(); !cmp.Equal(got, want) {
			t.Fatalf("order %d differs", i)
		}
	}
}

func FuzzDecode(f *testing.F) {
	good, _ := json.Marshal(validOrder())
	f.Add(good)
	f.Add([]byte(`{"orderId":"ord_1","items":[{"sku":"A","qty":-1,"unitPriceCents":1}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := Decode(data)
		if err != nil {
			return
		}
		if o.Validate() != nil {
			return
		}
		// A valid order survives a round trip unchanged.
		again, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		o2, err := Decode(again)
		if err != nil || !cmp.Equal(o, o2) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func TestParseIDInvertsIDOf(t *testing.T) {
	for _, x := range []uint64{0, 1, 31, 1 << 40, ^uint64(0)} {
		got, ok := ParseID(IDOf(x))
		if !ok || got != x {
			t.Errorf("ParseID(IDOf(%x)) = %x, %v", x, got, ok)
		}
	}
	for _, id := range []string{"", "ord_", "ord_gzzzzzzzzzzzz", "ord_000000000000i", "cus_0000000000001", "ord_00000000000001"} {
		if _, ok := ParseID(id); ok {
			t.Errorf("ParseID(%q) ok", id)
		}
	}
}
