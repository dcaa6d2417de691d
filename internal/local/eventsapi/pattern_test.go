package eventsapi

import (
	"encoding/json"
	"strings"
	"testing"
)

const statusEvent = `{"version":"0","id":"x","detail-type":"Step Functions Execution Status Change","source":"aws.states",
"account":"000000000000","time":"2026-12-06T12:00:00Z","region":"us-east-1","resources":["arn:aws:states:us-east-1:000000000000:execution:saga:o1"],
"detail":{"executionArn":"arn:aws:states:us-east-1:000000000000:execution:saga:o1","stateMachineArn":"arn:aws:states:us-east-1:000000000000:stateMachine:saga",
"name":"o1","status":"FAILED","startDate":1765022400000,"stopDate":1765022401000,"input":"{}","output":null,"error":"Payment.Declined","cause":null}}`

func TestPatternMatch(t *testing.T) {
	var ev map[string]any
	if err := json.Unmarshal([]byte(statusEvent), &ev); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		pattern string
		want    bool
	}{
		{`{"source":["aws.states"]}`, true},
		{`{"source":["aws.sqs"]}`, false},
		{`{"source":["aws.sqs","aws.states"],"detail-type":["Step Functions Execution Status Change"]}`, true},
		{`{"detail":{"status":["SUCCEEDED","FAILED"]}}`, true},
		{`{"detail":{"status":["RUNNING"]}}`, false},
		{`{"detail":{"stateMachineArn":["arn:aws:states:us-east-1:000000000000:stateMachine:saga"]}}`, true},
		{`{"detail":{"stateMachineArn":["arn:aws:states:us-east-1:000000000000:stateMachine:other"]}}`, false},
		{`{"resources":["arn:aws:states:us-east-1:000000000000:execution:saga:o1"]}`, true}, // any element of an array
		{`{"detail":{"output":[null]}}`, true},
		{`{"detail":{"cause":[null],"error":[{"prefix":"Payment."}]}}`, true},
		{`{"detail":{"error":[{"suffix":".Throttled"}]}}`, false},
		{`{"detail":{"status":[{"anything-but":["SUCCEEDED","RUNNING"]}]}}`, true},
		{`{"detail":{"status":[{"anything-but":"FAILED"}]}}`, false},
		{`{"detail":{"status":[{"anything-but":{"prefix":"FAIL"}}]}}`, false},
		{`{"detail":{"status":[{"equals-ignore-case":"failed"}]}}`, true},
		{`{"detail":{"name":[{"wildcard":"o*"}]}}`, true},
		{`{"detail":{"startDate":[{"numeric":[">",0,"<=",1765022400000]}]}}`, true},
		{`{"detail":{"startDate":[{"numeric":["<",1000]}]}}`, false},
		{`{"detail":{"redriveCount":[{"exists":false}]}}`, true},
		{`{"detail":{"status":[{"exists":true}]}}`, true},
		{`{"detail":{"missing":[{"exists":true}]}}`, false},
		{`{"detail":{"status":["failed"]}}`, false}, // exact values are case sensitive
		{`{"detail":{"startDate":[1765022400000]}}`, true},
		{`{"nothing":{"here":["x"]}}`, false},
	}
	for _, c := range cases {
		p, err := CompilePattern(c.pattern)
		if err != nil {
			t.Errorf("%s: %v", c.pattern, err)
			continue
		}
		if got := p.Match(ev); got != c.want {
			t.Errorf("%s: matched %v, want %v", c.pattern, got, c.want)
		}
	}
}

func TestPatternInvalid(t *testing.T) {
	for pattern, reason := range map[string]string{
		`[]`:                                "Filter is not an object",
		`{"source":"aws.states"}`:           "'source' must be an object or an array",
		`{"source":[]}`:                     "Empty arrays are not allowed",
		`{"source":[{"bogus":"x"}]}`:        "Unrecognized match type bogus",
		`{"source":[{"prefix":1}]}`:         "prefix match pattern must be a string",
		`{"n":[{"numeric":[">"]}]}`:         "Value of numeric must be an array.",
		`{"n":[{"numeric":["!=",1]}]}`:      "Unrecognized numeric range operator: !=",
		`{"$or":[{"a":["b"]},{"c":["d"]}]}`: "$or is not served",
		`{"source":["a"]} {"x":1}`:          "Filter is not an object",
		`{"e":[{"exists":"yes"}]}`:          "exists match pattern must be either true or false.",
	} {
		_, err := CompilePattern(pattern)
		if err == nil || !strings.HasPrefix(err.Error(), "Event pattern is not valid. Reason: ") || !strings.Contains(err.Error(), reason) {
			t.Errorf("%s: error %v, want the reason %q", pattern, err, reason)
		}
	}
}

func FuzzCompilePattern(f *testing.F) {
	f.Add(`{"source":["aws.states"],"detail":{"status":["FAILED"]}}`)
	f.Add(`{"a":[{"numeric":[">",1]},{"anything-but":{"prefix":"x"}}]}`)
	var ev map[string]any
	_ = json.Unmarshal([]byte(statusEvent), &ev)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := CompilePattern(s)
		if err == nil {
			p.Match(ev)
		}
	})
}
