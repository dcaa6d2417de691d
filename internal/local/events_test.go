package local_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/yafdp/yafdp/internal/local"
)

func eventClients(t *testing.T) (*local.Server, *eventbridge.Client, *sqs.Client, *sfn.Client) {
	t.Helper()
	srv, err := local.Start(context.Background(), local.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	return srv,
		eventbridge.New(eventbridge.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(srv.URL)}),
		sqs.New(sqs.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(srv.URL)}),
		sfn.New(sfn.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(srv.URL)})
}

func apiError(t *testing.T, err error, code, message string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || ae.ErrorMessage() != message {
		t.Errorf("error %v, want %s: %s", err, code, message)
	}
}

// TestEventBridgeRules drives the rule and target operations through the
// SDK, with AWS's answers to bad input.
func TestEventBridgeRules(t *testing.T) {
	srv, eb, sq, _ := eventClients(t)
	ctx := context.Background()
	q, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("events")})
	if err != nil {
		t.Fatal(err)
	}
	qARN := "arn:aws:sqs:us-east-1:000000000000:events"

	_, err = eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r1")})
	apiError(t, err, "ValidationException", "Parameter(s) EventPattern or ScheduleExpression must be specified.")
	_, err = eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r1"), EventPattern: aws.String(`{"source":"aws.states"}`)})
	apiError(t, err, "InvalidEventPatternException", "Event pattern is not valid. Reason: 'source' must be an object or an array")
	_, err = eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("bad name"), EventPattern: aws.String(`{"source":["x"]}`)})
	apiError(t, err, "ValidationException", "1 validation error detected: Value 'bad name' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+")
	_, err = eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r1"), EventPattern: aws.String(`{"source":["x"]}`), EventBusName: aws.String("orders")})
	apiError(t, err, "ResourceNotFoundException", "Event bus orders does not exist.")

	pattern := `{"source": ["aws.states"]}`
	r, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r1"), EventPattern: aws.String(pattern), Description: aws.String("d")})
	if err != nil || aws.ToString(r.RuleArn) != "arn:aws:events:us-east-1:000000000000:rule/r1" {
		t.Fatalf("PutRule: %v %v", r, err)
	}
	d, err := eb.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("r1")})
	if err != nil || aws.ToString(d.EventPattern) != pattern || d.State != ebtypes.RuleStateEnabled || aws.ToString(d.EventBusName) != "default" || aws.ToString(d.Description) != "d" {
		t.Fatalf("DescribeRule: %+v %v", d, err)
	}
	_, err = eb.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("nope")})
	apiError(t, err, "ResourceNotFoundException", "Rule nope does not exist on EventBus default.")

	_, err = eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("nope"), Targets: []ebtypes.Target{{Id: aws.String("t"), Arn: aws.String(qARN)}}})
	apiError(t, err, "ResourceNotFoundException", "Rule nope does not exist on EventBus default.")
	_, err = eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r1"), Targets: []ebtypes.Target{{Id: aws.String("t"), Arn: aws.String("queue")}}})
	apiError(t, err, "ValidationException", "Parameter queue is not valid. Reason: Provided Arn is not in correct format.")
	_, err = eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r1"), Targets: []ebtypes.Target{{Id: aws.String("t"), Arn: aws.String(qARN + ".fifo")}}})
	apiError(t, err, "ValidationException", "Parameter(s) SqsParameters must be specified for target: t.")
	if _, err = eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r1"), Targets: []ebtypes.Target{{Id: aws.String("t"), Arn: aws.String(qARN)}}}); err != nil {
		t.Fatal(err)
	}
	var six []ebtypes.Target
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		six = append(six, ebtypes.Target{Id: aws.String(id), Arn: aws.String(qARN)})
	}
	_, err = eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r1"), Targets: six})
	apiError(t, err, "LimitExceededException", "The requested resource exceeds the maximum number allowed.")
	lt, err := eb.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("r1")})
	if err != nil || len(lt.Targets) != 1 || aws.ToString(lt.Targets[0].Arn) != qARN {
		t.Fatalf("ListTargetsByRule: %+v %v", lt, err)
	}

	_, err = eb.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("r1")})
	apiError(t, err, "ValidationException", "Rule can't be deleted since it has targets.")
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r2"), EventPattern: aws.String(pattern), State: ebtypes.RuleStateDisabled}); err != nil {
		t.Fatal(err)
	}
	lr, err := eb.ListRules(ctx, &eventbridge.ListRulesInput{Limit: aws.Int32(1)})
	if err != nil || len(lr.Rules) != 1 || aws.ToString(lr.Rules[0].Name) != "r1" || lr.NextToken == nil {
		t.Fatalf("ListRules page 1: %+v %v", lr, err)
	}
	lr, err = eb.ListRules(ctx, &eventbridge.ListRulesInput{Limit: aws.Int32(1), NextToken: lr.NextToken})
	if err != nil || len(lr.Rules) != 1 || aws.ToString(lr.Rules[0].Name) != "r2" || lr.Rules[0].State != ebtypes.RuleStateDisabled || lr.NextToken != nil {
		t.Fatalf("ListRules page 2: %+v %v", lr, err)
	}
	if _, err := eb.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("r1"), Ids: []string{"t"}}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"r1", "r2", "never-was"} {
		if _, err := eb.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String(name)}); err != nil {
			t.Errorf("DeleteRule %s: %v", name, err)
		}
	}
	_ = q

	// An operation local up does not serve says which ones it does.
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(`{"Entries":[]}`))
	req.Header.Set("X-Amz-Target", "AWSEvents.PutEvents")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != http.StatusBadRequest || body["__type"] != "UnknownOperationException" || !strings.Contains(body["message"], "PutRule") {
		t.Errorf("PutEvents: %d %v", resp.StatusCode, body)
	}
}

