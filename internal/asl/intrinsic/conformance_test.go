package intrinsic

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/yafdp/yafdp/internal/asl/jsonpath"
	"github.com/yafdp/yafdp/internal/asl/states"
	"github.com/yafdp/yafdp/internal/asl/value"
)

// corpusDir is the ASL conformance corpus recorded against AWS Step
// Functions, shared by every package of the engine and kept outside the repo.
const corpusDir = "../../../../shared/conformance"

// conformanceCase is the part of a corpus case file this package reads.
type conformanceCase struct {
	Name       string          `json:"name"`
	Definition json.RawMessage `json:"definition"`
	Input      json.RawMessage `json:"input"`
	Expected   struct {
		Status        string          `json:"status"`
		Output        json.RawMessage `json:"output"`
		OutputPartial bool            `json:"output_partial"`
		Error         *string         `json:"error"`
		Cause         *string         `json:"cause"`
	} `json:"expected"`
	Masked json.RawMessage `json:"masked"`
}

// passFields are the fields a single Pass state may have for its case to be
// checked here: the template does the work, and the I/O paths around it are
// plain JSONPath that the test applies itself.
var passFields = []string{"Type", "Parameters", "End", "Comment", "InputPath", "ResultPath", "OutputPath"}

// TestConformance evaluates the Parameters template of every corpus case
// whose definition is one Pass state with Parameters and End:true, and
// compares the result with what AWS returned.
func TestConformance(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(corpusDir, "cases", "*.json"))
	if err != nil || len(files) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("conformance corpus not found at %s: CI must provide it", corpusDir)
		}
		t.Skipf("conformance corpus not found at %s; put it there to run these cases", corpusDir)
	}
	wrong := readJudgedWrong(t)
	ran := 0
	for _, file := range files {
		c := readCase(t, file)
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

func runCase(t *testing.T, c *conformanceCase, stateName string, state map[string]any) error {
	t.Helper()
	input := mustDecode(t, c.Input)
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
		if p := unsupportedPath(state["Parameters"]); p != "" {
			t.Skipf("package jsonpath cannot compile %q yet (wildcards, slices and filters are being added there): %v", p, err)
		}
		return mismatch("CompileTemplate: %v", err)
	}
	env := &Env{Input: effective, Context: ctx, Rand: rand.New(rand.NewPCG(1, 2))}
	result, evalErr := tmpl.Eval(env)

	var masked map[string]any
	if len(c.Masked) > 0 {
		masked, _ = mustDecode(t, c.Masked).(map[string]any)
	}

	switch c.Expected.Status {
	case "FAILED":
		var se *states.Error
		if !errors.As(evalErr, &se) {
			return mismatch("expected the error %v, got result %s and error %v", deref(c.Expected.Error), value.MustEncodeString(result), evalErr)
		}
		if c.Expected.Error != nil && se.Name != *c.Expected.Error {
			return mismatch("error name: got %q, want %q (cause %q)", se.Name, *c.Expected.Error, se.Cause)
		}
		if c.Expected.Cause != nil && se.Cause != stripEnginePrefix(*c.Expected.Cause) {
			return mismatch("cause:\n got %q\nwant %q", se.Cause, stripEnginePrefix(*c.Expected.Cause))
		}
		if mc, ok := masked["cause"].(string); ok && !matchMasked(stripEnginePrefix(mc), se.Cause) {
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
		want := mustDecode(t, c.Expected.Output)
		if c.Expected.OutputPartial {
			if !subset(want, output) {
				return mismatch("output %s does not contain %s", value.MustEncodeString(output), value.MustEncodeString(want))
			}
		} else if !value.Equal(want, output) {
			return mismatch("output:\n got %s\nwant %s", value.MustEncodeString(output), value.MustEncodeString(want))
		}
		if mo, ok := masked["output"]; ok && !matchMasked(mo, output) {
			return mismatch("output does not match the masked recording:\n got %s\nwant %s", value.MustEncodeString(output), value.MustEncodeString(mo))
		}
		return nil
	}
	t.Fatalf("unknown expected status %q", c.Expected.Status)
	return nil
}

func readCase(t *testing.T, file string) *conformanceCase {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var c conformanceCase
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return &c
}

// singlePassState returns the only state of the case's definition when it is
// a Pass state with Parameters, End:true and nothing this test cannot apply.
func singlePassState(t *testing.T, c *conformanceCase) (string, map[string]any, bool) {
	def, _ := mustDecode(t, c.Definition).(map[string]any)
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

func mustDecode(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	if len(raw) == 0 {
		return nil
	}
	v, err := value.Decode(raw)
	if err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v
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
			"RedriveCount": json.Number("0"),
		},
		"State": map[string]any{
			"EnteredTime": "2026-01-01T00:00:00.000Z",
			"Name":        state,
			"RetryCount":  json.Number("0"),
		},
		"StateMachine": map[string]any{
			"Id":   "arn:aws:states:" + region + ":" + account + ":stateMachine:" + machine,
			"Name": machine,
		},
	}
}

