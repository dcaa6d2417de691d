package order

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yafdp/yafdp/internal/input"
)

// Order is one order message, as API Gateway puts it on the queue and as it
// enters the saga.
type Order struct {
	// OrderID is the idempotency key and the saga's execution name.
	OrderID      string `json:"orderId"`
	CustomerID   string `json:"customerId"`
	RestaurantID string `json:"restaurantId"`
	Items        []Item `json:"items"`
	// Currency is an ISO 4217 code from Currencies.
	Currency string `json:"currency"`
	// TotalCents is the sum of qty × unitPriceCents over the items.
	TotalCents      int64   `json:"totalCents"`
	DeliveryAddress Address `json:"deliveryAddress"`
	// PlacedAt is an RFC 3339 time.
	PlacedAt string `json:"placedAt"`
}

// Item is one line of an order.
type Item struct {
	SKU            string `json:"sku"`
	Qty            int    `json:"qty"`
	UnitPriceCents int64  `json:"unitPriceCents"`
}

// Address is where the order goes.
type Address struct {
	Line1        string `json:"line1"`
	Line2        string `json:"line2,omitempty"`
	City         string `json:"city"`
	PostalCode   string `json:"postalCode"`
	Country      string `json:"country"` // ISO 3166-1 alpha-2
	Instructions string `json:"instructions,omitempty"`
}

// Size limits.
const (
	// MaxMessageBytes is the largest SQS message.
	MaxMessageBytes = 1 << 20
	// MaxSagaInputBytes is the largest Step Functions payload.
	MaxSagaInputBytes = 256 << 10
	// SagaHeadroomBytes is what the saga adds to its input on the way (ids,
	// statuses, a failure): an order must leave that much room, or a step
	// that has already taken effect could fail with States.DataLimitExceeded,
	// which no Catch can compensate.
	SagaHeadroomBytes = 4 << 10
	// MaxOrderBytes is the largest encoded order Validate accepts.
	MaxOrderBytes = MaxSagaInputBytes - SagaHeadroomBytes

	// MaxOrderIDLen is the longest Step Functions execution name.
	MaxOrderIDLen = 80
	// MaxPartyIDLen bounds customer and restaurant ids: the customer id is
	// the FIFO MessageGroupId, at most 128 characters.
	MaxPartyIDLen = 128
	// MaxItems bounds the lines of one order.
	MaxItems = 100
	// MaxQty bounds one line's quantity.
	MaxQty = 99
	// MaxUnitPriceCents bounds one item's price.
	MaxUnitPriceCents = 1_000_000
)

// The id prefixes.
const (
	OrderIDPrefix      = "ord_"
	CustomerIDPrefix   = "cus_"
	RestaurantIDPrefix = "rst_"
)

var currencies = []string{"AUD", "CAD", "CHF", "CZK", "DKK", "EUR", "GBP", "NOK", "PLN", "SEK", "USD"}

// Currencies lists the ISO 4217 codes the platform accepts.
func Currencies() []string { return append([]string(nil), currencies...) }

// fieldErr is the problem of one field, named by its JSON path such as
// items[1].qty.
func fieldErr(field, format string, args ...any) error {
	return input.Errorf(input.Field(field), format, args...)
}

// Validate checks the order against message v1 and returns the first
// problem as an *input.Error naming the field, e.g. "items[1].qty: must be >=
// 1". It also encodes the order to check its size.
func (o Order) Validate() error {
	if err := o.validateFields(); err != nil {
		return err
	}
	b, err := json.Marshal(o)
	if err != nil {
		return fieldErr("order", "cannot be encoded: %v", err)
	}
	return CheckSize(len(b))
}

// CheckSize reports an encoded order too large for SQS or for a saga input.
func CheckSize(n int) error {
	if n > MaxMessageBytes {
		return fieldErr("order", "%s encoded is more than the 1 MiB an SQS message may hold", kib(n))
	}
	if n > MaxOrderBytes {
		return fieldErr("order", "%s encoded is more than the %s a saga input may hold (256 KiB less 4 KiB of room for the saga's own data); split the order", kib(n), kib(MaxOrderBytes))
	}
	return nil
}

func kib(n int) string {
	if n%1024 == 0 {
		return strconv.Itoa(n/1024) + " KiB"
	}
	return strconv.FormatFloat(float64(n)/1024, 'f', 1, 64) + " KiB"
}