// TestExecutionStatusChangeEvents runs executions and reads their status
// changes from a rule's queue, in AWS's envelope; the rule's pattern keeps
// RUNNING and other machines' changes out.
func TestExecutionStatusChangeEvents(t *testing.T) {
	_, eb, sq, sf := eventClients(t)
	ctx := context.Background()
	var arns []string
	for _, def := range []struct{ name, asl string }{
		{"ok", `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"done":true},"End":true}}}`},
		{"bad", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Payment.Declined","Cause":"card"}}}`},
		{"other", `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`},
	} {
		sm, err := sf.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(def.name), Definition: aws.String(def.asl), RoleArn: aws.String("arn:aws:iam::000000000000:role/r")})
		if err != nil {
			t.Fatal(err)
		}
		arns = append(arns, aws.ToString(sm.StateMachineArn))
	}
	q, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("changes")})
	if err != nil {
		t.Fatal(err)
	}
	pattern, _ := json.Marshal(map[string]any{"source": []string{"aws.states"}, "detail-type": []string{"Step Functions Execution Status Change"},
		"detail": map[string]any{"stateMachineArn": arns[:2], "status": []string{"SUCCEEDED", "FAILED"}}})
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("ends"), EventPattern: aws.String(string(pattern))}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("ends"), Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:changes")}}}); err != nil {
		t.Fatal(err)
	}
	for i, arn := range arns {
		if _, err := sf.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn), Name: aws.String("e" + string(rune('0'+i))), Input: aws.String(`{"orderId":"o"}`)}); err != nil {
			t.Fatal(err)
		}
	}
	var got []map[string]any
	deadline := time.Now().Add(10 * time.Second)
	for len(got) < 2 && time.Now().Before(deadline) {
		out, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.Messages {
			var ev map[string]any
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &ev); err != nil {
				t.Fatal(err)
			}
			got = append(got, ev)
		}
	}
	// Nothing more: RUNNING and the other machine's end do not match.
	out, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
	if err != nil || len(got) != 2 || len(out.Messages) != 0 {
		t.Fatalf("%d events, then %d more (%v)", len(got), len(out.Messages), err)
	}
	sort.Slice(got, func(i, j int) bool {
		return got[i]["detail"].(map[string]any)["name"].(string) < got[j]["detail"].(map[string]any)["name"].(string)
	})
	for i, ev := range got {
		d := ev["detail"].(map[string]any)
		keys := func(m map[string]any) []string {
			var k []string
			for key := range m {
				k = append(k, key)
			}
			sort.Strings(k)
			return k
		}
		if want := []string{"account", "detail", "detail-type", "id", "region", "resources", "source", "time", "version"}; !reflect.DeepEqual(keys(ev), want) {
			t.Errorf("envelope keys %v, want %v", keys(ev), want)
		}
		if want := []string{"cause", "error", "executionArn", "input", "inputDetails", "name", "output", "outputDetails", "redriveCount", "redriveDate", "redriveStatus", "redriveStatusReason", "startDate", "stateMachineArn", "status", "stopDate"}; !reflect.DeepEqual(keys(d), want) {
			t.Errorf("detail keys %v, want %v", keys(d), want)
		}
		execARN := "arn:aws:states:us-east-1:000000000000:execution:" + []string{"ok", "bad"}[i] + ":e" + string(rune('0'+i))
		if ev["version"] != "0" || ev["source"] != "aws.states" || ev["account"] != "000000000000" || ev["region"] != "us-east-1" ||
			!reflect.DeepEqual(ev["resources"], []any{execARN}) || d["executionArn"] != execARN || d["stateMachineArn"] != arns[i] || d["input"] != `{"orderId":"o"}` {
			t.Errorf("event %d: %v", i, ev)
		}
		if _, err := time.Parse("2006-01-02T15:04:05Z", ev["time"].(string)); err != nil {
			t.Errorf("time %v: %v", ev["time"], err)
		}
		start, _ := d["startDate"].(float64)
		stop, _ := d["stopDate"].(float64)
		if start < 1e12 || stop < start {
			t.Errorf("startDate %v stopDate %v: want epoch milliseconds", d["startDate"], d["stopDate"])
		}
	}
	ok, bad := got[1]["detail"].(map[string]any), got[0]["detail"].(map[string]any)
	if ok["name"] != "e0" {
		ok, bad = bad, ok
	}
	if ok["status"] != "SUCCEEDED" || ok["output"] != `{"done":true}` || ok["error"] != nil || !reflect.DeepEqual(ok["outputDetails"], map[string]any{"included": true}) {
		t.Errorf("succeeded: %v", ok)
	}
	if bad["status"] != "FAILED" || bad["output"] != nil || bad["outputDetails"] != nil || bad["error"] != "Payment.Declined" || bad["cause"] != "card" || bad["redriveStatus"] != "REDRIVABLE" {
		t.Errorf("failed: %v", bad)
	}
}
