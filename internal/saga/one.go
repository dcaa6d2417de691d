package saga

import (
	"context"
	"fmt"
	"strings"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/input"
	"github.com/yafdp/yafdp/internal/mockconfig"
	"github.com/yafdp/yafdp/internal/order"
)

// NewClock returns the clock a local run uses: the real one, or a virtual
// one from clock.Epoch on which back-offs and latencies cost no wall time.
func NewClock(virtual bool) clock.Clock {
	if virtual {
		return clock.NewVirtual(clock.Epoch)
	}
	return clock.Real{}
}

// OneOptions configure RunOne.
type OneOptions struct {
	// Machine is the state machine to run; nil runs the built-in saga.
	Machine *asl.StateMachine
	// MachineName names it in ARNs; StateMachineName by default.
	MachineName string
	// Input is the execution's input as a value.
	Input any
	// Faults configure the fake services.
	Faults FakeConfig
	// Seed drives the fakes' faults and latencies and retry jitter.
	Seed uint64
	// Virtual runs on the virtual clock.
	Virtual bool
	// Mock, when set, answers the Task states it mocks.
	Mock *mockconfig.Case
	// Objects, when set, is where Distributed Map states read their items
	// and write their results.
	Objects asl.ObjectStore
}

// RunOne runs one execution against the fake services until it ends, and
// returns it. A cancelled ctx stops it as yafdp.Interrupted. An input the
// machine cannot start with is an *input.Error on the field "input".
func RunOne(ctx context.Context, opts OneOptions) (*asl.Execution, error) {
	m := opts.Machine
	if m == nil {
		var err error
		if m, err = BuiltIn(); err != nil {
			return nil, err
		}
	}
	name := opts.MachineName
	if name == "" {
		name = StateMachineName
	}
	clk := NewClock(opts.Virtual)
	fakes := NewFakes(opts.Faults, clk, opts.Seed)
	eng := &asl.Engine{Clock: clk, Resources: fakes.Resources(), Seed: opts.Seed, Objects: opts.Objects}
	xname := executionName(opts.Input)
	x, err := eng.Start(ctx, m, asl.StartOptions{Name: xname, Input: opts.Input, StateMachineName: name, Mock: mockRun(opts.Mock, opts.Seed, xname, fakes.Fake)})
	if err != nil {
		return nil, input.Errorf("input", "%v", err)
	}
	if vc, ok := clk.(*clock.Virtual); ok {
		for !x.Done() && ctx.Err() == nil && vc.Step() {
		}
		if !x.Done() && ctx.Err() != nil {
			x.Stop("yafdp.Interrupted", "the run was interrupted")
		}
	} else if err := x.Wait(ctx); err != nil {
		x.Stop("yafdp.Interrupted", "the run was interrupted")
		_ = x.Wait(context.Background())
	}
	return x, nil
}

// executionName is the input's orderId when it has one (the saga's
// idempotency key), as the new-order Lambda names executions.
func executionName(in any) string {
	if m, ok := in.(map[string]any); ok {
		if id, ok := m["orderId"].(string); ok && id != "" && len(id) <= 80 {
			return id
		}
	}
	return "yafdp-run"
}

// ParseInput reads an execution's input, JSON named what in errors, and
// checks it is no larger than Step Functions takes. When forBuiltIn, it
// must also be a valid order message, as order submit checks one: a typo
// is then a clear error, not a States.Runtime failure three states in.
func ParseInput(data []byte, what string, forBuiltIn bool) (any, error) {
	if strings.TrimSpace(string(data)) == "" {
		return nil, fmt.Errorf("%s is empty; give a JSON value such as '{\"orderId\":\"ord_1\"}' or @order.json", what)
	}
	v, err := value.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s is not valid JSON: %v", what, err)
	}
	if n := value.EncodedSize(v); n > asl.MaxPayloadBytes {
		return nil, fmt.Errorf("%s is %d bytes; Step Functions accepts at most %d", what, n, asl.MaxPayloadBytes)
	}
	if forBuiltIn {
		if err := checkOrder(v); err != nil {
			return nil, fmt.Errorf("not a valid order for the built-in saga: %v", err)
		}
	}
	return v, nil
}

func checkOrder(v any) error {
	data, err := value.Encode(v)
	if err != nil {
		return err
	}
	o, err := order.Decode(data)
	if err != nil {
		return err
	}
	return o.Validate()
}

// DefinitionFile is an ASL document read from a file, to run instead of
// the built-in saga.
type DefinitionFile struct {
	// Source is the document as read.
	Source  []byte
	Machine *asl.StateMachine
	// Name names the state machine after the file: its base name without
	// .json and .asl, in letters, digits, - and _ ("custom" if none).
	Name string
}

// LoadDefinition reads and parses the ASL document in path. Both a file
// that cannot be read and a document that does not parse are an
// *input.Error on the field "definition".
func LoadDefinition(path string) (*DefinitionFile, error) {
	data, err := input.ReadFile(path, input.LimitASL)
	if err != nil {
		return nil, input.Errorf("definition", "%v", err)
	}
	m, err := asl.Parse(data)
	if err != nil {
		return nil, input.Errorf("definition", "%s: %v", path, err).WithFix("run 'yafdp saga validate %s' for every problem", path)
	}
	return &DefinitionFile{Source: data, Machine: m, Name: machineNameFromFile(path)}, nil
}

func machineNameFromFile(path string) string {
	base := path
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	base = strings.TrimSuffix(strings.TrimSuffix(base, ".json"), ".asl")
	var b strings.Builder
	for _, r := range base {
		if r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "custom"
	}
	return b.String()
}

// ApplySpecs applies faults (SERVICE.KIND=VALUE) and latencies
// (SERVICE=DIST), as saga run's --fault and --latency give them, and
// checks the result. A bad one is an *input.Error on the field "fault" or
// "latency".
func (c *FakeConfig) ApplySpecs(faults, latencies []string) error {
	for _, spec := range faults {
		if err := c.ApplyFault(spec); err != nil {
			return input.Errorf("fault", "%v", err)
		}
	}
	for _, spec := range latencies {
		if err := c.ApplyLatency(spec); err != nil {
			return input.Errorf("latency", "%v", err)
		}
	}
	if err := c.Validate(); err != nil {
		return input.Errorf("fault", "%v", err)
	}
	return nil
}
