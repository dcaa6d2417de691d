package sim

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/yafdp/yafdp/internal/input"
	"github.com/yafdp/yafdp/internal/rate"
	"github.com/yafdp/yafdp/internal/saga"
)

// Scenario is everything a simulation takes. Every number has the AWS
// default (or, for the fakes, the saga run default) and can be set in a
// scenario file; unknown keys in a file are an error.
type Scenario struct {
	// Name identifies the scenario in reports.
	Name string `yaml:"name" json:"name"`
	// Question is what the scenario answers, shown in the report.
	Question string `yaml:"question" json:"question,omitempty"`
	// Seed makes the run reproducible: same seed, same report.
	Seed uint64 `yaml:"seed" json:"seed"`
	// Arrivals is the offered load.
	Arrivals Arrivals `yaml:"arrivals" json:"arrivals"`
	// MaxDrain bounds how long the model keeps running after arrivals stop
	// while orders are still in the pipeline.
	MaxDrain Duration `yaml:"max_drain" json:"maxDrain"`

	APIGateway    APIGateway    `yaml:"api_gateway" json:"apiGateway"`
	Queue         QueueSettings `yaml:"queue" json:"queue"`
	Lambda        Lambda        `yaml:"lambda" json:"lambda"`
	StepFunctions StepFunctions `yaml:"step_functions" json:"stepFunctions"`
	Payment       Payment       `yaml:"payment" json:"payment"`
	// Faults are --fault settings of the fake services, e.g.
	// "payment.decline=0.02" or "payment.outage=10m+2m".
	Faults []string `yaml:"faults" json:"faults"`
	// Latency overrides the fakes' latencies by service, e.g.
	// payment: lognormal(180ms,900ms).
	Latency map[string]string `yaml:"latency" json:"latency,omitempty"`

	// definitionDir and mockDir are where a relative Definition and
	// MockConfig are read: next to the scenario file that names them.
	definitionDir, mockDir string
}

// Arrivals describe when orders arrive: one steady rate for Duration, or a
// list of phases (steady, ramp or spike).
type Arrivals struct {
	// Process is "poisson" (default: independent arrivals) or "constant"
	// (evenly spaced).
	Process string `yaml:"process" json:"process"`
	// Rate and Duration give a single steady phase.
	Rate     rate.Rate `yaml:"rate" json:"rate,omitzero"`
	Duration Duration  `yaml:"duration" json:"duration,omitempty"`
	// Phases run one after another.
	Phases []Phase `yaml:"phases" json:"phases,omitempty"`
}

// Phase is one stretch of arrivals: a steady Rate, or a linear ramp From..To.
type Phase struct {
	For  Duration   `yaml:"for" json:"for"`
	Rate *rate.Rate `yaml:"rate" json:"rate,omitempty"`
	From *rate.Rate `yaml:"from" json:"from,omitempty"`
	To   *rate.Rate `yaml:"to" json:"to,omitempty"`
}

// APIGateway is the front door: a token bucket that answers 429 when empty.
type APIGateway struct {
	RateLimit rate.Rate `yaml:"rate_limit" json:"rateLimit"`
	Burst     int       `yaml:"burst" json:"burst"`
	// Kind is "rest" or "http"; it only changes the price.
	Kind string `yaml:"kind" json:"kind"`
}

// QueueSettings are the orders queue's attributes and its redrive policy.
type QueueSettings struct {
	VisibilityTimeout Duration `yaml:"visibility_timeout" json:"visibilityTimeout"`
	MaxReceiveCount   int      `yaml:"max_receive_count" json:"maxReceiveCount"`
	Retention         Duration `yaml:"retention" json:"retention"`
	FIFO              bool     `yaml:"fifo" json:"fifo"`
}

