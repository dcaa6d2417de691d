package order

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/yafdp/yafdp/internal/input"
)

func TestReadNDJSONAndArrays(t *testing.T) {
	a, b := mustEncode(t, "ord_a"), mustEncode(t, "ord_b")
	for name, c := range map[string]struct {
		data  string
		lines []int
	}{
		"ndjson":      {a + "\n\n" + b + "\n", []int{1, 3}},
		"array":       {"[\n" + a + ",\n" + b + "\n]\n", []int{2, 3}},
		"one line":    {"[" + a + ", " + b + "]", []int{1, 1}},
		"no new line": {a, []int{1}},
	} {
		orders, lines, err := Read([]byte(c.data))
		if err != nil || len(orders) != len(c.lines) || orders[len(orders)-1].OrderID == "" {
			t.Errorf("%s: %v, %d orders", name, err, len(orders))
			continue
		}
		for i := range lines {
			if lines[i] != c.lines[i] {
				t.Errorf("%s: lines %v, want %v", name, lines, c.lines)
			}
		}
	}
}

func TestReadNamesTheLine(t *testing.T) {
	good := mustEncode(t, "ord_a")
	for data, want := range map[string]string{
		"\n\n":                                 "is empty; give one order a line (NDJSON) or a JSON array of orders",
		good + "\n{\"orderId\": nope}\n":       "line 2: order: invalid JSON",
		"[\n" + good + ",\n{\"orderId\":1}\n]": "line 3: orderId: want string",
		"[\n" + good + ",\n{nope}\n]":          "line 2: invalid JSON",
		"[" + good:                             "the JSON array is not closed",
		"[" + good + "]\n{}":                   "line 1: unexpected data after the JSON array",
		good + "\n" + strings.Repeat("x", MaxMessageBytes+2000): "line 2: longer than the 1 MiB",
	} {
		_, _, err := Read([]byte(data))
		if _, ok := err.(*input.Error); !ok || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Read(%.30q) = %v, want %q", data, err, want)
		}
	}
}

func mustEncode(t *testing.T, id string) string {
	t.Helper()
	o := validOrder()
	o.OrderID = id
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A file saved by an editor that adds a byte order mark reads like any
// other.
func TestReadSkipsTheUTF8ByteOrderMark(t *testing.T) {
	a := mustEncode(t, "ord_a")
	for name, data := range map[string]string{
		"ndjson": "\ufeff" + a + "\n",
		"array":  "\ufeff[\n" + a + "\n]\n",
	} {
		orders, lines, err := Read([]byte(data))
		if err != nil || len(orders) != 1 || orders[0].OrderID != "ord_a" {
			t.Errorf("%s: %v, %+v", name, err, orders)
			continue
		}
		if want := map[string]int{"ndjson": 1, "array": 2}[name]; lines[0] != want {
			t.Errorf("%s: line %d, want %d", name, lines[0], want)
		}
	}
}

// encoding/json turns bytes that are not UTF-8 into U+FFFD without a word:
// such an order would be sent with its text changed. It is refused with
// its line and field instead.
func TestReadRefusesInvalidUTF8WithLineAndField(t *testing.T) {
	good := mustEncode(t, "ord_a")
	bad := strings.Replace(mustEncode(t, "ord_b"), `"Berlin"`, "\"Berl\xffn\"", 1)
	if bad == mustEncode(t, "ord_b") {
		t.Fatal("the test order has no city Berlin")
	}
	badItem := strings.Replace(mustEncode(t, "ord_c"), `"sku":"DRI-COLA-11"`, "\"sku\":\"DRI\xc3\"", 1)
	for name, c := range map[string]struct{ data, want string }{
		"ndjson": {good + "\n" + bad + "\n", "line 2: deliveryAddress.city: is not valid UTF-8 (byte 0xff); save the file as UTF-8"},
		"array":  {"[\n" + good + ",\n\n" + bad + "\n]", "line 4: deliveryAddress.city: is not valid UTF-8"},
		"item":   {good + "\n" + badItem, "line 2: items[1].sku: is not valid UTF-8"},
	} {
		_, _, err := Read([]byte(c.data))
		if _, ok := err.(*input.Error); !ok || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}

// An order file is streamed with limits: a file that never ends (such as
// /dev/zero) or holds too much is refused without reading it all.
func TestReadFromStopsAtItsLimits(t *testing.T) {
	_, _, err := ReadFrom(zeros{})
	if err == nil || !strings.Contains(err.Error(), "longer than the 1 MiB") {
		t.Errorf("endless zeros: %v", err)
	}

	defer func(n int, b int64) { maxFileOrders, maxFileBytes = n, b }(maxFileOrders, maxFileBytes)
	maxFileOrders = 3
	a := mustEncode(t, "ord_a")
	_, _, err = Read([]byte(strings.Repeat(a+"\n", 4)))
	if err == nil || !strings.HasPrefix(err.Error(), "line 4: holds more than 3 orders") {
		t.Errorf("too many orders: %v", err)
	}
	_, _, err = Read([]byte("[" + strings.Repeat(a+",", 3) + a + "]"))
	if err == nil || !strings.Contains(err.Error(), "holds more than 3 orders") {
		t.Errorf("too many orders in an array: %v", err)
	}
	maxFileOrders, maxFileBytes = 100, int64(3*len(a))
	_, _, err = Read([]byte(strings.Repeat(a+"\n", 4)))
	if err == nil || !strings.Contains(err.Error(), "is larger than") {
		t.Errorf("too large: %v", err)
	}
	if _, _, err = Read([]byte(strings.Repeat(a+"\n", 2))); err != nil {
		t.Errorf("within the limit: %v", err)
	}
}

// zeros reads as /dev/zero does.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