func (o *Order) validateFields() error {
	if err := checkID("orderId", o.OrderID, OrderIDPrefix, MaxOrderIDLen); err != nil {
		return err
	}
	if err := checkID("customerId", o.CustomerID, CustomerIDPrefix, MaxPartyIDLen); err != nil {
		return err
	}
	if err := checkID("restaurantId", o.RestaurantID, RestaurantIDPrefix, MaxPartyIDLen); err != nil {
		return err
	}
	if len(o.Items) == 0 {
		return fieldErr("items", "must list at least one item")
	}
	if len(o.Items) > MaxItems {
		return fieldErr("items", "has %d lines, at most %d allowed", len(o.Items), MaxItems)
	}
	var sum int64
	for i, it := range o.Items {
		f := "items[" + strconv.Itoa(i) + "]"
		if err := checkText(f+".sku", it.SKU, 64, false); err != nil {
			return err
		}
		if strings.ContainsAny(it.SKU, " \t") {
			return fieldErr(f+".sku", "%q must not contain spaces", it.SKU)
		}
		if it.Qty < 1 {
			return fieldErr(f+".qty", "must be >= 1")
		}
		if it.Qty > MaxQty {
			return fieldErr(f+".qty", "must be <= %d", MaxQty)
		}
		if it.UnitPriceCents < 0 {
			return fieldErr(f+".unitPriceCents", "must be >= 0")
		}
		if it.UnitPriceCents > MaxUnitPriceCents {
			return fieldErr(f+".unitPriceCents", "must be <= %d", MaxUnitPriceCents)
		}
		sum += int64(it.Qty) * it.UnitPriceCents // bounded: no overflow
	}
	if err := checkCurrency(o.Currency); err != nil {
		return err
	}
	if o.TotalCents != sum {
		return fieldErr("totalCents", "%d does not match the items (%d)", o.TotalCents, sum)
	}
	if o.TotalCents <= 0 {
		return fieldErr("totalCents", "must be > 0")
	}
	a := &o.DeliveryAddress
	for _, c := range []struct {
		field, val string
		max        int
		optional   bool
	}{
		{"deliveryAddress.line1", a.Line1, 200, false},
		{"deliveryAddress.line2", a.Line2, 200, true},
		{"deliveryAddress.city", a.City, 100, false},
		{"deliveryAddress.postalCode", a.PostalCode, 20, false},
		{"deliveryAddress.instructions", a.Instructions, 500, true},
	} {
		if err := checkText(c.field, c.val, c.max, c.optional); err != nil {
			return err
		}
	}
	if !isUpperCode(a.Country, 2) {
		return fieldErr("deliveryAddress.country", "%q is not an ISO 3166-1 alpha-2 code such as DE", a.Country)
	}
	if o.PlacedAt == "" {
		return fieldErr("placedAt", "is missing; give an RFC 3339 time such as 2026-01-01T12:00:00Z")
	}
	if _, err := time.Parse(time.RFC3339, o.PlacedAt); err != nil {
		return fieldErr("placedAt", "%q is not an RFC 3339 time such as 2026-01-01T12:00:00Z", o.PlacedAt)
	}
	return nil
}

// checkID checks prefix + 1 or more of [A-Za-z0-9_-], at most max long:
// characters every AWS name and FIFO group id accepts.
func checkID(field, id, prefix string, max int) error {
	if id == "" {
		return fieldErr(field, "is missing; want %s followed by letters, digits, _ or -", prefix)
	}
	if !strings.HasPrefix(id, prefix) || len(id) == len(prefix) {
		return fieldErr(field, "%q must start with %s and have more after it", id, prefix)
	}
	if len(id) > max {
		return fieldErr(field, "is %d characters long, at most %d allowed", len(id), max)
	}
	for i := len(prefix); i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return fieldErr(field, "%q has %q; use only letters, digits, _ and -", id, rune(c))
		}
	}
	return nil
}

func checkText(field, s string, max int, optional bool) error {
	if s == "" {
		if optional {
			return nil
		}
		return fieldErr(field, "is missing")
	}
	if len(s) > max {
		return fieldErr(field, "is %d bytes long, at most %d allowed", len(s), max)
	}
	if !utf8.ValidString(s) {
		return fieldErr(field, "is not valid UTF-8")
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return fieldErr(field, "has a control character")
		}
	}
	return nil
}

func checkCurrency(c string) error {
	if !isUpperCode(c, 3) {
		return fieldErr("currency", "%q is not an ISO 4217 code (3 upper-case letters); use one of %s", c, strings.Join(currencies, ", "))
	}
	for _, ok := range currencies {
		if c == ok {
			return nil
		}
	}
	return fieldErr("currency", "%q is not accepted; use one of %s", c, strings.Join(currencies, ", "))
}

func isUpperCode(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < n; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// Decode reads one order message: JSON with exactly the v1 fields, at most
// 1 MiB. It does not validate the values; call Validate for that.
func Decode(data []byte) (Order, error) {
	var o Order
	if len(data) > MaxMessageBytes {
		return o, fieldErr("order", "%s is more than the 1 MiB an SQS message may hold", kib(len(data)))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		return Order{}, decodeErr(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Order{}, fieldErr("order", "unexpected data after the JSON object")
	}
	return o, nil
}

func decodeErr(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "order"
		}
		return fieldErr(field, "want %s, got JSON %s", te.Type, te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fieldErr("order", "invalid JSON at byte %d: %v", se.Offset, err)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fieldErr(strings.Trim(name, `"`), "is not a field of an order message (v1)")
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fieldErr("order", "empty or truncated JSON")
	}
	return fieldErr("order", "%v", err)
}

// Value returns the order in the value form the ASL engine takes (maps,
// slices, strings and int64), without a JSON round trip.
func (o Order) Value() any {
	items := make([]any, len(o.Items))
	for i, it := range o.Items {
		items[i] = map[string]any{"sku": it.SKU, "qty": int64(it.Qty), "unitPriceCents": it.UnitPriceCents}
	}
	a := &o.DeliveryAddress
	addr := map[string]any{"line1": a.Line1, "city": a.City, "postalCode": a.PostalCode, "country": a.Country}
	if a.Line2 != "" {
		addr["line2"] = a.Line2
	}
	if a.Instructions != "" {
		addr["instructions"] = a.Instructions
	}
	return map[string]any{
		"orderId":         o.OrderID,
		"customerId":      o.CustomerID,
		"restaurantId":    o.RestaurantID,
		"items":           items,
		"currency":        o.Currency,
		"totalCents":      o.TotalCents,
		"deliveryAddress": addr,
		"placedAt":        o.PlacedAt,
	}
}
