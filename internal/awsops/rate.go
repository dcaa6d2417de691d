package awsops

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// Rate is a pace in messages per unit of time, the value of --rate: 100/s,
// 6000/m, 250 (per second). The zero Rate means no limit.
type Rate struct {
	N   float64
	Per time.Duration
}

// ParseRate reads "N", "N/s", "N/m" or "N/h". "0" and "unlimited" mean no
// limit.
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	if s == "0" || strings.EqualFold(s, "unlimited") {
		return Rate{}, nil
	}
	num, unit, hasUnit := strings.Cut(s, "/")
	per := time.Second
	if hasUnit {
		switch strings.TrimSpace(unit) {
		case "s", "sec", "second":
			per = time.Second
		case "m", "min", "minute":
			per = time.Minute
		case "h", "hour":
			per = time.Hour
		default:
			return Rate{}, fmt.Errorf("%q: the unit after / must be s, m or h, as in 100/s or 6000/m", s)
		}
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return Rate{}, fmt.Errorf("%q is not a rate; write a number of messages per second, minute or hour, as in 100/s or 6000/m", s)
	}
	if n <= 0 {
		return Rate{}, fmt.Errorf("%q: a rate must be more than 0 (use 0 alone for no limit)", s)
	}
	return Rate{N: n, Per: per}, nil
}

// PerSecond returns the rate in messages per second, 0 for no limit.
func (r Rate) PerSecond() float64 {
	if r.N <= 0 || r.Per <= 0 {
		return 0
	}
	return r.N / r.Per.Seconds()
}

// String renders the rate as ParseRate reads it.
func (r Rate) String() string {
	if r.PerSecond() == 0 {
		return "0"
	}
	unit := "s"
	switch r.Per {
	case time.Minute:
		unit = "m"
	case time.Hour:
		unit = "h"
	}
	return strconv.FormatFloat(r.N, 'f', -1, 64) + "/" + unit
}

// Set parses s into r; with String and Type it makes *Rate a flag value.
func (r *Rate) Set(s string) error {
	v, err := ParseRate(s)
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Type names the value in help text.
func (r *Rate) Type() string { return "rate" }

// limiter returns a token bucket for the rate, or nil for no limit. The
// burst is one batch, so a paced run sends whole batches.
func (r Rate) limiter(burst int) *rate.Limiter {
	ps := r.PerSecond()
	if ps == 0 {
		return nil
	}
	return rate.NewLimiter(rate.Limit(ps), max(1, burst))
}
