package eventsource

import (
	"strings"
	"testing"
)

// The scaling rule: 5 batches at first, up to 300 more a minute (5 a
// second) while messages wait, no more than MaximumConcurrency or the
// account's concurrency, and back down at the same pace, not below where
// it started, once nothing waits and fewer batches run than allowed.
func TestScalerScales(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cfg    func(*Config)
		start  int    // the limit at first
		active int    // batches running throughout
		ticks  string // b: a second with a backlog, '.': one without
		want   []int  // Limit after each tick
	}{
		{"grows five a second", nil, 5, 0, "bbbb", []int{10, 15, 20, 25}},
		{"capped by MaximumConcurrency", func(c *Config) { c.MaximumConcurrency = 12 }, 5, 0, "bbbb", []int{10, 12, 12, 12}},
		{"capped by the account", func(c *Config) { c.AccountConcurrency = 7 }, 5, 0, "bbb", []int{7, 7, 7}},
		{"a maximum below the start", func(c *Config) { c.MaximumConcurrency = 2 }, 2, 0, "b.", []int{2, 2}},
		{"shrinks to the start", nil, 5, 0, "bbb...", []int{10, 15, 20, 15, 10, 5}},
		{"holds while as many run", nil, 5, 20, "bbb..", []int{10, 15, 20, 20, 20}},
		{"a fraction a second", func(c *Config) { c.ScalePerMinute = 90 }, 5, 0, "bbbb", []int{6, 8, 9, 11}},
		{"no scaling", func(c *Config) { c.ScalePerMinute = 0 }, 5, 0, "bb.", []int{5, 5, 5}},
		{"a minute", nil, 5, 0, strings.Repeat("b", 60), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Defaults()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			s := NewScaler(cfg)
			if s.Limit() != tc.start {
				t.Fatalf("starts at %d, want %d", s.Limit(), tc.start)
			}
			for range tc.active {
				s.Begin()
			}
			for i, c := range tc.ticks {
				s.Tick(c == 'b')
				if tc.want != nil && s.Limit() != tc.want[i] {
					t.Fatalf("after tick %d (%s): limit %d, want %d", i+1, tc.ticks[:i+1], s.Limit(), tc.want[i])
				}
			}
			if tc.want == nil && s.Limit() != 5+300 {
				t.Fatalf("after a minute with a backlog: limit %d, want 305", s.Limit())
			}
		})
	}
}

func TestScalerCountsBatches(t *testing.T) {
	s := NewScaler(Defaults())
	for s.Free() > 0 {
		s.Begin()
	}
	if s.Active() != 5 || s.Peak() != 5 {
		t.Fatalf("active %d, peak %d; want 5 and 5", s.Active(), s.Peak())
	}
	s.End()
	s.End()
	s.Begin()
	if s.Active() != 4 || s.Peak() != 5 || s.Free() != 1 {
		t.Fatalf("active %d, peak %d, free %d; want 4, 5, 1", s.Active(), s.Peak(), s.Free())
	}
	// A limit that shrinks below what runs leaves Free negative.
	s = NewScaler(Config{InitialConcurrency: 2, ScalePerMinute: 600, AccountConcurrency: 100})
	s.Tick(true)
	for s.Free() > 0 {
		s.Begin()
	}
	s.Tick(false) // as many run as it allows: it holds
	for range 3 {
		s.End()
	}
	s.Tick(false)
	if s.Limit() != 2 || s.Active() != 9 || s.Free() != -7 {
		t.Fatalf("limit %d, active %d, free %d; want 2, 9, -7", s.Limit(), s.Active(), s.Free())
	}
}

func TestDeletesSucceeded(t *testing.T) {
	for _, tc := range []struct {
		report   bool
		failures int
		want     bool
	}{{true, 0, true}, {true, 3, true}, {false, 0, true}, {false, 1, false}} {
		if got := (Config{ReportBatchItemFailures: tc.report}).DeletesSucceeded(tc.failures); got != tc.want {
			t.Errorf("ReportBatchItemFailures %v, %d failures: %v, want %v", tc.report, tc.failures, got, tc.want)
		}
	}
}
