// Package mix scatters bits for the reproducible random streams of the
// fakes, the order generator and mock configs: every draw there is a pure
// function of a seed and names, hashed and mixed here.
package mix

// Bits is the SplitMix64 finaliser, a bijection that scatters its input.
func Bits(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// String hashes s with FNV-1a.
func String(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// Unbits inverts Bits: Unbits(Bits(x)) == x.
func Unbits(x uint64) uint64 {
	x ^= x>>31 ^ x>>62
	x *= inverse(0x94d049bb133111eb)
	x ^= x>>27 ^ x>>54
	x *= inverse(0xbf58476d1ce4e5b9)
	x ^= x>>30 ^ x>>60
	return x
}

// inverse is a's multiplicative inverse modulo 2⁶⁴ (a odd), by Newton's
// iteration: each step doubles the correct low bits.
func inverse(a uint64) uint64 {
	x := a
	for range 5 {
		x *= 2 - a*x
	}
	return x
}
