package latency

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Distribution
	}{
		{"0", Distribution{}},
		{"none", Distribution{}},
		{"50ms", Fixed(50 * time.Millisecond)},
		{"fixed(1s)", Fixed(time.Second)},
		{" uniform(20ms, 80ms) ", Uniform(20*time.Millisecond, 80*time.Millisecond)},
		{"lognormal(80ms,250ms)", LogNormal(80*time.Millisecond, 250*time.Millisecond)},
	} {
		got, err := Parse(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
		if back, err := Parse(got.String()); err != nil || back != got {
			t.Errorf("%q: String %q reads back as %v, %v", tt.in, got.String(), back, err)
		}
	}
	for _, bad := range []string{"", "-5ms", "gamma(1s,2s)", "uniform(2s,1s)", "lognormal(0s,1s)", "fixed(1s", "uniform(1s,x)"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

func TestSampleStaysInItsRange(t *testing.T) {
	u := NewSampler(Uniform(20*time.Millisecond, 80*time.Millisecond))
	ln := NewSampler(LogNormal(80*time.Millisecond, 250*time.Millisecond))
	for _, x := range []float64{0, 0.25, 0.5, 0.999999} {
		if d := u.Sample(x, x); d < 20*time.Millisecond || d >= 80*time.Millisecond {
			t.Errorf("uniform sampled %v at %v", d, x)
		}
		if d := ln.Sample(x, 0); d <= 0 || d > Max {
			t.Errorf("lognormal sampled %v at %v", d, x)
		}
	}
	// cos(2π·0.25) is 0: the draw is the median, up to rounding.
	if d := ln.Sample(0.5, 0.25); d < 80*time.Millisecond-time.Microsecond || d > 80*time.Millisecond+time.Microsecond {
		t.Errorf("lognormal median draw = %v, want 80ms", d)
	}
}
