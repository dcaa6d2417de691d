package teststate_test

import (
	"context"
	"testing"
	"time"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/teststate"
	"github.com/yafdp/yafdp/internal/clock"
)

// FuzzRun: whatever the request, Run answers or refuses; it never panics.
func FuzzRun(f *testing.F) {
	for _, seed := range [][4]string{
		{`{"Type":"Pass","End":true}`, "", `{}`, ""},
		{`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f"},"Retry":[{"ErrorEquals":["States.ALL"]}],"End":true}`, `{"StatusCode":200}`, `{}`, ""},
		{`{"Type":"Map","ItemsPath":"$.a","ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"ToleratedFailureCount":1,"End":true}`, `[1,2]`, `{"a":[1,2]}`, "TestState"},
		{`{"Type":"Parallel","Branches":[{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}],"End":true}`, `[1]`, `[]`, ""},
		{`{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","NumericEquals":1,"Next":"B"}],"Default":"B"},"B":{"Type":"Succeed"}}}`, "", `{"x":1}`, ""},
		{`{"QueryLanguage":"JSONata","Type":"Task","Resource":"arn:aws:states:::aws-sdk:s3:getObject","Arguments":{"Bucket":"{% $states.input.b %}"},"Output":"{% $states.result %}","End":true}`, `{"ContentLength":1}`, `{"b":"x"}`, ""},
	} {
		f.Add(seed[0], seed[1], seed[2], seed[3])
	}
	f.Fuzz(func(t *testing.T, def, mock, input, caused string) {
		req := teststate.Request{Definition: &def, Input: &input, InspectionLevel: teststate.LevelTrace}
		if mock != "" {
			req.Mock = &teststate.Mock{Result: &mock}
		}
		if caused != "" {
			n := int32(1)
			req.StateConfiguration = &teststate.StateConfiguration{ErrorCausedByState: &caused, MapIterationFailureCount: &n}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _ = teststate.Run(ctx, req, teststate.Options{Engine: &asl.Engine{Clock: clock.NewVirtual(clock.Epoch)}})
	})
}