// Lambda is the new-order function and its SQS event source mapping.
type Lambda struct {
	BatchSize      int      `yaml:"batch_size" json:"batchSize"`
	BatchingWindow Duration `yaml:"batching_window" json:"batchingWindow"`
	// MaximumConcurrency caps concurrent batches (2–1,000); 0 leaves it unset.
	MaximumConcurrency int `yaml:"maximum_concurrency" json:"maximumConcurrency"`
	// AccountConcurrency is the account's unreserved concurrency.
	AccountConcurrency int `yaml:"account_concurrency" json:"accountConcurrency"`
	// InitialConcurrency and ScalePerMinute are how the event source scales:
	// 5 concurrent batches at first, up to 300 more per minute while
	// messages wait.
	InitialConcurrency int `yaml:"initial_concurrency" json:"initialConcurrency"`
	ScalePerMinute     int `yaml:"scale_per_minute" json:"scalePerMinute"`
	// Duration is the fixed part of one invocation; PerMessage is added for
	// each message (saving the order PENDING, calling StartExecution).
	Duration   Duration `yaml:"duration" json:"duration"`
	PerMessage Duration `yaml:"per_message" json:"perMessage"`
	MemoryMB   int      `yaml:"memory_mb" json:"memoryMB"`
	// ReportBatchItemFailures returns only the failed messages of a batch
	// to the queue; without it a single failure returns the whole batch.
	ReportBatchItemFailures *bool `yaml:"report_batch_item_failures" json:"reportBatchItemFailures"`
}

// StepFunctions is the StartExecution throttle and the machine to run.
type StepFunctions struct {
	StartRate  rate.Rate `yaml:"start_rate" json:"startRate"`
	StartBurst int       `yaml:"start_burst" json:"startBurst"`
	// Definition is an ASL file to run instead of the built-in saga.
	Definition string `yaml:"definition" json:"definition,omitempty"`
	// MockConfig is a mock config in the Step Functions Local format whose
	// test case answers the machine's Task states (with yafdp's
	// extensions: latencies, chances, fakes); TestCase and
	// StateMachineName pick from it, as saga run's flags do.
	MockConfig       string `yaml:"mock_config" json:"mockConfig,omitempty"`
	TestCase         string `yaml:"test_case" json:"testCase,omitempty"`
	StateMachineName string `yaml:"state_machine_name" json:"stateMachineName,omitempty"`
	// ExpressMemoryMB is the memory Express workflows are billed at.
	ExpressMemoryMB int `yaml:"express_memory_mb" json:"expressMemoryMB"`
	// Type is standard (the default) or express: run the saga with
	// Express semantics (express.go).
	Type string `yaml:"type" json:"type,omitempty"`
	// DuplicateStarts is, for express, the chance that a start runs its
	// execution twice (DefaultDuplicateStarts when not set).
	DuplicateStarts *float64 `yaml:"duplicate_starts" json:"duplicateStarts,omitempty"`
}

// Payment is the third-party provider's quota in front of the payment fake.
type Payment struct {
	// TPS is the provider's requests per second; 0 means no quota.
	TPS   rate.Rate `yaml:"tps" json:"tps"`
	Burst int       `yaml:"burst" json:"burst"`
}

// Defaults returns a scenario with every AWS default filled in and no load.
func Defaults() Scenario {
	report := true
	return Scenario{
		Name:     "custom",
		Seed:     1,
		MaxDrain: Duration(time.Hour),
		Arrivals: Arrivals{Process: "poisson"},
		APIGateway: APIGateway{
			RateLimit: rate.PerSecond(10000), Burst: 5000, Kind: "rest",
		},
		Queue: QueueSettings{
			VisibilityTimeout: Duration(30 * time.Second),
			MaxReceiveCount:   3,
			Retention:         Duration(4 * 24 * time.Hour),
		},
		Lambda: Lambda{
			BatchSize:               10,
			AccountConcurrency:      1000,
			InitialConcurrency:      5,
			ScalePerMinute:          300,
			Duration:                Duration(20 * time.Millisecond),
			PerMessage:              Duration(8 * time.Millisecond),
			MemoryMB:                128,
			ReportBatchItemFailures: &report,
		},
		StepFunctions: StepFunctions{StartRate: rate.PerSecond(300), StartBurst: 1300, ExpressMemoryMB: 64},
	}
}

