package taskcases

import (
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/yafdp/yafdp/internal/asl/corpus"
	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/mockconfig"
)

// Load returns the execution cases of the Task corpus and the ones yafdp
// deliberately does not match (judged), by name with the reason, from the
// list kept with the engine's tests.
func Load(t testing.TB) (cases []*corpus.Case, judged map[string]string) {
	t.Helper()
	all := corpus.LoadDir(t, corpus.SharedDir(t, "conformance-tasks", ""))
	for i := range all {
		if all[i].Kind == "execution" {
			cases = append(cases, &all[i])
		}
	}
	return cases, corpus.JudgedWrong(t, filepath.Join(corpus.Root(t), "internal", "asl", "testdata", "conformance-tasks-judged-wrong.txt"))
}

// Mock is the mock config and test case that answer a case's Tasks: the
// one derived from the recorded history, which reproduces the recording
// exactly, but where that history was reshaped by the recording tool and
// lost a mocked state (the case's notes say so), the case's own. raw is
// the config as written, for tools that read files.
type Mock struct {
	Raw      []byte
	Config   *mockconfig.Config
	Machine  string
	TestCase string
	Case     *mockconfig.Case
}

// MockOf picks the mock of case c.
func MockOf(t testing.TB, c *corpus.Case) Mock {
	t.Helper()
	own := load(t, c.MockConfig, c.TestCase)
	if c.MockFromHistory == nil {
		return own
	}
	recorded := load(t, c.MockFromHistory, "recorded")
	for _, state := range own.Case.States() {
		if !recorded.Case.Mocks(state) {
			return own
		}
	}
	return recorded
}

func load(t testing.TB, raw []byte, testCase string) Mock {
	t.Helper()
	cfg, err := mockconfig.Parse(raw)
	if err != nil {
		t.Fatalf("mock config: %v", err)
	}
	for name := range cfg.StateMachines {
		k, err := cfg.Case(name, testCase)
		if err != nil {
			t.Fatal(err)
		}
		return Mock{Raw: raw, Config: cfg, Machine: name, TestCase: testCase, Case: k}
	}
	t.Fatal("the mock config names no state machine")
	return Mock{}
}

// Result is an execution's outcome as a runner saw it.
type Result struct {
	Status       string
	Output       any // decoded JSON, when SUCCEEDED
	Error, Cause string
	Events       []string // event types, in order
}

// Check compares r with the case's recording: status; output, or error
// and cause; and event types (as a multiset where branches or iterations
// interleave, events_order_may_vary).
func Check(t testing.TB, c *corpus.Case, r Result) {
	t.Helper()
	if r.Status != c.Expected.Status {
		t.Fatalf("status %s (error %q, cause %q), want %s", r.Status, r.Error, r.Cause, c.Expected.Status)
	}
	if r.Status == "SUCCEEDED" {
		checkOutput(t, c, r.Output)
	} else {
		checkFailure(t, c, r.Error, r.Cause)
	}
	checkEvents(t, c, r.Events)
}

func checkOutput(t testing.TB, c *corpus.Case, output any) {
	t.Helper()
	if len(c.Expected.Output) == 0 {
		return // the recording kept no output to compare (the case's notes say why)
	}
	want := corpus.Decode(t, c.Expected.Output)
	if c.Expected.OutputPartial {
		if !corpus.Subset(want, output) {
			t.Errorf("output %s does not contain %s", value.MustEncodeString(output), value.MustEncodeString(want))
		}
	} else if !value.Equal(want, output) {
		t.Errorf("output\n got %s\nwant %s", value.MustEncodeString(output), value.MustEncodeString(want))
	}
}

func checkFailure(t testing.TB, c *corpus.Case, errName, cause string) {
	t.Helper()
	if c.Expected.Error != nil && errName != *c.Expected.Error {
		t.Errorf("error %q, want %q", errName, *c.Expected.Error)
	}
	if c.Expected.Cause == nil {
		return
	}
	if c.Expected.CauseIsJSON {
		got, err := value.DecodeString(cause)
		want, _ := value.DecodeString(string(*c.Expected.Cause))
		if err != nil || !value.Equal(got, want) {
			t.Errorf("cause (JSON)\n got %s\nwant %s", cause, *c.Expected.Cause)
		}
		return
	}
	if cause != string(*c.Expected.Cause) {
		t.Errorf("cause\n got %q\nwant %q", cause, *c.Expected.Cause)
	}
}

func checkEvents(t testing.TB, c *corpus.Case, got []string) {
	t.Helper()
	if c.Expected.Events == nil {
		return
	}
	want := c.Expected.Events
	if c.EventsMayVary {
		got, want = slices.Clone(got), slices.Clone(want)
		sort.Strings(got)
		sort.Strings(want)
	}
	if !slices.Equal(got, want) {
		t.Errorf("events\n got %v\nwant %v", got, want)
	}
}
