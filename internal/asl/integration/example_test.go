package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/yafdp/yafdp/internal/asl/corpus"
	"github.com/yafdp/yafdp/internal/awsshapes"
)

// TestExampleMatchesAWS checks Example against every Task result recorded
// against AWS in ../shared/conformance-tasks: the example has every
// top-level member AWS returned, with a value of the same JSON type, and
// every member it has that AWS left out is one the API does not require.
// That is the rule the corpus shows: AWS leaves out the members a response
// does not carry (DynamoDB's Attributes after a putItem, SQS's
// MD5OfMessageAttributes for a message without attributes, SNS's
// SequenceNumber outside FIFO topics) and keeps those it carries, empty
// lists and maps included (SecretList: [], S3's Metadata: {}).
func TestExampleMatchesAWS(t *testing.T) {
	checked := map[string]int{}
	for _, c := range corpusCases(t) {
		for _, rec := range c.results() {
			r, err := Parse(rec.resource)
			if err != nil {
				t.Errorf("%s: %s: %v", c.Name, rec.state, err)
				continue
			}
			ex, note := Example(r)
			if note != "" {
				continue // a function's or callback's own result
			}
			if problem := compareTop(r, ex.(map[string]any), rec.result); problem != "" {
				t.Errorf("%s: state %s (%s): %s", c.Name, rec.state, rec.resource, problem)
			}
			checked[rec.resource]++
		}
	}
	// The corpus has 16 resources whose results are the API's; fewer means
	// the walk above lost some and the test proves less than it says.
	if len(checked) < 16 {
		t.Errorf("checked %d resources, want the corpus's 16: %v", len(checked), checked)
	}
	t.Logf("checked results of %d resources: %v", len(checked), checked)
}

// compareTop compares an example with a recorded result at the top level.
func compareTop(r Resource, ex, got map[string]any) string {
	var problems []string
	for k, v := range got {
		e, ok := ex[k]
		switch {
		case !ok:
			problems = append(problems, "AWS returned "+k+", the example lacks it")
		case k != "Payload" && jsonKind(e) != jsonKind(v):
			problems = append(problems, k+" is a "+jsonKind(v)+" in AWS's result, a "+jsonKind(e)+" in the example")
		}
	}
	shape := outputShape(r)
	for k := range ex {
		if _, ok := got[k]; ok || shape == nil {
			continue
		}
		if m, ok := shape.Member(k); ok && m.Required {
			problems = append(problems, "AWS left out "+k+", which the API requires")
		}
	}
	sort.Strings(problems)
	return strings.Join(problems, "; ")
}

func outputShape(r Resource) *awsshapes.Shape {
	spec := specFor(r)
	op, ok := awsshapes.Lookup(spec.service, spec.op)
	if !ok || op.Output == nil {
		return nil
	}
	return spec.pick(op.Output)
}

func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case float64, int:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}

func TestExampleKinds(t *testing.T) {
	for arn, want := range map[string][]string{
		"arn:aws:states:::lambda:invoke":                   {"ExecutedVersion", "Payload", "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode"},
		"arn:aws:states:::events:putEvents":                {"Entries", "FailedEntryCount"},
		"arn:aws:states:::glue:startJobRun":                {"JobName", "JobRunId"},
		"arn:aws:states:::apigateway:invoke":               {"Headers", "ResponseBody", "StatusCode", "StatusText"},
		"arn:aws:states:::aws-sdk:sfn:startExecution":      {"ExecutionArn", "StartDate"},
		"arn:aws:states:::states:startExecution":           {"ExecutionArn", "SdkHttpMetadata", "SdkResponseMetadata", "StartDate"},
		"arn:aws:states:::athena:startQueryExecution.sync": {"QueryExecution"},
		"arn:aws:states:::codebuild:startBuild.sync":       {"Build"},
	} {
		r, _ := Parse(arn)
		ex, note := Example(r)
		if got := keys(ex.(map[string]any)); note != "" || strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: %v (%s), want %v", arn, got, note, want)
		}
	}

	sync2, _ := Parse("arn:aws:states:::states:startExecution.sync:2")
	ex, _ := Example(sync2)
	res := ex.(map[string]any)
	if _, parsed := res["Output"].(map[string]any); !parsed || res["Status"] != "SUCCEEDED" || res["Error"] != nil {
		t.Errorf(".sync:2: %v", res)
	}
	sync1, _ := Parse("arn:aws:states:::states:startExecution.sync")
	if ex, _ := Example(sync1); ex.(map[string]any)["Output"] != "{}" {
		t.Errorf(".sync returns Output as a string: %v", ex)
	}

	ecs, _ := Parse("arn:aws:states:::ecs:runTask.sync")
	if ex, _ := Example(ecs); ex.(map[string]any)["LastStatus"] != "STOPPED" || ex.(map[string]any)["TaskArn"] != "..." {
		t.Errorf("ecs:runTask.sync returns the stopped task: %v", keys(ex.(map[string]any)))
	}
	sm, _ := Parse("arn:aws:states:::sagemaker:createTrainingJob.sync")
	if ex, _ := Example(sm); ex.(map[string]any)["TrainingJobStatus"] == nil {
		t.Errorf("sagemaker:createTrainingJob.sync returns DescribeTrainingJob: %v", keys(ex.(map[string]any)))
	}

	for arn, want := range map[string]string{
		"arn:aws:lambda:us-east-1:123456789012:function:pay":    "what pay returns",
		"arn:aws:states:::sqs:sendMessage.waitForTaskToken":     "SendTaskSuccess",
		"arn:aws:states:us-east-1:123456789012:activity:review": "worker",
		"arn:aws:states:::eks:runJob.sync":                      "no shape for eks:runJob",
		"arn:aws:states:::aws-sdk:sqs:sendLetter":               "no shape for sqs:sendLetter",
	} {
		r, _ := Parse(arn)
		ex, note := Example(r)
		if len(ex.(map[string]any)) != 0 || !strings.Contains(note, want) {
			t.Errorf("%s: %v, note %q; want {} and a note with %q", arn, ex, note, want)
		}
	}
}

