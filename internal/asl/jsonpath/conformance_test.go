package jsonpath

import (
	"errors"
	"strings"
	"testing"

	"github.com/yafdp/yafdp/internal/asl/corpus"
	"github.com/yafdp/yafdp/internal/asl/value"
)

// TestConformance replays the recorded cases that exercise nothing but
// paths: a single Pass state whose Parameters pick values from the input
// ({"k.$": path} outputs {"k": Get(input)}), or whose InputPath or OutputPath
// names something missing.
func TestConformance(t *testing.T) {
	ran := 0
	for _, cs := range corpus.Load(t) {
		c := map[string]any{"definition": corpus.Decode(t, cs.Definition), "input": corpus.Decode(t, cs.Input)}
		state, ok := singlePassState(c["definition"])
		if !ok || cs.Expected.OutputPartial {
			continue
		}
		expected := map[string]any{"status": cs.Expected.Status, "output": corpus.Decode(t, cs.Expected.Output)}
		if cs.Expected.Cause != nil {
			expected["cause"] = string(*cs.Expected.Cause)
		}
		if cs.Expected.Error != nil {
			expected["error"] = *cs.Expected.Error
		}
		name := cs.Name
		if params, ok := state["Parameters"]; ok && len(state) == 3 { // Type, Parameters, End
			if !pathsOnly(params) {
				continue
			}
			ran++
			t.Run(name, func(t *testing.T) {
				got, err := applyParameters(t, params, c["input"])
				checkOutcome(t, expected, got, err, "")
			})
			continue
		}
		for _, field := range []string{"InputPath", "OutputPath"} {
			src, ok := state[field].(string)
			if !ok || len(state) != 3 { // Type, the path, End
				continue
			}
			ran++
			t.Run(name, func(t *testing.T) {
				p := MustCompile(src)
				got, err := p.Get(rootFor(p, c["input"]))
				checkOutcome(t, expected, got, err, src)
			})
		}
	}
	if ran == 0 {
		t.Fatal("no conformance case uses only paths; has the corpus changed?")
	}
	t.Logf("replayed %d conformance cases", ran)
}

// singlePassState returns the state of a definition made of one Pass state.
func singlePassState(def any) (map[string]any, bool) {
	d, _ := def.(map[string]any)
	states, _ := d["States"].(map[string]any)
	if len(states) != 1 {
		return nil, false
	}
	for _, s := range states {
		state, _ := s.(map[string]any)
		if state["Type"] != "Pass" || state["End"] != true {
			return nil, false
		}
		return state, true
	}
	return nil, false
}

// pathsOnly reports whether a Parameters template uses input paths and
// literals only (no intrinsic functions, and from the context object only
// the execution input).
func pathsOnly(tmpl any) bool {
	switch x := tmpl.(type) {
	case map[string]any:
		for k, v := range x {
			if strings.HasSuffix(k, ".$") {
				s, ok := v.(string)
				if !ok || !strings.HasPrefix(s, "$") || (strings.HasPrefix(s, "$$") && !strings.HasPrefix(s, "$$.Execution.Input")) {
					return false
				}
				continue
			}
			if !pathsOnly(v) {
				return false
			}
		}
	case []any:
		for _, v := range x {
			if !pathsOnly(v) {
				return false
			}
		}
	}
	return true
}

// applyParameters builds the Parameters output: a key ending in ".$" takes
// the value of its path. Arrays are copied as they are.
func applyParameters(t *testing.T, tmpl, input any) (any, error) {
	m, ok := tmpl.(map[string]any)
	if !ok {
		return tmpl, nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		if name, ok := strings.CutSuffix(k, ".$"); ok {
			p, err := Compile(v.(string))
			if err != nil {
				t.Fatalf("Compile(%q): %v", v, err)
			}
			got, err := p.Get(rootFor(p, input))
			if err != nil {
				return nil, err
			}
			out[name] = got
			continue
		}
		got, err := applyParameters(t, v, input)
		if err != nil {
			return nil, err
		}
		out[k] = got
	}
	return out, nil
}

// rootFor returns what a path is evaluated against: the input, or for "$$"
// a context object holding only the execution input.
func rootFor(p *Path, input any) any {
	if p.IsContext() {
		return map[string]any{"Execution": map[string]any{"Input": input}}
	}
	return input
}

// checkOutcome compares a result with what AWS recorded. For a failed
// InputPath or OutputPath (src set), the cause ends with our message.
func checkOutcome(t *testing.T, expected map[string]any, got any, err error, src string) {
	t.Helper()
	switch expected["status"] {
	case "SUCCEEDED":
		if err != nil {
			t.Fatalf("error %v, AWS succeeded with %s", err, enc(expected["output"]))
		}
		if !value.Equal(got, expected["output"]) {
			t.Fatalf("output %s, AWS gave %s", enc(got), enc(expected["output"]))
		}
	case "FAILED":
		var nf *NotFoundError
		if !errors.As(err, &nf) {
			t.Fatalf("got %s, %v; AWS failed with %v", enc(got), err, expected["error"])
		}
		cause, _ := expected["cause"].(string)
		if src != "" && cause != "" && !strings.HasSuffix(cause, "Invalid path '"+src+"' : "+err.Error()) {
			t.Fatalf("message %q does not end the AWS cause %q", err.Error(), cause)
		}
	default:
		t.Fatalf("unknown status %v", expected["status"])
	}
}
