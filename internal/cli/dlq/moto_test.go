package dlq_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/awsops/mototest"
	"github.com/yafdp/yafdp/internal/cli"
	"github.com/yafdp/yafdp/internal/cli/iostreams"
)

func yafdp(t *testing.T, endpoint string, args ...string) (int, string, string) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	code := cli.Run(context.Background(), append([]string{"--endpoint-url", endpoint, "--region", awstest.Region}, args...), ios)
	return code, out.String(), errOut.String()
}

// The commands end to end, through the root command and the real factory,
// against moto: submit orders, find them in the DLQ, peek, redrive (copy,
// since moto has no StartMessageMoveTask), and follow a saga.
func TestCommandsAgainstMoto(t *testing.T) {
	moto := mototest.Start(t)
	moto.ExecuteStateMachines(t)
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "creds"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("XDG_STATE_HOME", dir)
	ctx := context.Background()
	c := awstest.SQS(moto.URL, nil)
	dlq, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders-dlq")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders"), Attributes: map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:orders-dlq","maxReceiveCount":"3"}`}})
	if err != nil {
		t.Fatal(err)
	}

	// Orders that the Lambda gave up on: put them straight in the DLQ.
	code, out, errOut := yafdp(t, moto.URL, "order", "submit", "--queue", "orders-dlq", "--generate", "12", "--seed", "3", "--output", "json")
	if code != 0 || !strings.Contains(errOut, "Sent 12 of 12 orders to orders-dlq") {
		t.Fatalf("submit: exit %d\n%s\n%s", code, out, errOut)
	}
	var sent []map[string]any
	if err := json.Unmarshal([]byte(out), &sent); err != nil || len(sent) != 12 || sent[0]["messageId"] == "" {
		t.Fatalf("submit JSON: %v %s", err, out)
	}

	code, out, _ = yafdp(t, moto.URL, "dlq", "list")
	if code != 0 || !strings.Contains(out, "orders-dlq") || !strings.Contains(out, "orders (after 3 receives)") || !strings.Contains(out, " 12 ") {
		t.Fatalf("list: exit %d\n%s", code, out)
	}
	code, out, _ = yafdp(t, moto.URL, "dlq", "peek", "4", "--queue", "orders-dlq", "--output", "json")
	var peeked []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &peeked) != nil || len(peeked) != 4 || peeked[0]["messageAttributes"].(map[string]any)["schemaVersion"] == nil {
		t.Fatalf("peek: exit %d\n%s", code, out)
	}
	code, out, errOut = yafdp(t, moto.URL, "dlq", "redrive", "--queue", "orders-dlq", "--filter", `body.currency == "EUR"`, "--dry-run", "--wait", "1s")
	if code != 0 || !strings.Contains(out, "Would move") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = yafdp(t, moto.URL, "dlq", "redrive", "--queue", "orders-dlq", "--wait", "1s", "--output", "json")
	var rr map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &rr) != nil || rr["moved"].(float64) != 12 || rr["strategy"] != "copy" {
		t.Fatalf("redrive: exit %d\n%s\n%s", code, out, errOut)
	}
	st, _ := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: dlq.QueueUrl, AttributeNames: []types.QueueAttributeName{"ApproximateNumberOfMessages"}})
	if st.Attributes["ApproximateNumberOfMessages"] != "0" {
		t.Fatalf("the DLQ still shows %s", st.Attributes["ApproximateNumberOfMessages"])
	}

	// A saga on moto's Step Functions.
	s := awstest.SFN(moto.URL, nil)
	def := `{"StartAt":"ProcessPayment","States":{"ProcessPayment":{"Type":"Pass","Next":"Wait"},"Wait":{"Type":"Wait","Seconds":1,"Next":"OrderFailed"},"OrderFailed":{"Type":"Fail","Error":"Payment.Declined","Cause":"declined"}}}`
	sm, err := s.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("order-saga"), Definition: aws.String(def), RoleArn: aws.String("arn:aws:iam::123456789012:role/r")})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ {
		if _, err := s.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String(fmt.Sprintf("ord_%d", i)), Input: aws.String(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut = yafdp(t, moto.URL, "saga", "watch", "ord_2", "--state-machine", "order-saga", "--interval", "200ms")
	if code != 1 || !strings.Contains(out, "Order ord_2 · FAILED") || !strings.Contains(out, "Payment.Declined") {
		t.Fatalf("watch: exit %d (want 1)\n%s\n%s", code, out, errOut)
	}
	code, out, _ = yafdp(t, moto.URL, "saga", "list", "--state-machine", "order-saga", "--status", "FAILED")
	if code != 0 || !strings.Contains(out, "ord_1") || !strings.Contains(out, "ord_2") {
		t.Fatalf("list: exit %d\n%s", code, out)
	}
	code, out, _ = yafdp(t, moto.URL, "saga", "describe", "ord_1", "--state-machine", aws.ToString(sm.StateMachineArn), "--output", "json")
	if code != 0 || !strings.Contains(out, `"status": "FAILED"`) || !strings.Contains(out, `"state": "ProcessPayment"`) {
		t.Fatalf("describe: exit %d\n%s", code, out)
	}
}
