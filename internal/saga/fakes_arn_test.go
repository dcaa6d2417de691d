package saga

import (
	"context"
	"testing"

	"github.com/yafdp/yafdp/internal/asl"
	"github.com/yafdp/yafdp/internal/asl/value"
	"github.com/yafdp/yafdp/internal/clock"
)

func TestFunctionName(t *testing.T) {
	for in, want := range map[string]string{
		"yafdp-payment-charge":                                                        "yafdp-payment-charge",
		"yafdp-payment-charge:live":                                                   "yafdp-payment-charge",
		"123456789012:function:yafdp-payment-charge":                                  "yafdp-payment-charge",
		"arn:aws:lambda:us-east-1:123456789012:function:yafdp-payment-charge":         "yafdp-payment-charge",
		"arn:aws:lambda:eu-west-1:000000000000:function:yafdp-payment-charge:$LATEST": "yafdp-payment-charge",
	} {
		if got := functionName(in); got != want {
			t.Errorf("functionName(%q) = %q, want %q", in, got, want)
		}
	}
}

// The fakes answer a function however a definition names it: lambda:invoke
// with a FunctionName that is an ARN (its result wrapped in Payload), and a
// Task whose Resource is the function's ARN (its result itself).
func TestFakesByFunctionARN(t *testing.T) {
	const arn = "arn:aws:lambda:us-east-1:123456789012:function:" + FnPaymentCharge
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"lambda:invoke with an ARN", `{"StartAt":"Charge","States":{"Charge":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
		  "Parameters":{"FunctionName":"` + arn + `:$LATEST","Payload":{"orderId.$":"$.orderId"}},"End":true}}}`,
			`{"ExecutedVersion":"$LATEST","Payload":{"paymentId":"pay_o-1","status":"charged"},"StatusCode":200}`},
		{"the function's ARN as Resource", `{"StartAt":"Charge","States":{"Charge":{"Type":"Task","Resource":"` + arn + `","End":true}}}`,
			`{"paymentId":"pay_o-1","status":"charged"}`},
		{"an alias's ARN as Resource", `{"StartAt":"Charge","States":{"Charge":{"Type":"Task","Resource":"` + arn + `:live","End":true}}}`,
			`{"paymentId":"pay_o-1","status":"charged"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := asl.Parse([]byte(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			vc := clock.NewVirtual(clock.Epoch)
			e := &asl.Engine{Clock: vc, Resources: NewFakes(FakeConfig{}, vc, 1).Resources()}
			x, err := e.Start(context.Background(), m, asl.StartOptions{Name: "o-1", Input: map[string]any{"orderId": "o-1"}})
			if err != nil {
				t.Fatal(err)
			}
			vc.Run()
			st, out, errName, cause := x.Result()
			if st != asl.StatusSucceeded {
				t.Fatalf("%s %s: %s", st, errName, cause)
			}
			if got := value.MustEncodeString(out); got != tc.want {
				t.Fatalf("output %s, want %s", got, tc.want)
			}
		})
	}
}
