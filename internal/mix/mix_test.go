package mix

import (
	"hash/fnv"
	"testing"
)

func TestString(t *testing.T) {
	for _, s := range []string{"", "ord_1", "yafdp-payment-charge"} {
		h := fnv.New64a()
		h.Write([]byte(s))
		if got, want := String(s), h.Sum64(); got != want {
			t.Errorf("String(%q) = %x, want FNV-1a %x", s, got, want)
		}
	}
}

func TestBitsScatters(t *testing.T) {
	// SplitMix64's first output for seed 0 is Bits(0x9e3779b97f4a7c15).
	if got := Bits(0x9e3779b97f4a7c15); got != 0xe220a8397b1dcdaf {
		t.Errorf("Bits = %x", got)
	}
	if Bits(1) == Bits(2) {
		t.Error("Bits is not a bijection")
	}
}

func TestUnbitsInvertsBits(t *testing.T) {
	for _, x := range []uint64{0, 1, 2, 0x9e3779b97f4a7c15, 1<<63 + 12345, ^uint64(0)} {
		if got := Unbits(Bits(x)); got != x {
			t.Errorf("Unbits(Bits(%x)) = %x", x, got)
		}
	}
}