// LoadFile reads a scenario file over the defaults. Unknown keys, values of
// the wrong type and bad values are an *input.Error naming the file, the
// line and the key.
func LoadFile(path string) (Scenario, error) {
	data, err := input.ReadFile(path, input.LimitScenario)
	if err != nil {
		return Scenario{}, err
	}
	s, err := Parse(path, data)
	s.definitionDir = filepath.Dir(path)
	s.mockDir = s.definitionDir
	return s, err
}

// Parse reads a scenario document; name is used in errors.
func Parse(name string, data []byte) (Scenario, error) {
	s := Defaults()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		if errors.Is(err, errEOF) || strings.TrimSpace(string(data)) == "" {
			return Scenario{}, input.Errorf("", "the file is empty").WithFix("see scenarios/steady-500.yaml for an example").At(name, 0)
		}
		return Scenario{}, yamlError(name, data, err)
	}
	// A second document would be ignored: say so instead.
	var more yaml.Node
	if err := dec.Decode(&more); err == nil {
		return Scenario{}, input.Errorf("", "the file holds more than one YAML document (a --- line); a scenario is one").
			WithFix("put each scenario in a file of its own").At(name, more.Line)
	} else if !errors.Is(err, io.EOF) {
		return Scenario{}, yamlError(name, data, err)
	}
	if s.Name == "" || s.Name == "custom" {
		s.Name = strings.TrimSuffix(strings.TrimSuffix(baseName(name), ".yaml"), ".yml")
	}
	if err := s.Validate(); err != nil {
		e := err.(*input.Error)
		return Scenario{}, e.At(name, lineOf(data, e.Field))
	}
	return s, nil
}

var errEOF = errors.New("EOF")

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// yamlError turns the decoder's messages ("yaml: line 4: field foo not found
// in type sim.Lambda") into "FILE:4: unknown key foo in lambda".
func yamlError(name string, data []byte, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		first := te.Errors[0]
		line, msg := splitLine(first)
		if k, in, ok := unknownField(msg); ok {
			return input.Errorf("", "unknown key %q%s", k, in).WithFix("check the spelling against scenarios/README.md").At(name, line)
		}
		if m := wrongType.FindStringSubmatch(msg); m != nil {
			key := keyOnLine(data, line)
			want, ok := typeWords[m[3]]
			if !ok {
				want = m[3]
			}
			if key != "" {
				return input.Errorf(input.Field(key), "%q is not %s", m[2], want).At(name, line)
			}
			return input.Errorf("", "%q is not %s", m[2], want).At(name, line)
		}
		return input.Errorf("", "%s", msg).At(name, line)
	}
	line, msg := splitLine(strings.TrimPrefix(err.Error(), "yaml: "))
	return input.Errorf("", "%s", msg).At(name, line)
}

func splitLine(s string) (int, string) {
	var line int
	if n, _ := fmt.Sscanf(s, "line %d:", &line); n == 1 {
		if i := strings.Index(s, ":"); i >= 0 {
			return line, strings.TrimSpace(s[i+1:])
		}
	}
	return 0, s
}

var sectionOfType = map[string]string{
	"sim.Scenario": "", "sim.Arrivals": " in arrivals", "sim.Phase": " in a phase",
	"sim.APIGateway": " in api_gateway", "sim.QueueSettings": " in queue", "sim.Lambda": " in lambda",
	"sim.StepFunctions": " in step_functions", "sim.Payment": " in payment",
}

func unknownField(msg string) (key, in string, ok bool) {
	var k, typ string
	if n, _ := fmt.Sscanf(msg, "field %s not found in type %s", &k, &typ); n == 2 {
		return k, sectionOfType[typ], true
	}
	return "", "", false
}

// lineOf finds the line of the key a validation error names (such as
// lambda.batch_size), or 0.
func lineOf(data []byte, field input.Field) int {
	parts := strings.Split(string(field), ".")
	key := parts[len(parts)-1]
	if i := strings.IndexByte(key, '['); i >= 0 {
		key = key[:i]
	}
	for i, l := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "- "))
		if strings.HasPrefix(t, key+":") {
			return i + 1
		}
	}
	return 0
}

