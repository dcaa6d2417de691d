package teststate_test

import (
	"context"
	"errors"
	"testing"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/corpus/teststatecases"
	"github.com/yafdp/yafdp/internal/asl/teststate"
	"github.com/yafdp/yafdp/internal/clock"
)

// TestConformance runs the TestState calls recorded against AWS
// (../shared/conformance-tasks, kind "test_state") through the engine and
// compares status, output, error, cause, next state and inspection data,
// or the exception a bad request got, with AWS's. A case yafdp cannot
// match is listed, with the reason, in
// ../testdata/conformance-teststate-cannot.txt.
func TestConformance(t *testing.T) {
	cases, cannot := teststatecases.Load(t)
	passed := 0
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			if reason, ok := cannot[c.Name]; ok {
				t.Skipf("cannot match: %s", reason)
			}
			req := teststatecases.RequestOf(t, c)
			eng := &asl.Engine{Clock: clock.NewVirtual(clock.Epoch), Seed: 1}
			res, err := teststate.Run(context.Background(), req, teststate.Options{Engine: eng})
			var te *teststate.Error
			switch {
			case err == nil:
				teststatecases.Check(t, c, res, "", "")
			case errors.As(err, &te):
				teststatecases.Check(t, c, nil, te.Code, te.Message)
			default:
				t.Fatal(err)
			}
			if !t.Failed() {
				passed++
			}
		})
	}
	t.Logf("%d of %d TestState cases pass (%d listed as not matchable)", passed, len(cases), len(cannot))
}
