package local_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/local"
	"github.com/yafdp/yafdp/internal/mockconfig"
	"github.com/yafdp/yafdp/internal/saga"
)

// TestMockExtensionsOverTheWire: local up with a mock config whose test
// case routes one Task to the payment fake and answers another after a
// mocked latency; StartExecution on <arn>#<TestCase> over a real socket
// ends with the fake's answer in the output and a charge in its ledger.
func TestMockExtensionsOverTheWire(t *testing.T) {
	cfg, err := mockconfig.Parse([]byte(`{
	  "StateMachines": {"Shop": {"TestCases": {"RealPayment": {"Charge": "FakeCharge", "Ship": "Shipped"}}}},
	  "MockedResponses": {"Shipped": {"0": {"Return": {"tracking": "T1"}}}},
	  "Yafdp": {"MockedResponses": {"FakeCharge": {"Fake": "payment.charge"}, "Shipped": {"Latency": "20ms"}}}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := local.Start(context.Background(), local.Options{Addr: "127.0.0.1:0", Seed: 1, Mock: cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := awstest.SFN(srv.URL, nil)
	def := `{"StartAt":"Charge","States":{
	  "Charge":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"shop-charge","Payload.$":"$"},
	    "ResultSelector":{"paymentId.$":"$.Payload.paymentId"},"ResultPath":"$.payment","Next":"Ship"},
	  "Ship":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:ship","ResultPath":"$.shipping","End":true}}}`
	m, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("Shop"), Definition: aws.String(def), RoleArn: aws.String("arn:aws:iam::123456789012:role/r")})
	if err != nil {
		t.Fatal(err)
	}
	x, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(*m.StateMachineArn + "#RealPayment"), Name: aws.String("ord_1"), Input: aws.String(`{"orderId":"ord_1","totalCents":1200}`)})
	if err != nil {
		t.Fatal(err)
	}
	var out *sfn.DescribeExecutionOutput
	for {
		if out, err = c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: x.ExecutionArn}); err != nil {
			t.Fatal(err)
		}
		if out.Status != "RUNNING" {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if out.Status != "SUCCEEDED" || out.Output == nil {
		t.Fatalf("%s: %v %v", out.Status, aws.ToString(out.Error), aws.ToString(out.Cause))
	}
	if got := *out.Output; !strings.Contains(got, `"payment":{"paymentId":"pay_`) || !strings.Contains(got, `"shipping":{"tracking":"T1"}`) {
		t.Errorf("output %s: want the payment fake's paymentId and the mocked tracking", got)
	}
	if s := srv.Fakes.Stats()[saga.FnPaymentCharge]; s.Calls != 1 || s.OK != 1 {
		t.Errorf("the payment fake saw %+v", s)
	}
	if d := out.StopDate.Sub(*out.StartDate); d < 20*time.Millisecond {
		t.Errorf("the execution took %v, less than Ship's mocked latency", d)
	}
}