func TestExampleValues(t *testing.T) {
	r, _ := Parse("arn:aws:states:::aws-sdk:dynamodb:getItem")
	ex, _ := Example(r)
	item := ex.(map[string]any)["Item"].(map[string]any)["..."].(map[string]any)
	if len(item) != 1 || item["S"] != "..." {
		t.Errorf("an AttributeValue union holds one member: %v", item)
	}
	r, _ = Parse("arn:aws:states:::aws-sdk:s3:getObject")
	ex, _ = Example(r)
	obj := ex.(map[string]any)
	if obj["ContentLength"] != 0 || obj["LastModified"] != exampleTimestamp || obj["BucketKeyEnabled"] != false || obj["ChecksumType"] != "COMPOSITE" {
		t.Errorf("s3:getObject: %v", obj)
	}
	// Examples are plain JSON.
	if _, err := json.Marshal(obj); err != nil {
		t.Fatal(err)
	}
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// corpusCase is the part of a conformance-tasks case the test reads.
type corpusCase struct {
	Name       string          `json:"name"`
	Kind       string          `json:"kind"`
	Definition json.RawMessage `json:"definition"`
	Mock       *mockFile       `json:"mock_config"`
	FromHist   *mockFile       `json:"mock_config_from_history"`
}

type mockFile struct {
	StateMachines map[string]struct {
		TestCases map[string]map[string]string `json:"TestCases"`
	} `json:"StateMachines"`
	MockedResponses map[string]map[string]struct {
		Return any `json:"Return"`
	} `json:"MockedResponses"`
}

// recorded is one successful Task result AWS recorded.
type recorded struct {
	state, resource string
	result          map[string]any
}

// results lists the case's recorded object results by state, for the
// states whose name means one Resource in the definition.
func (c *corpusCase) results() []recorded {
	resources := map[string]string{}
	var def struct {
		States map[string]json.RawMessage `json:"States"`
	}
	_ = json.Unmarshal(c.Definition, &def)
	walkTasks(def.States, resources)
	mc := c.Mock
	if c.FromHist != nil {
		mc = c.FromHist // what AWS returned, not the test's own mock
	}
	var out []recorded
	for _, sm := range mc.StateMachines {
		for _, states := range sm.TestCases {
			for state, resp := range states {
				res := resources[state]
				for _, a := range mc.MockedResponses[resp] {
					if obj, ok := a.Return.(map[string]any); ok && res != "" {
						out = append(out, recorded{state: state, resource: res, result: obj})
					}
				}
			}
		}
	}
	return out
}

// walkTasks maps Task state names to Resources, in branches and Map
// processors too; a name used twice for different resources maps to "".
func walkTasks(states map[string]json.RawMessage, out map[string]string) {
	for name, raw := range states {
		var s struct {
			Type, Resource string
			Branches       []struct{ States map[string]json.RawMessage }
			Iterator       *struct{ States map[string]json.RawMessage }
			ItemProcessor  *struct{ States map[string]json.RawMessage }
		}
		_ = json.Unmarshal(raw, &s)
		if s.Type == "Task" {
			if prev, seen := out[name]; seen && prev != s.Resource {
				s.Resource = ""
			}
			out[name] = s.Resource
		}
		for _, b := range s.Branches {
			walkTasks(b.States, out)
		}
		for _, p := range []*struct{ States map[string]json.RawMessage }{s.Iterator, s.ItemProcessor} {
			if p != nil {
				walkTasks(p.States, out)
			}
		}
	}
}

// corpusCases reads the execution cases of ../shared/conformance-tasks;
// missing, the test fails under CI and is skipped elsewhere.
func corpusCases(t *testing.T) []*corpusCase {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(corpus.SharedDir(t, "conformance-tasks", ""), "cases", "*.json"))
	var out []*corpusCase
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c := &corpusCase{}
		if err := json.Unmarshal(data, c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if c.Kind == "execution" && c.Mock != nil {
			out = append(out, c)
		}
	}
	return out
}
