package sim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Rate is events per second. It parses and prints as the CLI writes rates:
// "500/s", "30000/m", "2/ms", "90000/h", or a bare number meaning per second.
type Rate float64

// ParseRate reads a rate. Zero is allowed; negative rates are not.
func ParseRate(s string) (Rate, error) {
	text := strings.TrimSpace(s)
	num, unit, hasUnit := strings.Cut(text, "/")
	per := time.Second
	if hasUnit {
		switch strings.TrimSpace(unit) {
		case "s", "sec", "second":
			per = time.Second
		case "m", "min", "minute":
			per = time.Minute
		case "h", "hour":
			per = time.Hour
		case "ms":
			per = time.Millisecond
		default:
			return 0, fmt.Errorf("rate %q: unknown unit %q; use /s, /m, /h or /ms, e.g. 500/s", s, unit)
		}
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || text == "" {
		return 0, fmt.Errorf("rate %q is not a number per unit such as 500/s, 30000/m or 500", s)
	}
	if n < 0 {
		return 0, fmt.Errorf("rate %q must not be negative", s)
	}
	return Rate(n * float64(time.Second) / float64(per)), nil
}

// PerSecond returns the rate as a float.
func (r Rate) PerSecond() float64 { return float64(r) }

// String prints the rate per second: "500/s", "0.5/s".
func (r Rate) String() string { return strconv.FormatFloat(float64(r), 'f', -1, 64) + "/s" }

// Set implements pflag.Value, so a Rate can be a flag.
func (r *Rate) Set(s string) error {
	v, err := ParseRate(s)
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Type implements pflag.Value.
func (r *Rate) Type() string { return "rate" }

// MarshalText writes the rate as it parses.
func (r Rate) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads a rate.
func (r *Rate) UnmarshalText(b []byte) error { return r.Set(string(b)) }

// Duration is a time.Duration that reads and prints as "30s", "10m", "1h30m"
// in scenario files and JSON, and also accepts days ("4d").
type Duration time.Duration

// ParseDuration reads a duration; "4d" and "1d12h" count days of 24 hours.
func ParseDuration(s string) (time.Duration, error) {
	text := strings.TrimSpace(s)
	days := time.Duration(0)
	if i := strings.Index(text, "d"); i > 0 {
		n, err := strconv.Atoi(text[:i])
		if err != nil {
			return 0, fmt.Errorf("duration %q is not like 30s, 10m, 1h or 4d", s)
		}
		days = time.Duration(n) * 24 * time.Hour
		text = text[i+1:]
		if text == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(text)
	if err != nil {
		return 0, fmt.Errorf("duration %q is not like 30s, 10m, 1h or 4d", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("duration %q must not be negative", s)
	}
	return days + d, nil
}

// D returns the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String prints the duration compactly: 10m0s becomes "10m".
func (d Duration) String() string {
	s := time.Duration(d).String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// Set implements pflag.Value.
func (d *Duration) Set(s string) error {
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// Type implements pflag.Value.
func (d *Duration) Type() string { return "duration" }

// MarshalText writes the duration as it parses.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a duration.
func (d *Duration) UnmarshalText(b []byte) error { return d.Set(string(b)) }