// unsupportedPath returns the first ".$" path in a template that package
// jsonpath does not compile, or "".
func unsupportedPath(v any) string {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && strings.HasSuffix(k, ".$") && strings.HasPrefix(s, "$") {
				if _, err := jsonpath.Compile(s); err != nil {
					return s
				}
			}
			if p := unsupportedPath(e); p != "" {
				return p
			}
		}
	case []any:
		for _, e := range x {
			if p := unsupportedPath(e); p != "" {
				return p
			}
		}
	}
	return ""
}

// enginePrefix is what the engine, not the template, puts before a state's
// failure cause: the template cannot know the event id.
var enginePrefix = regexp.MustCompile(`^An error occurred while executing the state '[^']*' \(entered at the event id #\d+\)\. `)

func stripEnginePrefix(s string) string { return enginePrefix.ReplaceAllString(s, "") }

// subset reports whether want is a recursive object subset of got.
func subset(want, got any) bool {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return false
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok || !subset(wv, gv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !subset(w[i], g[i]) {
				return false
			}
		}
		return true
	}
	return value.Equal(want, got)
}

// placeholder matches the snapshot placeholders LocalStack put into recorded
// values: <ArnPart_0idx>, <json-input:1>, <region>, and the masked account id.
var placeholder = regexp.MustCompile(`<[A-Za-z0-9_:\-]+>|111111111111`)

// wholeValuePlaceholders replace a whole recorded value.
var wholeValuePlaceholders = map[string]bool{
	"date": true, "start-time": true, "entered-time": true, "snf_role_arn": true, "RandomNumberGenerated": true,
}

// matchMasked compares a value with a masked recording of it: placeholders
// match anything of the right shape, everything else must be equal.
func matchMasked(want, got any) bool {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for k, wv := range w {
			if gv, ok := g[k]; !ok || !matchMasked(wv, gv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !matchMasked(w[i], g[i]) {
				return false
			}
		}
		return true
	case string:
		if w == "RandomNumberGenerated" {
			return value.IsNumber(got)
		}
		if wholeValuePlaceholders[w] {
			return got != nil
		}
		g, ok := got.(string)
		if !ok {
			return false
		}
		if !placeholder.MatchString(w) {
			return g == w
		}
		var re strings.Builder
		re.WriteString(`^(?s)`)
		last := 0
		for _, loc := range placeholder.FindAllStringIndex(w, -1) {
			re.WriteString(regexp.QuoteMeta(w[last:loc[0]]))
			if w[loc[0]] == '<' {
				re.WriteString(`.+?`)
			} else {
				re.WriteString(`[0-9]{12}`)
			}
			last = loc[1]
		}
		re.WriteString(regexp.QuoteMeta(w[last:]))
		re.WriteString(`$`)
		return regexp.MustCompile(re.String()).MatchString(g)
	}
	return value.Equal(want, got)
}

// readJudgedWrong reads testdata/judged-wrong.txt: one "case-name: reason"
// per line for corpus cases believed to be recorded wrongly. Such a case
// must still fail; the test says so when it starts passing.
func readJudgedWrong(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	f, err := os.Open(filepath.Join("testdata", "judged-wrong.txt"))
	if errors.Is(err, os.ErrNotExist) {
		return out
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, reason, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(reason) == "" {
			t.Fatalf("testdata/judged-wrong.txt: %q: want \"case-name: reason\"", line)
		}
		out[strings.TrimSpace(name)] = strings.TrimSpace(reason)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return "(none)"
	}
	return *s
}
