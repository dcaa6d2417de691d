package asl_test

import (
	"context"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/corpus"
	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/mockconfig"
)

// TestConformanceTasks runs the Task executions recorded against AWS
// (../shared/conformance-tasks, kind "execution"), each answered by its
// mock config in the Step Functions Local format, and compares status,
// output, error, cause and the event types with AWS's. A case this engine
// deliberately does not match is listed, with the reason, in
// testdata/conformance-tasks-judged-wrong.txt.
func TestConformanceTasks(t *testing.T) {
	cases := corpus.LoadDir(t, corpus.SharedDir(t, "conformance-tasks", ""))
	wrong := corpus.JudgedWrong(t, filepath.Join("testdata", "conformance-tasks-judged-wrong.txt"))
	passed, total := 0, 0
	for i := range cases {
		c := &cases[i]
		if c.Kind != "execution" {
			continue
		}
		total++
		t.Run(c.Name, func(t *testing.T) {
			if reason, ok := wrong[c.Name]; ok {
				t.Skipf("judged wrong: %s", reason)
			}
			runTaskCase(t, c)
			if !t.Failed() {
				passed++
			}
		})
	}
	t.Logf("%d of %d Task executions pass (%d judged wrong)", passed, total, len(wrong))
}

func runTaskCase(t *testing.T, c *corpus.Case) {
	t.Helper()
	m, err := asl.Parse(c.Definition)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	machine, mc := caseMock(t, c)
	vc := clock.NewVirtual(clock.Epoch)
	eng := &asl.Engine{Clock: vc, Seed: 1}
	x, err := eng.Start(context.Background(), m, asl.StartOptions{Name: "conformance", Input: corpus.Decode(t, c.Input), StateMachineName: machine, Mock: mc.NewRun()})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	vc.Run()
	status, output, errName, cause := x.Result()
	if string(status) != c.Expected.Status {
		t.Fatalf("status %s (error %q, cause %q), want %s", status, errName, cause, c.Expected.Status)
	}
	if status == asl.StatusSucceeded {
		checkOutput(t, c, output)
	} else {
		checkFailure(t, c, errName, cause)
	}
	checkEvents(t, c, x)
}

// caseMock is the test case that answers a case's Tasks: the one derived
// from the recorded history, which reproduces the recording exactly, but
// where that history was reshaped by the recording tool and lost a mocked
// state (the case's notes say so), the case's own.
func caseMock(t *testing.T, c *corpus.Case) (string, *mockconfig.Case) {
	t.Helper()
	own := load(t, c.MockConfig, c.TestCase)
	if c.MockFromHistory == nil {
		return own.Machine, own
	}
	recorded := load(t, c.MockFromHistory, "recorded")
	for _, state := range own.States() {
		if !recorded.Mocks(state) {
			return own.Machine, own
		}
	}
	return recorded.Machine, recorded
}

func load(t *testing.T, raw []byte, testCase string) *mockconfig.Case {
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
		return k
	}
	t.Fatal("the mock config names no state machine")
	return nil
}

func checkOutput(t *testing.T, c *corpus.Case, output any) {
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

func checkFailure(t *testing.T, c *corpus.Case, errName, cause string) {
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

// checkEvents compares the event types; where branches or iterations
// interleave (events_order_may_vary), as a multiset.
func checkEvents(t *testing.T, c *corpus.Case, x *asl.Execution) {
	t.Helper()
	if c.Expected.Events == nil {
		return
	}
	var got []string
	for _, e := range x.Events() {
		got = append(got, string(e.Type))
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
