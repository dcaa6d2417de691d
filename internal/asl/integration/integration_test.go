package integration

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		arn                       string
		kind                      Kind
		service, action, name, qf string
		pattern                   Pattern
		typ, res                  string
	}{
		{"arn:aws:states:::lambda:invoke", Service, "lambda", "invoke", "", "", RequestResponse, "lambda", "invoke"},
		{"arn:aws:states:::lambda:invoke.waitForTaskToken", Service, "lambda", "invoke", "", "", WaitForTaskToken, "lambda", "invoke.waitForTaskToken"},
		{"arn:aws:states:::sqs:sendMessage.waitForTaskToken", Service, "sqs", "sendMessage", "", "", WaitForTaskToken, "sqs", "sendMessage.waitForTaskToken"},
		{"arn:aws:states:::states:startExecution.sync:2", Service, "states", "startExecution", "", "", Sync2, "states", "startExecution.sync:2"},
		{"arn:aws:states:::ecs:runTask.sync", Service, "ecs", "runTask", "", "", Sync, "ecs", "runTask.sync"},
		{"arn:aws:states:::aws-sdk:s3:getObject", SDK, "s3", "getObject", "", "", RequestResponse, "aws-sdk:s3", "getObject"},
		{"arn:aws:states:::aws-sdk:sfn:sendTaskFailure.waitForTaskToken", SDK, "sfn", "sendTaskFailure", "", "", WaitForTaskToken, "aws-sdk:sfn", "sendTaskFailure.waitForTaskToken"},
		{"arn:aws-cn:states:::sns:publish", Service, "sns", "publish", "", "", RequestResponse, "sns", "publish"},
		{"arn:aws:lambda:us-east-1:123456789012:function:pay", Lambda, "lambda", "invoke", "pay", "", RequestResponse, "", "arn:aws:lambda:us-east-1:123456789012:function:pay"},
		{"arn:aws:lambda:us-east-1:123456789012:function:pay:live", Lambda, "lambda", "invoke", "pay", "live", RequestResponse, "", "arn:aws:lambda:us-east-1:123456789012:function:pay:live"},
		{"arn:aws:states:us-east-1:123456789012:activity:review", Activity, "", "", "review", "", RequestResponse, "", "arn:aws:states:us-east-1:123456789012:activity:review"},
	} {
		r, err := Parse(tc.arn)
		if err != nil {
			t.Errorf("%s: %v", tc.arn, err)
			continue
		}
		if r.Kind != tc.kind || r.Service != tc.service || r.Action != tc.action || r.Name != tc.name || r.Qualifier != tc.qf || r.Pattern != tc.pattern {
			t.Errorf("%s: %+v", tc.arn, r)
		}
		if typ, res := r.EventResource(); typ != tc.typ || res != tc.res {
			t.Errorf("%s: event resource %q %q", tc.arn, typ, res)
		}
	}
	for arn, want := range map[string]string{
		"payment": "is not an ARN",
		"arn:aws:sqs:us-east-1:123456789012:orders":  "names the sqs service",
		"arn:aws:states:::sqs":                       "is not a service integration",
		"arn:aws:states:::sqs:sendMessage.later":     "is not a service integration",
		"arn:aws:states:::aws-sdk:s3:getObject.sync": "do not support .sync",
		"arn:aws:states:us-east-1::sqs:sendMessage":  "has no region or account",
		"arn:aws:lambda:us-east-1:1:layer:x":         "is not a Lambda function ARN",
		"arn:aws:lambda:us-east-1:1:function:a:b:c":  "is not a Lambda function ARN",
		"arn:aws:states:us-east-1:1:activity:":       "names no activity",
	} {
		if _, err := Parse(arn); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", arn, err, want)
		}
	}
	if r, _ := Parse("arn:aws:states:::lambda:invoke"); !r.IsLambdaInvoke() {
		t.Error("lambda:invoke invokes a function")
	}
	if r, _ := Parse("arn:aws:states:::sqs:sendMessage"); r.IsLambdaInvoke() {
		t.Error("sqs:sendMessage does not")
	}
}

func FuzzParse(f *testing.F) {
	f.Add("arn:aws:states:::lambda:invoke.waitForTaskToken")
	f.Add("arn:aws:lambda:us-east-1:123456789012:function:pay:live")
	f.Fuzz(func(t *testing.T, arn string) {
		r, err := Parse(arn)
		if err == nil && r.Kind == 0 {
			t.Fatalf("%q parsed with no kind", arn)
		}
	})
}
