package mockconfig

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yafdp/yafdp/internal/asl/value"
)

const retryConfig = `{
  "StateMachines": {"LambdaSQSIntegration": {"TestCases": {
    "HappyPath": {"LambdaState": "MockedLambdaSuccess"},
    "RetryPath": {"LambdaState": "MockedLambdaRetry", "SQSState": "MockedNull"}
  }}},
  "MockedResponses": {
    "MockedLambdaSuccess": {"0": {"Return": {"StatusCode": 200, "Payload": {"body": "hi"}}}},
    "MockedNull": {"0": {"Return": null}},
    "MockedLambdaRetry": {
      "0": {"Throw": {"Error": "Lambda.ResourceNotReadyException", "Cause": "Lambda resource is not ready."}},
      "1-2": {"Throw": {"Error": "Lambda.TimeoutException"}},
      "3": {"Return": [1, "two"]}
    }
  }
}`

func TestRunAnswersByInvocationIndex(t *testing.T) {
	c, err := Parse([]byte(retryConfig))
	if err != nil {
		t.Fatal(err)
	}
	k, err := c.Case("LambdaSQSIntegration", "RetryPath")
	if err != nil {
		t.Fatal(err)
	}
	run := k.NewRun(RunOptions{})
	want := []string{"Lambda.ResourceNotReadyException", "Lambda.TimeoutException", "Lambda.TimeoutException", ""}
	for i, w := range want {
		a, n, ok, err := run.Next("LambdaState")
		if err != nil || !ok || n != i {
			t.Fatalf("invocation %d: n=%d ok=%v err=%v", i, n, ok, err)
		}
		if w == "" {
			if a.Throw != nil || value.MustEncodeString(a.Return) != `[1,"two"]` {
				t.Errorf("invocation %d: want the Return, got %+v", i, a)
			}
			continue
		}
		if a.Throw == nil || a.Throw.Error != w {
			t.Errorf("invocation %d: want Throw %s, got %+v", i, w, a)
		}
	}
	if _, n, ok, err := run.Next("LambdaState"); !ok || n != 4 || err == nil || !strings.Contains(err.Error(), `no answer for invocation 4 of state "LambdaState"`) {
		t.Errorf("a fifth invocation: n=%d ok=%v err=%v", n, ok, err)
	}
	if a, _, ok, err := run.Next("SQSState"); !ok || err != nil || a.Return != nil || a.Throw != nil {
		t.Errorf("a Return of null: %+v %v %v", a, ok, err)
	}
	if _, _, ok, err := run.Next("Other"); ok || err != nil {
		t.Errorf("an unmocked state: ok=%v err=%v", ok, err)
	}
	// Each execution counts from 0.
	if a, n, _, _ := k.NewRun(RunOptions{}).Next("LambdaState"); n != 0 || a.Throw == nil || a.Throw.Error != "Lambda.ResourceNotReadyException" {
		t.Errorf("a new run starts at 0: n=%d %+v", n, a)
	}
}

