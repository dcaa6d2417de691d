// Package teststatecases runs what the Task corpus (../shared/conformance-tasks,
// kind "test_state") asks of every way yafdp serves TestState: the engine
// (package teststate) and local up's API. It turns a case into a TestState
// request and compares an answer, or a refusal, with AWS's recording.
//
// Only tests import it.
package teststatecases

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/yafdp/yafdp/internal/asl/corpus"
	"github.com/yafdp/yafdp/internal/asl/teststate"
	"github.com/yafdp/yafdp/internal/asl/value"
)

// Case is one recorded TestState call.
type Case struct {
	Name       string          `json:"name"`
	Kind       string          `json:"kind"`
	Definition json.RawMessage `json:"definition"`
	Input      json.RawMessage `json:"input"`
	Request    json.RawMessage `json:"test_state_request"`
	Expected   Expected        `json:"expected"`
	// NeedsRealService: AWS called the Task's service itself (no mock).
	NeedsRealService bool           `json:"needs_real_service"`
	Masked           map[string]any `json:"masked"`
}

// Expected is AWS's answer, or the exception it raised.
type Expected struct {
	Status         string          `json:"status"`
	Output         json.RawMessage `json:"output"`
	Error          *string         `json:"error"`
	Cause          *string         `json:"cause"`
	NextState      *string         `json:"nextState"`
	InspectionData map[string]any  `json:"inspectionData"`
	Exception      *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"exception"`
}

// RoleARN is the role every case's request carries: the corpus drops the
// roleArn the tests sent (a generated role), and every test but the one
// about a missing role sent one.
const RoleARN = "arn:aws:iam::111111111111:role/TestStateRole"

// Load returns the TestState cases, sorted by name, and the ones yafdp
// cannot match, with the reason, from the list kept with the engine's
// tests.
func Load(t testing.TB) (cases []*Case, cannot map[string]string) {
	t.Helper()
	dir := corpus.SharedDir(t, "conformance-tasks", "")
	files, err := filepath.Glob(filepath.Join(dir, "cases", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases in %s: %v", dir, err)
	}
	sort.Strings(files)
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var kind struct{ Kind string }
		if err := json.Unmarshal(data, &kind); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if kind.Kind != "test_state" {
			continue
		}
		var c Case
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		cases = append(cases, &c)
	}
	return cases, corpus.JudgedWrong(t, filepath.Join(corpus.Root(t), "internal", "asl", "testdata", "conformance-teststate-cannot.txt"))
}

// RequestOf builds the case's TestState request as the test sent it.
func RequestOf(t testing.TB, c *Case) teststate.Request {
	t.Helper()
	var req teststate.Request
	if len(c.Request) > 0 {
		dec := json.NewDecoder(strings.NewReader(string(c.Request)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			t.Fatalf("test_state_request: %v", err)
		}
	}
	def := compact(t, c.Definition)
	req.Definition = &def
	if len(c.Input) > 0 {
		in := compact(t, c.Input)
		req.Input = &in
	}
	if !strings.Contains(c.Name, "no_role_arn") {
		role := RoleARN
		req.RoleArn = &role
	}
	return req
}

func compact(t testing.TB, raw json.RawMessage) string {
	t.Helper()
	v, err := value.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	return value.MustEncodeString(v)
}

// botoPrefix is what the recording tool put before some messages: botocore's
// rendering of the exception, not part of AWS's message.
const botoPrefix = "An error occurred (%s) when calling the TestState operation: "

// Check compares an answer (res) or a refusal (code and message, res nil)
// with the recording.
func Check(t testing.TB, c *Case, res *teststate.Response, code, message string) {
	t.Helper()
	if exc := c.Expected.Exception; exc != nil {
		want := strings.TrimPrefix(exc.Message, strings.Replace(botoPrefix, "%s", exc.Code, 1))
		if res != nil {
			t.Fatalf("answered %s, want %s: %s", res.Status, exc.Code, want)
		}
		if code != exc.Code || message != want {
			t.Fatalf("refused with\n %s: %s\nwant\n %s: %s", code, message, exc.Code, want)
		}
		return
	}
	if res == nil {
		t.Fatalf("refused with %s: %s, want status %s", code, message, c.Expected.Status)
	}
	if res.Status != c.Expected.Status {
		t.Fatalf("status %s (error %q, cause %q), want %s", res.Status, deref(res.Error), deref(res.Cause), c.Expected.Status)
	}
	checkString(t, "error", res.Error, c.Expected.Error)
	checkString(t, "cause", res.Cause, c.Expected.Cause)
	checkString(t, "nextState", res.NextState, c.Expected.NextState)
	switch {
	case len(c.Expected.Output) == 0 && res.Output != nil:
		t.Errorf("output %s, want none", *res.Output)
	case len(c.Expected.Output) > 0:
		if res.Output == nil {
			t.Fatalf("no output, want %s", c.Expected.Output)
		}
		got := decode(t, *res.Output)
		want := corpus.Decode(t, c.Expected.Output)
		if masked, ok := c.Masked["output"]; ok {
			want = masked
		}
		if !corpus.MatchMasked(want, got) {
			t.Errorf("output\n got %s\nwant %s", *res.Output, value.MustEncodeString(want))
		}
	}
	checkInspection(t, c, res.InspectionData)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func checkString(t testing.TB, field string, got, want *string) {
	t.Helper()
	if deref(got) != deref(want) {
		t.Errorf("%s %q, want %q", field, deref(got), deref(want))
	}
}

func decode(t testing.TB, text string) any {
	t.Helper()
	v, err := value.DecodeString(text)
	if err != nil {
		t.Fatalf("%q is not JSON: %v", text, err)
	}
	return v
}

// checkInspection compares the inspection data member by member. The
// recording tool parsed the JSON text of each stage when it held an
// object, and kept the text when it held an array (sometimes re-spaced):
// a recorded string is compared as the JSON value it holds.
func checkInspection(t testing.TB, c *Case, got *teststate.InspectionData) {
	t.Helper()
	want := c.Expected.InspectionData
	if want == nil {
		if got != nil {
			t.Errorf("inspection data %s, want none", value.MustEncodeString(got))
		}
		return
	}
	if got == nil {
		t.Fatalf("no inspection data, want %s", value.MustEncodeString(want))
	}
	var raw map[string]any
	data, _ := json.Marshal(got)
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	for k := range raw {
		if _, ok := want[k]; !ok {
			t.Errorf("inspection data has %s = %v, which AWS did not give", k, raw[k])
		}
	}
	for k, w := range want {
		g, ok := raw[k]
		if !ok {
			t.Errorf("inspection data lacks %s (AWS: %v)", k, w)
			continue
		}
		if text, isText := g.(string); isText && k != "errorDetails" {
			g = decode(t, text)
			if ws, ok := w.(string); ok {
				if v, err := value.DecodeString(ws); err == nil {
					w = v
				}
			}
		}
		g, _ = value.Normalize(g)
		if !corpus.MatchMasked(w, g) {
			t.Errorf("inspection data %s\n got %s\nwant %s", k, value.MustEncodeString(g), value.MustEncodeString(w))
		}
	}
}
