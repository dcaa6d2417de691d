package rate

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
	xrate "golang.org/x/time/rate"
)

// Rate is Freq events every Per. The zero Rate is no events, or, for a
// limit, no limit.
type Rate struct {
	Freq float64
	Per  time.Duration
}

// PerSecond returns the rate of n events a second.
func PerSecond(n float64) Rate { return Rate{Freq: n, Per: time.Second} }

// units are the periods a rate may name after its slash.
var units = map[string]time.Duration{
	"ms": time.Millisecond,
	"s":  time.Second, "sec": time.Second, "second": time.Second,
	"m": time.Minute, "min": time.Minute, "minute": time.Minute,
	"h": time.Hour, "hour": time.Hour,
}

// Parse reads a rate of zero or more events: "500/s", "30000/m", "2/ms",
// "500" (per second).
func Parse(s string) (Rate, error) {
	r, err := parse(s)
	if err != nil {
		return Rate{}, err
	}
	if r.Freq < 0 {
		return Rate{}, fmt.Errorf("rate %q must not be negative", s)
	}
	return r, nil
}

// ParseLimit reads a rate that limits something: more than zero events
// per period, or "0" or "unlimited" (any case) for no limit, the zero Rate.
func ParseLimit(s string) (Rate, error) {
	if t := strings.TrimSpace(s); t == "0" || strings.EqualFold(t, "unlimited") {
		return Rate{}, nil
	}
	r, err := parse(s)
	if err != nil {
		return Rate{}, err
	}
	if r.Freq <= 0 {
		return Rate{}, fmt.Errorf("%q: a rate must be more than 0 (use 0 alone for no limit)", s)
	}
	return r, nil
}

func parse(s string) (Rate, error) {
	num, unit, hasUnit := strings.Cut(strings.TrimSpace(s), "/")
	per := time.Second
	if hasUnit {
		var ok bool
		if per, ok = units[strings.TrimSpace(unit)]; !ok {
			return Rate{}, fmt.Errorf("rate %q: the unit after / must be s, m or h (or ms), as in 100/s or 6000/m", s)
		}
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return Rate{}, fmt.Errorf("rate %q is not a number per second, minute or hour, such as 100/s, 6000/m or 100", s)
	}
	return Rate{Freq: n, Per: per}, nil
}

// PerSecond returns the rate in events per second; the zero Rate is 0.
func (r Rate) PerSecond() float64 {
	if r.Per <= 0 {
		return 0
	}
	// Multiply first: for the whole numbers and units people write, this
	// is exact up to the final division.
	return r.Freq * float64(time.Second) / float64(r.Per)
}

// IsZero reports a rate of no events (or, for a limit, no limit).
func (r Rate) IsZero() bool { return r.PerSecond() == 0 }

// String prints the rate per second, as reports show rates: "500/s",
// "0.5/s", "0/s".
func (r Rate) String() string {
	return strconv.FormatFloat(r.PerSecond(), 'f', -1, 64) + "/s"
}

// MarshalText writes the rate as String does.
func (r Rate) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads a rate as Parse does.
func (r *Rate) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// UnmarshalYAML reads a rate from a YAML scalar, with its line in errors
// (a scenario file names the line of every mistake).
func (r *Rate) UnmarshalYAML(n *yaml.Node) error {
	if err := r.UnmarshalText([]byte(n.Value)); err != nil {
		return fmt.Errorf("line %d: %v", n.Line, err)
	}
	return nil
}

// Limiter returns a token bucket that lets events through at the rate,
// burst at a time, or nil when the rate is zero (no limit).
func (r Rate) Limiter(burst int) *xrate.Limiter {
	ps := r.PerSecond()
	if ps == 0 {
		return nil
	}
	return xrate.NewLimiter(xrate.Limit(ps), max(1, burst))
}
