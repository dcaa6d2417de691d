package sim

import (
	"testing"
	"time"
)

func TestParseRate(t *testing.T) {
	for in, want := range map[string]float64{"500/s": 500, "30000/m": 500, "500": 500, "1.5/s": 1.5, "2/ms": 2000, "3600/h": 1, " 10 / s ": 10, "0": 0} {
		r, err := ParseRate(in)
		if err != nil || r.PerSecond() != want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v", in, r, err, want)
		}
	}
	for _, bad := range []string{"", "fast", "500/d", "-1/s", "/s", "5 00"} {
		if _, err := ParseRate(bad); err == nil {
			t.Errorf("ParseRate(%q) accepted", bad)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"30s": 30 * time.Second, "10m": 10 * time.Minute, "4d": 96 * time.Hour, "1d12h": 36 * time.Hour, "0s": 0} {
		d, err := ParseDuration(in)
		if err != nil || d != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, d, err, want)
		}
	}
	for _, bad := range []string{"", "soon", "-5s", "xd"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) accepted", bad)
		}
	}
	if s := Duration(10 * time.Minute).String(); s != "10m" {
		t.Errorf("String() = %q", s)
	}
}
