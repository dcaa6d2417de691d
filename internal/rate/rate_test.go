package rate

import (
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// Every spelling that order submit, dlq redrive or simulate accepted
// before there was one rate still reads the same.
func TestParseAcceptsEverySpelling(t *testing.T) {
	for in, want := range map[string]float64{
		"100/s": 100, "6000/m": 100, "250": 250, "3600/h": 1, "0.5/s": 0.5, "2/ms": 2000, " 10 / s ": 10,
		"500/sec": 500, "500/second": 500, "30000/min": 500, "30000/minute": 500, "3600/hour": 1, "0": 0, "0/s": 0,
	} {
		r, err := Parse(in)
		if err != nil || r.PerSecond() != want {
			t.Errorf("Parse(%q) = %v (%v/s), %v; want %v/s", in, r, r.PerSecond(), err, want)
		}
	}
	for _, in := range []string{"", "fast", "-5/s", "10/d", "NaN", "Inf", "1e999/s", "10//s", "/s", "5 00", "unlimited"} {
		if _, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) accepted", in)
		}
	}
}

func TestParseLimit(t *testing.T) {
	for in, want := range map[string]float64{"100/s": 100, "6000/m": 100, "250": 250, "3600/h": 1, "0": 0, "unlimited": 0, "Unlimited": 0, "0.5/s": 0.5} {
		r, err := ParseLimit(in)
		if err != nil || r.PerSecond() != want {
			t.Errorf("ParseLimit(%q) = %v (%v/s), %v; want %v/s", in, r, r.PerSecond(), err, want)
		}
	}
	for in, why := range map[string]string{"": "not a number", "fast": "not a number", "-5/s": "must be more than 0", "10/d": "the unit after / must be s, m or h",
		"0/s": "use 0 alone for no limit", "NaN": "not a number", "1e999/s": "not a number", "10//s": "the unit"} {
		if _, err := ParseLimit(in); err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("ParseLimit(%q) = %v; want an error saying %q", in, err, why)
		}
	}
}

// Rates print per second, as the simulator's report has always shown them.
func TestStringIsPerSecond(t *testing.T) {
	for in, want := range map[Rate]string{
		{}: "0/s", PerSecond(500): "500/s", {Freq: 30000, Per: time.Minute}: "500/s", {Freq: 2, Per: time.Millisecond}: "2000/s",
		{Freq: 1, Per: 2 * time.Second}: "0.5/s", PerSecond(0): "0/s",
	} {
		if got := in.String(); got != want {
			t.Errorf("%#v.String() = %q, want %q", in, got, want)
		}
	}
	// A third of an event per second comes out as the division gives it.
	r, _ := Parse("20/m")
	if r.PerSecond() != 20.0/60 {
		t.Errorf("20/m = %v/s", r.PerSecond())
	}
}

func TestTextAndYAML(t *testing.T) {
	var v struct {
		A Rate `yaml:"a"`
		B Rate `yaml:"b"`
	}
	if err := yaml.Unmarshal([]byte("a: 30000/m\nb: 2\n"), &v); err != nil || v.A.PerSecond() != 500 || v.B.PerSecond() != 2 {
		t.Fatalf("%+v %v", v, err)
	}
	err := yaml.Unmarshal([]byte("a: 1/s\nb: fast\n"), &v)
	if err == nil || !strings.Contains(err.Error(), `line 2: rate "fast" is not a number`) {
		t.Fatalf("error %v, want its line", err)
	}
	b, _ := PerSecond(1.5).MarshalText()
	var back Rate
	if err := back.UnmarshalText(b); err != nil || string(b) != "1.5/s" || back.PerSecond() != 1.5 {
		t.Fatalf("%s %v %v", b, back, err)
	}
}

func TestLimiter(t *testing.T) {
	if (Rate{}).Limiter(10) != nil {
		t.Fatal("no limit needs no limiter")
	}
	l := Rate{Freq: 6000, Per: time.Minute}.Limiter(0)
	if l == nil || l.Limit() != 100 || l.Burst() != 1 {
		t.Fatalf("%v", l)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"500/s", "30000/m", "2/ms", "0", "unlimited", "-1/s", "1e9/h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s)
		if err != nil {
			return
		}
		if r.Freq < 0 || r.Per <= 0 {
			t.Fatalf("Parse(%q) = %#v", s, r)
		}
		back, err := Parse(r.String())
		if err != nil || back.PerSecond() != r.PerSecond() {
			t.Fatalf("%q → %q → %v, %v", s, r.String(), back, err)
		}
	})
}
