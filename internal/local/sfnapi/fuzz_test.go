package sfnapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/yafdp/yafdp/internal/asl"
)

// FuzzHandler feeds arbitrary operations and bodies to the handler. Whatever
// comes in, it must answer 200 with a JSON object or 400 with an AWS error
// ({"__type": "namespace#Code", ...}), never panic and never fail inside.
// The corpus is in testdata/fuzz/FuzzHandler.
func FuzzHandler(f *testing.F) {
	const machine = "arn:aws:states:us-east-1:123456789012:stateMachine:fuzz"
	const execution = "arn:aws:states:us-east-1:123456789012:execution:fuzz:one"
	seeds := []struct{ op, body string }{
		{"CreateStateMachine", `{"name":"fuzz2","definition":"{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Pass\",\"End\":true}}}","roleArn":"` + testRole + `"}`},
		{"CreateStateMachine", `{"name":"fuzz3","definition":"{\"StartAt\":","roleArn":"` + testRole + `","type":"EXPRESS"}`},
		{"DescribeStateMachine", `{"stateMachineArn":"` + machine + `"}`},
		{"ListStateMachines", `{"maxResults":1}`},
		{"DeleteStateMachine", `{"stateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:fuzz2"}`},
		{"StartExecution", `{"stateMachineArn":"` + machine + `","name":"one","input":"{\"totalCents\":5}"}`},
		{"StartExecution", `{"stateMachineArn":"` + machine + `","input":"[1,2"}`},
		{"DescribeExecution", `{"executionArn":"` + execution + `"}`},
		{"ListExecutions", `{"stateMachineArn":"` + machine + `","statusFilter":"SUCCEEDED","maxResults":2,"nextToken":"eyJzIjoieCIsImEiOjF9"}`},
		{"GetExecutionHistory", `{"executionArn":"` + execution + `","maxResults":2,"reverseOrder":true,"includeExecutionData":false}`},
		{"StopExecution", `{"executionArn":"` + execution + `","error":"E","cause":"C"}`},
		{"DescribeStateMachineForExecution", `{"executionArn":"` + execution + `"}`},
		{"StartExecution", `{"stateMachineArn":5}`},
		{"Nope", ``},
	}
	for _, s := range seeds {
		f.Add(s.op, []byte(s.body))
	}
	svc := New(&asl.Engine{}, Options{MaxFinishedExecutions: 200})
	f.Cleanup(svc.Close)
	def := `{"StartAt":"Route","States":{"Route":{"Type":"Choice","Choices":[{"Variable":"$.totalCents","NumericGreaterThan":10,"Next":"No"}],"Default":"Yes"},"Yes":{"Type":"Succeed"},"No":{"Type":"Fail","Error":"E"}}}`
	if _, err := svc.CreateStateMachine(StateMachineSpec{Name: "fuzz", Definition: def, RoleARN: testRole}); err != nil {
		f.Fatal(err)
	}
	h := svc.Handler()
	f.Fuzz(func(t *testing.T, op string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		req.Header.Set("X-Amz-Target", TargetPrefix+op)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %q: the answer is not a JSON object: %v\n%s", op, body, err, rec.Body.Bytes())
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/x-amz-json-1.0" {
			t.Fatalf("Content-Type %q", ct)
		}
		switch rec.Code {
		case http.StatusOK:
		case http.StatusBadRequest:
			typ, _ := out["__type"].(string)
			if !strings.Contains(typ, "#") {
				t.Fatalf("%s %q: error without a __type: %s", op, body, rec.Body.Bytes())
			}
		default:
			t.Fatalf("%s %q: HTTP %d: %s", op, body, rec.Code, rec.Body.Bytes())
		}
	})
}