func TestParseRejects(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"not json", `{"StateMachines": `, "not valid JSON"},
		{"not an object", `[]`, "a mock config is a JSON object"},
		{"unknown top-level", `{"StateMachines": {}, "MockedResponses": {}, "Extra": 1}`, "Extra: unknown field"},
		{"no responses", `{"StateMachines": {}}`, "MockedResponses: is required"},
		{"no machines", `{"MockedResponses": {}}`, "StateMachines: is required"},
		{"machine not object", `{"StateMachines": {"M": 1}, "MockedResponses": {}}`, "StateMachines.M: must be an object with TestCases"},
		{"machine unknown field", `{"StateMachines": {"M": {"TestCases": {}, "Cases": {}}}, "MockedResponses": {}}`, "StateMachines.M.Cases: unknown field"},
		{"unknown response", `{"StateMachines": {"M": {"TestCases": {"T": {"S": "Nope"}}}}, "MockedResponses": {"nope": {"0": {"Return": 1}}}}`,
			`StateMachines.M.TestCases.T.S: no mocked response named "Nope" in MockedResponses (did you mean "nope"?)`},
		{"response name not string", `{"StateMachines": {"M": {"TestCases": {"T": {"S": 1}}}}, "MockedResponses": {}}`, "StateMachines.M.TestCases.T.S: must be the name of a mocked response"},
		{"empty response", `{"StateMachines": {}, "MockedResponses": {"R": {}}}`, "MockedResponses.R: has no answers"},
		{"bad index", `{"StateMachines": {}, "MockedResponses": {"R": {"first": {"Return": 1}}}}`, `MockedResponses.R["first"]: "first" is not an invocation index`},
		{"negative index", `{"StateMachines": {}, "MockedResponses": {"R": {"-1": {"Return": 1}}}}`, `"-1" is not an invocation index`},
		{"open range", `{"StateMachines": {}, "MockedResponses": {"R": {"0-": {"Return": 1}}}}`, `"0-" is not an invocation index`},
		{"backwards range", `{"StateMachines": {}, "MockedResponses": {"R": {"2-1": {"Return": 1}}}}`, `range "2-1" ends before it starts`},
		{"overlap", `{"StateMachines": {}, "MockedResponses": {"R": {"0-2": {"Return": 1}, "2": {"Return": 2}}}}`, "MockedResponses.R: invocation 2 is answered twice"},
		{"gap", `{"StateMachines": {}, "MockedResponses": {"R": {"0": {"Return": 1}, "2": {"Return": 2}}}}`, "MockedResponses.R: no answer for invocation 1"},
		{"not from 0", `{"StateMachines": {}, "MockedResponses": {"R": {"1": {"Return": 1}}}}`, "no answer for invocation 0"},
		{"neither", `{"StateMachines": {}, "MockedResponses": {"R": {"0": {}}}}`, `MockedResponses.R["0"]: needs Return (the result) or Throw`},
		{"both", `{"StateMachines": {}, "MockedResponses": {"R": {"0": {"Return": 1, "Throw": {"Error": "E"}}}}}`, "has both Return and Throw"},
		{"answer unknown field", `{"StateMachines": {}, "MockedResponses": {"R": {"0": {"Returns": 1}}}}`, `MockedResponses.R["0"].Returns: unknown field`},
		{"throw with a misspelt error", `{"StateMachines": {}, "MockedResponses": {"R": {"0": {"Throw": {"Eror": "E"}}}}}`, `MockedResponses.R["0"].Throw.Eror: unknown field; a Throw has Error and Cause`},
		{"throw not object", `{"StateMachines": {}, "MockedResponses": {"R": {"0": {"Throw": "E"}}}}`, `MockedResponses.R["0"].Throw: must be an object`},
		{"throw error not string", `{"StateMachines": {}, "MockedResponses": {"R": {"0": {"Throw": {"Error": 1}}}}}`, `MockedResponses.R["0"].Throw.Error: must be a string`},
		{"throw unknown field", `{"StateMachines": {}, "MockedResponses": {"R": {"0": {"Throw": {"Error": "E", "Message": "m"}}}}}`, `Throw.Message: unknown field`},
		{"name with space", `{"StateMachines": {}, "MockedResponses": {"My R": []}}`, `MockedResponses["My R"]: must be an object of answers`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("the error is not one line: %q", err)
			}
		})
	}
}

