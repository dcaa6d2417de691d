package asl

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/yafdp/yafdp/internal/asl/corpus"
	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/clock"
)

// TestConformanceCorpus runs every execution recorded against AWS Step
// Functions in ../shared/conformance through the engine and compares status,
// output, error, cause and the event types in order. A case this engine
// deliberately does not match must be listed, with the reason, in
// testdata/conformance-judged-wrong.txt; the comparison itself is never
// loosened.
func TestConformanceCorpus(t *testing.T) { runCorpus(t, corpus.Load(t), HistoryFull) }

// TestConformanceJSONata runs the executions recorded against AWS that use
// JSONata and workflow variables (../shared/conformance-jsonata) the same
// way, with and without history.
func TestConformanceJSONata(t *testing.T) {
	cases := corpus.LoadDir(t, corpus.SharedDir(t, "conformance-jsonata", ""))
	t.Run("history", func(t *testing.T) { runCorpus(t, cases, HistoryFull) })
	t.Run("nohistory", func(t *testing.T) { runCorpus(t, cases, HistoryNone) })
}

// TestConformanceCorpusWithoutHistory runs the corpus again keeping no
// history, as a Pool's executions run: frames then own the objects their
// ResultPaths build and change them in place (see frame.owned), which must
// not change any result, nor the execution input.
func TestConformanceCorpusWithoutHistory(t *testing.T) { runCorpus(t, corpus.Load(t), HistoryNone) }

// runCorpus runs every case of the corpus with the engine keeping mode of
// history, skipping the cases listed as judged wrong.
func runCorpus(t *testing.T, cases []corpus.Case, mode HistoryMode) {
	wrong := corpus.JudgedWrong(t, filepath.Join("testdata", "conformance-judged-wrong.txt"))
	passed := 0
	for i := range cases {
		c := &cases[i]
		t.Run(c.Name, func(t *testing.T) {
			if reason, ok := wrong[c.Name]; ok {
				t.Skipf("judged wrong: %s", reason)
			}
			runConformanceCase(t, c, mode)
			if !t.Failed() {
				passed++
			}
		})
	}
	t.Logf("%d of %d corpus cases pass (%d judged wrong)", passed, len(cases), len(wrong))
}

func runConformanceCase(t *testing.T, c *corpus.Case, mode HistoryMode) {
	t.Helper()
	m, err := Parse(c.Definition)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	input := corpus.Decode(t, c.Input)
	inputBefore := value.MustEncodeString(input)
	vc := clock.NewVirtual(clock.Epoch)
	eng := &Engine{Clock: vc, Seed: 1, History: mode}
	x, err := eng.Start(context.Background(), m, StartOptions{Name: "conformance", Input: input, StateMachineName: "Conformance"})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	vc.Run()
	if got := value.MustEncodeString(input); got != inputBefore {
		t.Errorf("the execution changed its input:\n got %s\nwant %s", got, inputBefore)
	}
	status, output, errName, cause := x.Result()
	if string(status) != c.Expected.Status {
		t.Fatalf("status %s (error %q, cause %q), want %s", status, errName, cause, c.Expected.Status)
	}
	if status == StatusSucceeded {
		want := corpus.Decode(t, c.Expected.Output)
		if c.Expected.OutputPartial {
			if !corpus.Subset(want, output) {
				t.Errorf("output %s does not contain %s", value.MustEncodeString(output), value.MustEncodeString(want))
			}
		} else if !value.Equal(want, output) {
			t.Errorf("output\n got %s\nwant %s", value.MustEncodeString(output), value.MustEncodeString(want))
		}
	} else {
		wantErr := ""
		if c.Expected.Error != nil {
			wantErr = *c.Expected.Error
		}
		if _, masked := c.Masked["error"]; !masked && errName != wantErr {
			t.Errorf("error %q, want %q", errName, wantErr)
		}
		switch {
		case c.Expected.Cause != nil:
			if cause != string(*c.Expected.Cause) {
				t.Errorf("cause\n got %q\nwant %q", cause, *c.Expected.Cause)
			}
		case c.Masked["cause"] != nil:
			if pattern, ok := c.Masked["cause"].(string); ok && !corpus.MatchMaskedString(pattern, cause) {
				t.Errorf("cause\n got %q\nwant %q (placeholders match anything)", cause, pattern)
			}
		default:
			if cause != "" {
				t.Errorf("cause %q, want none", cause)
			}
		}
	}
	if c.Expected.Events != nil && mode == HistoryFull {
		var got []string
		for _, e := range x.Events() {
			got = append(got, string(e.Type))
		}
		// Exact order, even where the corpus allows branch interleavings to
		// vary: instant branches run one after another, as AWS recorded.
		if !slices.Equal(got, c.Expected.Events) {
			t.Errorf("events\n got %v\nwant %v", got, c.Expected.Events)
		}
	}
}
