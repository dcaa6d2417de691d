package saga

import (
	"fmt"
	"sort"
	"strings"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/input"
	"github.com/yafdp/yafdp/internal/mockconfig"
)

// MockOptions pick a test case of a mock config in the Step Functions
// Local format for a state machine.
type MockOptions struct {
	// File is the mock config's path.
	File string
	// Machine is the state machine of the config to use; "" picks the one
	// it names, or the one named as the definition.
	Machine string
	// TestCase is the test case to run; "" picks the state machine's only
	// one.
	TestCase string
}

// LoadMock reads the mock config, picks its state machine and test case,
// and checks that every state the config mocks for that machine is a Task
// of m (a state machine named defName). Its errors are *input.Error on the
// fields mock_config, state_machine_name and test_case.
func LoadMock(opts MockOptions, m *asl.StateMachine, defName string) (*mockconfig.Case, error) {
	cfg, err := mockconfig.Load(opts.File)
	if err != nil {
		if e, ok := input.As(err); ok && e.Field == "" {
			// The file as a whole: name the option that gave it.
			return nil, input.Errorf("mock_config", "%s: %s", e.File, e.Problem)
		}
		return nil, err
	}
	machine, err := pickMachine(cfg, opts.Machine, defName)
	if err != nil {
		return nil, err
	}
	if err := cfg.Check(machine, mockconfig.KindsOf(m)); err != nil {
		return nil, err
	}
	if err := cfg.CheckFakes(IsFake, FakeNames()); err != nil {
		return nil, err
	}
	testCase, err := pickTestCase(cfg, machine, opts.TestCase)
	if err != nil {
		return nil, err
	}
	return cfg.Case(machine, testCase)
}

func pickMachine(cfg *mockconfig.Config, name, defName string) (string, error) {
	names := sortedNames(cfg.StateMachines)
	switch {
	case name != "":
		if _, ok := cfg.StateMachines[name]; !ok {
			return "", input.Errorf("state_machine_name", "the mock config %s names no state machine %q; it has %s", cfg.File(), name, quoted(names))
		}
		return name, nil
	case len(names) == 1:
		return names[0], nil
	}
	if _, ok := cfg.StateMachines[defName]; ok {
		return defName, nil
	}
	return "", input.Errorf("state_machine_name", "the mock config %s names %d state machines (%s) and none is %q", cfg.File(), len(names), quoted(names), defName).
		WithFix("name the one to use with %s", input.Field("state_machine_name"))
}

func pickTestCase(cfg *mockconfig.Config, machine, name string) (string, error) {
	cases := sortedNames(cfg.StateMachines[machine].TestCases)
	switch {
	case name != "":
		if _, ok := cfg.StateMachines[machine].TestCases[name]; !ok {
			return "", input.Errorf("test_case", "the state machine %q of %s has no test case %q; it has %s", machine, cfg.File(), name, quoted(cases))
		}
		return name, nil
	case len(cases) == 1:
		return cases[0], nil
	}
	return "", input.Errorf("test_case", "the state machine %q of %s has %d test cases (%s)", machine, cfg.File(), len(cases), quoted(cases)).
		WithFix("name the one to run with %s", input.Field("test_case"))
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func quoted(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	if len(q) == 0 {
		return "none"
	}
	return strings.Join(q, ", ")
}

// mockRun starts counting the invocations of k's states by the execution
// name, with the draws of its extensions made from seed and its Fakes
// answered by fake (a Fakes' Fake); nil for no mock.
func mockRun(k *mockconfig.Case, seed uint64, name string, fake func(string) asl.TaskHandler) asl.TaskMock {
	if k == nil {
		return nil
	}
	return k.NewRun(mockconfig.RunOptions{Seed: seed, Execution: name, Fake: fake})
}