func TestCaseAndCheck(t *testing.T) {
	c, err := Parse([]byte(retryConfig))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Case("Other", "HappyPath"); err == nil || !strings.Contains(err.Error(), `no state machine named "Other"; the config has "LambdaSQSIntegration"`) {
		t.Errorf("unknown machine: %v", err)
	}
	if _, err := c.Case("LambdaSQSIntegration", "Sad"); err == nil || !strings.Contains(err.Error(), `no test case named "Sad"; the state machine has "HappyPath", "RetryPath"`) {
		t.Errorf("unknown test case: %v", err)
	}
	kinds := map[string]StateKind{"LambdaState": TaskState, "SQSState": TaskState}
	kind := func(s string) StateKind { return kinds[s] }
	if err := c.Check("LambdaSQSIntegration", kind); err != nil {
		t.Errorf("a config that fits its definition: %v", err)
	}
	kinds["SQSState"] = OtherState
	if err := c.Check("LambdaSQSIntegration", kind); err == nil || !strings.Contains(err.Error(), `StateMachines.LambdaSQSIntegration.TestCases.RetryPath.SQSState: "SQSState" is not a Task state`) {
		t.Errorf("a Pass state mocked: %v", err)
	}
	delete(kinds, "SQSState")
	if err := c.Check("LambdaSQSIntegration", kind); err == nil || !strings.Contains(err.Error(), `has no state named "SQSState"`) {
		t.Errorf("a missing state: %v", err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "MockConfigFile.json")
	if err := os.WriteFile(good, []byte(retryConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(good)
	if err != nil || c.File() != good {
		t.Fatalf("Load: %v", err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"StateMachines": {}, "MockedResponses": {"R": {"0": {"Throw": {"Error": 7}}}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bad); err == nil || !strings.HasPrefix(err.Error(), bad+`: MockedResponses.R["0"].Throw.Error: must be a string`) {
		t.Errorf("an error names the file and the path: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("a missing file: %v", err)
	}
	huge := filepath.Join(dir, "huge.json")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileBytes + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := Load(huge); err == nil || !strings.Contains(err.Error(), "larger than 32 MiB") {
		t.Errorf("a file over the limit: %v", err)
	}
}

// TestRecordedConfigsParse reads every mock config of the Task corpus
// (recorded against AWS) and AWS's own mock-config example, and checks that
// each test case answers every state it names.
func TestRecordedConfigsParse(t *testing.T) {
	root := sharedDir(t)
	files, _ := filepath.Glob(filepath.Join(root, "conformance-tasks", "cases", "*.json"))
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c struct {
			Kind     string          `json:"kind"`
			Mock     json.RawMessage `json:"mock_config"`
			TestCase string          `json:"test_case"`
			History  json.RawMessage `json:"mock_config_from_history"`
		}
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatal(err)
		}
		if c.Kind != "execution" {
			continue
		}
		for _, raw := range []json.RawMessage{c.Mock, c.History} {
			if raw == nil {
				continue
			}
			cfg, err := Parse(raw)
			if err != nil {
				t.Errorf("%s: %v", filepath.Base(f), err)
				continue
			}
			for name := range cfg.StateMachines {
				if _, err := cfg.Case(name, c.TestCase); err != nil && raw != nil && c.History == nil {
					t.Errorf("%s: %v", filepath.Base(f), err)
				}
			}
			n++
		}
	}
	if n < 119 {
		t.Errorf("parsed %d mock configs of executions, want at least 119", n)
	}
	example := filepath.Join(root, "peer-examples", "sfn-local-mock-config", "statemachine", "test", "MockConfigFile.json")
	cfg, err := Load(example)
	if err != nil {
		t.Fatal(err)
	}
	k, err := cfg.Case("LocalTesting", "RetryOnServiceExceptionTest")
	if err != nil {
		t.Fatal(err)
	}
	run := k.NewRun(RunOptions{})
	for i := 0; i < 3; i++ {
		if a, _, _, _ := run.Next("DetectSentiment"); a == nil || a.Throw == nil || a.Throw.Error != "InternalServerException" {
			t.Fatalf("invocation %d of DetectSentiment: %+v", i, a)
		}
	}
	if a, _, _, err := run.Next("DetectSentiment"); err != nil || a.Throw != nil {
		t.Fatalf("the fourth invocation succeeds: %+v %v", a, err)
	}
}

// sharedDir is ../shared beside the module root; missing, the test fails
// under CI and is skipped elsewhere.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "shared"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "conformance-tasks", "cases")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the Task corpus is missing at %s (CI=true)", dir)
		}
		t.Skipf("the Task corpus is not at %s", dir)
	}
	return dir
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(retryConfig))
	f.Add([]byte(`{"StateMachines": {}, "MockedResponses": {"R": {"0-999999999": {"Return": 1}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("a multi-line error: %q", err)
			}
			return
		}
		for m, sm := range c.StateMachines {
			for tc := range sm.TestCases {
				k, err := c.Case(m, tc)
				if err != nil {
					t.Fatal(err)
				}
				run := k.NewRun(RunOptions{})
				for s := range k.states {
					run.Next(s)
				}
			}
		}
	})
}

func TestThrowWithoutError(t *testing.T) {
	c, err := Parse([]byte(`{"StateMachines": {"M": {"TestCases": {"T": {"S": "R"}}}}, "MockedResponses": {"R": {"0": {"Throw": {}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	k, _ := c.Case("M", "T")
	a, _, _, err := k.NewRun(RunOptions{}).Next("S")
	if err != nil || a.Throw == nil || a.Throw.Error != "" || a.Throw.Cause != "" {
		t.Fatalf("an empty Throw is a failure that names no error: %+v %v", a, err)
	}
	_, err = Parse([]byte(`{"StateMachines": {"M": {"TestCases": {"T": {"S": "R"}}}}, "MockedResponses": {"R": {"0": {"Throw": {"Cause": "c"}}}}}`))
	if err == nil || !strings.Contains(err.Error(), `MockedResponses.R["0"].Throw.Error: is missing`) {
		t.Fatalf("a Cause without its Error: %v", err)
	}
}
