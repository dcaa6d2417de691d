package sfnapi

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/awsops/mototest"
)

// The conformance suite runs one sequence of Step Functions calls through
// aws-sdk-go-v2 against this service and against moto 5.2.1 (executing
// definitions), and compares what both return, step by step. Results are
// normalised first: times become their presence, generated names their
// shape. Where moto and this service differ, knownDifferences says why
// (docs/local-conformance.md, "Step Functions", says the same for people);
// the test fails if a listed difference goes away, so the list stays true.

// Definitions moto can execute: no Task states.
const (
	defPass = `{"Comment":"pass","StartAt":"A","States":{"A":{"Type":"Pass","Result":{"ok":true},"ResultPath":"$.r","End":true}}}`

	defOrder = `{"StartAt":"ProcessPayment","States":{
  "ProcessPayment":{"Type":"Pass","Result":"charged","ResultPath":"$.payment","Next":"Hold"},
  "Hold":{"Type":"Wait","Seconds":1,"Next":"Route"},
  "Route":{"Type":"Choice","Choices":[{"Variable":"$.totalCents","NumericGreaterThan":10000,"Next":"OrderFailed"}],"Default":"Confirm"},
  "Confirm":{"Type":"Succeed"},
  "OrderFailed":{"Type":"Fail","Error":"Payment.Declined","Cause":"the card was declined"}}}`

	defFlow = `{"StartAt":"Fan","States":{
  "Fan":{"Type":"Parallel","ResultPath":"$.fan","Next":"Each","Branches":[
    {"StartAt":"B1","States":{"B1":{"Type":"Pass","Result":1,"End":true}}},
    {"StartAt":"B2","States":{"B2":{"Type":"Pass","Result":2,"End":true}}}]},
  "Each":{"Type":"Map","ItemsPath":"$.items","ResultPath":"$.each","MaxConcurrency":1,
    "Iterator":{"StartAt":"Item","States":{"Item":{"Type":"Pass","End":true}}},"End":true}}}`

	defSlow = `{"StartAt":"Sleep","States":{"Sleep":{"Type":"Wait","Seconds":60,"Next":"Done"},"Done":{"Type":"Succeed"}}}`
)

// knownDifferences are the steps where moto 5.2.1 and this service answer
// differently, with the reason. Where AWS's answer is known, this service
// gives it (the service tests check those answers against AWS's wording).
var knownDifferences = map[string]string{
	"create: same name, other definition":          "AWS refuses with StateMachineAlreadyExists; moto returns the existing machine",
	"create: definition without its StartAt state": "moto does not check that StartAt names a state and creates the machine; AWS answers InvalidDefinition",
	"create: definition not JSON":                  "moto answers with \"__type\": null, which the SDK cannot type (UnknownError)",
	"describe machine: express":                    "moto ignores type and describes every machine as STANDARD",
	"start: no name":                               "AWS names the execution with a UUID; moto executing definitions names it \"None\"",
	"start: input not JSON":                        "moto answers with \"__type\": null, which the SDK cannot type (UnknownError)",
	"start: invalid name":                          "moto executing definitions does not check execution names; AWS answers InvalidName",
	"start: input over 256 KiB":                    "moto accepts the input; AWS answers ValidationException",
	"start: express":                               "AWS gives Express executions arn:...:express:MACHINE:NAME:UUID ARNs; moto treats the machine as STANDARD",
	"describe execution: output text":              "moto writes the output with Python's separators ({\"a\": 1}); AWS writes compact JSON",
	"describe execution: data details":             "moto leaves out inputDetails",
	"list executions: express":                     "AWS refuses ListExecutions for EXPRESS machines (StateMachineTypeNotSupported); moto treats the machine as STANDARD",
	"history: flow":                                "inside Parallel and Map states moto interleaves branch events and sets previousEventId differently",
	"history: paged forward":                       "moto ignores maxResults and nextToken: the whole history comes in one page",
	"history: paged reverse":                       "moto ignores reverseOrder, maxResults and nextToken",
	"history: without execution data":              "moto ignores includeExecutionData",
	"history: bad token":                           "moto ignores nextToken; AWS answers InvalidToken",
	"stop: with error and cause":                   "moto's StopExecution leaves out stopDate when it stops a running execution",
	"describe execution: aborted":                  "moto drops the error and cause given to StopExecution",
	"history: aborted":                             "moto drops the error and cause given to StopExecution",
	"describe machine for execution":               "moto leaves out updateDate, which AWS always returns",
	"create: invalid role ARN":                     "wording: moto says \"Invalid Role Arn: 'X'\"; here it is AWS's ARN parser's \"Invalid Arn: 'Invalid ARN prefix: X'\"",
	"describe machine: not an ARN":                 "wording: moto says \"Invalid State Machine Arn: 'X'\"; AWS says \"Invalid Arn: 'Invalid ARN prefix: X'\"",
	"start: not an ARN":                            "wording: moto says \"Invalid State Machine Arn: 'X'\"; AWS says \"Invalid Arn: 'Invalid ARN prefix: X'\"",
	"delete: not an ARN":                           "wording: moto says \"Invalid State Machine Arn: 'X'\"; AWS says \"Invalid Arn: 'Invalid ARN prefix: X'\"",
	"describe execution: not an execution ARN":     "wording: moto says \"Execution Does Not Exist\" (still InvalidArn); AWS says the resource type is not valid in this context",
	"list executions: bad token":                   "wording: moto says \"Invalid Token: Invalid token\"; AWS quotes it: \"Invalid Token: 'Invalid token'\"",
}