// Validate checks every setting; the error is an *input.Error naming the
// key and the fix.
func (s *Scenario) Validate() error {
	if err := s.Arrivals.validate(); err != nil {
		return err
	}
	if s.MaxDrain < 0 {
		return input.Errorf("max_drain", "must not be negative")
	}
	if s.APIGateway.RateLimit.PerSecond() <= 0 || s.APIGateway.Burst < 1 {
		return input.Errorf("api_gateway.rate_limit", "must be more than 0 with burst at least 1")
	}
	switch s.APIGateway.Kind {
	case "rest", "http":
	default:
		return input.Errorf("api_gateway.kind", "%q is not an API kind", s.APIGateway.Kind).WithFix("use rest or http")
	}
	q := &s.Queue
	if q.VisibilityTimeout < 0 || q.VisibilityTimeout.D() > 12*time.Hour {
		return input.Errorf("queue.visibility_timeout", "must be between 0s and 12h")
	}
	if q.MaxReceiveCount < 1 || q.MaxReceiveCount > 1000 {
		return input.Errorf("queue.max_receive_count", "must be between 1 and 1000")
	}
	if q.Retention.D() < time.Minute || q.Retention.D() > 14*24*time.Hour {
		return input.Errorf("queue.retention", "must be between 1m and 14d")
	}
	l := &s.Lambda
	switch {
	case l.BatchSize < 1 || l.BatchSize > 10000 || (q.FIFO && l.BatchSize > 10):
		return input.Errorf("lambda.batch_size", "must be between 1 and 10,000 (10 for a FIFO queue)")
	case l.BatchSize > 10 && l.BatchingWindow <= 0:
		return input.Errorf("lambda.batch_size", "above 10 needs a batching_window of at least 1s, as on AWS")
	case l.BatchingWindow < 0 || l.BatchingWindow.D() > 5*time.Minute:
		return input.Errorf("lambda.batching_window", "must be between 0s and 5m")
	case l.MaximumConcurrency != 0 && (l.MaximumConcurrency < 2 || l.MaximumConcurrency > 1000):
		return input.Errorf("lambda.maximum_concurrency", "must be between 2 and 1000, or 0 to leave it unset")
	case l.AccountConcurrency < 1:
		return input.Errorf("lambda.account_concurrency", "must be at least 1")
	case l.InitialConcurrency < 1:
		return input.Errorf("lambda.initial_concurrency", "must be at least 1")
	case l.ScalePerMinute < 0:
		return input.Errorf("lambda.scale_per_minute", "must not be negative")
	case l.Duration < 0 || l.PerMessage < 0:
		return input.Errorf("lambda.duration", "durations must not be negative")
	case l.MemoryMB < 128 || l.MemoryMB > 10240:
		return input.Errorf("lambda.memory_mb", "must be between 128 and 10240")
	}
	sf := &s.StepFunctions
	if sf.StartRate.PerSecond() <= 0 || sf.StartBurst < 1 {
		return input.Errorf("step_functions.start_rate", "must be more than 0 with start_burst at least 1")
	}
	if sf.ExpressMemoryMB < 64 {
		return input.Errorf("step_functions.express_memory_mb", "must be at least 64")
	}
	switch sf.Type {
	case "", TypeStandard:
		if sf.DuplicateStarts != nil {
			return input.Errorf("step_functions.duplicate_starts", "applies to Express workflows only").
				WithFix("set %s to express, or leave it out", input.Field("step_functions.type"))
		}
	case TypeExpress:
		if sf.DuplicateStarts == nil {
			d := DefaultDuplicateStarts
			sf.DuplicateStarts = &d
		}
		if p := *sf.DuplicateStarts; !(p >= 0 && p <= 1) {
			return input.Errorf("step_functions.duplicate_starts", "must be a chance from 0 to 1, not %v", p)
		}
	default:
		return input.Errorf("step_functions.type", "%q is not a workflow type", sf.Type).WithFix("use standard or express")
	}
	if s.Payment.TPS.PerSecond() < 0 || s.Payment.Burst < 0 {
		return input.Errorf("payment.tps", "must not be negative")
	}
	if _, err := s.FakeConfig(); err != nil {
		return err
	}
	return nil
}

