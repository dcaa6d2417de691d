package saga

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/corpus"
	"github.com/yafdp/yafdp/internal/cli/clitest"
	"github.com/yafdp/yafdp/internal/cli/cmdutil"
	"github.com/yafdp/yafdp/internal/config"
	"github.com/yafdp/yafdp/internal/mockconfig"
)

func TestMockConfigFlags(t *testing.T) {
	f, _ := clitest.NewFactory(nil)
	var got *MockConfigOptions
	capture := func(_ context.Context, o *MockConfigOptions) error { got = o; return nil }
	if err := clitest.Exec(NewCmdMockConfig(f, capture), "--definition", "s.json"); err != nil {
		t.Fatal(err)
	}
	if got.Definition != "s.json" || got.StateMachine != "" || got.TestCase != "HappyPath" {
		t.Errorf("defaults: %+v", got)
	}
	if err := clitest.Exec(NewCmdMockConfig(f, capture), "--definition", "s.json", "--state-machine-name", "Orders", "--test-case", "Declined"); err != nil {
		t.Fatal(err)
	}
	if got.StateMachine != "Orders" || got.TestCase != "Declined" {
		t.Errorf("flags: %+v", got)
	}
	for _, args := range [][]string{
		{},
		{"--definition", "s.json", "--test-case", ""},
		{"--definition", "s.json", "--state-machine-name", ""},
		{"--definition", "s.json", "extra"},
	} {
		err := clitest.Exec(NewCmdMockConfig(f, capture), args...)
		var ue *cmdutil.UsageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}

func TestMockConfigGolden(t *testing.T) {
	for _, format := range []string{"table", "jsonl"} {
		f, streams := clitest.NewFactory(&config.Config{Output: format})
		err := clitest.Exec(NewCmdMockConfig(f, nil), "--definition", filepath.Join("testdata", "mockconfig.asl.json"))
		if err != nil {
			t.Fatal(err)
		}
		clitest.Golden(t, "mockconfig."+format+".golden", streams.Out.Bytes())
		clitest.Golden(t, "mockconfig.stderr.golden", streams.ErrOut.Bytes())
		if format == "jsonl" && bytes.Count(streams.Out.Bytes(), []byte("\n")) != 1 {
			t.Errorf("jsonl is one line")
		}
		c, err := mockconfig.Parse(streams.Out.Bytes())
		if err != nil {
			t.Fatalf("%s: the output does not parse: %v", format, err)
		}
		m, _ := asl.Parse(mustRead(t, filepath.Join("testdata", "mockconfig.asl.json")))
		if err := c.Check("mockconfig", stateKinds(m)); err != nil {
			t.Errorf("%s: %v", format, err)
		}
	}
}

func TestMockConfigBadInput(t *testing.T) {
	dir := t.TempDir()
	noTask := filepath.Join(dir, "pass.json")
	_ = os.WriteFile(noTask, []byte(`{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}`), 0o644)
	invalid := filepath.Join(dir, "invalid.json")
	_ = os.WriteFile(invalid, []byte(`{"StartAt": "Nowhere", "States": {"P": {"Type": "Pass", "End": true}}}`), 0o644)
	for file, want := range map[string]string{
		noTask:                             "--definition: " + noTask + " has no Task state",
		invalid:                            "saga validate " + invalid,
		filepath.Join(dir, "missing.json"): "no such file",
	} {
		f, streams := clitest.NewFactory(nil)
		err := clitest.Exec(NewCmdMockConfig(f, nil), "--definition", file)
		var ue *cmdutil.UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line with %q", file, err, want)
		}
		if streams.Out.Len() != 0 {
			t.Errorf("%s: wrote %q on bad input", file, streams.Out)
		}
	}
}

// TestMockConfigCorpus writes a starter for every definition of the Task
// corpus recorded against AWS: each parses and passes Check against its
// definition, and mocks every Task state.
func TestMockConfigCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpus.SharedDir(t, "conformance-tasks", ""), "cases", "*.json"))
	tmp := t.TempDir()
	written := 0
	for _, file := range files {
		def, ok := corpusDefinition(t, file)
		if !ok {
			continue
		}
		path := filepath.Join(tmp, "machine.json")
		if err := os.WriteFile(path, def, 0o644); err != nil {
			t.Fatal(err)
		}
		f, streams := clitest.NewFactory(&config.Config{Output: "json"})
		if err := clitest.Exec(NewCmdMockConfig(f, nil), "--definition", path); err != nil {
			t.Errorf("%s: %v", filepath.Base(file), err)
			continue
		}
		c, err := mockconfig.Parse(streams.Out.Bytes())
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(file), err)
			continue
		}
		m, _ := asl.Parse(def)
		if err := c.Check("machine", stateKinds(m)); err != nil {
			t.Errorf("%s: %v", filepath.Base(file), err)
		}
		if got, want := len(c.StateMachines["machine"].TestCases["HappyPath"].States), len(m.Tasks()); got != want {
			t.Errorf("%s: %d states mocked, %d Task states", filepath.Base(file), got, want)
		}
		written++
	}
	if written < 100 {
		t.Errorf("wrote %d starters, want one for each of the corpus's 119 executions", written)
	}
}

// corpusDefinition returns the definition of an execution case that
// yafdp's engine accepts.
func corpusDefinition(t *testing.T, file string) ([]byte, bool) {
	t.Helper()
	var c struct {
		Kind       string          `json:"kind"`
		Definition json.RawMessage `json:"definition"`
	}
	if err := json.Unmarshal(mustRead(t, file), &c); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if c.Kind != "execution" {
		return nil, false
	}
	if _, err := asl.Parse(c.Definition); err != nil {
		t.Logf("%s: the engine does not take this definition: %v", filepath.Base(file), err)
		return nil, false
	}
	return c.Definition, true
}

// stateKinds tells mockconfig.Check what m has under a state name.
func stateKinds(m *asl.StateMachine) func(string) mockconfig.StateKind {
	kinds := map[string]mockconfig.StateKind{}
	var walk func(*asl.StateMachine)
	walk = func(m *asl.StateMachine) {
		for name, s := range m.States {
			kinds[name] = mockconfig.OtherState
			if s.Type == asl.TypeTask {
				kinds[name] = mockconfig.TaskState
			}
			for _, b := range s.Branches {
				walk(b)
			}
			if s.Processor != nil {
				walk(s.Processor)
			}
		}
	}
	walk(m)
	return func(name string) mockconfig.StateKind { return kinds[name] }
}

func mustRead(t *testing.T, file string) []byte {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