// normaliser turns SDK results into comparable values.
var uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`)

func normName(s string) string { return uuidRE.ReplaceAllString(s, "<uuid>") }

func when(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "absent"
	}
	return "set"
}

// apiErr records the SDK's typed error, its code and its message.
func apiErr(err error) map[string]any {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return map[string]any{"error": err.Error()}
	}
	return map[string]any{"error": ae.ErrorCode(), "type": fmt.Sprintf("%T", ae), "msg": ae.ErrorMessage()}
}

type step struct {
	name string
	got  any
}

// script runs the sequence of calls against one endpoint and returns the
// normalised results.
type script struct {
	t     *testing.T
	ctx   context.Context
	c     *sfn.Client
	steps []step
	arns  map[string]string
}

func (s *script) record(name string, v any) { s.steps = append(s.steps, step{name, v}) }

func (s *script) create(label, name, def, typ string) {
	in := &sfn.CreateStateMachineInput{Name: aws.String(name), Definition: aws.String(def), RoleArn: aws.String(testRole)}
	if typ != "" {
		in.Type = types.StateMachineType(typ)
	}
	out, err := s.c.CreateStateMachine(s.ctx, in)
	if err != nil {
		s.record("create: "+label, apiErr(err))
		return
	}
	s.arns[name] = aws.ToString(out.StateMachineArn)
	s.record("create: "+label, map[string]any{"arn": aws.ToString(out.StateMachineArn), "created": when(out.CreationDate)})
}

func (s *script) start(label, machineARN string, name, input *string) string {
	out, err := s.c.StartExecution(s.ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(machineARN), Name: name, Input: input})
	if err != nil {
		s.record("start: "+label, apiErr(err))
		return ""
	}
	s.record("start: "+label, map[string]any{"arn": normName(aws.ToString(out.ExecutionArn)), "start": when(out.StartDate)})
	return aws.ToString(out.ExecutionArn)
}

func (s *script) describeExecution(label, arn string) {
	out, err := s.c.DescribeExecution(s.ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		s.record("describe execution: "+label, apiErr(err))
		return
	}
	// The output is compared as a value; how it is written is a step of
	// its own ("describe execution: output text").
	r := map[string]any{
		"arn": normName(aws.ToString(out.ExecutionArn)), "machine": aws.ToString(out.StateMachineArn),
		"name": normName(aws.ToString(out.Name)), "status": string(out.Status),
		"start": when(out.StartDate), "stop": when(out.StopDate),
		"input": aws.ToString(out.Input), "output": jsonValue(out.Output),
		"error": aws.ToString(out.Error), "cause": aws.ToString(out.Cause),
	}
	if out.StopDate != nil && out.StartDate != nil && out.StopDate.Before(*out.StartDate) {
		r["stop"] = "before start"
	}
	s.record("describe execution: "+label, r)
}

// jsonValue decodes a payload so that two spellings of one value compare
// equal.
func jsonValue(s *string) any {
	if s == nil {
		return nil
	}
	v, err := value.DecodeString(*s)
	if err != nil {
		return "not JSON: " + *s
	}
	return v
}

func (s *script) wait(arn string) {
	for {
		out, err := s.c.DescribeExecution(s.ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			s.t.Fatalf("DescribeExecution %s: %v", arn, err)
		}
		if out.Status != types.ExecutionStatusRunning {
			return
		}
		select {
		case <-s.ctx.Done():
			s.t.Fatalf("%s still running", arn)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func eventRecord(e types.HistoryEvent) map[string]any {
	ev := asl.FromSFN(e)
	r := map[string]any{"id": e.Id, "prev": e.PreviousEventId, "type": string(e.Type), "time": when(e.Timestamp)}
	if ev.StateName != "" {
		r["state"] = ev.StateName
	}
	if ev.Payload != nil {
		r["payload"] = fmt.Sprint(ev.Payload)
	}
	if ev.Error != "" || ev.Cause != "" {
		r["error"], r["cause"] = ev.Error, ev.Cause
	}
	if ev.Resource != "" {
		r["resource"] = ev.Resource
	}
	if e.MapStateStartedEventDetails != nil {
		r["length"] = e.MapStateStartedEventDetails.Length
	}
	if ev.Type == "MapIterationStarted" || ev.Type == "MapIterationSucceeded" {
		r["index"] = ev.Index
	}
	return r
}

func (s *script) history(label, arn string, in sfn.GetExecutionHistoryInput) {
	in.ExecutionArn = aws.String(arn)
	var pages [][]map[string]any
	for {
		out, err := s.c.GetExecutionHistory(s.ctx, &in)
		if err != nil {
			s.record("history: "+label, apiErr(err))
			return
		}
		var page []map[string]any
		for _, e := range out.Events {
			page = append(page, eventRecord(e))
		}
		pages = append(pages, page)
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	if in.MaxResults == 0 && in.NextToken == nil {
		s.record("history: "+label, pages)
		return
	}
	// A paged history is recorded as its page sizes and event ids.
	var sizes []int
	var ids []int64
	for _, p := range pages {
		sizes = append(sizes, len(p))
		for _, e := range p {
			ids = append(ids, e["id"].(int64))
		}
	}
	s.record("history: "+label, map[string]any{"pages": sizes, "ids": ids})
}

func (s *script) listExecutions(label string, in sfn.ListExecutionsInput) {
	var pages [][]string
	for {
		out, err := s.c.ListExecutions(s.ctx, &in)
		if err != nil {
			s.record("list executions: "+label, apiErr(err))
			return
		}
		var page []string
		for _, x := range out.Executions {
			page = append(page, normName(aws.ToString(x.Name))+" "+string(x.Status)+" stop:"+when(x.StopDate))
		}
		pages = append(pages, page)
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	s.record("list executions: "+label, pages)
}

// run is the sequence of calls.
func (s *script) run() {
	ctx, c := s.ctx, s.c
	s.arns = map[string]string{}

	// State machines.
	s.create("pass", "sm-pass", defPass, "")
	s.create("same name, same definition", "sm-pass", defPass, "")
	s.create("same name, other definition", "sm-pass", defOrder, "")
	s.create("invalid name", "bad name", defPass, "")
	s.create("name too long", strings.Repeat("n", 81), defPass, "")
	s.create("definition without its StartAt state", "sm-bad", `{"StartAt":"Nowhere","States":{"A":{"Type":"Pass","End":true}}}`, "")
	s.create("definition not JSON", "sm-bad", `{"StartAt":`, "")
	// moto creates sm-bad; remove it so that it does not show in listings.
	_, _ = c.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: aws.String("arn:aws:states:us-east-1:123456789012:stateMachine:sm-bad")})
	_, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("sm-role"), Definition: aws.String(defPass), RoleArn: aws.String("not-a-role")})
	s.record("create: invalid role ARN", apiErr(err))
	s.create("order", "sm-order", defOrder, "")
	s.create("flow", "sm-flow", defFlow, "")
	s.create("slow", "sm-slow", defSlow, "")
	s.create("express", "sm-express", defPass, "EXPRESS")

	d, err := c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(s.arns["sm-order"])})
	if err != nil {
		s.record("describe machine: order", apiErr(err))
	} else {
		s.record("describe machine: order", map[string]any{"arn": aws.ToString(d.StateMachineArn), "name": aws.ToString(d.Name),
			"status": string(d.Status), "definition": aws.ToString(d.Definition), "role": aws.ToString(d.RoleArn),
			"type": string(d.Type), "created": when(d.CreationDate)})
	}
	d, err = c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(s.arns["sm-express"])})
	if err == nil {
		s.record("describe machine: express", string(d.Type))
	}
	_, err = c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String("arn:aws:states:us-east-1:123456789012:stateMachine:missing")})
	s.record("describe machine: missing", apiErr(err))
	_, err = c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String("not-an-arn")})
	s.record("describe machine: not an ARN", apiErr(err))

	var pages [][]string
	var token *string
	for {
		out, err := c.ListStateMachines(ctx, &sfn.ListStateMachinesInput{MaxResults: 2, NextToken: token})
		if err != nil {
			s.record("list machines: pages of 2", apiErr(err))
			break
		}
		var page []string
		for _, m := range out.StateMachines {
			page = append(page, aws.ToString(m.Name)+" "+when(m.CreationDate))
		}
		pages = append(pages, page)
		if token = out.NextToken; token == nil {
			s.record("list machines: pages of 2", pages)
			break
		}
	}

	// Executions.
	order := s.arns["sm-order"]
	ok := s.start("ord_ok", order, aws.String("ord_ok"), aws.String(`{"orderId": "ord_ok", "totalCents": 2500}`))
	declined := s.start("ord_declined", order, aws.String("ord_declined"), aws.String(`{"orderId":"ord_declined","totalCents":20000}`))
	s.start("no name", s.arns["sm-pass"], nil, aws.String(`{}`))
	slow := s.start("slow", s.arns["sm-slow"], aws.String("nap"), aws.String(`{"n":1}`))
	s.start("same name and input while running", s.arns["sm-slow"], aws.String("nap"), aws.String(`{"n":1}`))
	s.start("same name, other input while running", s.arns["sm-slow"], aws.String("nap"), aws.String(`{"n":2}`))
	// Bad starts go to sm-pass, whose executions are not listed: moto
	// accepts some of them.
	pass := s.arns["sm-pass"]
	s.start("input not JSON", pass, aws.String("bad"), aws.String(`{"orderId":`))
	s.start("invalid name", pass, aws.String("ord bad"), aws.String(`{}`))
	s.start("input over 256 KiB", pass, aws.String("big"), aws.String(`"`+strings.Repeat("x", 256*1024)+`"`))
	s.start("missing machine", "arn:aws:states:us-east-1:123456789012:stateMachine:missing", aws.String("x"), nil)
	s.start("not an ARN", "not-an-arn", aws.String("x"), nil)
	flow := s.start("flow", s.arns["sm-flow"], aws.String("flow"), aws.String(`{"items":[1,2,3]}`))
	s.start("express", s.arns["sm-express"], aws.String("quick"), nil)

	s.wait(ok)
	s.wait(declined)
	s.wait(flow)
	s.start("same name and input after the end", order, aws.String("ord_ok"), aws.String(`{"orderId": "ord_ok", "totalCents": 2500}`))
	if d, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(ok)}); err == nil {
		s.record("describe execution: output text", aws.ToString(d.Output))
		s.record("describe execution: data details", map[string]any{"input": d.InputDetails != nil, "output": d.OutputDetails != nil})
	}
	s.describeExecution("ord_ok", ok)
	s.describeExecution("ord_declined", declined)
	s.describeExecution("flow", flow)
	s.describeExecution("running", slow)
	s.describeExecution("missing", "arn:aws:states:us-east-1:123456789012:execution:sm-order:nope")
	s.describeExecution("missing machine", "arn:aws:states:us-east-1:123456789012:execution:nope:nope")
	s.describeExecution("not an execution ARN", order)

	second := s.start("second", order, aws.String("ord_2"), aws.String(`{"totalCents":1}`))
	third := s.start("third", order, aws.String("ord_3"), aws.String(`{"totalCents":99999}`))
	s.wait(second)
	s.wait(third)
	s.listExecutions("all", sfn.ListExecutionsInput{StateMachineArn: aws.String(order)})
	s.listExecutions("pages of 1", sfn.ListExecutionsInput{StateMachineArn: aws.String(order), MaxResults: 1})
	s.listExecutions("SUCCEEDED", sfn.ListExecutionsInput{StateMachineArn: aws.String(order), StatusFilter: types.ExecutionStatusSucceeded})
	s.listExecutions("FAILED, pages of 1", sfn.ListExecutionsInput{StateMachineArn: aws.String(order), StatusFilter: types.ExecutionStatusFailed, MaxResults: 1})
	s.listExecutions("RUNNING", sfn.ListExecutionsInput{StateMachineArn: aws.String(s.arns["sm-slow"]), StatusFilter: types.ExecutionStatusRunning})
	s.listExecutions("missing machine", sfn.ListExecutionsInput{StateMachineArn: aws.String("arn:aws:states:us-east-1:123456789012:stateMachine:missing")})
	s.listExecutions("express", sfn.ListExecutionsInput{StateMachineArn: aws.String(s.arns["sm-express"])})
	s.listExecutions("bad token", sfn.ListExecutionsInput{StateMachineArn: aws.String(order), NextToken: aws.String("garbage")})

	s.history("ord_ok", ok, sfn.GetExecutionHistoryInput{})
	s.history("ord_declined", declined, sfn.GetExecutionHistoryInput{})
	s.history("flow", flow, sfn.GetExecutionHistoryInput{})
	s.history("paged forward", declined, sfn.GetExecutionHistoryInput{MaxResults: 3})
	s.history("paged reverse", declined, sfn.GetExecutionHistoryInput{MaxResults: 3, ReverseOrder: true})
	s.history("without execution data", ok, sfn.GetExecutionHistoryInput{IncludeExecutionData: aws.Bool(false)})
	s.history("missing", "arn:aws:states:us-east-1:123456789012:execution:sm-order:nope", sfn.GetExecutionHistoryInput{})
	s.history("bad token", ok, sfn.GetExecutionHistoryInput{NextToken: aws.String("garbage")})

	// Stop.
	st, err := c.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(slow), Error: aws.String("Ops.Cancelled"), Cause: aws.String("stopped by the test")})
	if err != nil {
		s.record("stop: with error and cause", apiErr(err))
	} else {
		s.record("stop: with error and cause", when(st.StopDate))
	}
	s.wait(slow)
	s.describeExecution("aborted", slow)
	s.history("aborted", slow, sfn.GetExecutionHistoryInput{})
	s.start("same name and input after a stop", s.arns["sm-slow"], aws.String("nap"), aws.String(`{"n":1}`))
	_, err = c.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String("arn:aws:states:us-east-1:123456789012:execution:sm-order:nope")})
	s.record("stop: missing", apiErr(err))

	fe, err := c.DescribeStateMachineForExecution(ctx, &sfn.DescribeStateMachineForExecutionInput{ExecutionArn: aws.String(ok)})
	if err != nil {
		s.record("describe machine for execution", apiErr(err))
	} else {
		s.record("describe machine for execution", map[string]any{"arn": aws.ToString(fe.StateMachineArn), "name": aws.ToString(fe.Name),
			"definition": aws.ToString(fe.Definition), "role": aws.ToString(fe.RoleArn), "updated": when(fe.UpdateDate),
			"logging": fe.LoggingConfiguration != nil, "tracing": fe.TracingConfiguration != nil})
	}

	// Delete.
	_, err = c.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: aws.String(s.arns["sm-pass"])})
	s.record("delete: pass", err == nil)
	_, err = c.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(s.arns["sm-pass"])})
	s.record("delete: describe after", apiErr(err))
	_, err = c.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: aws.String(s.arns["sm-pass"])})
	s.record("delete: again", err == nil)
	_, err = c.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: aws.String("not-an-arn")})
	s.record("delete: not an ARN", apiErr(err))
	out, err := c.ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	if err == nil {
		var names []string
		for _, m := range out.StateMachines {
			names = append(names, aws.ToString(m.Name))
		}
		sort.Strings(names)
		s.record("delete: list after", names)
	}
}

func runScript(t *testing.T, c *sfn.Client) []step {
	s := &script{t: t, ctx: testCtx(t), c: c}
	s.run()
	return s.steps
}

func TestConformanceWithMoto(t *testing.T) {
	moto := mototest.Start(t)
	moto.ExecuteStateMachines(t)
	_, ours, _ := local(t, nil, Options{})
	// Both run at once: most of the time goes into waiting for the same
	// one-second Wait states.
	var got, want []step
	t.Run("run", func(t *testing.T) {
		t.Run("moto", func(t *testing.T) {
			t.Parallel()
			want = runScript(t, awstest.SFN(moto.URL, nil))
		})
		t.Run("here", func(t *testing.T) {
			t.Parallel()
			got = runScript(t, ours)
		})
	})
	if t.Failed() {
		return
	}
	if len(got) != len(want) {
		t.Fatalf("%d steps here, %d against moto", len(got), len(want))
	}
	seen := map[string]bool{}
	for i := range got {
		name := got[i].name
		if name != want[i].name {
			t.Fatalf("step %d is %q here and %q against moto", i, name, want[i].name)
		}
		seen[name] = true
		diff := cmp.Diff(want[i].got, got[i].got)
		reason, known := knownDifferences[name]
		switch {
		case diff != "" && !known:
			t.Errorf("%s: differs from moto (-moto +here):\n%s", name, diff)
		case diff == "" && known:
			t.Errorf("%s: listed as a difference (%s) but both answer %v", name, reason, got[i].got)
		case testing.Verbose() && diff != "":
			t.Logf("%s: known difference (%s):\n%s", name, reason, diff)
		}
	}
	same := 0
	for i := range got {
		if cmp.Equal(want[i].got, got[i].got) {
			same++
		}
	}
	t.Logf("%d steps, %d answered alike, %d known differences", len(got), same, len(got)-same)
	for name := range knownDifferences {
		if !seen[name] {
			t.Errorf("knownDifferences lists %q, which the script does not run", name)
		}
	}
}
