package sim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

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
