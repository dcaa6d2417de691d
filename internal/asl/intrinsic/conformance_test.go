package intrinsic

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/yafdp/yafdp/internal/asl/corpus"
	"github.com/yafdp/yafdp/internal/asl/jsonpath"
	"github.com/yafdp/yafdp/internal/asl/states"
	"github.com/yafdp/yafdp/internal/asl/value"
)

// passFields are the fields a single Pass state may have for its case to be
// checked here: the template does the work, and the I/O paths around it are
// plain JSONPath that the test applies itself.
var passFields = []string{"Type", "Parameters", "End", "Comment", "InputPath", "ResultPath", "OutputPath"}

// TestConformance evaluates the Parameters template of every corpus case
// whose definition is one Pass state with Parameters and End:true, and
// compares the result with what AWS returned.
func TestConformance(t *testing.T) {
	cases := corpus.Load(t)
	wrong := corpus.JudgedWrong(t, filepath.Join("testdata", "judged-wrong.txt"))
	ran := 0
	for i := range cases {
		c := &cases[i]
		name, state, ok := singlePassState(t, c)
		if !ok {
			if strings.HasPrefix(c.Name, "intrinsic_") {
				t.Errorf("%s: an intrinsic_* case is not a single Pass state with Parameters; the selection is wrong", c.Name)
			}
			continue
		}
		ran++
		t.Run(c.Name, func(t *testing.T) {
			err := runCase(t, c, name, state)
			reason, judged := wrong[c.Name]
			switch {
			case judged && err == nil:
				t.Errorf("listed in testdata/judged-wrong.txt (%s) but passes: remove it from the list", reason)
			case judged:
				t.Skipf("judged wrong (%s): %v", reason, err)
			case err != nil:
				t.Error(err)
			}
		})
	}
	t.Logf("%d corpus cases are single Pass states with Parameters", ran)
}

// caseError is how runCase reports a mismatch, so that judged-wrong cases
// can be told apart from test bugs.
type caseError struct{ msg string }

func (e *caseError) Error() string { return e.msg }

func mismatch(format string, a ...any) error {
	return &caseError{msg: fmt.Sprintf(format, a...)}
}

func runCase(t *testing.T, c *corpus.Case, stateName string, state map[string]any) error {
	t.Helper()
	input := corpus.Decode(t, c.Input)
	const machine = "yafdp-conformance"
	ctx := contextObject(input, machine, c.Name, stateName)

	effective := input
	if ip, ok := state["InputPath"].(string); ok {
		v, err := jsonpath.MustCompile(ip).Get(input)
		if err != nil {
			t.Fatalf("InputPath %s: %v", ip, err)
		}
		effective = v
	}

	tmpl, err := CompileTemplate(state["Parameters"])
	if err != nil {
		return mismatch("CompileTemplate: %v", err)
	}
	env := &Env{Input: effective, Context: ctx, Rand: rand.New(rand.NewPCG(1, 2))}
	result, evalErr := tmpl.Eval(env)

	masked := c.Masked

	switch c.Expected.Status {
	case "FAILED":
		var se *states.Error
		if !errors.As(evalErr, &se) {
			return mismatch("expected the error %v, got result %s and error %v", deref(c.Expected.Error), value.MustEncodeString(result), evalErr)
		}
		if c.Expected.Error != nil && se.Name != *c.Expected.Error {
			return mismatch("error name: got %q, want %q (cause %q)", se.Name, *c.Expected.Error, se.Cause)
		}
		if c.Expected.Cause != nil && se.Cause != stripEnginePrefix(string(*c.Expected.Cause)) {
			return mismatch("cause:\n got %q\nwant %q", se.Cause, stripEnginePrefix(string(*c.Expected.Cause)))
		}
		if mc, ok := masked["cause"].(string); ok && !corpus.MatchMaskedString(stripEnginePrefix(mc), se.Cause) {
			return mismatch("cause does not match the masked recording:\n got %q\nwant %q", se.Cause, stripEnginePrefix(mc))
		}
		return nil
	case "SUCCEEDED":
		if evalErr != nil {
			return mismatch("unexpected error: %v", evalErr)
		}
		output := result
		if rp, ok := state["ResultPath"].(string); ok {
			output, err = jsonpath.MustCompile(rp).Set(input, result)
			if err != nil {
				t.Fatalf("ResultPath %s: %v", rp, err)
			}
		}
		if op, ok := state["OutputPath"].(string); ok {
			output, err = jsonpath.MustCompile(op).Get(output)
			if err != nil {
				return mismatch("OutputPath %s: %v", op, err)
			}
		}
		want := corpus.Decode(t, c.Expected.Output)
		if c.Expected.OutputPartial {
			if !corpus.Subset(want, output) {
				return mismatch("output %s does not contain %s", value.MustEncodeString(output), value.MustEncodeString(want))
			}
		} else if !value.Equal(want, output) {
			return mismatch("output:\n got %s\nwant %s", value.MustEncodeString(output), value.MustEncodeString(want))
		}
		if mo, ok := masked["output"]; ok && !corpus.MatchMasked(mo, output) {
			return mismatch("output does not match the masked recording:\n got %s\nwant %s", value.MustEncodeString(output), value.MustEncodeString(mo))
		}
		return nil
	}
	t.Fatalf("unknown expected status %q", c.Expected.Status)
	return nil
}

// singlePassState returns the only state of the case's definition when it is
// a Pass state with Parameters, End:true and nothing this test cannot apply.
func singlePassState(t *testing.T, c *corpus.Case) (string, map[string]any, bool) {
	def, _ := corpus.Decode(t, c.Definition).(map[string]any)
	sts, _ := def["States"].(map[string]any)
	if len(sts) != 1 {
		return "", nil, false
	}
	for name, s := range sts {
		st, _ := s.(map[string]any)
		if st["Type"] != "Pass" || st["End"] != true {
			return "", nil, false
		}
		if _, ok := st["Parameters"]; !ok {
			return "", nil, false
		}
		for k := range st {
			if !slices.Contains(passFields, k) {
				return "", nil, false
			}
		}
		return name, st, true
	}
	return "", nil, false
}

// contextObject builds the context object the engine passes to a state.
func contextObject(input any, machine, execution, state string) any {
	const region, account = "us-east-1", "123456789012"
	return map[string]any{
		"Execution": map[string]any{
			"Id":           "arn:aws:states:" + region + ":" + account + ":execution:" + machine + ":" + execution,
			"Input":        input,
			"Name":         execution,
			"RoleArn":      "arn:aws:iam::" + account + ":role/yafdp-saga",
			"StartTime":    "2026-01-01T00:00:00.000Z",
			"RedriveCount": value.IntNumber(0),
		},
		"State": map[string]any{
			"EnteredTime": "2026-01-01T00:00:00.000Z",
			"Name":        state,
			"RetryCount":  value.IntNumber(0),
		},
		"StateMachine": map[string]any{
			"Id":   "arn:aws:states:" + region + ":" + account + ":stateMachine:" + machine,
			"Name": machine,
		},
	}
}

// enginePrefix is what the engine, not the template, puts before a state's
// failure cause: the template cannot know the event id.
var enginePrefix = regexp.MustCompile(`^An error occurred while executing the state '[^']*' \(entered at the event id #\d+\)\. `)

func stripEnginePrefix(s string) string { return enginePrefix.ReplaceAllString(s, "") }

func deref(s *string) string {
	if s == nil {
		return "(none)"
	}
	return *s
}
