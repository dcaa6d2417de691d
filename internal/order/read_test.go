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
