package asl_test

import (
	"context"
	"testing"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/corpus"
	"github.com/yafdp/yafdp/internal/asl/corpus/taskcases"
	"github.com/yafdp/yafdp/internal/clock"
	"github.com/yafdp/yafdp/internal/mockconfig"
)

// TestConformanceTasks runs the Task executions recorded against AWS
// (../shared/conformance-tasks, kind "execution") through the engine, each
// answered by its mock config in the Step Functions Local format, and
// compares status, output, error, cause and the event types with AWS's. A
// case yafdp deliberately does not match is listed, with the reason, in
// testdata/conformance-tasks-judged-wrong.txt.
func TestConformanceTasks(t *testing.T) {
	cases, judged := taskcases.Load(t)
	passed := 0
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			if reason, ok := judged[c.Name]; ok {
				t.Skipf("judged wrong: %s", reason)
			}
			runTaskCase(t, c)
			if !t.Failed() {
				passed++
			}
		})
	}
	t.Logf("%d of %d Task executions pass (%d judged wrong)", passed, len(cases), len(judged))
}

func runTaskCase(t *testing.T, c *corpus.Case) {
	t.Helper()
	m, err := asl.Parse(c.Definition)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	mock := taskcases.MockOf(t, c)
	vc := clock.NewVirtual(clock.Epoch)
	eng := &asl.Engine{Clock: vc, Seed: 1}
	x, err := eng.Start(context.Background(), m, asl.StartOptions{Name: "conformance", Input: corpus.Decode(t, c.Input), StateMachineName: mock.Machine, Mock: mock.Case.NewRun(mockconfig.RunOptions{})})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	vc.Run()
	status, output, errName, cause := x.Result()
	var events []string
	for _, e := range x.Events() {
		events = append(events, string(e.Type))
	}
	taskcases.Check(t, c, taskcases.Result{Status: string(status), Output: output, Error: errName, Cause: cause, Events: events})
}
