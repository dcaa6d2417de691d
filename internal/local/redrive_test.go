package local_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/local"
	"github.com/yafdp/yafdp/internal/mockconfig"
)

// An execution that failed before a restart of local up on the same
// --data-dir is redriven after it, from its history, through the store on
// disk; its mock test case goes on counting, so the redrive succeeds.
func TestRedriveAfterARestartOnTheDataDir(t *testing.T) {
	ctx := testContext(t)
	dir := t.TempDir()
	cfg, err := mockconfig.Parse([]byte(`{
	 "StateMachines":{"pay":{"TestCases":{"Outage":{"Pay":"DownOnce"}}}},
	 "MockedResponses":{"DownOnce":{"0":{"Throw":{"Error":"Payment.Unavailable","Cause":"outage"}},"1":{"Return":{"paid":true}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	start := func() *local.Server {
		srv, err := local.Start(context.Background(), local.Options{Addr: "127.0.0.1:0", DataDir: dir, Mock: cfg,
			Consumer: local.ConsumerOptions{WaitTime: time.Second}})
		if err != nil {
			t.Fatal(err)
		}
		return srv
	}
	srv := start()
	sf := awstest.SFN(srv.URL, nil)
	m, err := sf.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("pay"), RoleArn: aws.String("arn:aws:iam::000000000000:role/r"),
		Definition: aws.String(`{"StartAt":"Note","States":{"Note":{"Type":"Pass","Assign":{"order.$":"$.orderId"},"Next":"Pay"},
		 "Pay":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","ResultPath":"$.pay","Next":"Done"},
		 "Done":{"Type":"Pass","Parameters":{"order.$":"$order","pay.$":"$.pay"},"End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	st, err := sf.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(aws.ToString(m.StateMachineArn) + "#Outage"),
		Name: aws.String("ord_r1"), Input: aws.String(`{"orderId":"ord_r1"}`)})
	if err != nil {
		t.Fatal(err)
	}
	var d *sfn.DescribeExecutionOutput
	waitFor(t, "the first run to fail", time.Minute, func() bool {
		d, err = sf.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: st.ExecutionArn})
		return err == nil && d.Status != types.ExecutionStatusRunning
	})
	if d.Status != types.ExecutionStatusFailed {
		t.Fatalf("first run: %s", d.Status)
	}
	shutdown(t, srv)

	srv = start()
	defer shutdown(t, srv)
	sf = awstest.SFN(srv.URL, nil)
	if _, err := sf.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: st.ExecutionArn}); err != nil {
		t.Fatalf("RedriveExecution after the restart: %v", err)
	}
	waitFor(t, "the redrive to end", time.Minute, func() bool {
		d, err = sf.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: st.ExecutionArn})
		return err == nil && d.Status != types.ExecutionStatusRunning
	})
	if d.Status != types.ExecutionStatusSucceeded || aws.ToString(d.Output) != `{"order":"ord_r1","pay":{"paid":true}}` || aws.ToInt32(d.RedriveCount) != 1 {
		t.Fatalf("after the redrive: %s %s %s, %d redrives", d.Status, aws.ToString(d.Output), aws.ToString(d.Cause), aws.ToInt32(d.RedriveCount))
	}
}