// validate checks the arrivals: a process, and one steady rate for a
// duration or phases that are each steady or a ramp.
func (a *Arrivals) validate() error {
	switch a.Process {
	case "poisson", "constant":
	default:
		return input.Errorf("arrivals.process", "%q is not a process", a.Process).WithFix("use poisson or constant")
	}
	if len(a.Phases) > 0 && (!a.Rate.IsZero() || a.Duration != 0) {
		return input.Errorf("arrivals.phases", "give either phases or rate and duration, not both")
	}
	if len(a.Phases) == 0 {
		if a.Duration <= 0 {
			return input.Errorf("arrivals.duration", "must be more than 0, e.g. 10m (or give phases)")
		}
	}
	for i, p := range a.Phases {
		switch {
		case p.For <= 0:
			return input.Errorf(input.Field(fmt.Sprintf("arrivals.phases[%d].for", i)), "must be more than 0, e.g. 5m")
		case p.Rate != nil && (p.From != nil || p.To != nil):
			return input.Errorf(input.Field(fmt.Sprintf("arrivals.phases[%d].rate", i)), "a phase is steady (rate) or a ramp (from, to), not both")
		case p.Rate == nil && (p.From == nil || p.To == nil):
			return input.Errorf(input.Field(fmt.Sprintf("arrivals.phases[%d].rate", i)), "give rate, or from and to for a ramp")
		}
	}
	return nil
}

// FakeConfig builds the fake services' configuration: saga run's realistic
// latencies, then Latency, Faults and the payment quota.
func (s *Scenario) FakeConfig() (saga.FakeConfig, error) {
	cfg := saga.RealisticLatencies()
	for svc, dist := range s.Latency {
		if err := cfg.ApplyLatency(svc + "=" + dist); err != nil {
			return cfg, input.Errorf(input.Field("latency."+svc), "%v", err)
		}
	}
	for i, f := range s.Faults {
		if err := cfg.ApplyFault(f); err != nil {
			return cfg, input.Errorf(input.Field(fmt.Sprintf("faults[%d]", i)), "%v", err)
		}
	}
	if tps := s.Payment.TPS.PerSecond(); tps > 0 {
		cfg.Payment.RatePerSecond = tps
		cfg.Payment.Burst = s.Payment.Burst
		if cfg.Payment.Burst == 0 {
			cfg.Payment.Burst = max(1, int(tps))
		}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, input.Errorf("faults", "%v", err)
	}
	return cfg, nil
}

// ArrivalDuration is how long orders arrive.
func (s *Scenario) ArrivalDuration() time.Duration {
	if len(s.Arrivals.Phases) == 0 {
		return s.Arrivals.Duration.D()
	}
	var d time.Duration
	for _, p := range s.Arrivals.Phases {
		d += p.For.D()
	}
	return d
}

// UnmarshalYAML reads a duration from a scalar, with its line in errors.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if err := d.Set(n.Value); err != nil {
		return fmt.Errorf("line %d: %v", n.Line, err)
	}
	return nil
}

// wrongType matches the decoder's "cannot unmarshal !!str `lots` into int".
var wrongType = regexp.MustCompile("^cannot unmarshal !!(\\w+) `(.*)` into (.+)$")

// typeWords says what a Go type is in a scenario file.
var typeWords = map[string]string{
	"int": "a whole number", "uint64": "a whole number of 0 or more", "float64": "a number", "bool": "true or false",
	"string": "text", "[]string": "a list (one item a line, each after \"- \")", "map[string]string": "a mapping of names to values",
	"[]sim.Phase": "a list of phases",
}

// keyOnLine is the key on a line of a YAML document ("  rate: 5/s" is
// rate, "- for: 1m" is for), or "".
func keyOnLine(data []byte, line int) string {
	lines := strings.Split(string(data), "\n")
	if line < 1 || line > len(lines) {
		return ""
	}
	l := strings.TrimLeft(strings.TrimSpace(lines[line-1]), "- ")
	k, _, ok := strings.Cut(l, ":")
	if !ok || strings.ContainsAny(k, " \"'") {
		return ""
	}
	return k
}
