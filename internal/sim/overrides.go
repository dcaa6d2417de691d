package sim

import (
	"path/filepath"
	"strings"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/input"
	"github.com/yafdp/yafdp/internal/rate"
	"github.com/yafdp/yafdp/internal/saga"
)

// Overrides are settings given apart from a scenario file (simulate's
// flags); each one set replaces the scenario's.
type Overrides struct {
	// Rate and Duration replace the arrivals with one steady rate; either
	// alone keeps the other from the scenario, which must then have no
	// phases.
	Rate     *rate.Rate
	Duration *Duration
	Process  *string
	Seed     *uint64

	PaymentTPS     *rate.Rate
	PaymentBurst   *int
	StartRate      *rate.Rate
	MaxConcurrency *int
	BatchSize      *int
	MaxDrain       *Duration
	// Faults are added to the scenario's; Latencies (SERVICE=DIST) set a
	// service's latency.
	Faults    []string
	Latencies []string
	// Definition is an ASL file to run, read as given.
	Definition *string
}

// Apply applies the overrides and checks the result. Problems are
// *input.Error naming the scenario key.
func (s *Scenario) Apply(o Overrides) error {
	if err := s.applyArrivals(o); err != nil {
		return err
	}
	set(&s.Seed, o.Seed)
	set(&s.Payment.TPS, o.PaymentTPS)
	if o.PaymentBurst != nil && *o.PaymentBurst < 1 {
		return input.Errorf("payment.burst", "must be at least 1")
	}
	set(&s.Payment.Burst, o.PaymentBurst)
	set(&s.StepFunctions.StartRate, o.StartRate)
	set(&s.Lambda.MaximumConcurrency, o.MaxConcurrency)
	set(&s.Lambda.BatchSize, o.BatchSize)
	set(&s.MaxDrain, o.MaxDrain)
	s.Faults = append(s.Faults, o.Faults...)
	for _, l := range o.Latencies {
		svc, dist, ok := strings.Cut(l, "=")
		if !ok {
			return input.Errorf("latency", "%q is not SERVICE=DIST, e.g. payment=lognormal(180ms,900ms)", l)
		}
		if s.Latency == nil {
			s.Latency = map[string]string{}
		}
		s.Latency[svc] = dist
	}
	if o.Definition != nil {
		s.StepFunctions.Definition, s.definitionDir = *o.Definition, ""
	}
	return s.Validate()
}

// applyArrivals replaces the arrivals with one steady rate over the same
// or the given duration.
func (s *Scenario) applyArrivals(o Overrides) error {
	set(&s.Arrivals.Process, o.Process)
	if o.Rate == nil && o.Duration == nil {
		return nil
	}
	d := Duration(s.ArrivalDuration())
	set(&d, o.Duration)
	r := s.Arrivals.Rate
	if o.Rate != nil {
		r = *o.Rate
	} else if len(s.Arrivals.Phases) > 0 {
		return input.Errorf("arrivals.duration", "the scenario has phases").
			WithFix("give %s too to replace them with one steady rate", input.Field("arrivals.rate"))
	}
	s.Arrivals.Phases, s.Arrivals.Rate, s.Arrivals.Duration = nil, r, d
	return nil
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// Machine reads the ASL document the scenario names (relative to its
// file when the file names it), or returns nil for the built-in saga.
func (s *Scenario) Machine() (*asl.StateMachine, error) {
	path := s.StepFunctions.Definition
	if path == "" {
		return nil, nil
	}
	if s.definitionDir != "" && !filepath.IsAbs(path) {
		path = filepath.Join(s.definitionDir, path)
	}
	d, err := saga.LoadDefinition(path)
	if err != nil {
		return nil, err
	}
	return d.Machine, nil
}
