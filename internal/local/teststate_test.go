package local_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/yafdp/yafdp/internal/awsops/awstest"
	"github.com/yafdp/yafdp/internal/local"
	"github.com/yafdp/yafdp/internal/saga"
)

// TestTestStateOnThePipeline: local up tests one state of the saga over a
// real socket; unmocked, its Task calls the fake payment service behind
// the pipeline, mocked it does not.
func TestTestStateOnThePipeline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := local.Start(ctx, local.Options{Addr: "127.0.0.1:0", Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Shutdown(context.Background()) }()
	client := awstest.SFN(srv.URL, nil)
	noPrefix := func(o *sfn.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("noHostPrefix",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
				}), middleware.After)
		})
	}
	input := `{"orderId":"o-1","customerId":"c-1","totalCents":1250,"currency":"EUR"}`
	def := string(saga.Definition)
	out, err := client.TestState(ctx, &sfn.TestStateInput{Definition: &def, StateName: aws.String("ProcessPayment"), Input: &input,
		RoleArn: aws.String("arn:aws:iam::" + local.Account + ":role/saga"), InspectionLevel: sfntypes.InspectionLevelDebug}, noPrefix)
	if err != nil {
		t.Fatal(err)
	}
	var res struct{ Payment struct{ PaymentID string } }
	if err := json.Unmarshal([]byte(aws.ToString(out.Output)), &res); err != nil || out.Status != sfntypes.TestExecutionStatusSucceeded || res.Payment.PaymentID == "" || aws.ToString(out.NextState) != "PlaceRestaurantOrder" {
		t.Fatalf("unmocked: %s %s next %s (%v)", out.Status, aws.ToString(out.Output), aws.ToString(out.NextState), err)
	}
	if got := srv.Fakes.Ledger().Effects("o-1"); len(got) == 0 {
		t.Errorf("the fake payment service saw no charge for o-1")
	}
	out, err = client.TestState(ctx, &sfn.TestStateInput{Definition: &def, StateName: aws.String("ProcessPayment"), Input: &input,
		Mock: &sfntypes.MockInput{ErrorOutput: &sfntypes.MockErrorOutput{Error: aws.String("Payment.Declined"), Cause: aws.String("card declined")}}}, noPrefix)
	if err != nil || out.Status != sfntypes.TestExecutionStatusCaughtError || aws.ToString(out.NextState) != "RefundPayment" {
		t.Fatalf("mocked decline: %+v %v", out, err)
	}
}
