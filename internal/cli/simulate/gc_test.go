package simulate

import "testing"

// The collector gets GOGC=800 while the live heap is small, then a
// constant headroom of simGCHeadroom, and never less than GOGC=100.
func TestGCPercentKeepsTheHeadroomConstant(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, 800},
		{4 << 20, 800},
		{8 << 20, 800},
		{16 << 20, 400},
		{32 << 20, 200},
		{64 << 20, 100},
		{1 << 30, 100},
	} {
		if got := gcPercentFor(c.live); got != c.want {
			t.Errorf("live %d MiB: GOGC %d, want %d", c.live>>20, got, c.want)
		}
	}
}
