// Package integration reads a Task state's Resource: which kind of
// integration it is (a Lambda function by ARN, one of Step Functions'
// optimized service integrations, an AWS SDK integration, an activity),
// the service and action it calls, and its pattern (request-response,
// .sync, .sync:2, .waitForTaskToken). The engine, the mock configs and
// the mock-config generator all read resources through it, so that one
// table says what a Resource means. It imports nothing of the engine.
package integration

import (
	"fmt"
	"strings"
)

// Kind is what a Resource names.
type Kind uint8

// The kinds of Resource.
const (
	// Service is an optimized integration: arn:aws:states:::sqs:sendMessage.
	Service Kind = iota + 1
	// SDK is an AWS SDK integration: arn:aws:states:::aws-sdk:s3:getObject.
	SDK
	// Lambda is a Lambda function named by its ARN:
	// arn:aws:lambda:us-east-1:123456789012:function:name[:qualifier].
	Lambda
	// Activity is an activity: arn:aws:states:REGION:ACCOUNT:activity:name.
	Activity
)

func (k Kind) String() string {
	switch k {
	case Service:
		return "service"
	case SDK:
		return "aws-sdk"
	case Lambda:
		return "lambda"
	case Activity:
		return "activity"
	}
	return "unknown"
}

// Pattern is how Step Functions waits for the call.
type Pattern uint8

// The service integration patterns.
const (
	// RequestResponse: the state ends with the API's answer.
	RequestResponse Pattern = iota
	// Sync (.sync): the state waits for the job the call started to end.
	Sync
	// Sync2 (.sync:2): as Sync, with the nested execution's output parsed
	// (states:startExecution only).
	Sync2
	// WaitForTaskToken (.waitForTaskToken): the state waits for
	// SendTaskSuccess or SendTaskFailure with $$.Task.Token.
	WaitForTaskToken
)

func (p Pattern) String() string {
	switch p {
	case Sync:
		return ".sync"
	case Sync2:
		return ".sync:2"
	case WaitForTaskToken:
		return ".waitForTaskToken"
	}
	return ""
}

// Resource is a parsed Task Resource.
type Resource struct {
	// ARN is the Resource as written.
	ARN  string
	Kind Kind
	// Partition is the ARN's partition: aws, aws-cn, aws-us-gov.
	Partition string
	// Service and Action name the API called: "sqs" and "sendMessage",
	// "s3" and "getObject" for aws-sdk:s3:getObject, "lambda" and "invoke"
	// for a function ARN. An activity has neither.
	Service string
	Action  string
	Pattern Pattern
	// Region, Account and Name are those of a function or activity ARN;
	// Qualifier is a function ARN's version or alias.
	Region, Account, Name, Qualifier string
}

// Parse reads a Task's Resource. It accepts what Step Functions accepts:
// arn:PARTITION:states:::SERVICE:ACTION[.PATTERN],
// arn:PARTITION:states:::aws-sdk:SERVICE:ACTION[.waitForTaskToken],
// arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER] and
// arn:PARTITION:states:REGION:ACCOUNT:activity:NAME.
func Parse(arn string) (Resource, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" || parts[1] == "" {
		return Resource{}, fmt.Errorf("%q is not an ARN (arn:partition:service:region:account:resource)", arn)
	}
	r := Resource{ARN: arn, Partition: parts[1], Region: parts[3], Account: parts[4]}
	switch {
	case parts[2] == "lambda":
		return r, r.function(parts[5])
	case parts[2] != "states":
		return Resource{}, fmt.Errorf("%q is not a Task resource: it names the %s service; use a Lambda function ARN or an arn:aws:states::: integration", arn, parts[2])
	case strings.HasPrefix(parts[5], "activity:"):
		r.Kind, r.Name = Activity, strings.TrimPrefix(parts[5], "activity:")
		if r.Name == "" {
			return Resource{}, fmt.Errorf("%q names no activity", arn)
		}
		return r, nil
	case parts[3] != "" || parts[4] != "":
		return Resource{}, fmt.Errorf("%q: a service integration has no region or account (arn:aws:states:::service:action)", arn)
	}
	return r, r.integration(parts[5])
}

// function reads a Lambda function ARN's "function:NAME[:QUALIFIER]".
func (r *Resource) function(rest string) error {
	name, ok := strings.CutPrefix(rest, "function:")
	if !ok || name == "" {
		return fmt.Errorf("%q is not a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)", r.ARN)
	}
	r.Name, r.Qualifier, _ = strings.Cut(name, ":")
	if r.Name == "" || strings.Contains(r.Qualifier, ":") {
		return fmt.Errorf("%q is not a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER])", r.ARN)
	}
	r.Kind, r.Service, r.Action = Lambda, "lambda", "invoke"
	return nil
}

// integration reads "SERVICE:ACTION[.PATTERN]" or
// "aws-sdk:SERVICE:ACTION[.waitForTaskToken]".
func (r *Resource) integration(rest string) error {
	r.Kind = Service
	if sdk, ok := strings.CutPrefix(rest, "aws-sdk:"); ok {
		r.Kind, rest = SDK, sdk
	}
	service, action, ok := strings.Cut(rest, ":")
	if ok {
		action, r.Pattern, ok = cutPattern(action)
	}
	if !ok || service == "" || action == "" || strings.ContainsAny(service+action, ":/ ") {
		return fmt.Errorf("%q is not a service integration (arn:aws:states:::service:action, with .sync, .sync:2 or .waitForTaskToken after the action)", r.ARN)
	}
	if r.Kind == SDK && (r.Pattern == Sync || r.Pattern == Sync2) {
		return fmt.Errorf("%q: AWS SDK integrations do not support %s; use .waitForTaskToken or none", r.ARN, r.Pattern)
	}
	r.Service, r.Action = service, action
	return nil
}

// cutPattern splits ".sync", ".sync:2" or ".waitForTaskToken" off an
// action.
func cutPattern(action string) (string, Pattern, bool) {
	name, suffix, has := strings.Cut(action, ".")
	if !has {
		return action, RequestResponse, true
	}
	switch suffix {
	case "sync":
		return name, Sync, true
	case "sync:2":
		return name, Sync2, true
	case "waitForTaskToken":
		return name, WaitForTaskToken, true
	}
	return "", 0, false
}

// IsLambdaInvoke reports whether the resource invokes a Lambda function:
// by ARN, or through lambda:invoke.
func (r Resource) IsLambdaInvoke() bool {
	return r.Kind == Lambda || r.Kind == Service && r.Service == "lambda" && r.Action == "invoke"
}

// EventResource is how a TaskScheduled event names the resource: its
// resourceType ("lambda", "aws-sdk:s3") and resource ("invoke",
// "getObject.waitForTaskToken").
func (r Resource) EventResource() (resourceType, resource string) {
	switch r.Kind {
	case Service:
		return r.Service, r.Action + r.Pattern.String()
	case SDK:
		return "aws-sdk:" + r.Service, r.Action + r.Pattern.String()
	}
	return "", r.ARN
}
