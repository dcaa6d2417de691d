package filter

import (
	"strings"
	"testing"
)

func filterMsg() *Message {
	return &Message{
		MessageID: "5fea7756-0ea4-451a-a703-a558b933e274",
		Body:      `{"orderId":"ord_1","customerId":"cus_0042","currency":"EUR","totalCents":5500,"items":[{"sku":"PIZ-1","qty":2}],"odd-key":true,"note":null}`,
		Attributes: map[string]Attribute{
			"schemaVersion": {DataType: "String", StringValue: "1"},
			"amount":        {DataType: "Number", StringValue: "12.5"},
			"sig":           {DataType: "Binary", BinaryValue: []byte{0, 1, 2}},
		},
		System: map[string]string{"ApproximateReceiveCount": "4", "MessageGroupId": "cus_0042"},
	}
}

func TestFilterMatches(t *testing.T) {
	cases := map[string]bool{
		`body.currency == "EUR"`:                            true,
		`body.currency == 'USD'`:                            false,
		`body.totalCents >= 5000 && body.totalCents < 6000`: true,
		`body.items[0].sku startsWith "PIZ-"`:               true,
		`body.items[1].sku == "x"`:                          false,
		`body.items[1].sku != "x"`:                          true,
		`body["odd-key"]`:                                   true,
		`body.note`:                                         false,
		`!body.missing`:                                     true,
		`body contains "cus_0042"`:                          true,
		`body.customerId matches "^cus_0+42$"`:              true,
		`body.customerId endsWith "42" || false`:            true,
		`attr.schemaVersion == "1" && attr.amount > 12`:     true,
		`attr.amount == 12.5`:                               true,
		`attr.sig == "AAEC"`:                                true,
		`attr.missing`:                                      false,
		`sys.ApproximateReceiveCount > 3`:                   true,
		`sys.MessageGroupId == body.customerId`:             true,
		`id == "5fea7756-0ea4-451a-a703-a558b933e274"`:      true,
		`(body.currency == "USD" || body.currency == "EUR") && !(attr.amount < 1)`: true,
		`body.items contains 3`: false,
		`body.totalCents > "a"`: false,
		`body.currency < "F"`:   true,
		`true && !false`:        true,
		`body.note == null`:     true,
	}
	m := filterMsg()
	for src, want := range cases {
		f, err := Parse(src)
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		if got := f.Match(m); got != want {
			t.Errorf("%s = %v, want %v", src, got, want)
		}
	}
	// A body that is not JSON still has text.
	plain := &Message{Body: "not json"}
	if f, _ := Parse(`body contains "json" && !body.x`); !f.Match(plain) {
		t.Error("plain body")
	}
}

func TestFilterErrorsNameTheColumn(t *testing.T) {
	for src, want := range map[string]string{
		``:                       "empty",
		`body.currency = "EUR"`:  "column 15: '=' alone",
		`body.currency == "EUR`:  "column 18: the string is not closed",
		`body.currency == EUR`:   `column 18: unknown name "EUR"`,
		`currency == "EUR"`:      `column 1: unknown name "currency"`,
		`body.currency is "EUR"`: `column 15: unknown operator "is"`,
		`(body.a == 1`:           "expected ')'",
		`body.a == 1 body.b`:     "unexpected 'body'",
		`attr.a.b`:               "attr.NAME",
		`body[-1]`:               "index",
		`body.a matches "("`:     "bad regular expression",
		`body.a matches body.b`:  "regular expression in quotes",
		`body.a & body.b`:        "write &&",
		`id.x`:                   "id has no fields",
		strings.Repeat("(", 100) + "true" + strings.Repeat(")", 100): "nests deeper",
	} {
		_, err := Parse(src)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want %q", src, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("error on several lines: %q", err)
		}
	}
}

// FuzzParseFilter: any input either parses or returns a one-line error,
// never panics, and a parsed filter evaluates on any message.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`body.currency == "EUR"`, `!(attr.a > 1) || sys.ApproximateReceiveCount >= 3`, `body.items[0].sku matches "^P"`,
		`body["x"] contains 'y'`, `id startsWith "5"`, `((true))`, `body.a == -1.5e3`} {
		f.Add(s, `{"currency":"EUR","items":[{"sku":"P"}],"a":1}`)
	}
	f.Fuzz(func(t *testing.T, src, body string) {
		flt, err := Parse(src)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		m := filterMsg()
		m.Body = body
		flt.Match(m)
	})
}
