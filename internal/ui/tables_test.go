package ui

import (
	"strings"
	"testing"
)

func TestFactsSharesAndCounts(t *testing.T) {
	s := NewStyles(false)
	var b strings.Builder
	f := NewFacts(s)
	f.Add("Retries", "3")
	f.AddIf("Input", "")
	f.AddIf("Output", "{}")
	sh := NewShares(s, 4, "Outcome", "Orders", "Share")
	sh.Add("succeeded", 3, ToneSuccess, true)
	sh.Add("timed out", 0, ToneFailure, false)
	sh.Add("failed", 1, ToneFailure, true)
	if err := f.Render(&b); err != nil {
		t.Fatal(err)
	}
	if err := sh.Render(&b); err != nil {
		t.Fatal(err)
	}
	if err := RenderCounts(&b, s, "Failed with", "Orders", map[string]int64{"b": 2, "a": 2, "c": 5}); err != nil {
		t.Fatal(err)
	}
	want := `Retries  3
Output   {}
OUTCOME    ORDERS  SHARE
succeeded       3  75.0%
failed          1  25.0%
FAILED WITH  ORDERS
c                 5
a                 2
b                 2
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	if got := NewShares(s, 0, "a", "b", "c"); got != nil {
		got.Add("x", 1, ToneNone, true)
		b.Reset()
		_ = got.Render(&b)
		if !strings.Contains(b.String(), "x  1  -") {
			t.Errorf("a share of nothing: %q", b.String())
		}
	}
}
