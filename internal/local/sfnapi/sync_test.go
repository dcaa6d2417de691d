package sfnapi

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"

	"github.com/yafdp/yafdp/internal/mockconfig"
)

// StartSyncExecution over a real socket: an Express execution's end in the
// answer (a failure is a 200 with status FAILED), its test case of a mock
// config, METADATA_ONLY without data, and StateMachineTypeNotSupported for
// a Standard machine.
func TestStartSyncExecution(t *testing.T) {
	cfg, err := mockconfig.Parse([]byte(checkoutMock))
	if err != nil {
		t.Fatal(err)
	}
	_, c, _ := local(t, nil, Options{Mock: cfg})
	ctx := testCtx(t)
	out, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("Checkout"), Definition: aws.String(defCheckout),
		RoleArn: aws.String(testRole), Type: types.StateMachineTypeExpress})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.StateMachineArn)

	ok, err := c.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(arn + "#Throttled"), Name: aws.String("o1"),
		Input: aws.String(`{"orderId":"o1"}`), TraceHeader: aws.String("Root=1-0")}, noHostPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if ok.Status != types.SyncExecutionStatusSucceeded || aws.ToString(ok.Output) != `{"paid":true}` || aws.ToString(ok.Input) != `{"orderId":"o1"}` ||
		ok.InputDetails == nil || !ok.InputDetails.Included || aws.ToString(ok.TraceHeader) != "Root=1-0" || aws.ToString(ok.Name) != "o1" ||
		aws.ToString(ok.StateMachineArn) != arn || ok.StartDate == nil || ok.StopDate == nil || ok.BillingDetails == nil ||
		ok.BillingDetails.BilledMemoryUsedInMB != 64 || ok.BillingDetails.BilledDurationInMilliseconds%100 != 0 {
		t.Errorf("the throttled-then-charged case: %+v", ok)
	}
	failed, err := c.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(arn + "#Declined")}, noHostPrefix)
	if err != nil || failed.Status != types.SyncExecutionStatusFailed || aws.ToString(failed.Error) != "Checkout.Failed" || failed.Output != nil {
		t.Errorf("the declined case: %+v %v", failed, err)
	}
	meta, err := c.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(arn + "#HappyPath"), IncludedData: types.IncludedDataMetadataOnly}, noHostPrefix)
	if err != nil || meta.Status != types.SyncExecutionStatusSucceeded || meta.Input != nil || meta.Output != nil {
		t.Errorf("METADATA_ONLY: %+v %v", meta, err)
	}

	std := createMachine(t, ctx, c, "Standard", defCheckout)
	_, err = c.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(std)}, noHostPrefix)
	if !errors.As(err, new(*types.StateMachineTypeNotSupported)) {
		t.Errorf("a Standard machine: %v", err)
	}
	_, err = c.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(arn), IncludedData: "SOME"}, noHostPrefix)
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "ValidationException" {
		t.Errorf("includedData SOME: %v", err)
	}
}
