package sim

import (
	"path/filepath"
	"strings"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/input"
	"github.com/yafdp/yafdp/internal/mockconfig"
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
	StartBurst     *int
	MaxConcurrency *int
	BatchSize      *int
	MaxDrain       *Duration
	// Faults are added to the scenario's; Latencies (SERVICE=DIST) set a
	// service's latency.
	Faults    []string
	Latencies []string
	// Definition is an ASL file to run, and MockConfig a mock config to
	// answer its Tasks, read as given; TestCase and StateMachineName pick
	// from the mock config.
	Definition       *string
	MockConfig       *string
	TestCase         *string
	StateMachineName *string
	// Type and DuplicateStarts are step_functions.type and
	// step_functions.duplicate_starts.
	Type            *string
	DuplicateStarts *float64
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
	set(&s.StepFunctions.StartBurst, o.StartBurst)
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
	if o.MockConfig != nil {
		s.StepFunctions.MockConfig, s.mockDir = *o.MockConfig, ""
	}
	set(&s.StepFunctions.TestCase, o.TestCase)
	set(&s.StepFunctions.StateMachineName, o.StateMachineName)
	set(&s.StepFunctions.Type, o.Type)
	if o.DuplicateStarts != nil {
		s.StepFunctions.DuplicateStarts = o.DuplicateStarts
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
// file when the file names it) and names it as saga run does (after its
// file); nil and the built-in saga's name for the built-in saga.
func (s *Scenario) Machine() (*asl.StateMachine, string, error) {
	path := s.StepFunctions.Definition
	if path == "" {
		return nil, saga.StateMachineName, nil
	}
	d, err := saga.LoadDefinition(s.near(s.definitionDir, path))
	if err != nil {
		return nil, "", err
	}
	return d.Machine, d.Name, nil
}

// Mock reads the mock config the scenario names (relative to its file
// when the file names it) and picks its test case for m, a machine named
// name (nil for the built-in saga); nil without a mock config. Problems
// are *input.Error on mock_config, test_case or state_machine_name, or the
// path in the mock config.
func (s *Scenario) Mock(m *asl.StateMachine, name string) (*mockconfig.Case, error) {
	sf := s.StepFunctions
	if sf.MockConfig == "" {
		if sf.TestCase != "" || sf.StateMachineName != "" {
			return nil, input.Errorf("test_case", "picks a test case from a mock config, and there is none").
				WithFix("give %s too", input.Field("mock_config"))
		}
		return nil, nil
	}
	if m == nil {
		var err error
		if m, err = saga.BuiltIn(); err != nil {
			return nil, err
		}
	}
	return saga.LoadMock(saga.MockOptions{File: s.near(s.mockDir, sf.MockConfig), Machine: sf.StateMachineName, TestCase: sf.TestCase}, m, name)
}

// near is path, relative to dir when it is relative and dir is set.
func (s *Scenario) near(dir, path string) string {
	if dir != "" && !filepath.IsAbs(path) {
		return filepath.Join(dir, path)
	}
	return path
}
