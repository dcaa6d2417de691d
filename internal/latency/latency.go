// Package latency holds the distributions of call durations that yafdp's
// fakes and mock configs draw from: fixed, uniform and log-normal, written
// as --latency takes them (50ms, uniform(20ms,80ms), lognormal(80ms,250ms)).
package latency

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Kind is the shape of a latency distribution.
type Kind uint8

// The latency distributions.
const (
	// KindFixed always takes A.
	KindFixed Kind = iota
	// KindUniform is uniform in [A, B).
	KindUniform
	// KindLogNormal has median A and 99th percentile B, the long-tailed
	// shape real services show.
	KindLogNormal
)

// Distribution is a distribution of call durations. The zero value is no latency.
type Distribution struct {
	Kind Kind
	A, B time.Duration
}

// Fixed is a latency of exactly d.
func Fixed(d time.Duration) Distribution { return Distribution{Kind: KindFixed, A: d} }

// Uniform is a latency uniform in [lo, hi).
func Uniform(lo, hi time.Duration) Distribution { return Distribution{Kind: KindUniform, A: lo, B: hi} }

// LogNormal is a log-normal latency with the given median and 99th
// percentile.
func LogNormal(median, p99 time.Duration) Distribution {
	return Distribution{Kind: KindLogNormal, A: median, B: p99}
}

// String renders the latency as --latency accepts it.
func (l Distribution) String() string {
	switch l.Kind {
	case KindUniform:
		return fmt.Sprintf("uniform(%v,%v)", l.A, l.B)
	case KindLogNormal:
		return fmt.Sprintf("lognormal(%v,%v)", l.A, l.B)
	}
	return l.A.String()
}

// IsZero reports whether every call takes no time.
func (l Distribution) IsZero() bool {
	switch l.Kind {
	case KindUniform:
		return l.A == 0 && l.B == 0
	}
	return l.A == 0
}

// Validate reports a distribution that cannot be sampled.
func (l Distribution) Validate() error {
	switch l.Kind {
	case KindFixed:
		if l.A < 0 {
			return fmt.Errorf("latency %v is negative", l.A)
		}
	case KindUniform:
		if l.A < 0 || l.B < l.A {
			return fmt.Errorf("uniform(%v,%v): want 0 <= low <= high", l.A, l.B)
		}
	case KindLogNormal:
		if l.A <= 0 || l.B < l.A {
			return fmt.Errorf("lognormal(%v,%v): want 0 < median <= p99", l.A, l.B)
		}
	default:
		return fmt.Errorf("unknown latency kind %d", l.Kind)
	}
	return nil
}

// z99 is the standard normal's 99th percentile.
const z99 = 2.3263478740408408

// Max caps samples from the log-normal tail.
const Max = time.Hour

// Sampler draws from a Distribution with its parameters worked out once.
type Sampler struct {
	kind      Kind
	a, b      time.Duration
	mu, sigma float64
}

func NewSampler(l Distribution) Sampler {
	s := Sampler{kind: l.Kind, a: l.A, b: l.B}
	if l.Kind == KindLogNormal && l.A > 0 {
		s.mu = math.Log(l.A.Seconds())
		if l.B > l.A {
			s.sigma = (math.Log(l.B.Seconds()) - s.mu) / z99
		}
	}
	return s
}

// sample turns two uniform draws in [0,1) into a duration. It always takes
// both draws so that the stream of draws a call makes does not depend on the
// configuration.
func (s *Sampler) Sample(u1, u2 float64) time.Duration {
	switch s.kind {
	case KindUniform:
		if s.b <= s.a {
			return s.a
		}
		return s.a + time.Duration(u1*float64(s.b-s.a))
	case KindLogNormal:
		if s.a <= 0 {
			return 0
		}
		// Box-Muller; 1-u1 is in (0,1] so the log is finite.
		z := math.Sqrt(-2*math.Log(1-u1)) * math.Cos(2*math.Pi*u2)
		d := time.Duration(math.Exp(s.mu+s.sigma*z) * float64(time.Second))
		if d > Max || d < 0 {
			return Max
		}
		return d
	}
	if s.a < 0 {
		return 0
	}
	return s.a
}

// Forms lists the distributions --latency accepts, for help text and
// shell completion.
func Forms() []string {
	return []string{"0", "50ms", "fixed(50ms)", "uniform(20ms,80ms)", "lognormal(80ms,250ms)"}
}

// Parse parses a latency distribution: 0, 50ms, fixed(50ms),
// uniform(20ms,80ms) or lognormal(median,p99).
func Parse(s string) (Distribution, error) {
	s = strings.TrimSpace(s)
	forms := strings.Join(Forms(), ", ")
	open := strings.IndexByte(s, '(')
	if open < 0 {
		if s == "0" || s == "none" {
			return Distribution{}, nil
		}
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return Distribution{}, fmt.Errorf("%q is not a latency; valid forms: %s", s, forms)
		}
		return Fixed(d), nil
	}
	if !strings.HasSuffix(s, ")") {
		return Distribution{}, fmt.Errorf("%q: missing ')'; valid forms: %s", s, forms)
	}
	fn := strings.TrimSpace(s[:open])
	var args []time.Duration
	for _, a := range strings.Split(s[open+1:len(s)-1], ",") {
		d, err := time.ParseDuration(strings.TrimSpace(a))
		if err != nil {
			return Distribution{}, fmt.Errorf("%q: %q is not a duration such as 80ms", s, strings.TrimSpace(a))
		}
		args = append(args, d)
	}
	var l Distribution
	switch {
	case fn == "fixed" && len(args) == 1:
		l = Fixed(args[0])
	case fn == "uniform" && len(args) == 2:
		l = Uniform(args[0], args[1])
	case fn == "lognormal" && len(args) == 2:
		l = LogNormal(args[0], args[1])
	default:
		return Distribution{}, fmt.Errorf("%q is not a latency; valid forms: %s", s, forms)
	}
	if err := l.Validate(); err != nil {
		return Distribution{}, err
	}
	return l, nil
}
